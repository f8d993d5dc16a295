/**
 * Campaign evaluation and poster refs (issue #13 items 4–6) on a real server and SQLite store: anonymous counters
 * → evaluation figures (reach, pre/post means, gain with its 95 % interval, share improved with its Wilson
 * interval, per-question shares), the minimum bucket of 10 (polls by province and age, tips per poster), the CSV,
 * roles (officers read, supervisors make posters), the poster's links and QR codes, a ref arriving through the bot
 * and through the Telegram and Messenger edges, and the public /ket-qua page.
 */
import { testApp, Chat, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { Client, makeOfficer } from './helpers/liaison';
import { wilson, meanInterval } from '../src/campaigns/evaluation';
import { normalise as telegramNormalise } from '../src/channels/telegram/ingress';
import { normalise as messengerNormalise } from '../src/channels/messenger/ingress';
import { linkConfig, linksFor } from '../src/campaigns/refs';
import { vnDay } from '../src/app/counters';
import { posterRefs } from '../src/campaigns/refs';
import { createChannels, type Channels } from '../src/channels/index';
import { FakePlatform } from './helpers/fake-platform';

const C = 'job_scam_trafficking';
const today = () => vnDay(Date.now());

describe('interval math', () => {
  it('matches known Wilson intervals', () => {
    const a = wilson(7, 10)!;
    expect(a.low).toBeCloseTo(0.3968, 4);
    expect(a.high).toBeCloseTo(0.8922, 4);
    const b = wilson(6, 12)!;
    expect(b.low).toBeCloseTo(0.2538, 4);
    expect(b.high).toBeCloseTo(0.7462, 4);
    expect(wilson(0, 0)).toBeNull();
  });
  it('gives the mean difference a normal 95 % interval', () => {
    // gains: six of +2, four of 0, two of −1
    const m = meanInterval(12, 10, 26)!;
    expect(m.mean).toBeCloseTo(0.8333, 4);
    expect(m.low).toBeCloseTo(0.1163, 4);
    expect(m.high).toBeCloseTo(1.5504, 4);
  });
});

describe('links', () => {
  it('builds each channel\'s deep link, and names a bad variable', () => {
    const cfg = linkConfig({ CAMPAIGN_TELEGRAM_BOT: '@BinhAnBot', CAMPAIGN_MESSENGER_PAGE: 'binhan.vn', CAMPAIGN_ZALO_OA_ID: '1234567890123', CAMPAIGN_WEB_URL: 'https://binhan.example.vn/' });
    expect(linksFor(cfg, 'pabc2345', 'http://localhost/')).toEqual([
      { channel: 'telegram', url: 'https://t.me/BinhAnBot?start=pabc2345', carriesRef: true },
      { channel: 'messenger', url: 'https://m.me/binhan.vn?ref=pabc2345', carriesRef: true },
      { channel: 'zalo', url: 'https://zalo.me/1234567890123', carriesRef: false },
      { channel: 'web', url: 'https://binhan.example.vn/?ref=pabc2345', carriesRef: true },
    ]);
    expect(() => linkConfig({ CAMPAIGN_TELEGRAM_BOT: 'no spaces' })).toThrow(/CAMPAIGN_TELEGRAM_BOT/);
    expect(() => linkConfig({ CAMPAIGN_WEB_URL: 'ftp://x' })).toThrow(/CAMPAIGN_WEB_URL/);
  });

  it('keeps a poster ref at the Telegram and Messenger edges, and nothing else of a referral', () => {
    const tg = telegramNormalise({ update_id: 5, message: { message_id: 1, chat: { id: 42, type: 'private' }, text: '/start pabc2345' } });
    expect(tg.event).toEqual({ address: '42', dedupeKey: '5', kind: 'start', ref: 'pabc2345' });
    const other = telegramNormalise({ update_id: 6, message: { message_id: 2, chat: { id: 42, type: 'private' }, text: '/start some-ad-campaign' } });
    expect(other.event).toEqual({ address: '42', dedupeKey: '6', kind: 'start' });
    const m = messengerNormalise({ sender: { id: '123456' }, timestamp: 1700000000000, referral: { ref: 'pabc2345', source: 'SHORTLINK', type: 'OPEN_THREAD' } });
    expect(m.event).toEqual({ address: '123456', dedupeKey: 'ref:123456:1700000000000', kind: 'start', ref: 'pabc2345' });
    const gs = messengerNormalise({ sender: { id: '123456' }, timestamp: 1, postback: { mid: 'm1', payload: 'GET_STARTED', referral: { ref: 'pabc2345', source: 'SHORTLINK' } } });
    expect(gs.event).toEqual({ address: '123456', dedupeKey: 'm1', kind: 'start', ref: 'pabc2345' });
    expect(messengerNormalise({ sender: { id: '123456' }, timestamp: 1, referral: { ref: 'ad:123', source: 'ADS' } }).event).toBeUndefined();
  });
});

describe('campaign evaluation API', () => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const c: Record<string, Client> = {};

  beforeAll(async () => {
    t = await testApp();
    srv = await serve(t.app);
    await makeOfficer(t.app, { username: 'officer.na', role: 'officer', province: 'Nghệ An' });
    await makeOfficer(t.app, { username: 'officer.all', role: 'officer', province: null });
    await makeOfficer(t.app, { username: 'supervisor', role: 'supervisor' });
    for (const who of ['officer.na', 'officer.all', 'supervisor']) {
      c[who] = new Client(srv.url);
      expect((await c[who].login(who)).status).toBe(200);
    }
    const p = `camp.${C}.`;
    const counts: { key: string; n: number }[] = [
      { key: `${p}start`, n: 30 }, { key: `${p}complete`, n: 14 },
      // pre 1 → post 3 (six people), 2 → 2 (four), 3 → 2 (two)
      { key: `${p}prepost.1.3`, n: 6 }, { key: `${p}prepost.2.2`, n: 4 }, { key: `${p}prepost.3.2`, n: 2 },
      { key: `${p}quiz_pre.red_flag.no_degree_fast`, n: 5 }, { key: `${p}quiz_pre.red_flag.other`, n: 15 },
      { key: `${p}quiz_post.red_flag.no_degree_fast`, n: 12 }, { key: `${p}quiz_post.red_flag.other`, n: 2 },
      // The poll: Nghệ An 12 under 18–24 saying never; Hà Nội 3 (fewer than 10)
      { key: `${p}offer_poll.Nghệ An.18_24.never`, n: 12 }, { key: `${p}offer_poll.Hà Nội.18_24.yes_refused`, n: 3 },
      { key: `${p}lan_story.post.ask_company`, n: 4 },
      { key: `${p}feedback.useful`, n: 9 },
    ];
    await t.app.store.bumpCounters(today(), counts);
  });
  afterAll(async () => { await srv.close(); await t.close(); });

  it('lists campaigns with reach, for every role, and nobody signed out', async () => {
    const r = await c['officer.all'].get('/campaigns');
    expect(r.status).toBe(200);
    const one = r.body.items.find((x: { id: string }) => x.id === C);
    expect(one).toMatchObject({ reached: 30, completed: 14 });
    expect(r.body.items).toHaveLength(t.app.bundle.campaigns.size);
    expect((await new Client(srv.url).get('/campaigns')).status).toBe(401);
  });

  it('turns counters into the evaluation figures', async () => {
    const r = await c.supervisor.get(`/campaigns/${C}/evaluation`);
    expect(r.status).toBe(200);
    const e = r.body;
    expect(e).toMatchObject({ reached: 30, completed: 14, to: today(), scope: null });
    expect(e.quiz.pairs).toEqual({ n: 12 });
    expect(e.quiz.preMean).toBeCloseTo(5 / 3, 6);
    expect(e.quiz.postMean).toBeCloseTo(2.5, 6);
    expect(e.quiz.gain.mean).toBeCloseTo(0.8333, 4);
    expect(e.quiz.gain.low).toBeCloseTo(0.1163, 4);
    expect(e.quiz.improved.share).toBeCloseTo(0.5, 6);
    expect(e.quiz.improved.interval.low).toBeCloseTo(0.2538, 4);
    const q = e.quiz.perQuestion.find((x: { id: string }) => x.id === 'red_flag');
    expect(q.pre).toEqual({ right: 5, total: 20 });
    expect(q.post).toEqual({ right: 12, total: 14 });
    const poll = e.polls.find((x: { id: string }) => x.id === 'offer_poll');
    expect(poll.choices.find((x: { value: string }) => x.value === 'never').total).toEqual({ n: 12 });
    // 3 people in Hà Nội: never shown as 3.
    expect(poll.choices.find((x: { value: string }) => x.value === 'yes_refused').total).toEqual({ fewer: 10 });
    const hn = poll.byProvince.find((x: { province: string }) => x.province === 'Hà Nội');
    expect(hn.answers).toEqual({ fewer: 10 });
    expect(JSON.stringify(poll)).not.toMatch(/"n":3\b/);
    expect(e.stories[0].choices.find((x: { scene: string; value: string }) => x.scene === 'post' && x.value === 'ask_company').n).toBe(4);
    expect(e.feedback).toEqual({ useful: 9 });
  });

  it('shows an officer of one province the poll answers of that province only', async () => {
    const e = (await c['officer.na'].get(`/campaigns/${C}/evaluation`)).body;
    expect(e.scope).toBe('Nghệ An');
    const poll = e.polls.find((x: { id: string }) => x.id === 'offer_poll');
    expect(poll.byProvince.map((x: { province: string }) => x.province)).toEqual(['Nghệ An']);
    expect(e.reached).toBe(30);
  });

  it('validates the range and the campaign', async () => {
    expect((await c.supervisor.get(`/campaigns/${C}/evaluation?from=2026-12-09&to=2026-12-01`)).status).toBe(400);
    expect((await c.supervisor.get(`/campaigns/${C}/evaluation?from=2026-02-30`)).status).toBe(400);
    expect((await c.supervisor.get('/campaigns/nope/evaluation')).status).toBe(404);
    const empty = (await c.supervisor.get(`/campaigns/${C}/evaluation?from=2020-01-01&to=2020-01-31`)).body;
    expect(empty.reached).toBe(0);
    expect(empty.quiz.pairs).toEqual({ fewer: 10 });
    expect(empty.quiz.preMean).toBeUndefined();
  });

  it('exports the evaluation as CSV with small buckets hidden', async () => {
    const r = await c['officer.all'].get(`/campaigns/${C}/evaluation.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    expect(r.text.startsWith('\uFEFFsection,item,group,choice,value,low,high\r\n')).toBe(true);
    expect(r.text).toContain('reach,job_scam_trafficking,,reached,30');
    expect(r.text).toContain('quiz,improved_pct,,,50.0,25.4,74.6');
    expect(r.text).toContain('poll,offer_poll,all,yes_refused,<10');
    expect(r.text).toContain('poll,offer_poll,province:Nghệ An,never,12');
    expect(r.text).not.toMatch(/yes_refused,3\r/);
  });

  it('lets supervisors make a poster ref (audited), officers only read; a ref arriving starts the campaign and is counted', async () => {
    expect((await c['officer.all'].post(`/campaigns/${C}/refs`, { place: 'THCS Lê Lợi' })).status).toBe(403);
    expect((await c.supervisor.post(`/campaigns/${C}/refs`, { place: 'x' })).status).toBe(400);
    const made = await c.supervisor.post(`/campaigns/${C}/refs`, { place: 'THCS Lê Lợi, TP Vinh' });
    expect(made.status).toBe(201);
    const ref = made.body.ref as string;
    expect(ref).toMatch(/^p[a-z0-9]{7}$/);
    const audit = await t.app.store.listAudit({ limit: 20 });
    expect(audit.some((a) => a.action === `campaign_ref_create:${C}:${ref}`)).toBe(true);

    const poster = await c['officer.all'].get(`/campaigns/${C}/poster?ref=${ref}`);
    expect(poster.status).toBe(200);
    expect(poster.body.place).toBe('THCS Lê Lợi, TP Vinh');
    const web = poster.body.links.find((l: { channel: string }) => l.channel === 'web');
    expect(web.url).toMatch(new RegExp(`\\?ref=${ref}$`));
    expect(web.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(web.qr.split(',')[1], 'base64').toString()).toContain('<svg');
    expect((await c['officer.all'].get(`/campaigns/${C}/poster?ref=pzzzzzzz`)).status).toBe(404);

    // Two people come through the poster; one of them also sends a tip later in the same conversation.
    const a = new Chat(t.app, undefined, 'web');
    const out = await t.app.bot.handle({ channel: 'web', userId: a.userId, start: true, ref, capabilities: a.capabilities });
    expect(out.replies.map((m) => m.text).join('\n')).toContain('Việc nhẹ lương cao');
    await t.app.bot.handle({ channel: 'web', userId: `b-${Math.random()}`, start: true, ref, capabilities: a.capabilities });
    // An unknown ref starts nothing special (the usual welcome) and counts nothing.
    await t.app.bot.handle({ channel: 'web', userId: `c-${Math.random()}`, start: true, ref: 'pqqqqqqq', capabilities: a.capabilities });
    await t.app.counters.flush();
    const reach = (await c['officer.all'].get(`/campaigns/${C}/refs`)).body.items;
    expect(reach).toEqual([expect.objectContaining({ ref, place: 'THCS Lê Lợi, TP Vinh', start: 2, quiz: 0, tip: { fewer: 10 }, byDay: [{ day: today(), start: 2, quiz: 0, tip: { fewer: 10 } }] })]);
    expect((await c['officer.all'].get(`/campaigns/${C}/evaluation.csv`)).text).toContain(`ref_day,${ref},${today()},start,2`);
    const rows = await t.app.store.readCounters({ from: today(), to: today(), prefix: 'ref.' });
    expect(rows.map((r) => r.key).sort()).toEqual([`ref.${ref}.start`]);
  });

  it('serves /ket-qua without sign-in: published polls and quiz outcomes, small buckets hidden, cached a minute', async () => {
    const res = await fetch(`${srv.url}/ket-qua`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Bạn đã từng nhận lời mời việc làm');
    expect(html).toContain('ít hơn 10');
    // The unpublished poll of prostitution_exploitation is not there.
    expect(html).not.toMatch(/seen_poll/);
    expect(html).toContain('50 %');
    expect(html).not.toMatch(/<script/i);
    const en = await (await fetch(`${srv.url}/ket-qua?lang=en`)).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('fewer than 10');
  });
});

describe('a poster ref through the Telegram webhook', () => {
  const TOKEN = '7012345678:AAHfakeTokenForTests_0123456789abcdef';
  const SECRET = 'tg_secret_0123456789abcdefABCDEF-xyz';
  let fake: FakePlatform;
  let t: TestApp;
  let channels: Channels;
  let srv: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    fake = new FakePlatform();
    await fake.start();
    t = await testApp();
    channels = createChannels(t.app, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url }, { outbox: { baseDelayMs: 5, sleep: async () => {} } });
    srv = await serve(t.app, channels);
  });
  afterAll(async () => { await channels.stop(); await srv.close(); await t.close(); await fake.stop(); });

  it('starts the campaign of t.me/<bot>?start=<ref> and counts the poster, keeping nothing of the person', async () => {
    const { ref } = await posterRefs(t.app.store).create(C, 'Nhà văn hóa xã Hưng Lộc');
    const chatId = 6_100_200_300;
    const res = await fetch(`${srv.url}/webhooks/telegram`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ update_id: 900_001, message: { message_id: 1, date: 1_730_000_000, text: `/start ${ref}`, entities: [{ offset: 0, length: 6, type: 'bot_command' }],
        from: { id: chatId, is_bot: false, first_name: 'Hoa', username: 'hoa_that' }, chat: { id: chatId, first_name: 'Hoa', username: 'hoa_that', type: 'private' } } }),
    });
    expect(res.status).toBe(200);
    await channels.drain();
    const texts = fake.calls('/sendMessage').map((r) => (r.json as { text: string }).text).join('\n');
    expect(texts).toContain('Việc nhẹ lương cao');
    await t.app.counters.flush();
    const rows = await t.app.store.readCounters({ from: today(), to: today(), prefix: 'ref.' });
    expect(rows.map((r) => [r.key, r.count])).toEqual([[`ref.${ref}.start`, 1]]);
    const keys = (await t.app.store.readCounters({ from: today(), to: today(), prefix: '' })).map((r) => r.key).join(' ');
    expect(keys).not.toContain(String(chatId));
    expect(keys).not.toContain('hoa');
  });
});
