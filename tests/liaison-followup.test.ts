/**
 * The anonymous two-way follow-up through the real bot (tip_status flow, code + secret) and the
 * liaison API, and encryption at rest: the database files never hold the tip's sentence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { Client, makeOfficer } from './helpers/liaison';
import type { SqliteStore } from '../src/store/sqlite';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
let officer: Client;
let supervisor: Client;

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An', displayName: 'Thượng úy Phạm Văn Đức' });
  await makeOfficer(t.app, { username: 'mai.le', role: 'supervisor', displayName: 'Lê Thị Mai' });
  officer = new Client(srv.url);
  supervisor = new Client(srv.url);
  await officer.login('duc.pham');
  await supervisor.login('mai.le');
});
afterAll(async () => { await srv.close(); await t.close(); });

async function caseIdOf(ref: string): Promise<string> {
  return (await t.app.store.getCaseByRef(ref))!.id;
}

async function followUp(ref: string, secret: string): Promise<Chat> {
  const chat = new Chat(t.app, undefined, 'telegram'); // another channel, another device
  await chat.say('tra cứu tin báo');
  await chat.say(ref);
  await chat.say(secret);
  return chat;
}

describe('two-way follow-up', () => {
  it('shows the officer\'s question to the reporter, never notes or names, and appends the answer to the case', async () => {
    const { ref, secret } = await fileTip(new Chat(t.app, undefined, 'web'));
    const id = await caseIdOf(ref);
    expect((await officer.post(`/cases/${id}/claim`)).status).toBe(200);
    expect((await officer.post(`/cases/${id}/notes`, { text: 'NỘI BỘ: chủ quán có tiền án, đừng hỏi thẳng' })).status).toBe(200);
    expect((await officer.post(`/cases/${id}/questions`, { text: 'Quán nước mở cửa đến mấy giờ?' })).status).toBe(200);

    const reporter = await followUp(ref, secret);
    const seen = reporter.text();
    expect(seen).toMatch(/đã có cán bộ phụ trách/); // plain-language status
    expect(seen).toMatch(/Quán nước mở cửa đến mấy giờ\?/);
    for (const hidden of ['NỘI BỘ', 'tiền án', 'duc.pham', 'Phạm Văn Đức', 'Thượng úy', 'assigned']) expect(seen).not.toContain(hidden);

    await reporter.tap('Bổ sung / trả lời');
    await reporter.say('Quán mở đến khoảng 11 giờ đêm, có hai xe máy hay đậu trước cửa.');
    expect(reporter.text()).toMatch(/Đã lưu thông tin bổ sung/);

    const got = await officer.get(`/cases/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.case.messages.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([
      ['officer', 'Quán nước mở cửa đến mấy giờ?'],
      ['reporter', 'Quán mở đến khoảng 11 giờ đêm, có hai xe máy hay đậu trước cửa.'],
    ]);
    expect(got.body.case.history.at(-1)).toMatchObject({ by: 'reporter', action: 'answer' });
    const list = await officer.get('/cases?mine=1');
    expect(list.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ reporterMessages: 1 });

    // Later statuses read in plain language too, still without names or notes.
    await officer.post(`/cases/${id}/status`, { status: 'forwarded' });
    await supervisor.post(`/cases/${id}/status`, { status: 'closed', disposition: 'referred' });
    const later = await followUp(ref, secret);
    expect(later.text()).toMatch(/việc xử lý tin này đã kết thúc/);
    expect(later.text()).not.toMatch(/referred|NỘI BỘ|Mai|Đức/);
  });

  it('shows no question block when officers have asked nothing', async () => {
    const { ref, secret } = await fileTip(new Chat(t.app));
    const chat = await followUp(ref, secret);
    expect(chat.text()).toMatch(/đang chờ cán bộ xem/);
    expect(chat.text()).not.toMatch(/Cán bộ có câu hỏi/);
  });
});

describe('encryption at rest', () => {
  const SENTENCE = 'Ông chủ tiệm cầm đồ Phúc Lộc cho vay nặng lãi và bán thuốc lắc cho sinh viên ở tầng hai';
  const NEEDLES = [SENTENCE, 'Phúc Lộc', 'tiệm cầm đồ', 'thuoc lac cho sinh vien'];
  const variants = (s: string) => [s, Buffer.from(s, 'utf8').toString('latin1')];
  let ref: string;
  let id: string;

  beforeAll(async () => {
    ({ ref } = await fileTip(new Chat(t.app), SENTENCE));
    id = await caseIdOf(ref);
    await officer.post(`/cases/${id}/notes`, { text: `Ghi chú: ${SENTENCE}` });
    await officer.post(`/cases/${id}/questions`, { text: `Có phải ${SENTENCE}?` });
  });

  it('stores the case\'s text only as ciphertext (every table but the conversation sessions), while an officer reads it', async () => {
    const db = (t.app.store as SqliteStore).raw;
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sessions'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['cases']));
    const dump = tables.map((name) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
    expect(dump).toContain(ref);
    expect(dump).toMatch(/enc:v1:/);
    for (const needle of NEEDLES) expect(dump).not.toContain(needle);
    const got = await officer.get(`/cases/${id}`);
    expect(got.body.case.fields.what).toBe(SENTENCE);
    expect(got.body.case.notes[0].text).toBe(`Ghi chú: ${SENTENCE}`);
    expect(got.body.case.messages[0].text).toBe(`Có phải ${SENTENCE}?`);
  });

  // Sessions (which hold a tip's unsent answers) are sealed too, and SQLite overwrites deleted content.
  it('never writes the tip\'s sentence to the database files (checkpointed)', async () => {
    (t.app.store as SqliteStore).raw.pragma('wal_checkpoint(FULL)');
    const files = readdirSync(t.dir).filter((f) => f.startsWith('binhan.sqlite'));
    expect(files).toContain('binhan.sqlite');
    const dump = files.map((f) => readFileSync(join(t.dir, f)).toString('latin1')).join('\n');
    expect(dump).toContain(ref); // the files were read
    for (const needle of NEEDLES) for (const v of variants(needle)) expect(dump).not.toContain(v);
  });
});
