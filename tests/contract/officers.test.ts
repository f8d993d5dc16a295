/**
 * Store contract, officers role: accounts, sign-in sessions and the audit trail. Runs on every store (SQLite always, MongoDB when MONGODB_URI is set);
 * each test gets a fresh, empty store.
 */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import {
  DuplicateKeyError, type Store,
} from '../../src/store/port';
import { describeContract, at, byId, officer } from './helpers';

let store: Store;
describeContract('officers', (s) => { store = s; }, () => {

  describe('officers', () => {
    it('creates an officer with sign-in defaults, and reads it by id and username', async () => {
      const input = officer({ username: 'lan.nguyen', mustChangePassword: true });
      const o = await at('2026-11-28T01:00:00.000Z', () => store.createOfficer(input));
      expect(o).toEqual({
        id: expect.any(String), username: 'lan.nguyen', displayName: 'Nguyễn Thị Lan', role: 'officer', province: 'Nghệ An',
        passwordHash: input.passwordHash, disabled: false, mustChangePassword: true, failedLogins: 0, lockedUntil: null,
        createdAt: '2026-11-28T01:00:00.000Z',
      });
      expect(await store.getOfficer(o.id)).toEqual(o);
      expect(await store.getOfficerByUsername('lan.nguyen')).toEqual(o);
      expect(await store.getOfficerByUsername('lan.nguyen2')).toBeNull();
      expect(await store.getOfficer('00000000-0000-4000-8000-000000000000')).toBeNull();
      const admin = await store.createOfficer(officer({ username: 'admin', displayName: 'Trần Văn Minh', role: 'admin', province: null, mustChangePassword: false }));
      expect(admin.province).toBeNull();
      expect(admin.mustChangePassword).toBe(false);
    });

    it('lists every officer', async () => {
      const a = await store.createOfficer(officer({ username: 'tuan.le', displayName: 'Lê Anh Tuấn' }));
      const b = await store.createOfficer(officer({ username: 'hoa.pham', displayName: 'Phạm Thị Hoa', role: 'supervisor', province: 'Hà Tĩnh' }));
      const list = await store.listOfficers();
      expect([...list].sort((x, y) => byId(x.username, y.username))).toEqual([b, a]);
    });

    it('refuses a username that exists, with DuplicateKeyError("username")', async () => {
      await store.createOfficer(officer({ username: 'hoa.pham' }));
      const err = await store.createOfficer(officer({ username: 'hoa.pham', displayName: 'Người khác' })).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('username');
      expect(await store.listOfficers()).toHaveLength(1);
    });

    it('updates only the given fields, including to null', async () => {
      const o = await store.createOfficer(officer({ username: 'minh.tran' }));
      const u = await store.updateOfficer(o.id, { failedLogins: 5, lockedUntil: 1_800_000_000_000, disabled: true, province: null, role: 'supervisor' });
      expect(u).toEqual({ ...o, failedLogins: 5, lockedUntil: 1_800_000_000_000, disabled: true, province: null, role: 'supervisor' });
      expect(await store.getOfficer(o.id)).toEqual(u);
      const v = await store.updateOfficer(o.id, { failedLogins: 0, lockedUntil: null, passwordHash: '$scrypt$new', mustChangePassword: true, displayName: 'Trần Minh' });
      expect(v).toEqual({ ...u, failedLogins: 0, lockedUntil: null, passwordHash: '$scrypt$new', mustChangePassword: true, displayName: 'Trần Minh' });
      expect(await store.getOfficerByUsername('minh.tran')).toEqual(v);
      expect(await store.updateOfficer('00000000-0000-4000-8000-000000000000', { disabled: true })).toBeNull();
    });
  });

  describe('officer sign-in sessions', () => {
    const session = (id: string, officerId: string, expiresAt = 1_800_000_000_000) =>
      ({ id, officerId, csrf: randomBytes(16).toString('hex'), createdAt: 1_700_000_000_000, expiresAt });

    it('creates, reads, touches and deletes a session', async () => {
      const s = session(createHash('sha256').update('cookie-token').digest('hex'), 'officer-lan');
      await store.createAuthSession(s);
      expect(await store.getAuthSession(s.id)).toEqual(s);
      await store.touchAuthSession(s.id, 1_800_000_900_000);
      expect(await store.getAuthSession(s.id)).toEqual({ ...s, expiresAt: 1_800_000_900_000 });
      await store.deleteAuthSession(s.id);
      expect(await store.getAuthSession(s.id)).toBeNull();
    });

    it('deletes every session of one officer and no other', async () => {
      await store.createAuthSession(session('h1', 'officer-lan'));
      await store.createAuthSession(session('h2', 'officer-lan'));
      await store.createAuthSession(session('h3', 'officer-minh'));
      await store.deleteAuthSessionsOf('officer-lan');
      expect(await store.getAuthSession('h1')).toBeNull();
      expect(await store.getAuthSession('h2')).toBeNull();
      expect((await store.getAuthSession('h3'))?.officerId).toBe('officer-minh');
    });
  });

  describe('audit trail', () => {
    it('lists events by case and by officer, newest first', async () => {
      const e1 = { at: '2026-11-28T01:00:00.000Z', officerId: 'officer-lan', action: 'case.view', caseId: 'case-1' };
      const e2 = { at: '2026-11-28T01:05:00.000Z', officerId: 'officer-lan', action: 'case.claim', caseId: 'case-1' };
      const e3 = { at: '2026-11-28T01:10:00.000Z', officerId: 'officer-minh', action: 'case.view', caseId: 'case-1' };
      const e4 = { at: '2026-11-28T01:15:00.000Z', officerId: 'officer-lan', action: 'signin' };
      const e5 = { at: '2026-11-28T01:20:00.000Z', officerId: 'officer-lan', action: 'case.view', caseId: 'case-2' };
      for (const e of [e1, e2, e3, e4, e5]) await store.addAudit(e);
      expect(await store.listAudit({ caseId: 'case-1' })).toEqual([e3, e2, e1]);
      const lan = await store.listAudit({ officerId: 'officer-lan' });
      expect(lan).toEqual([e5, e4, e2, e1]);
      expect(lan[1].caseId).toBeUndefined();
      expect(await store.listAudit({ officerId: 'officer-lan', limit: 2 })).toEqual([e5, e4]);
      expect(await store.listAudit({ caseId: 'case-1', officerId: 'officer-lan' })).toEqual([e2, e1]);
      expect(await store.listAudit({ caseId: 'case-9' })).toEqual([]);
    });
  });
});
