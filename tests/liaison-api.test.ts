/**
 * The liaison API on a real server (loopback HTTP, real store): the role matrix, province scope,
 * the claim race, lifecycle over HTTP, hostile input, audit on read. Runs on SQLite, and on MongoDB
 * too when MONGODB_URI is set.
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, appOn, backends, Client, makeOfficer, PASSWORD } from './helpers/liaison';
import type { CaseRecord, Officer } from '../src/store/port';

describe.each(backends)('liaison API on %s', (backend) => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const o: Record<string, Officer> = {};
  const c: Record<string, Client> = {};
  const ROLES = ['anonymous', 'officerA', 'officerAll', 'supervisor', 'admin'] as const;
  type Who = (typeof ROLES)[number];

  beforeAll(async () => {
    t = await appOn(backend);
    srv = await serve(t.app);
    o.officerA = await makeOfficer(t.app, { username: 'officer.a', role: 'officer', province: 'Nghệ An', displayName: 'Cán bộ Nguyễn Văn A' });
    o.officerAll = await makeOfficer(t.app, { username: 'officer.all', role: 'officer', province: null });
    o.supervisor = await makeOfficer(t.app, { username: 'supervisor', role: 'supervisor', province: null });
    o.admin = await makeOfficer(t.app, { username: 'admin', role: 'admin' });
    c.anonymous = new Client(srv.url);
    for (const who of ROLES.slice(1)) {
      c[who] = new Client(srv.url);
      expect((await c[who].login(o[who].username)).status).toBe(200);
    }
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  // ------------------------------------------------------------------ role matrix

  /** Every endpoint × every role (an admin can do all a supervisor does, plus accounts). Each row gets a fresh case in Nghệ An (in everyone's scope). */
  const A = 200;
  const matrix: { name: string; call: (cl: Client, kase: CaseRecord, who: Who) => Promise<{ status: number }>; expect: Record<Who, number> }[] = [
    { name: 'GET /me', call: (cl) => cl.get('/me'), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    {
      name: 'POST /logout',
      call: async (_cl, _k, who) => {
        const fresh = new Client(srv.url);
        if (who !== 'anonymous') await fresh.login(o[who].username);
        return fresh.post('/logout');
      },
      expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A },
    },
    // Reaches the password check (the new one must differ): the endpoint is open to every signed-in role.
    { name: 'POST /me/password', call: (cl) => cl.post('/me/password', { current: PASSWORD, next: PASSWORD }), expect: { anonymous: 401, officerA: 400, officerAll: 400, supervisor: 400, admin: 400 } },
    { name: 'GET /cases', call: (cl) => cl.get('/cases'), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /cases/:id', call: (cl, k) => cl.get(`/cases/${k.id}`), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/claim', call: (cl, k) => cl.post(`/cases/${k.id}/claim`), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/status (triaged)', call: (cl, k) => cl.post(`/cases/${k.id}/status`, { status: 'triaged' }), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/status (closed)', call: (cl, k) => cl.post(`/cases/${k.id}/status`, { status: 'closed', disposition: 'duplicate' }), expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/priority', call: (cl, k) => cl.post(`/cases/${k.id}/priority`, { priority: 'high' }), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/assign', call: (cl, k) => cl.post(`/cases/${k.id}/assign`, { officerId: o.officerA.id }), expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/notes', call: (cl, k) => cl.post(`/cases/${k.id}/notes`, { text: 'ghi chú' }), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'POST /cases/:id/questions', call: (cl, k) => cl.post(`/cases/${k.id}/questions`, { text: 'câu hỏi?' }), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /export.csv', call: (cl) => cl.get('/export.csv'), expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: A, admin: A } },
    { name: 'GET /export.xlsx', call: (cl) => cl.get('/export.xlsx'), expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: A, admin: A } },
    { name: 'GET /cases/:id/export.xlsx', call: (cl, k) => cl.get(`/cases/${k.id}/export.xlsx`), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /cases/:id/export.csv', call: (cl, k) => cl.get(`/cases/${k.id}/export.csv`), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /stats', call: (cl) => cl.get('/stats'), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /stats/questions', call: (cl) => cl.get('/stats/questions'), expect: { anonymous: 401, officerA: A, officerAll: A, supervisor: A, admin: A } },
    { name: 'GET /officers', call: (cl) => cl.get('/officers'), expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: 403, admin: A } },
    {
      name: 'POST /officers',
      call: (cl, _k, who) => cl.post('/officers', { username: `new.${who.toLowerCase()}`, displayName: 'Mới', role: 'officer', province: 'Huế', password: 'một mật khẩu đủ dài' }),
      expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: 403, admin: 201 },
    },
    {
      name: 'PATCH /officers/:id',
      call: async (cl, _k, who) => {
        const target = await makeOfficer(t.app, { username: `patch.${who.toLowerCase()}`, role: 'officer', province: 'Huế' });
        return cl.patch(`/officers/${target.id}`, { province: 'Hà Nội' });
      },
      expect: { anonymous: 401, officerA: 403, officerAll: 403, supervisor: 403, admin: A },
    },
  ];

  const cells = matrix.flatMap((row) => ROLES.map((who) => [row.name, who, row.expect[who]] as const));
  it.each(cells)('%s as %s → %i', async (name, who, status) => {
    const row = matrix.find((r) => r.name === name)!;
    const kase = await addTip(t.app, { what: `Ma trận quyền: ${name} ${who}` });
    const res = await row.call(c[who], kase, who);
    expect(res.status).toBe(status);
    if (status >= 400) {
      // Nothing changed by a refused request.
      const after = (await t.app.store.getCase(kase.id))!;
      expect(after.version).toBe(kase.version);
    }
  });

  it('sends Cache-Control: no-store and JSON errors everywhere, and never hashes or channels', async () => {
    const kase = await addTip(t.app, { what: 'Không lưu bộ nhớ đệm.' });
    for (const [cl, path] of [[c.anonymous, '/cases'], [c.officerA, `/cases/${kase.id}`], [c.admin, '/officers'], [c.officerA, '/nope'], [c.admin, '/cases']] as const) {
      const res = await cl.get(path);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      if (res.status >= 400) expect(res.body).toEqual(expect.objectContaining({ error: expect.any(String) }));
      expect(res.text).not.toMatch(/passwordHash|secretHash|scrypt\$|"channel"/);
    }
    const list = await c.supervisor.get('/cases?limit=100');
    expect(list.text).not.toMatch(/passwordHash|secretHash|"channel"/);
  });

  // ------------------------------------------------------------------ scope

  it('keeps an officer to their province: cases of another province are 404 and never listed', async () => {
    const hanoi = await addTip(t.app, { province: 'Hà Nội', what: 'Một tin ở Hà Nội.' });
    for (const res of [
      await c.officerA.get(`/cases/${hanoi.id}`),
      await c.officerA.post(`/cases/${hanoi.id}/claim`),
      await c.officerA.post(`/cases/${hanoi.id}/status`, { status: 'triaged' }),
      await c.officerA.post(`/cases/${hanoi.id}/notes`, { text: 'x' }),
      await c.officerA.post(`/cases/${hanoi.id}/questions`, { text: 'x' }),
      await c.officerA.post(`/cases/${hanoi.id}/priority`, { priority: 'low' }),
    ]) expect(res.status).toBe(404);
    expect((await t.app.store.getCase(hanoi.id))!.version).toBe(hanoi.version);
    const all = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string; province: string }[]; nextCursor: string | null } } = await c.officerA.get(`/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((i) => i.province === 'Nghệ An')).toBe(true);
    expect((await c.officerA.get('/cases?province=H%C3%A0%20N%E1%BB%99i')).body.items).toEqual([]);
    expect((await c.officerAll.get(`/cases/${hanoi.id}`)).status).toBe(200);
    const stats = await c.officerA.get('/stats');
    expect(stats.body.byProvince.map((x: { key: string }) => x.key)).toEqual(['Nghệ An']);
  });

  it('filters and pages the queue: urgent first, cursor pagination without repeats', async () => {
    const urgent = await addTip(t.app, { province: 'Huế', inDanger: 'yes', what: 'Khẩn: có người bị giữ ở Huế.' });
    for (let i = 0; i < 4; i++) await addTip(t.app, { province: 'Huế', category: 'scam', what: `Lừa đảo việc làm số ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string; priority: string }[]; nextCursor: string | null } } = await c.supervisor.get(`/cases?province=Hu%E1%BA%BF&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((x) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen[0]).toBe(urgent.id);
    const scams = await c.supervisor.get('/cases?province=Hu%E1%BA%BF&category=scam&status=new,triaged&priority=normal,low&order=newest');
    expect(scams.body.items).toHaveLength(4);
    // Dates in filters are Viet Nam's days (UTC+7): "today" there, not in UTC (which differs from 17:00 UTC on).
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect((await c.supervisor.get(`/cases?province=Hu%E1%BA%BF&from=2000-01-01&to=${today}`)).body.items).toHaveLength(5);
    expect((await c.supervisor.get('/cases?province=Hu%E1%BA%BF&to=2000-01-01')).body.items).toHaveLength(0);
    const byRef = await c.supervisor.get(`/cases?ref=${urgent.ref.toLowerCase().replace('-', '')}`);
    expect(byRef.body.items.map((x: { id: string }) => x.id)).toEqual([urgent.id]);
    await c.officerAll.post(`/cases/${urgent.id}/claim`);
    const mine = await c.officerAll.get('/cases?mine=1&province=Hu%E1%BA%BF');
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([urgent.id]);
  });

  // ------------------------------------------------------------------ claim race and lifecycle

  it('lets exactly one of ten officers claiming at once win; the nine others get 409', async () => {
    const kase = await addTip(t.app, { what: 'Mười cán bộ cùng nhận một tin.' });
    const racers: Client[] = [];
    for (let i = 0; i < 10; i++) {
      await makeOfficer(t.app, { username: `racer${i}`, role: 'officer', province: i % 2 ? 'Nghệ An' : null });
      const cl = new Client(srv.url);
      expect((await cl.login(`racer${i}`)).status).toBe(200);
      racers.push(cl);
    }
    const results = await Promise.all(racers.map((cl) => cl.post(`/cases/${kase.id}/claim`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    const winner = results.find((r) => r.status === 200)!;
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ error: expect.stringMatching(/claimed/), code: 'already_claimed' });
    const after = (await t.app.store.getCase(kase.id))!;
    expect(after.assignedTo).toBe(winner.body.case.assignedTo.id);
    expect(after.status).toBe('assigned');
    expect(after.history.filter((h) => h.action === 'claim')).toHaveLength(1);
  });

  it('refuses to claim or change a closed case (409), and checks statuses, dispositions and versions', async () => {
    const kase = await addTip(t.app, { what: 'Vòng đời qua HTTP.' });
    const sup = c.supervisor;
    expect((await sup.post(`/cases/${kase.id}/status`, { status: 'bogus' })).status).toBe(400);
    expect((await sup.post(`/cases/${kase.id}/status`, { status: 'closed' })).status).toBe(400);
    expect((await c.officerA.post(`/cases/${kase.id}/status`, { status: 'closed', disposition: 'spam' })).status).toBe(403);
    const triaged = await sup.post(`/cases/${kase.id}/status`, { status: 'triaged' });
    expect(triaged.status).toBe(200);
    const v = triaged.body.case.version;
    expect((await sup.post(`/cases/${kase.id}/priority`, { priority: 'low', expectedVersion: v - 1 })).status).toBe(409);
    const back = await sup.post(`/cases/${kase.id}/status`, { status: 'new', expectedVersion: v });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe('invalid_transition');
    const closed = await sup.post(`/cases/${kase.id}/status`, { status: 'closed', disposition: 'insufficient_info', expectedVersion: v });
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({ status: 'closed', disposition: 'insufficient_info' });
    const before = (await t.app.store.getCase(kase.id))!.version;
    const claim = await c.officerA.post(`/cases/${kase.id}/claim`);
    expect(claim.status).toBe(409);
    expect(claim.body).toMatchObject({ code: 'closed', error: expect.stringMatching(/closed/) });
    for (const res of [
      await sup.post(`/cases/${kase.id}/status`, { status: 'closed', disposition: 'spam' }),
      await sup.post(`/cases/${kase.id}/priority`, { priority: 'urgent' }),
      await sup.post(`/cases/${kase.id}/assign`, { officerId: o.officerA.id }),
      await sup.post(`/cases/${kase.id}/notes`, { text: 'muộn' }),
    ]) expect(res.status).toBe(409);
    expect((await t.app.store.getCase(kase.id))!.version).toBe(before);
  });

  it('records who, when, what and from/to in the history of every change', async () => {
    const kase = await addTip(t.app, { what: 'Lịch sử thay đổi.' });
    await c.supervisor.post(`/cases/${kase.id}/assign`, { officerId: o.officerA.id });
    await c.officerA.post(`/cases/${kase.id}/priority`, { priority: 'high' });
    await c.officerA.post(`/cases/${kase.id}/status`, { status: 'forwarded' });
    const res = await c.officerA.get(`/cases/${kase.id}`);
    const h = res.body.case.history.map((e: Record<string, string>) => [e.by, e.action, e.from, e.to]);
    expect(h).toEqual([
      ['reporter', 'created', undefined, 'new'],
      [o.supervisor.id, 'assign', undefined, o.officerA.id],
      [o.supervisor.id, 'status', 'new', 'assigned'],
      [o.officerA.id, 'priority', 'normal', 'high'],
      [o.officerA.id, 'status', 'assigned', 'forwarded'],
    ]);
    for (const e of res.body.case.history) expect(Date.parse(e.at)).not.toBeNaN();
    expect(res.body.case.officers[o.officerA.id]).toEqual({ username: 'officer.a', displayName: 'Cán bộ Nguyễn Văn A' });
  });

  it('audits every read of a case: who and when', async () => {
    const kase = await addTip(t.app, { what: 'Đọc là phải ghi nhật ký.' });
    const start = new Date(Date.now() - 1000).toISOString();
    expect((await c.officerA.get(`/cases/${kase.id}`)).status).toBe(200);
    expect((await c.supervisor.get(`/cases/${kase.id}`)).status).toBe(200);
    const audit = await t.app.store.listAudit({ caseId: kase.id });
    const reads = audit.filter((e) => e.action === 'read');
    expect(reads.map((e) => e.officerId).sort()).toEqual([o.officerA.id, o.supervisor.id].sort());
    for (const e of reads) {
      expect(e.caseId).toBe(kase.id);
      expect(e.at >= start).toBe(true);
    }
    // A refused read leaves no read event.
    await c.anonymous.get(`/cases/${kase.id}`);
    expect((await t.app.store.listAudit({ caseId: kase.id })).filter((e) => e.action === 'read')).toHaveLength(2);
  });

  // ------------------------------------------------------------------ hostile input

  it.each([
    ['login with an operator as username', 'POST', '/login', { username: { $gt: '' }, password: 'x' }, 'anonymous'],
    ['login with an operator as password', 'POST', '/login', { username: 'officer.a', password: { $ne: null } }, 'anonymous'],
    ['login with an unknown field', 'POST', '/login', { username: 'officer.a', password: PASSWORD, role: 'admin' }, 'anonymous'],
    ['status as an operator', 'POST', '/cases/:id/status', { status: { $ne: null } }, 'supervisor'],
    ['status with an extra $set', 'POST', '/cases/:id/status', { status: 'triaged', $set: { status: 'closed' } }, 'supervisor'],
    ['note as an operator', 'POST', '/cases/:id/notes', { text: { $where: 'sleep(1000)' } }, 'supervisor'],
    ['assign to an operator', 'POST', '/cases/:id/assign', { officerId: { $gt: '' } }, 'supervisor'],
    ['expectedVersion as an operator', 'POST', '/cases/:id/priority', { priority: 'low', expectedVersion: { $gt: 0 } }, 'supervisor'],
    ['query status[$ne]', 'GET', '/cases?status[$ne]=x', undefined, 'supervisor'],
    ['query province[$gt]', 'GET', '/cases?province[$gt]=', undefined, 'supervisor'],
    ['query repeated province', 'GET', '/cases?province=a&province=b', undefined, 'supervisor'],
    ['query unknown status', 'GET', '/cases?status=open', undefined, 'supervisor'],
    ['query unknown field', 'GET', '/cases?sort=createdAt', undefined, 'supervisor'],
    ['query bad limit', 'GET', '/cases?limit=1000', undefined, 'supervisor'],
    ['query bad cursor', 'GET', '/cases?cursor=%7B%22%24gt%22%3A1%7D', undefined, 'supervisor'],
    ['query bad date', 'GET', '/cases?from=yesterday', undefined, 'supervisor'],
    ['query ref as an operator', 'GET', '/cases?ref[$regex]=.*', undefined, 'supervisor'],
    ['query malformed ref', 'GET', '/cases?ref=BA-%22%20OR%201', undefined, 'supervisor'],
    ['stats category[$in]', 'GET', '/stats?category[$in]=drugs', undefined, 'supervisor'],
    ['export with an operator', 'GET', '/export.csv?status[$regex]=.*', undefined, 'supervisor'],
    ['officer patch with an operator', 'PATCH', '/officers/:officer', { province: { $ne: null } }, 'admin'],
    ['new officer with an operator', 'POST', '/officers', { username: 'x.y.z', displayName: 'X', role: { $in: ['admin'] }, province: null, password: 'một mật khẩu đủ dài' }, 'admin'],
    ['a JSON array body', 'POST', '/cases/:id/notes', [{ text: 'x' }], 'supervisor'],
    ['an empty body', 'POST', '/cases/:id/notes', undefined, 'supervisor'],
  ] as const)('refuses %s with 400 before any store call', async (_name, method, path, body, who) => {
    const kase = await addTip(t.app, { what: 'Dữ liệu độc hại.' });
    const store = t.app.store;
    const spies = (['getOfficerByUsername', 'queryCases', 'countCases', 'getCase', 'updateCase', 'createOfficer', 'updateOfficer', 'getCaseByRef'] as const)
      .map((m) => jest.spyOn(store, m));
    try {
      const url = path.replace(':id', kase.id).replace(':officer', o.officerAll.id);
      const res = await c[who].request(method, url, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expect.objectContaining({ error: expect.any(String) }));
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect((await store.getCase(kase.id))!.version).toBe(kase.version);
  });

  it('refuses an oversized body with 413, malformed ids with 400 and unknown ids with 404', async () => {
    const kase = await addTip(t.app, { what: 'Giới hạn kích thước.' });
    const big = await c.supervisor.post(`/cases/${kase.id}/notes`, { text: 'a'.repeat(40_000) });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/too large/);
    expect((await c.supervisor.post(`/cases/${kase.id}/notes`, { text: 'a'.repeat(4001) })).status).toBe(400);
    expect((await c.supervisor.post(`/cases/${kase.id}/questions`, { text: 'a'.repeat(1001) })).status).toBe(400);
    expect((await c.supervisor.post(`/cases/${kase.id}/notes`, { text: '   ' })).status).toBe(400);
    for (const bad of ['123', 'not-a-uuid', "1' OR '1'='1", '%7B%22%24gt%22%3A%22%22%7D', `${kase.id}x`]) {
      const res = await c.supervisor.get(`/cases/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'malformed id' });
    }
    expect((await c.supervisor.post('/cases/abc/claim')).status).toBe(400);
    expect((await c.admin.patch('/officers/abc', { disabled: true })).status).toBe(400);
    expect((await c.supervisor.get(`/cases/${randomUUID()}`)).status).toBe(404);
    expect((await c.supervisor.post(`/cases/${randomUUID()}/claim`)).status).toBe(404);
    expect((await c.supervisor.request('POST', `/cases/${kase.id}/notes`, undefined, { raw: '{"text": "unterminated' })).status).toBe(400);
    expect((await c.supervisor.request('POST', `/cases/${kase.id}/notes`, undefined, { raw: 'text=x', type: 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect((await t.app.store.getCase(kase.id))!.version).toBe(kase.version);
  });
});
