/**
 * Signing in to the liaison API: sessions and cookies, sign-in limits a stranger cannot turn into a lockout (with an
 * injected clock), CSRF, session expiry, disabled accounts, forced password change, admin accounts.
 */
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, Client, makeOfficer, PASSWORD, serveLiaison } from './helpers/liaison';
import { verifyPassword } from '../src/liaison/password';

let t: TestApp;
let clock: number;
let srv: { url: string; close: () => Promise<void> };
const MIN = 60_000;

beforeEach(async () => {
  // Behind a proxy on this machine: the tests play officers and strangers at different addresses.
  t = await testApp({ TRUST_PROXY: 'loopback' });
  clock = Date.parse('2026-12-01T08:00:00Z');
  srv = await serveLiaison(t.app, { now: () => clock });
});
afterEach(async () => { await srv.close(); await t.close(); });

describe('sign-in, session cookie, sign-out', () => {
  it('signs in with a hashed password and sets an httpOnly SameSite=Strict cookie; the token is stored only hashed', async () => {
    const officer = await makeOfficer(t.app, { username: 'lan.nguyen', role: 'officer', province: 'Nghệ An', displayName: 'Nguyễn Thị Lan' });
    expect(officer.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(officer.passwordHash).not.toContain(PASSWORD);
    const cl = new Client(srv.url);
    const res = await cl.login('Lan.Nguyen');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      officer: { id: officer.id, username: 'lan.nguyen', displayName: 'Nguyễn Thị Lan', role: 'officer', province: 'Nghệ An', mustChangePassword: false, lastVisitAt: null },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      // How long an idle session lasts, for the page's warning before it ends.
      session: { idleMs: 30 * 60_000 },
    });
    const cookie = res.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^binhan_liaison=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP on loopback; Secure on https or NODE_ENV=production
    const token = cl.cookie!.split('=')[1];
    const me = await cl.get('/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(res.body.csrfToken);
    // Only sha256(token) is stored.
    const { createHash } = await import('node:crypto');
    expect(await t.app.store.getAuthSession(token)).toBeNull();
    expect(await t.app.store.getAuthSession(createHash('sha256').update(token).digest('hex'))).toMatchObject({ officerId: officer.id });
    // Sign out: the cookie is cleared and the old token no longer works.
    const out = await cl.post('/logout');
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()[0]).toMatch(/^binhan_liaison=; .*Max-Age=0/);
    const replay = new Client(srv.url);
    replay.cookie = `binhan_liaison=${token}`;
    expect((await replay.get('/me')).status).toBe(401);
  });

  it('tells the dashboard when the officer last signed in, for "new since your last visit"', async () => {
    await makeOfficer(t.app, { username: 'hai', role: 'officer' });
    const first = await new Client(srv.url).login('hai');
    expect(first.body.officer.lastVisitAt).toBeNull();
    const firstAt = new Date(clock).toISOString();
    clock += 90 * MIN;
    const cl = new Client(srv.url);
    expect((await cl.login('hai')).body.officer.lastVisitAt).toBe(firstAt);
    clock += MIN;
    expect((await cl.get('/me')).body.officer.lastVisitAt).toBe(firstAt);
    clock += MIN;
    expect((await new Client(srv.url).login('hai')).body.officer.lastVisitAt).toBe(new Date(clock - 2 * MIN).toISOString());
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    await makeOfficer(t.app, { username: 'minh', role: 'officer' });
    const wrong = await new Client(srv.url).login('minh', 'not the password at all');
    const unknown = await new Client(srv.url).login('nobody.here', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('sets Secure on the cookie in production', async () => {
    await makeOfficer(t.app, { username: 'prod', role: 'officer' });
    const old = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const res = await new Client(srv.url).login('prod');
      expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/);
    } finally {
      process.env.NODE_ENV = old;
    }
  });
});

