/**
 * Store contract, notification addresses role: one sealed address per reference code, in a table/collection of
 * its own (not among the settings), replaced on a new opt-in, gone on opt-out. Runs on every store.
 */
import { join } from 'node:path';
import type { Store } from '../../src/store/port';
import { describeContract } from './helpers';
import { SqliteStore } from '../../src/store/sqlite';
import { tmpDir } from '../helpers/tmp';

let store: Store;
describeContract('notification addresses', (s) => { store = s; }, () => {

  it('keeps one sealed address per code, replaces it, deletes it', async () => {
    expect(await store.getNotification('BA-ABCDEF')).toBeNull();
    await store.putNotification('BA-ABCDEF', 'sealed-1');
    await store.putNotification('BA-GHJKLM', 'sealed-2');
    await store.putNotification('BA-ABCDEF', 'sealed-3');
    expect(await store.getNotification('BA-ABCDEF')).toBe('sealed-3');
    expect(await store.getSetting('notify:BA-ABCDEF')).toBeNull();
    await store.deleteNotification('BA-ABCDEF');
    expect(await store.getNotification('BA-ABCDEF')).toBeNull();
    expect(await store.getNotification('BA-GHJKLM')).toBe('sealed-2');
    await expect(store.deleteNotification('BA-ZZZZZZ')).resolves.toBeUndefined();
  });
});

describe('SQLite: addresses kept as settings by an older version move to their table', () => {
  it('moves "notify:<ref>" settings into notifications on upgrade', async () => {
    const { dir, cleanup } = tmpDir('binhan-notify-');
    const file = join(dir, 'binhan.sqlite');
    const old = new SqliteStore(file);
    // As the database was at schema 6: the address among the settings, no notifications table.
    old.raw.exec("DROP TABLE notifications; INSERT INTO settings (key, value) VALUES ('notify:BA-ABCDEF', 'sealed-old'), ('keyring', 'k')");
    old.raw.pragma('user_version = 6');
    await old.close();
    const store = new SqliteStore(file);
    try {
      expect(await store.getNotification('BA-ABCDEF')).toBe('sealed-old');
      expect(await store.getSetting('notify:BA-ABCDEF')).toBeNull();
      expect(await store.getSetting('keyring')).toBe('k');
    } finally {
      await store.close();
      cleanup();
    }
  });
});
