/** The case service: sealing, urgency, history, lifecycle rules, scope, related tips (real SQLite). */
import { testApp, type TestApp } from './helpers/app';
import { addTip, makeOfficer } from './helpers/liaison';
import { CaseError, type Actor } from '../src/cases/service';
import type { Officer } from '../src/store/port';

let t: TestApp;
let officerA: Officer;
let officerB: Officer;
let supervisor: Officer;
let admin: Officer;
const actor = (o: Officer): Actor => ({ id: o.id, role: o.role, province: o.province });

beforeAll(async () => {
  t = await testApp();
  officerA = await makeOfficer(t.app, { username: 'svc-a', role: 'officer', province: 'Nghệ An' });
  officerB = await makeOfficer(t.app, { username: 'svc-b', role: 'officer', province: 'Hà Nội' });
  supervisor = await makeOfficer(t.app, { username: 'svc-sup', role: 'supervisor' });
  admin = await makeOfficer(t.app, { username: 'svc-admin', role: 'admin' });
});
afterAll(async () => { await t.close(); });

const KIND: Record<number, string> = { 400: 'invalid', 403: 'forbidden', 404: 'not_found', 409: 'conflict' };

async function rejects(p: Promise<unknown>, status: number, code?: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(CaseError);
  expect((e as CaseError).kind).toBe(KIND[status]);
  if (code) expect((e as CaseError).code).toBe(code);
}

describe('filing a tip', () => {
  it('seals the free text, records "created" by the reporter, and decrypts for officers', async () => {
    const c = await addTip(t.app, { what: 'Có người bán thuốc lắc ở tiệm net Hoàng Long', place: 'tiệm net Hoàng Long', contact: '0912 345 678' });
    expect(c.fields.what).toMatch(/^enc:v1:/);
    expect(c.fields.place).toMatch(/^enc:v1:/);
    expect(c.fields.contact).toMatch(/^enc:v1:/);
    expect(c.fields.province).toBe('Nghệ An');
    expect(c.history).toEqual([expect.objectContaining({ by: 'reporter', action: 'created', to: 'new' })]);
    const view = await t.app.cases.get(actor(officerA), c.id);
    expect(view.fields).toMatchObject({ what: 'Có người bán thuốc lắc ở tiệm net Hoàng Long', place: 'tiệm net Hoàng Long', contact: '0912 345 678' });
    expect(JSON.stringify(view)).not.toMatch(/secretHash|channel/);
  });

  it('is urgent when the reporter says someone is in danger now, or when the words say so', async () => {
    expect((await addTip(t.app, { inDanger: 'yes', what: 'Có người bị giữ ở nhà trọ.' })).priority).toBe('urgent');
    expect((await addTip(t.app, { inDanger: 'no', what: 'Cứu với, em gái tôi đang bị nhốt trong kho ở cảng.' })).priority).toBe('urgent');
    expect((await addTip(t.app, { inDanger: 'unsure', what: 'Xe khách ở bến.', involved: 'họ đang bị đưa sang Campuchia qua biên giới' })).priority).toBe('urgent');
    expect((await addTip(t.app, { inDanger: 'no', what: 'Năm ngoái có người bán ma túy ở quán nước.' })).priority).toBe('normal');
  });

  it('returns the same case for the same idempotency key', async () => {
    const first = await addTip(t.app, { what: 'Một tin báo chỉ được lưu một lần.' }, { idempotencyKey: 'k'.repeat(64) });
    const again = await t.app.cases.createTip({
      idempotencyKey: 'k'.repeat(64), ref: 'BA-ZZZZZZ', secretHash: 'x'.repeat(64), priority: 'normal', channel: 'web', lang: 'vi',
      fields: { category: 'drugs', province: 'Nghệ An', what: 'Một tin báo chỉ được lưu một lần.', inDanger: 'no' },
    });
    expect(again.created).toBe(false);
    expect(again.case.id).toBe(first.id);
  });
});

describe('reporter follow-up', () => {
  it('shows the officers\' questions (decrypted) and never notes; stores the answer sealed', async () => {
    const c = await addTip(t.app, { what: 'Có người lạ hay đến nhà trọ số 5 vào ban đêm.' });
    await t.app.cases.askReporter(actor(officerA), c.id, 'Người lạ đi xe gì?');
    await t.app.cases.addNote(actor(officerA), c.id, 'Ghi chú nội bộ: có thể liên quan vụ tháng trước');
    const r = await t.app.cases.getForReporter(c.ref);
    expect(r).toMatchObject({ id: c.id, status: 'new', questions: ['Người lạ đi xe gì?'] });
    expect(JSON.stringify(r)).not.toMatch(/nội bộ|svc-a/);
    expect(await t.app.cases.addReporterAnswer(c.ref, 'Xe máy màu đỏ.')).toBe(true);
    expect(await t.app.cases.addReporterAnswer('BA-NOPE00', 'x')).toBe(false);
    const raw = await t.app.store.getCase(c.id);
    expect(raw!.messages.map((m) => m.text).every((x) => x.startsWith('enc:v1:'))).toBe(true);
    expect(raw!.notes[0].text).toMatch(/^enc:v1:/);
    const view = await t.app.cases.get(actor(supervisor), c.id);
    expect(view.messages.map((m) => [m.from, m.text])).toEqual([['officer', 'Người lạ đi xe gì?'], ['reporter', 'Xe máy màu đỏ.']]);
    expect(view.notes[0].text).toMatch(/nội bộ/);
    expect(view.history.map((h) => h.action)).toEqual(expect.arrayContaining(['created', 'question', 'note', 'answer']));
  });
});