describe('lockout and rate limit', () => {
  it('makes one address that failed 5 times for an account wait 15 minutes, while the officer elsewhere signs in at once', async () => {
    await makeOfficer(t.app, { username: 'hoa', role: 'officer' });
    const stranger = new Client(srv.url, '198.51.100.7');
    for (let i = 0; i < 5; i++) expect((await stranger.login('hoa', `wrong password ${i}`)).status).toBe(401);
    const waiting = await stranger.login('hoa');
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // The officer, from the office, is not locked out by the stranger.
    expect((await new Client(srv.url, '203.0.113.20').login('hoa')).status).toBe(200);
    clock += 15 * MIN + 1000;
    expect((await stranger.login('hoa')).status).toBe(200);
  });

  it('answers a name that does not exist exactly like one that does (no 423, nothing that tells names apart)', async () => {
    await makeOfficer(t.app, { username: 'linh', role: 'officer' });
    const seq = async (name: string, from: string): Promise<number[]> => {
      const cl = new Client(srv.url, from);
      const out: number[] = [];
      for (let i = 0; i < 7; i++) out.push((await cl.login(name, `not the password ${i}`)).status);
      return out;
    };
    const real = await seq('linh', '198.51.100.8');
    expect(real).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(await seq('nobody-here', '198.51.100.9')).toEqual(real);
  });

  it('slows an account guessed from many addresses by at most a minute per attempt, and a right password then works', async () => {
    await makeOfficer(t.app, { username: 'tuan', role: 'officer' });
    for (let i = 0; i < 14; i++) await new Client(srv.url, `198.51.100.${20 + i}`).login('tuan', 'nope nope nope');
    const officer = new Client(srv.url, '203.0.113.21');
    const slowed = await officer.login('tuan');
    expect(slowed.status).toBe(429);
    const wait = Number(slowed.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    clock += wait * 1000;
    expect((await officer.login('tuan')).status).toBe(200);
  });

  it('answers 429 after 20 failed sign-ins from one address in 10 minutes, even for a right password', async () => {
    await makeOfficer(t.app, { username: 'quang', role: 'officer' });
    const cl = new Client(srv.url);
    for (let i = 0; i < 20; i++) expect((await cl.login(`guess${i}`, 'password123456')).status).toBe(401);
    const limited = await cl.login('quang');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before anything is looked up.
    // (The store is wrapped with deadlines, so the count is kept by hand rather than with jest.spyOn.)
    const store = t.app.store as unknown as Record<string, unknown>;
    const real = store.getOfficerByUsername as (...a: unknown[]) => unknown;
    let lookups = 0;
    store.getOfficerByUsername = (...a: unknown[]) => { lookups++; return real(...a); };
    expect((await cl.login('quang')).status).toBe(429);
    expect(lookups).toBe(0);
    store.getOfficerByUsername = real;
    clock += 10 * MIN + 1000;
    expect((await cl.login('quang')).status).toBe(200);
  });

  it('counts failures only, so many officers of one office can sign in', async () => {
    for (let i = 0; i < 25; i++) await makeOfficer(t.app, { username: `office${i}`, role: 'officer' });
    for (let i = 0; i < 25; i++) expect((await new Client(srv.url).login(`office${i}`)).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses state-changing requests without the right X-CSRF-Token (403) and changes nothing', async () => {
    await makeOfficer(t.app, { username: 'csrf.sup', role: 'supervisor' });
    const kase = await addTip(t.app, { what: 'Kiểm tra CSRF.' });
    const cl = new Client(srv.url);
    await cl.login('csrf.sup');
    const attempts = [
      () => cl.post(`/cases/${kase.id}/notes`, { text: 'x' }, { csrf: null }),
      () => cl.post(`/cases/${kase.id}/notes`, { text: 'x' }, { csrf: 'A'.repeat(43) }),
      () => cl.post(`/cases/${kase.id}/notes`, { text: 'x' }, { csrf: cl.csrf!.slice(0, -1) }),
      () => cl.post(`/cases/${kase.id}/claim`, undefined, { csrf: null }),
      () => cl.post(`/cases/${kase.id}/status`, { status: 'closed', disposition: 'spam' }, { csrf: '' }),
      () => cl.post('/logout', undefined, { csrf: null }),
    ];
    for (const a of attempts) {
      const res = await a();
      expect(res.status).toBe(403);
      expect(res.body.error).toMatch(/CSRF/);
    }
    expect((await t.app.store.getCase(kase.id))!.version).toBe(kase.version);
    expect((await cl.get('/me')).status).toBe(200); // the refused sign-out did not sign out
    // Another session's token does not work either.
    const other = new Client(srv.url);
    await other.login('csrf.sup');
    expect((await cl.post(`/cases/${kase.id}/notes`, { text: 'x' }, { csrf: other.csrf })).status).toBe(403);
    expect((await cl.post(`/cases/${kase.id}/notes`, { text: 'ghi chú hợp lệ' })).status).toBe(200);
  });
});

describe('session expiry', () => {
  it('ends a session after 30 idle minutes, slides with use, and never outlives 8 hours', async () => {
    await makeOfficer(t.app, { username: 'idle', role: 'officer' });
    const cl = new Client(srv.url);
    await cl.login('idle');
    clock += 31 * MIN;
    const expired = await cl.get('/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatch(/expired/);
    await cl.login('idle');
    for (let i = 0; i < 23; i++) {
      clock += 20 * MIN;
      expect((await cl.get('/me')).status).toBe(200);
    }
    clock += 20 * MIN; // 8 h since sign-in
    expect((await cl.get('/me')).status).toBe(401);
  });
});

describe('accounts', () => {
  it('refuses a disabled account, and disabling ends its sessions', async () => {
    const officer = await makeOfficer(t.app, { username: 'soon.gone', role: 'officer' });
    await makeOfficer(t.app, { username: 'root', role: 'admin' });
    const user = new Client(srv.url);
    await user.login('soon.gone');
    const admin = new Client(srv.url);
    await admin.login('root');
    const res = await admin.patch(`/officers/${officer.id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body.officer).toMatchObject({ disabled: true });
    expect((await user.get('/me')).status).toBe(401);
    const again = await new Client(srv.url).login('soon.gone');
    expect(again.status).toBe(403);
    expect(again.body.error).toMatch(/disabled/);
    expect((await admin.patch(`/officers/${(await t.app.store.getOfficerByUsername('root'))!.id}`, { disabled: true })).status).toBe(409);
  });

  it('makes an officer created by an admin change the password first', async () => {
    await makeOfficer(t.app, { username: 'root', role: 'admin' });
    const admin = new Client(srv.url);
    await admin.login('root');
    const created = await admin.post('/officers', { username: 'Thu.Tran', displayName: 'Trần Thu', role: 'officer', province: 'nghe an', password: 'mật khẩu tạm thời 2026' });
    expect(created.status).toBe(201);
    expect(created.body.officer).toMatchObject({ username: 'thu.tran', province: 'Nghệ An', mustChangePassword: true });
    expect(created.text).not.toMatch(/passwordHash|scrypt/);
    expect((await admin.post('/officers', { username: 'thu.tran', displayName: 'X', role: 'officer', province: null, password: 'một mật khẩu đủ dài' })).status).toBe(409);
    expect((await admin.post('/officers', { username: 'short.pw', displayName: 'X', role: 'officer', province: null, password: 'ngắn' })).status).toBe(400);
    expect((await admin.post('/officers', { username: 'far.away', displayName: 'X', role: 'officer', province: 'Atlantis', password: 'một mật khẩu đủ dài' })).status).toBe(400);

    const thu = new Client(srv.url);
    const login = await thu.login('thu.tran', 'mật khẩu tạm thời 2026');
    expect(login.body.officer.mustChangePassword).toBe(true);
    const refused = await thu.get('/cases');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('password_change_required');
    expect((await thu.post('/me/password', { current: 'sai rồi sai rồi', next: 'mật khẩu mới của Thu' })).status).toBe(400);
    expect((await thu.post('/me/password', { current: 'mật khẩu tạm thời 2026', next: 'ngắn quá' })).status).toBe(400);
    const oldCookie = thu.cookie;
    const changed = await thu.post('/me/password', { current: 'mật khẩu tạm thời 2026', next: 'mật khẩu mới của Thu' });
    expect(changed.status).toBe(200);
    expect(changed.body.officer.mustChangePassword).toBe(false);
    thu.csrf = changed.body.csrfToken;
    expect(thu.cookie).not.toBe(oldCookie);
    expect((await thu.get('/cases')).status).toBe(200);
    const stale = new Client(srv.url);
    stale.cookie = oldCookie;
    expect((await stale.get('/me')).status).toBe(401);
    expect(await verifyPassword('mật khẩu mới của Thu', (await t.app.store.getOfficerByUsername('thu.tran'))!.passwordHash)).toBe(true);
  });

  it('resets a password to a one-time generated one, and lists accounts without hashes', async () => {
    const officer = await makeOfficer(t.app, { username: 'forgetful', role: 'supervisor' });
    await makeOfficer(t.app, { username: 'root', role: 'admin' });
    const admin = new Client(srv.url);
    await admin.login('root');
    const res = await admin.patch(`/officers/${officer.id}`, { resetPassword: true });
    expect(res.status).toBe(200);
    expect(res.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const again = await admin.patch(`/officers/${officer.id}`, { role: 'officer' });
    expect(again.body.password).toBeUndefined();
    const user = new Client(srv.url);
    expect((await user.login('forgetful', PASSWORD)).status).toBe(401);
    const login = await user.login('forgetful', res.body.password);
    expect(login.status).toBe(200);
    expect(login.body.officer).toMatchObject({ mustChangePassword: true, role: 'officer' });
    const list = await admin.get('/officers');
    expect(list.status).toBe(200);
    expect(list.body.officers.map((o: { username: string }) => o.username).sort()).toEqual(['forgetful', 'root']);
    expect(list.text).not.toMatch(/passwordHash|scrypt|failedLogins/);
    expect((await admin.patch(`/officers/${officer.id}`, {})).status).toBe(400);
    expect((await admin.patch(`/officers/${officer.id}`, { username: 'renamed' })).status).toBe(400);
  });
});

describe('mounted in the real server', () => {
  it('serves /api/liaison next to the web chat, with the server\'s security headers', async () => {
    await makeOfficer(t.app, { username: 'real', role: 'officer' });
    const real = await serve(t.app);
    try {
      const cl = new Client(real.url);
      expect((await cl.get('/me')).status).toBe(401);
      expect((await cl.login('real')).status).toBe(200);
      const me = await cl.get('/me');
      expect(me.status).toBe(200);
      expect(me.headers.get('cache-control')).toBe('no-store');
      expect(me.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await cl.get('/unknown')).status).toBe(404);
    } finally {
      await real.close();
    }
  });
});
