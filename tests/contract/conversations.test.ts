/**
 * Store contract, conversations role: sessions with versions, one conditional write per turn, processed messages, follow-up attempts. Runs on every store (SQLite always, MongoDB when MONGODB_URI is set);
 * each test gets a fresh, empty store.
 */
import {
  SessionConflictError, type Store,
} from '../../src/store/port';
import { describeContract, at } from './helpers';

let store: Store;
describeContract('conversations', (s) => { store = s; }, () => {

  describe('conversation sessions and idempotency', () => {
    it('saves, overwrites, reads and deletes a session', async () => {
      const data = JSON.stringify({ flow: 'report_tip', node: 'ask_province', vars: { category: 'drugs' } });
      expect(await store.getSession('s1')).toBeNull();
      await store.saveSession('s1', data, 1_800_000_000_000);
      expect(await store.getSession('s1')).toEqual({ data, expiresAt: 1_800_000_000_000, version: 1 });
      await store.saveSession('s1', '{"node":"ask_when"}', 1_800_000_060_000);
      expect(await store.getSession('s1')).toEqual({ data: '{"node":"ask_when"}', expiresAt: 1_800_000_060_000, version: 2 });
      await store.saveSession('s2', '{}', 1_800_000_000_000);
      await store.deleteSession('s1');
      expect(await store.getSession('s1')).toBeNull();
      expect(await store.getSession('s2')).not.toBeNull();
    });

    it('commitTurn saves or deletes the session together with the processed message key', async () => {
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":1}', expiresAt: 1_800_000_000_000 }, processedKey: 'web:msg-1', at: 1_700_000_000_000 });
      expect(await store.getSession('k')).toEqual({ data: '{"n":1}', expiresAt: 1_800_000_000_000, version: 1 });
      expect(await store.wasProcessed('web:msg-1')).toBe(true);
      await store.commitTurn({ sessionKey: 'k', processedKey: 'web:msg-2', at: 1_700_000_001_000 });
      expect(await store.getSession('k')).toBeNull();
      expect(await store.wasProcessed('web:msg-2')).toBe(true);
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":3}', expiresAt: 1_800_000_000_000 }, at: 1_700_000_002_000 });
      expect(await store.getSession('k')).toEqual({ data: '{"n":3}', expiresAt: 1_800_000_000_000, version: 1 });
      // A redelivered message id stays processed once.
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":4}', expiresAt: 1_800_000_000_000 }, processedKey: 'web:msg-1', at: 1_700_000_003_000 });
      expect(await store.markProcessed('web:msg-1', 1_700_000_004_000)).toBe(false);
    });

    it('commitTurn commits only onto the version the turn read: a stale turn changes nothing, not even its message mark', async () => {
      const at = 1_700_000_000_000;
      const exp = 1_800_000_000_000;
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":1}', expiresAt: exp }, processedKey: 'web:v-1', at, expectVersion: 0 });
      expect((await store.getSession('v'))?.version).toBe(1);
      // Another instance read version 1 too and committed first; this one still expects 1.
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":2}', expiresAt: exp }, processedKey: 'web:v-2', at, expectVersion: 1 });
      await expect(store.commitTurn({ sessionKey: 'v', session: { data: '{"q":2-stale}', expiresAt: exp }, processedKey: 'web:v-3', at, expectVersion: 1 }))
        .rejects.toBeInstanceOf(SessionConflictError);
      expect(await store.getSession('v')).toEqual({ data: '{"q":2}', expiresAt: exp, version: 2 });
      expect(await store.wasProcessed('web:v-3')).toBe(false);
      // A new conversation expects version 0; one that exists already is a conflict.
      await expect(store.commitTurn({ sessionKey: 'v', session: { data: '{}', expiresAt: exp }, at, expectVersion: 0 })).rejects.toBeInstanceOf(SessionConflictError);
      // A deleted conversation starts again at version 0, and its processed keys are remembered.
      await store.commitTurn({ sessionKey: 'v', processedKey: 'web:v-4', at, expectVersion: 2 });
      expect(await store.getSession('v')).toBeNull();
      expect(await store.wasProcessed('web:v-4')).toBe(true);
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":"again"}', expiresAt: exp }, at, expectVersion: 0 });
      expect((await store.getSession('v'))?.version).toBe(1);
    });

    it('turns committed at the same moment all land (group commit on SQLite); a stale one fails alone', async () => {
      const at = 1_700_000_000_000;
      const exp = 1_800_000_000_000;
      await store.commitTurn({ sessionKey: 'g-stale', session: { data: '{}', expiresAt: exp }, at });
      const results = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => store.commitTurn({ sessionKey: `g-${i}`, session: { data: `{"i":${i}}`, expiresAt: exp }, processedKey: `web:g-${i}`, at, expectVersion: 0 })),
        store.commitTurn({ sessionKey: 'g-stale', session: { data: '{"stale":true}', expiresAt: exp }, processedKey: 'web:g-stale', at, expectVersion: 0 }),
      ]);
      expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
      expect(results[20].status).toBe('rejected');
      for (let i = 0; i < 20; i++) {
        expect(await store.getSession(`g-${i}`)).toEqual({ data: `{"i":${i}}`, expiresAt: exp, version: 1 });
        expect(await store.wasProcessed(`web:g-${i}`)).toBe(true);
      }
      expect(await store.wasProcessed('web:g-stale')).toBe(false);
      const groups = (store as { groupCommits?: { flushes: number; turns: number } }).groupCommits;
      if (store.kind === 'sqlite') expect(groups && groups.turns / groups.flushes).toBeGreaterThan(1);
    });

    it('markProcessed is true once, then false; wasProcessed tells', async () => {
      expect(await store.wasProcessed('telegram:42')).toBe(false);
      expect(await store.markProcessed('telegram:42', 1_700_000_000_000)).toBe(true);
      expect(await store.markProcessed('telegram:42', 1_700_000_000_500)).toBe(false);
      expect(await store.wasProcessed('telegram:42')).toBe(true);
      expect(await store.wasProcessed('telegram:43')).toBe(false);
    });

    it('counts attempts per scope since a time, and clears them', async () => {
      for (const t of [1000, 2000, 3000]) await store.recordAttempt('ref:BA-ACDEFG', t);
      await store.recordAttempt('s:abc', 2500);
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(3);
      expect(await store.countAttempts('ref:BA-ACDEFG', 2000)).toBe(2);
      expect(await store.countAttempts('ref:BA-ACDEFG', 3001)).toBe(0);
      expect(await store.countAttempts('s:abc', 0)).toBe(1);
      await store.clearAttempts('ref:BA-ACDEFG');
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(0);
      expect(await store.countAttempts('s:abc', 0)).toBe(1);
    });
  });
});
