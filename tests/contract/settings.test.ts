/**
 * Store contract, key-value role: the small settings store. Runs on every store (SQLite always, MongoDB when MONGODB_URI is set);
 * each test gets a fresh, empty store.
 */
import {
  type Store,
} from '../../src/store/port';
import { describeContract, tip } from './helpers';

let store: Store;
describeContract('key-value', (s) => { store = s; }, () => {

  describe('settings', () => {
    it('gets, sets and overwrites a value', async () => {
      expect(await store.getSetting('encryption.keyring')).toBeNull();
      const v1 = JSON.stringify({ active: 'k1', ids: ['k1'], note: 'khóa mã hóa' });
      await store.setSetting('encryption.keyring', v1);
      expect(await store.getSetting('encryption.keyring')).toBe(v1);
      await store.setSetting('encryption.keyring', '{"active":"k2","ids":["k1","k2"]}');
      expect(await store.getSetting('encryption.keyring')).toBe('{"active":"k2","ids":["k1","k2"]}');
      await store.setSetting('other', '');
      expect(await store.getSetting('other')).toBe('');
    });

    it('keeps anonymous per-day counters: adds up, reads a day range by key prefix', async () => {
      await store.bumpCounters('2026-11-27', [{ key: 'intent:rehab_info', n: 2 }, { key: 'intent:hotlines', n: 1 }]);
      await store.bumpCounters('2026-11-28', [{ key: 'intent:rehab_info', n: 3 }, { key: 'flow:tip', n: 1 }]);
      await Promise.all([1, 2, 3].map(() => store.bumpCounters('2026-11-28', [{ key: 'intent:rehab_info', n: 1 }])));
      expect(await store.readCounters({ from: '2026-11-27', to: '2026-11-28', prefix: 'intent:' })).toEqual([
        { day: '2026-11-27', key: 'intent:hotlines', count: 1 },
        { day: '2026-11-27', key: 'intent:rehab_info', count: 2 },
        { day: '2026-11-28', key: 'intent:rehab_info', count: 6 },
      ]);
      expect(await store.readCounters({ from: '2026-11-28', to: '2026-11-28', prefix: 'flow:' })).toEqual([{ day: '2026-11-28', key: 'flow:tip', count: 1 }]);
    });

    it('deletes a value, and deleting a missing one is harmless', async () => {
      await store.setSetting('notify:BA-ABCDEF', 'sealed');
      await store.deleteSetting('notify:BA-ABCDEF');
      expect(await store.getSetting('notify:BA-ABCDEF')).toBeNull();
      await expect(store.deleteSetting('notify:BA-ZZZZZZ')).resolves.toBeUndefined();
    });
  });
});
