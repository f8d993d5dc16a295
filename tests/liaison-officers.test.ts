/**
 * The liaison API's account and lookup endpoints: officers added with a generated one-time password,
 * disabling and unlocking, the supervisors' directory for the assign picker, the province list, and a
 * case's audit trail (supervisors in scope only; the look itself is audited).
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, appOn, backends, Client, makeOfficer, PASSWORD } from './helpers/liaison';
import type { Officer } from '../src/store/port';

describe.each(backends)('liaison officers, directory, provinces and audit trail on %s', (backend) => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const o: Record<string, Officer> = {};
  const c: Record<string, Client> = {};
  const WHO = ['officerA', 'supervisor', 'supervisorQN', 'admin'] as const;

  beforeAll(async () => {
    t = await appOn(backend);
    srv = await serve(t.app);
    o.officerA = await makeOfficer(t.app, { username: 'officer.a', role: 'officer', province: 'Nghệ An', displayName: 'Cán bộ A' });
    o.officerQN = await makeOfficer(t.app, { username: 'officer.qn', role: 'officer', province: 'Quảng Ninh', displayName: 'Cán bộ QN' });
    o.officerAll = await makeOfficer(t.app, { username: 'officer.all', role: 'officer', province: null, displayName: 'Cán bộ toàn quốc' });
    o.gone = await makeOfficer(t.app, { username: 'officer.gone', role: 'officer', province: 'Nghệ An', disabled: true });
    o.supervisor = await makeOfficer(t.app, { username: 'supervisor', role: 'supervisor', province: null, displayName: 'Giám sát' });
    o.supervisorQN = await makeOfficer(t.app, { username: 'supervisor.qn', role: 'supervisor', province: 'Quảng Ninh' });
    o.admin = await makeOfficer(t.app, { username: 'admin', role: 'admin', displayName: 'Quản trị' });
    for (const who of WHO) {
      c[who] = new Client(srv.url);
      expect((await c[who].login(o[who].username)).status).toBe(200);
    }
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  // ------------------------------------------------------------------ adding officers

  it('adds an officer without a password: a one-time password, returned once, that must be changed', async () => {
    const res = await c.admin.post('/officers', { username: ' Hoa.Nguyen ', displayName: 'Nguyễn Thị Hoa', role: 'officer', province: 'nghe an' });
    expect(res.status).toBe(201);
    expect(res.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(res.body.officer).toMatchObject({ username: 'hoa.nguyen', province: 'Nghệ An', mustChangePassword: true, disabled: false, locked: false });
    expect(res.body.officer.passwordHash).toBeUndefined();
    // Never again: the list shows no password.
    const list = await c.admin.get('/officers');
    expect(JSON.stringify(list.body)).not.toContain(res.body.password);
    expect(t.logs.join('\n')).not.toContain(res.body.password);

    const hoa = new Client(srv.url);
    expect((await hoa.login('hoa.nguyen', res.body.password)).status).toBe(200);
    expect((await hoa.get('/cases')).body.code).toBe('password_change_required');
    expect((await hoa.post('/me/password', { current: res.body.password, next: 'một mật khẩu mới thật dài' })).status).toBe(200);
    expect((await hoa.get('/cases')).status).toBe(200);
  });

  it('adds an officer with a given password (no password in the response)', async () => {
    const res = await c.admin.post('/officers', { username: 'given.pw', displayName: 'Có mật khẩu', role: 'supervisor', province: null, password: 'một mật khẩu đủ dài' });
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(res.body.officer.mustChangePassword).toBe(true);
  });

  it.each([
    ['a weak password', { username: 'weak.pw', displayName: 'X', role: 'officer', province: null, password: 'short' }, 400, 'weak_password'],
    ['an unknown province', { username: 'bad.province', displayName: 'X', role: 'officer', province: 'Atlantis' }, 400, 'unknown_province'],
    ['an unknown role', { username: 'bad.role', displayName: 'X', role: 'chief', province: null }, 400, 'invalid_request'],
    ['a bad username', { username: 'a b', displayName: 'X', role: 'officer', province: null }, 400, 'invalid_request'],
    ['an empty display name', { username: 'no.name', displayName: '  ', role: 'officer', province: null }, 400, 'invalid_request'],
    ['an unknown field', { username: 'extra.f', displayName: 'X', role: 'officer', province: null, admin: true }, 400, 'invalid_request'],
    ['an operator object', { username: { $gt: '' }, displayName: 'X', role: 'officer', province: null }, 400, 'invalid_request'],
    ['a taken username', { username: 'officer.a', displayName: 'X', role: 'officer', province: null }, 409, 'duplicate_username'],
  ])('refuses %s with a clear message', async (_name, body, status, code) => {
    const res = await c.admin.post('/officers', body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(typeof res.body.error).toBe('string');
  });

  // ------------------------------------------------------------------ changing officers

  it('disables an account: its session ends and sign-in is refused; enabling lets it back', async () => {
    const target = await makeOfficer(t.app, { username: 'to.disable', role: 'officer', province: 'Huế' });
    const cl = new Client(srv.url);
    await cl.login('to.disable');
    expect((await cl.get('/cases')).status).toBe(200);
    expect((await c.admin.patch(`/officers/${target.id}`, { disabled: true })).body.officer.disabled).toBe(true);
    expect((await cl.get('/cases')).status).toBe(401);
    expect((await new Client(srv.url).login('to.disable')).body.code).toBe('disabled');
    expect((await c.admin.patch(`/officers/${target.id}`, { disabled: false })).status).toBe(200);
    expect((await new Client(srv.url).login('to.disable')).status).toBe(200);
  });

  it('clears a lock left by an earlier version (sign-in no longer locks accounts), and renames it', async () => {
    const target = await makeOfficer(t.app, { username: 'to.unlock', role: 'officer', province: 'Huế' });
    await t.app.store.updateOfficer(target.id, { lockedUntil: Date.now() + 600_000, failedLogins: 0 });
    expect((await c.admin.get('/officers')).body.officers.find((x: { id: string }) => x.id === target.id).locked).toBe(true);
    const res = await c.admin.patch(`/officers/${target.id}`, { unlock: true, displayName: 'Đã mở khóa' });
    expect(res.body.officer).toMatchObject({ locked: false, displayName: 'Đã mở khóa' });
    expect(res.body.password).toBeUndefined();
    expect((await new Client(srv.url).login('to.unlock')).status).toBe(200);
  });

  it('resets a password: the old one stops working, the new one must be changed', async () => {
    const target = await makeOfficer(t.app, { username: 'to.reset', role: 'officer', province: 'Huế' });
    const res = await c.admin.patch(`/officers/${target.id}`, { resetPassword: true });
    expect(res.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(res.body.officer.mustChangePassword).toBe(true);
    expect((await new Client(srv.url).login('to.reset')).status).toBe(401);
    const cl = new Client(srv.url);
    expect((await cl.login('to.reset', res.body.password)).body.officer.mustChangePassword).toBe(true);
  });

  it.each([
    ['own role', { role: 'officer' }],
    ['own account disabled', { disabled: true }],
    ['own password reset', { resetPassword: true }],
  ])('refuses an admin changing their %s', async (_n, body) => {
    const res = await c.admin.patch(`/officers/${o.admin.id}`, body);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('self_change');
    expect(res.body.error).toMatch(/own/);
  });

  it('refuses bad changes: 400 for nothing, unknown fields, unlock:false; 404 unknown id; 400 malformed id', async () => {
    expect((await c.admin.patch(`/officers/${o.officerQN.id}`, {})).status).toBe(400);
    expect((await c.admin.patch(`/officers/${o.officerQN.id}`, { password: 'x' })).status).toBe(400);
    expect((await c.admin.patch(`/officers/${o.officerQN.id}`, { unlock: false })).status).toBe(400);
    expect((await c.admin.patch(`/officers/${o.officerQN.id}`, { province: 'Atlantis' })).body.code).toBe('unknown_province');
    expect((await c.admin.patch(`/officers/${randomUUID()}`, { disabled: true })).status).toBe(404);
    expect((await c.admin.patch('/officers/not-a-uuid', { disabled: true })).body.code).toBe('malformed_id');
  });

  it('lets only admins manage accounts', async () => {
    for (const who of ['officerA', 'supervisor'] as const) {
      expect((await c[who].get('/officers')).status).toBe(403);
      expect((await c[who].post('/officers', { username: 'x.y.z', displayName: 'X', role: 'admin', province: null })).status).toBe(403);
      expect((await c[who].patch(`/officers/${o.officerQN.id}`, { unlock: true })).status).toBe(403);
    }
    expect((await new Client(srv.url).get('/officers')).status).toBe(401);
  });

  // ------------------------------------------------------------------ directory and provinces

  it('gives supervisors a directory of active officers, without usernames or account state', async () => {
    const res = await c.supervisor.get('/officers/directory');
    expect(res.status).toBe(200);
    const ids = res.body.officers.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining([o.officerA.id, o.officerQN.id, o.officerAll.id, o.supervisor.id]));
    expect(ids).not.toContain(o.gone.id);
    expect(ids).toContain(o.admin.id); // admins can work cases too
    for (const x of res.body.officers) expect(Object.keys(x).sort()).toEqual(['displayName', 'id', 'province', 'role']);
    expect(JSON.stringify(res.body)).not.toMatch(/officer\.a|passwordHash|locked/);
  });

  it('narrows the directory to who may work a province (theirs or all), scoped to the supervisor', async () => {
    const na = (await c.supervisor.get(`/officers/directory?province=${encodeURIComponent('nghệ an')}`)).body.officers;
    expect(na.map((x: { id: string }) => x.id)).toContain(o.officerA.id);
    expect(na.map((x: { id: string }) => x.id)).not.toContain(o.officerQN.id);
    expect(na.every((x: { province: string | null }) => x.province === 'Nghệ An' || x.province === null)).toBe(true);
    expect(na[0].province).toBe('Nghệ An'); // the province's own officers first
    const qn = (await c.supervisorQN.get('/officers/directory')).body.officers;
    expect(qn.map((x: { id: string }) => x.id)).not.toContain(o.officerA.id);
    expect(qn.map((x: { id: string }) => x.id)).toContain(o.officerQN.id);
    expect((await c.supervisor.get('/officers/directory?province=Atlantis')).body.code).toBe('unknown_province');
    expect((await c.supervisor.get('/officers/directory?x=1')).status).toBe(400);
    expect((await c.officerA.get('/officers/directory')).status).toBe(403);
    expect((await c.admin.get('/officers/directory')).status).toBe(200);
    expect((await new Client(srv.url).get('/officers/directory')).status).toBe(401);
  });

  it('lists the known provinces to every signed-in role', async () => {
    for (const who of WHO) {
      const res = await c[who].get('/provinces');
      expect(res.status).toBe(200);
      expect(res.body.provinces).toContain('Nghệ An');
      expect(res.body.provinces).toHaveLength(34);
      expect(res.body.other).toContain('Không rõ');
    }
    expect((await new Client(srv.url).get('/provinces')).status).toBe(401);
    expect((await c.admin.get('/provinces?all=1')).status).toBe(400);
  });

  // ------------------------------------------------------------------ audit trail

  it('shows a supervisor who opened and changed a case, newest first, and audits that look', async () => {
    const kase = await addTip(t.app, { province: 'Nghệ An' });
    expect((await c.officerA.get(`/cases/${kase.id}`)).status).toBe(200);
    expect((await c.officerA.post(`/cases/${kase.id}/claim`)).status).toBe(200);
    expect((await c.officerA.post(`/cases/${kase.id}/notes`, { text: 'ghi chú' })).status).toBe(200);
    const res = await c.supervisor.get(`/cases/${kase.id}/audit`);
    expect(res.status).toBe(200);
    const trail = res.body.audit as { at: string; action: string; officer: { id: string; displayName: string } }[];
    expect(trail.map((e) => e.action)).toEqual(['audit', 'note', 'claim', 'read']);
    expect(trail[0].officer).toMatchObject({ id: o.supervisor.id, displayName: 'Giám sát', role: 'supervisor' });
    expect(trail[1].officer.displayName).toBe('Cán bộ A');
    expect([...trail].sort((a, b) => b.at.localeCompare(a.at))).toEqual(trail);
    expect(JSON.stringify(res.body)).not.toMatch(/officer\.a|ghi chú/);
    // The look is itself in the trail next time.
    const again = await c.supervisor.get(`/cases/${kase.id}/audit?limit=2`);
    expect(again.body.audit.map((e: { action: string }) => e.action)).toEqual(['audit', 'audit']);
  });

  it('refuses the audit trail to officers, other provinces, unknown and malformed ids', async () => {
    const kase = await addTip(t.app, { province: 'Nghệ An' });
    expect((await c.officerA.get(`/cases/${kase.id}/audit`)).status).toBe(403);
    expect((await c.admin.get(`/cases/${kase.id}/audit`)).status).toBe(200);
    expect((await new Client(srv.url).get(`/cases/${kase.id}/audit`)).status).toBe(401);
    expect((await c.supervisorQN.get(`/cases/${kase.id}/audit`)).status).toBe(404);
    expect((await c.supervisor.get(`/cases/${randomUUID()}/audit`)).status).toBe(404);
    expect((await c.supervisor.get('/cases/nope/audit')).body.code).toBe('malformed_id');
    expect((await c.supervisor.get(`/cases/${kase.id}/audit?limit=0`)).status).toBe(400);
    expect((await c.supervisor.get(`/cases/${kase.id}/audit?limit=5000`)).status).toBe(400);
  });

  it('keeps passwords out of the logs', () => {
    expect(t.logs.join('\n')).not.toContain(PASSWORD);
  });
});