describe('lifecycle rules', () => {
  it('moves forward only, records from/to, and needs a supervisor and a disposition to close', async () => {
    const c = await addTip(t.app, { what: 'Vòng đời của một tin báo.' });
    const triaged = await t.app.cases.changeStatus(actor(officerA), c.id, { status: 'triaged' });
    expect(triaged.history.at(-1)).toMatchObject({ by: officerA.id, action: 'status', from: 'new', to: 'triaged' });
    await rejects(t.app.cases.changeStatus(actor(officerA), c.id, { status: 'new' }), 409, 'invalid_transition');
    await rejects(t.app.cases.changeStatus(actor(officerA), c.id, { status: 'assigned' }), 409, 'not_assigned');
    await rejects(t.app.cases.changeStatus(actor(officerA), c.id, { status: 'closed', disposition: 'spam' }), 403, 'supervisor_only');
    await rejects(t.app.cases.changeStatus(actor(supervisor), c.id, { status: 'closed' }), 400, 'disposition_required');
    await rejects(t.app.cases.changeStatus(actor(supervisor), c.id, { status: 'forwarded', disposition: 'spam' }), 400);
    const closed = await t.app.cases.changeStatus(actor(supervisor), c.id, { status: 'closed', disposition: 'referred' });
    expect(closed).toMatchObject({ status: 'closed', disposition: 'referred' });
    expect(closed.history.slice(-2)).toEqual([
      expect.objectContaining({ action: 'status', from: 'triaged', to: 'closed', by: supervisor.id }),
      expect.objectContaining({ action: 'disposition', to: 'referred' }),
    ]);
    await rejects(t.app.cases.claim(actor(officerA), c.id), 409, 'closed');
    await rejects(t.app.cases.changePriority(actor(supervisor), c.id, { priority: 'high' }), 409, 'closed');
    await rejects(t.app.cases.addNote(actor(supervisor), c.id, 'x'), 409, 'closed');
    await rejects(t.app.cases.askReporter(actor(supervisor), c.id, 'x'), 409, 'closed');
  });

  it('refuses a stale expectedVersion with 409 and changes nothing', async () => {
    const c = await addTip(t.app, { what: 'Phiên bản cũ.' });
    const v = (await t.app.cases.get(actor(officerA), c.id)).version;
    await t.app.cases.changePriority(actor(officerA), c.id, { priority: 'high', expectedVersion: v });
    await rejects(t.app.cases.changePriority(actor(officerA), c.id, { priority: 'low', expectedVersion: v }), 409, 'version_conflict');
    expect((await t.app.cases.get(actor(officerA), c.id)).priority).toBe('high');
  });

  it('assigns only to an active officer whose scope covers the case, and only by a supervisor', async () => {
    const c = await addTip(t.app, { what: 'Giao việc.' });
    await rejects(t.app.cases.assign(actor(officerA), c.id, officerA.id), 403);
    await rejects(t.app.cases.assign(actor(supervisor), c.id, officerB.id), 400, 'officer_out_of_scope');
    await rejects(t.app.cases.assign(actor(supervisor), c.id, admin.id), 400, 'invalid_officer');
    const assigned = await t.app.cases.assign(actor(supervisor), c.id, officerA.id);
    expect(assigned).toMatchObject({ status: 'assigned', assignedTo: { id: officerA.id, username: 'svc-a' } });
    expect(assigned.history.slice(-2).map((h) => [h.action, h.to])).toEqual([['assign', officerA.id], ['status', 'assigned']]);
    // Another officer cannot move a case that is not theirs.
    const other = await makeOfficer(t.app, { username: 'svc-a2', role: 'officer', province: 'Nghệ An' });
    await rejects(t.app.cases.changeStatus(actor(other), c.id, { status: 'forwarded' }), 403, 'not_yours');
  });

  it('keeps officers to their province (404); an admin works cases like a supervisor', async () => {
    const c = await addTip(t.app, { province: 'Hà Nội', what: 'Ngoài phạm vi.' });
    await rejects(t.app.cases.get(actor(officerA), c.id), 404);
    await rejects(t.app.cases.claim(actor(officerA), c.id), 404);
    expect((await t.app.cases.get(actor(admin), c.id)).ref).toBe(c.ref);
    const list = await t.app.cases.list(actor(officerA), { province: ['Hà Nội'] }, { limit: 100, order: 'queue' });
    expect(list.items).toEqual([]);
    const mine = await t.app.cases.list(actor(officerA), {}, { limit: 100, order: 'queue' });
    expect(mine.items.every((i) => i.province === 'Nghệ An')).toBe(true);
    expect((await t.app.cases.get(actor(officerB), c.id)).fields.what).toBe('Ngoài phạm vi.');
  });
});
