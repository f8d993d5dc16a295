/**
 * Store contract, purge role: expired sessions, old processed keys and attempts go; cases stay. Runs on every store (SQLite always, MongoDB when MONGODB_URI is set);
 * each test gets a fresh, empty store.
 */
import {
  type Store,
} from '../../src/store/port';
import { describeContract, tip, officer } from './helpers';

let store: Store;
describeContract('purge', (s) => { store = s; }, () => {

  describe('purge', () => {
    it('removes expired sessions, sign-in sessions, old processed keys and old attempts, but not live ones', async () => {
      const now = 1_800_000_000_000;
      const day = 86_400_000;
      await store.saveSession('expired', '{}', now - 1);
      await store.saveSession('live', '{}', now + 60_000);
      await store.createAuthSession({ id: 'auth-expired', officerId: 'officer-lan', csrf: 'c1', createdAt: now - day, expiresAt: now - 1 });
      await store.createAuthSession({ id: 'auth-live', officerId: 'officer-lan', csrf: 'c2', createdAt: now - 60_000, expiresAt: now + 3_600_000 });
      await store.markProcessed('old-msg', now - 30 * day);
      await store.markProcessed('recent-msg', now - 60_000);
      await store.recordAttempt('ref:BA-ACDEFG', now - 30 * day);
      await store.recordAttempt('ref:BA-ACDEFG', now - 60_000);
      const { case: c } = await store.createCase(tip());

      expect(await store.purge(now)).toBe(4);
      expect(await store.getSession('expired')).toBeNull();
      expect(await store.getSession('live')).not.toBeNull();
      expect(await store.getAuthSession('auth-expired')).toBeNull();
      expect(await store.getAuthSession('auth-live')).not.toBeNull();
      expect(await store.wasProcessed('old-msg')).toBe(false);
      expect(await store.wasProcessed('recent-msg')).toBe(true);
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(1);
      expect(await store.getCase(c.id)).toEqual(c);
      expect(await store.purge(now)).toBe(0);
    });
  });
});
