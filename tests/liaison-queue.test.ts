/**
 * The liaison API's live queue, search, bulk work and lifecycle moves over real HTTP and a real store (SQLite,
 * and MongoDB too when MONGODB_URI is set): events scoped by province and free of content, a reconnecting
 * stream that misses nothing, search in scope over decrypted text, bulk results per case, `allowed` moves.
 */
import type { TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, appOn, backends, Client, makeOfficer } from './helpers/liaison';
import { SseReader } from './helpers/sse';
import type { Officer } from '../src/store/port';

describe.each(backends)('live queue, search and bulk work on %s', (backend) => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const o: Record<string, Officer> = {};
  const c: Record<string, Client> = {};

  beforeAll(async () => {
    t = await appOn(backend);
    srv = await serve(t.app);
    o.ha = await makeOfficer(t.app, { username: 'officer.ha', role: 'officer', province: 'Hà Giang' });
    o.ha2 = await makeOfficer(t.app, { username: 'officer.ha2', role: 'officer', province: 'Hà Giang' });
    o.ca = await makeOfficer(t.app, { username: 'officer.ca', role: 'officer', province: 'Cà Mau' });
    o.sup = await makeOfficer(t.app, { username: 'supervisor.q', role: 'supervisor', province: null });
    for (const who of Object.keys(o)) {
      c[who] = new Client(srv.url);
      expect((await c[who].login(o[who].username)).status).toBe(200);
    }
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  const stream = (who: string, lastId?: string): SseReader =>
    new SseReader(`${srv.url}/api/liaison/events`, { cookie: c[who].cookie!, ...(lastId ? { 'last-event-id': lastId } : {}) });

  it('streams new tips and changes in the officer’s province only, with no content', async () => {
    const anon = new SseReader(`${srv.url}/api/liaison/events`);
    await anon.ready();
    expect(anon.status).toBe(401);
    await anon.close();

    const ha = stream('ha');
    const ca = stream('ca');
    const sup = stream('sup');
    await Promise.all([ha.next('ready'), ca.next('ready'), sup.next('ready')]);
    const tip = await addTip(t.app, { province: 'Hà Giang', category: 'child_abuse', what: 'Một bé gái bị cha dượng đánh, đang kêu cứu.', inDanger: 'yes' });
    const ev = await ha.next('case', (d) => d.ref === tip.ref);
    expect(ev.data).toEqual({ kind: 'created', id: tip.id, ref: tip.ref, priority: 'urgent', status: 'new', version: expect.any(Number) });
    expect(JSON.stringify(ev.data)).not.toMatch(/cha dượng|Hà Giang/);
    await sup.next('case', (d) => d.ref === tip.ref);

    // A claim is a change, seen by the province and the supervisor.
    expect((await c.ha.post(`/cases/${tip.id}/claim`)).status).toBe(200);
    const changed = await ha.next('case', (d) => d.id === tip.id && d.kind === 'changed');
    expect(changed.data.status).toBe('assigned');

    // Nothing of Hà Giang reached Cà Mau.
    await new Promise((r) => setTimeout(r, 200));
    expect(ca.events.filter((e) => e.event === 'case')).toEqual([]);

    // A stream that reconnects with Last-Event-ID gets what it missed.
    const lastId = ha.events.filter((e) => e.event === 'case').at(-1)!.id!;
    await ha.close();
    const later = await addTip(t.app, { province: 'Hà Giang', category: 'drugs', what: 'Tin đến lúc mất kết nối.' });
    const again = stream('ha', lastId);
    const missed = await again.next('case', (d) => d.ref === later.ref);
    expect(Number(missed.id)).toBeGreaterThan(Number(lastId));
    await Promise.all([again.close(), ca.close(), sup.close()]);
  });

  it('searches the decrypted text of tips in scope, accents optional, with paging', async () => {
    const a = await addTip(t.app, { province: 'Hà Giang', category: 'trafficking', what: 'Cò lao động hứa việc nhẹ lương cao ở Campuchia cho hai cô gái.' });
    const b = await addTip(t.app, { province: 'Cà Mau', category: 'trafficking', what: 'Cò lao động đưa người sang Campuchia bằng xuồng.' });
    const found = async (who: string, q: string, extra = ''): Promise<string[]> => {
      const res = await c[who].get(`/cases?q=${encodeURIComponent(q)}${extra}`);
      expect(res.status).toBe(200);
      return res.body.items.map((i: { ref: string }) => i.ref);
    };
    expect(await found('ha', 'co lao dong')).toEqual([a.ref]);
    expect(await found('ca', 'Cò lao động')).toEqual([b.ref]);
    expect((await found('sup', 'campuchia')).sort()).toEqual([a.ref, b.ref].sort());
    expect(await found('sup', 'campuchia xuồng')).toEqual([b.ref]); // every word must be there
    expect(await found('sup', 'campu')).toHaveLength(2); // the last word as a prefix
    expect(await found('sup', 'campuchia', '&province=Cà Mau')).toEqual([b.ref]);
    expect(await found('sup', 'campuchia', '&status=closed')).toEqual([]);
    expect(await found('sup', a.ref.slice(3).toLowerCase())).toEqual([a.ref]);
    expect(await found('sup', 'tàu ngầm')).toEqual([]);

    // A note is searchable from the moment it is written; the store holds it sealed.
    expect((await c.ha.post(`/cases/${a.id}/notes`, { text: 'Đối tượng dùng biệt danh Tư Sẹo.' })).status).toBe(200);
    expect(await found('ha', 'tu seo')).toEqual([a.ref]);

    // Paging through hits: the cursor carries the offset.
    for (let i = 0; i < 3; i++) await addTip(t.app, { province: 'Hà Giang', category: 'scam', what: `Lừa đảo đầu tư tiền ảo, lần ${i}.` });
    const p1 = await c.ha.get('/cases?q=tien+ao&limit=2');
    expect(p1.body.items).toHaveLength(2);
    const p2 = await c.ha.get(`/cases?q=tien+ao&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items).toHaveLength(1);
    expect(p2.body.nextCursor).toBeNull();
    expect(new Set([...p1.body.items, ...p2.body.items].map((i: { id: string }) => i.id)).size).toBe(3);
    expect((await c.ha.get(`/cases?q=${'x'.repeat(201)}`)).status).toBe(400);
    // The export of a search holds exactly its hits.
    const csv = await c.sup.get('/export.csv?q=campuchia');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(a.ref);
    expect(csv.text).toContain(b.ref);
    expect(csv.text.trim().split('\r\n')).toHaveLength(3);
  });

  it('says in each case view which moves are allowed, for this officer', async () => {
    const tip = await addTip(t.app, { province: 'Hà Giang', category: 'scam', what: 'Tuyển cộng tác viên chốt đơn.' });
    const view = async (who: string) => (await c[who].get(`/cases/${tip.id}`)).body.case.allowed;
    expect(await view('ha')).toEqual({ status: ['triaged', 'forwarded'], claim: true, assign: false, priority: true });
    expect(await view('sup')).toEqual({ status: ['triaged', 'forwarded', 'closed'], claim: true, assign: true, priority: true });
    await c.ha.post(`/cases/${tip.id}/claim`);
    expect(await view('ha')).toEqual({ status: ['forwarded'], claim: false, assign: false, priority: true });
    expect(await view('ha2')).toEqual({ status: [], claim: false, assign: false, priority: true });
    // What the picker does not offer, the server refuses, and says what is allowed.
    const refused = await c.ha.post(`/cases/${tip.id}/status`, { status: 'triaged' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'invalid_transition', details: { allowed: ['forwarded'] } });
    expect((await c.ha2.post(`/cases/${tip.id}/status`, { status: 'forwarded' })).body.code).toBe('not_yours');
  });

  it('does bulk work for supervisors only, one result per case', async () => {
    const a = await addTip(t.app, { province: 'Hà Giang', category: 'other', what: 'Quảng cáo một.' });
    const b = await addTip(t.app, { province: 'Cà Mau', category: 'other', what: 'Quảng cáo hai.' });
    const closed = await addTip(t.app, { province: 'Cà Mau', category: 'other', what: 'Quảng cáo ba.' });
    await c.sup.post(`/cases/${closed.id}/status`, { status: 'closed', disposition: 'spam' });

    expect((await c.ha.post('/cases/bulk', { action: 'priority', ids: [a.id], priority: 'low' })).status).toBe(403);
    const res = await c.sup.post('/cases/bulk', { action: 'close', ids: [a.id, b.id, closed.id], disposition: 'spam' });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { id: a.id, ok: true, ref: a.ref }, { id: b.id, ok: true, ref: b.ref }, { id: closed.id, ok: false, code: 'closed' },
    ]);
    expect((await t.app.store.getCase(b.id))?.disposition).toBe('spam');

    const c2 = await addTip(t.app, { province: 'Cà Mau', category: 'other', what: 'Quảng cáo bốn.' });
    const assign = await c.sup.post('/cases/bulk', { action: 'assign', ids: [c2.id], officerId: o.ha.id });
    expect(assign.body.results).toEqual([{ id: c2.id, ok: false, code: 'officer_out_of_scope' }]);
    expect((await c.sup.post('/cases/bulk', { action: 'assign', ids: [c2.id], officerId: o.ca.id })).body.results[0].ok).toBe(true);

    for (const bad of [
      { action: 'close', ids: [a.id] }, { action: 'delete', ids: [a.id] }, { action: 'priority', ids: [], priority: 'low' },
      { action: 'priority', ids: [a.id, a.id], priority: 'low' }, { action: 'priority', ids: Array(101).fill(a.id), priority: 'low' },
      { action: 'priority', ids: [{ $gt: '' }], priority: 'low' },
    ]) expect((await c.sup.post('/cases/bulk', bad)).status).toBe(400);
  });
});
