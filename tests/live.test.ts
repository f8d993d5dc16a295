/**
 * Live counsellor handoff: the desk's state machine (with a moved clock), then the whole path over
 * real HTTP — a person on the web chat asks for a human, a counsellor on duty takes the chat from the
 * dashboard's API and event stream, messages relay both ways, either side ends it — and through
 * Telegram with a loopback stand-in for its API.
 */
import { createHmac } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiveDesk, LiveError } from '../src/live/desk';
import { CATEGORIES } from '../src/cases/tip-fields';
import { checkProgramBundle } from '../src/app/vocabulary';
import { formatProblem } from '../src/bundle/load';
import { createChannels, type Channels } from '../src/channels/index';
import { Chat, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { Client, makeOfficer } from './helpers/liaison';
import { SseReader } from './helpers/sse';
import { FakePlatform } from './helpers/fake-platform';
import { firstNumber } from './helpers/competence';
import { core } from './helpers/core';
import { copyBundle } from './helpers/tmp';

/** Waits until `ready()` holds (a call made without waiting for its answer, like "typing"), at most 2 s. */
async function until(ready: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const KEY = 'session-key-of-a-person';
const ADDR = 'channel-address-of-a-person';

describe('LiveDesk', () => {
  let now = 1_000_000;
  const clock = () => now;
  const fresh = () => new LiveDesk({ waitLimitMs: 60_000, idleLimitMs: 600_000, presenceGraceMs: 10_000 }, clock);

  it('offers no chat when nobody is on duty with the dashboard open', () => {
    const d = fresh();
    expect(d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })).toBeNull();
    d.setDuty('c1', true); // on duty, but no open stream
    expect(d.onDutyCount()).toBe(0);
    expect(d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })).toBeNull();
    d.connect('c1');
    expect(d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })).not.toBeNull();
  });

  it('ends a web chat as "left" when the person\'s page closed for longer than a reload takes, or at once on the quick exit', () => {
    const d = fresh();
    d.connect('c1'); d.setDuty('c1', true);
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    d.take(chat.id, 'c1');
    d.userConnect(chat.id);
    d.userDisconnect(chat.id); // a reload: closed...
    now += 2_000;
    d.userConnect(chat.id); // ...and open again
    now += 60_000;
    d.tick();
    expect(chat.state).toBe('active');
    d.userDisconnect(chat.id); // the tab is closed
    now += 7_000;
    d.tick();
    expect(chat.state).toBe('active');
    now += 2_000;
    d.tick();
    expect(chat.state).toBe('ended');
    expect(chat.endReason).toBe('user_left');
    expect(chat.messages.at(-1)?.notice).toBe('user_left');
    // The quick exit: at once.
    const again = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    expect(d.leave(KEY)).toBe(true);
    expect(again.state).toBe('ended');
    expect(d.leave(KEY)).toBe(false);
  });

  it('lets exactly one counsellor take a chat, relays both ways, and ends it for either side', () => {
    const d = fresh();
    const toUser: string[] = [];
    d.onUserMessage((_c, m) => toUser.push(m.from === 'system' ? `notice:${m.notice}` : `${m.from}:${m.text}`));
    for (const c of ['c1', 'c2']) { d.connect(c); d.setDuty(c, true); }
    const chat = d.request({ sessionKey: KEY, channel: 'telegram', address: ADDR, lang: 'en' })!;
    // Asking again gives the same chat.
    expect(d.request({ sessionKey: KEY, channel: 'telegram', address: ADDR, lang: 'en' })!.id).toBe(chat.id);
    d.fromUser(KEY, 'is anyone there?');
    d.take(chat.id, 'c1');
    expect(() => d.take(chat.id, 'c2')).toThrow(LiveError);
    expect(() => d.reply(chat.id, 'c2', 'hi')).toThrow(/not yours/);
    d.reply(chat.id, 'c1', '  Hello, I am here.  ');
    expect(toUser).toEqual(['notice:joined', 'counsellor:Hello, I am here.']);
    // c2 sees neither the chat nor its messages; c1 sees the person's words.
    expect(d.view('c2').chats).toEqual([]);
    const mine = d.view('c1').chats[0];
    expect(mine.messages!.map((m) => m.text)).toEqual(['is anyone there?', '', 'Hello, I am here.']);
    expect(JSON.stringify(d.view('c1'))).not.toMatch(new RegExp(`${KEY}|${ADDR}|${chat.token}`));
    d.endByUser(KEY);
    expect(d.chatOf(KEY)).toBeUndefined();
    expect(d.view('c1').chats[0].state).toBe('ended');
    expect(() => d.reply(chat.id, 'c1', 'still there?')).toThrow(/ended/);
    d.dismiss(chat.id, 'c1');
    expect(d.view('c1').chats).toEqual([]);
  });

  it('refuses empty and overlong replies, and taking while off duty', () => {
    const d = fresh();
    d.connect('c1'); d.setDuty('c1', true);
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    expect(() => d.take(chat.id, 'c9')).toThrow(/on duty/);
    d.take(chat.id, 'c1');
    expect(() => d.reply(chat.id, 'c1', '   ')).toThrow(/empty/);
    expect(() => d.reply(chat.id, 'c1', 'x'.repeat(2001))).toThrow(/2000/);
    expect(() => d.take('00000000-0000-4000-8000-000000000000', 'c1')).toThrow(/no such chat/);
  });

  it('ends an untaken chat honestly after the wait limit, and a quiet one after the idle limit', () => {
    const d = fresh();
    const notices: string[] = [];
    d.onUserMessage((_c, m) => { if (m.notice) notices.push(m.notice); });
    d.connect('c1'); d.setDuty('c1', true);
    now = 2_000_000;
    d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' });
    now += 59_000; d.tick();
    expect(d.chatOf(KEY)).toBeDefined();
    now += 1_000; d.tick();
    expect(d.chatOf(KEY)).toBeUndefined();
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    d.take(chat.id, 'c1');
    now += 599_000; d.tick();
    expect(d.chatOf(KEY)).toBeDefined();
    now += 1_000; d.tick();
    expect(d.chatOf(KEY)).toBeUndefined();
    expect(notices).toEqual(['unanswered', 'joined', 'idle']);
  });

  it('passes a chat to another counsellor when its counsellor leaves, or ends it when nobody is left', () => {
    const d = fresh();
    const notices: string[] = [];
    d.onUserMessage((_c, m) => { if (m.notice) notices.push(m.notice); });
    for (const c of ['c1', 'c2']) { d.connect(c); d.setDuty(c, true); }
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    d.take(chat.id, 'c1');
    // A reload (stream closes and reopens within the grace period) changes nothing.
    d.disconnect('c1'); now += 5_000; d.tick(); d.connect('c1');
    expect(d.chatOf(KEY)!.counsellorId).toBe('c1');
    d.disconnect('c1'); now += 10_000; d.tick();
    expect(d.chatOf(KEY)!.state).toBe('waiting');
    d.take(chat.id, 'c2');
    d.setDuty('c2', false);
    expect(d.chatOf(KEY)).toBeUndefined();
    expect(notices).toEqual(['joined', 'requeued', 'joined', 'counsellor_gone']);
  });

  it('passes the counsellor\'s typing on at most once per interval, only in their own active chat; shows the person\'s typing briefly', () => {
    const d = fresh();
    const typed: string[] = [];
    d.onTyping((c) => typed.push(c.id));
    for (const c of ['c1', 'c2']) { d.connect(c); d.setDuty(c, true); }
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    expect(() => d.typing(chat.id, 'c1')).toThrow(/not yours/); // not taken yet
    d.take(chat.id, 'c1');
    expect(() => d.typing(chat.id, 'c2')).toThrow(/not yours/);
    expect(d.typing(chat.id, 'c1')).toBe(true);
    now += 1_000;
    expect(d.typing(chat.id, 'c1')).toBe(false); // throttled
    now += 1_600;
    expect(d.typing(chat.id, 'c1')).toBe(true);
    expect(typed).toEqual([chat.id, chat.id]);
    // The person types: their counsellor sees it for a few seconds, nobody else; a message clears it.
    expect(d.userTyping(chat.id)).toBe(true);
    expect(d.userTyping(chat.id)).toBe(false);
    expect(d.view('c1').chats[0].userTypingMs).toBe(0);
    expect(d.view('c2').chats).toEqual([]);
    now += 5_000;
    expect(d.view('c1').chats[0].userTypingMs).toBe(5_000);
    now += 1_000;
    expect(d.view('c1').chats[0].userTypingMs).toBeUndefined();
    now += 3_000;
    d.userTyping(chat.id);
    d.fromUser(KEY, 'xin chào');
    expect(d.view('c1').chats[0].userTypingMs).toBeUndefined();
    d.endByUser(KEY);
    expect(() => d.typing(chat.id, 'c1')).toThrow(/ended/);
    expect(d.userTyping(chat.id)).toBe(false);
  });

  it('hands a chat to a colleague on duty with the whole chat so far; the person hears only that another counsellor takes over', () => {
    const d = fresh();
    const toUser: string[] = [];
    d.onUserMessage((_c, m) => toUser.push(m.notice ?? m.text));
    d.connect('c1', 'Đỗ Thị Hạnh'); d.setDuty('c1', true);
    d.connect('c2', 'Lê Văn Hai'); d.setDuty('c2', true);
    d.connect('c3', 'Off Duty');
    d.setDuty('c4', true, 'Gone Away'); // on duty but the dashboard is closed
    expect(d.view('c1').colleagues).toEqual([{ id: 'c2', name: 'Lê Văn Hai' }]);
    expect(d.view('c3').colleagues).toEqual([]); // off duty: nobody to hand to
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    d.fromUser(KEY, 'em cần giúp');
    d.take(chat.id, 'c1');
    d.reply(chat.id, 'c1', 'Chị nghe đây');
    expect(() => d.handOver(chat.id, 'c2', 'c1')).toThrow(/not yours/);
    expect(() => d.handOver(chat.id, 'c1', 'c1')).toThrow(LiveError);
    for (const to of ['c3', 'c4', 'nobody']) expect(() => d.handOver(chat.id, 'c1', to)).toThrow(/not on duty/);
    expect(d.counts.handovers).toBe(0);
    d.handOver(chat.id, 'c1', 'c2');
    expect(toUser).toEqual(['joined', 'Chị nghe đây', 'handed_over']);
    expect(d.view('c1').chats).toEqual([]);
    const theirs = d.view('c2').chats[0];
    expect(theirs).toMatchObject({ state: 'active', mine: true });
    expect(theirs.messages!.map((m) => m.text || m.notice)).toEqual(['em cần giúp', 'joined', 'Chị nghe đây', 'handed_over']);
    expect(() => d.reply(chat.id, 'c1', 'vẫn là chị')).toThrow(/not yours/);
    d.reply(chat.id, 'c2', 'Anh tiếp nhận nhé');
    expect(d.counts.handovers).toBe(1);
  });

  it('asks the person before keeping a chat as a tip; the answer, a lapse or the end settles it, and the panel sees the code only', () => {
    const d = new LiveDesk({ waitLimitMs: 60_000, idleLimitMs: 600_000, presenceGraceMs: 10_000, tipOfferMs: 120_000 }, clock);
    const toUser: { notice?: string; category?: string }[] = [];
    d.onUserMessage((_c, m) => { if (m.notice) toUser.push({ notice: m.notice, ...(m.category ? { category: m.category } : {}) }); });
    d.connect('c1'); d.setDuty('c1', true);
    const chat = d.request({ sessionKey: KEY, channel: 'web', address: ADDR, lang: 'vi' })!;
    d.take(chat.id, 'c1');
    expect(() => d.proposeTip(chat.id, 'c1', 'drugs')).toThrow(/not written/);
    d.fromUser(KEY, 'Có người bán ma túy ở chợ');
    expect(() => d.proposeTip(chat.id, 'c2', 'drugs')).toThrow(/not yours/);
    d.proposeTip(chat.id, 'c1', 'drugs');
    expect(toUser.at(-1)).toEqual({ notice: 'tip_offer', category: 'drugs' });
    expect(d.tipAsked(KEY)?.offer).toMatchObject({ state: 'asked', category: 'drugs', n: 1 });
    expect(d.view('c1').chats[0].tip).toEqual({ state: 'asked', category: 'drugs' });
    // Unanswered for too long: it lapses (nothing stored), and the counsellor sees so.
    now += 119_000; d.tick();
    expect(d.tipAsked(KEY)).toBeDefined();
    now += 1_000; d.tick();
    expect(d.tipAsked(KEY)).toBeUndefined();
    expect(d.view('c1').chats[0].tip?.state).toBe('expired');
    expect(d.view('c1').chats[0].messages!.at(-1)?.notice).toBe('tip_expired');
    expect(d.chatOf(KEY)).toBeDefined(); // a lapsed question is not the end of the chat
    // Asked again: declined.
    d.proposeTip(chat.id, 'c1', 'scam');
    d.tipAnswered(chat.id, 'declined');
    expect(d.view('c1').chats[0].tip).toEqual({ state: 'declined', category: 'scam' });
    // Asked again: a fault keeps it asked; then stored, with its reference code for the panel.
    d.proposeTip(chat.id, 'c1', 'drugs');
    expect(d.tipAsked(KEY)?.offer.n).toBe(3);
    d.tipAnswered(chat.id, 'failed');
    expect(d.tipAsked(KEY)).toBeDefined();
    d.tipAnswered(chat.id, 'saved', 'BA-ABCDEF');
    expect(d.view('c1').chats[0].tip).toEqual({ state: 'saved', category: 'drugs', ref: 'BA-ABCDEF' });
    expect(d.view('c1').chats[0].messages!.filter((m) => m.notice?.startsWith('tip_')).map((m) => m.notice))
      .toEqual(['tip_offer', 'tip_expired', 'tip_offer', 'tip_declined', 'tip_offer', 'tip_failed', 'tip_saved']);
    expect(() => d.proposeTip(chat.id, 'c1', 'drugs')).toThrow(/already kept/);
    // Only the question reaches the person; the outcomes are the counsellor's.
    expect(toUser.map((x) => x.notice)).toEqual(['joined', 'tip_offer', 'tip_offer', 'tip_offer']);
    expect(d.counts).toMatchObject({ tipOffers: 3, tipsSaved: 1, tipsDeclined: 1 });
    // A question still open when the chat ends lapses with it.
    const other = d.request({ sessionKey: 'another-person', channel: 'web', address: 'x', lang: 'vi' })!;
    d.take(other.id, 'c1');
    d.fromUser('another-person', 'chuyện của em');
    d.proposeTip(other.id, 'c1', 'other');
    d.endByCounsellor(other.id, 'c1');
    expect(other.tipOffer?.state).toBe('expired');
  });
});

describe('LiveDesk shutdown', () => {
  it('tells every person in an open chat that it ended, waiting or active', () => {
    const d = new LiveDesk();
    const told: string[] = [];
    d.onUserMessage((c, m) => { if (m.notice) told.push(`${c.sessionKey}:${m.notice}`); });
    d.connect('c1'); d.setDuty('c1', true);
    d.request({ sessionKey: 'a', channel: 'web', address: 'x', lang: 'vi' });
    const b = d.request({ sessionKey: 'b', channel: 'telegram', address: 'y', lang: 'vi' })!;
    d.take(b.id, 'c1');
    d.shutdown();
    expect(told).toEqual(['b:joined', 'a:counsellor_gone', 'b:counsellor_gone']);
    expect(d.openCount()).toBe(0);
  });
});

describe('ready-made replies for counsellors (content/canned.yaml)', () => {
  const { bundle } = core();
  const number = (id: string) => bundle.content.hotlines.find((h) => h.id === id)!.number;

  it('loads kind, short replies in both languages, with hotline numbers from the hotline list', () => {
    const canned = bundle.content.canned;
    expect(canned.map((c) => c.id)).toEqual(expect.arrayContaining(['greeting', 'safe_now', 'emergency', 'take_your_time', 'still_here', 'goodbye']));
    for (const c of canned) {
      for (const lang of ['vi', 'en'] as const) {
        expect({ id: c.id, lang, ok: c.title[lang].length > 0 && c.title[lang].length <= 40 && c.text[lang].length > 0 && c.text[lang].length <= 1000 && !c.text[lang].includes('{{') })
          .toEqual({ id: c.id, lang, ok: true });
      }
    }
    const emergency = canned.find((c) => c.id === 'emergency')!;
    for (const id of ['police', 'medical', 'child']) expect([emergency.text.vi, emergency.text.en].every((x) => x.includes(number(id)))).toBe(true);
    expect(canned.find((c) => c.id === 'goodbye')!.text.vi).toContain(number('police'));
  });

  it('refuses a bad file at start-up, naming the file and the item', () => {
    const problemsWith = (yaml: string | null): string[] => {
      const { root, cleanup } = copyBundle();
      try {
        const f = join(root, 'content', 'canned.yaml');
        if (yaml === null) rmSync(f); else writeFileSync(f, yaml);
        return checkProgramBundle(root).problems.map(formatProblem);
      } finally {
        cleanup();
      }
    };
    const item = (id: string, vi: string, en = 'Hello') => `  - { id: ${id}, title: { vi: "Tiêu đề", en: "Title" }, text: { vi: "${vi}", en: "${en}" } }\n`;
    const p = problemsWith(`canned:\n${item('fine', 'Chào bạn')}${item('typed', 'Gọi 113 ngay')}${item('unknown', 'Gọi {{hotline.nope}}')}`
      + `${item('stray', 'Chào {{name}}')}${item('fine', 'Lần nữa')}  - { id: no_en, title: { vi: "Tiêu đề", en: "Title" }, text: { vi: "Chỉ tiếng Việt" } }\n`
      + `  - { id: long_title, title: { vi: "${'x'.repeat(41)}", en: "Title" }, text: { vi: "a", en: "b" } }\n`);
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^content\/canned\.yaml: node 'typed': number 113 is typed in: write \{\{hotline\.police\}\}/),
      expect.stringMatching(/^content\/canned\.yaml: node 'unknown': \{\{hotline\.nope\}\}: no such hotline/),
      expect.stringMatching(/^content\/canned\.yaml: node 'stray': text\.vi: unknown placeholder \{\{name\}\}/),
      "content/canned.yaml: node 'fine': duplicate reply id",
      expect.stringMatching(/^content\/canned\.yaml: node 'no_en': text/),
      expect.stringMatching(/^content\/canned\.yaml: node 'long_title': title\.vi/),
    ]));
    expect(p.filter((x) => x.includes("'fine'"))).toHaveLength(1);
    expect(problemsWith(null)).toContain('content/canned.yaml: file is missing or unreadable');
    expect(problemsWith('canned: []\n').filter((x) => x.startsWith('content/'))).toEqual([expect.stringMatching(/^content\/canned\.yaml: canned/)]);
  });
});

describe('live chat over HTTP: web chat ↔ dashboard API', () => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const streams: SseReader[] = [];

  beforeAll(async () => {
    t = await testApp();
    srv = await serve(t.app);
    await makeOfficer(t.app, { username: 'tu.van', role: 'officer', displayName: 'Nguyễn Tư Vấn' });
    await makeOfficer(t.app, { username: 'tu.van2', role: 'supervisor', displayName: 'Lê Hai' });
    await makeOfficer(t.app, { username: 'quan.tri', role: 'admin' });
  });
  afterAll(async () => {
    for (const s of streams) await s.close();
    await srv.close();
    await t.close();
  });

  const client = `webclient-${'x'.repeat(20)}`;
  let seq = 0;
  const chat = async (body: Record<string, unknown>, who = client) => {
    const res = await fetch(`${srv.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client: who, id: `msg-${++seq}-abcdef`, ...body }) });
    expect(res.status).toBe(200);
    return res.json() as Promise<{ replies: { text: string; choices?: { id: string; label: string }[] }[]; live?: { stream: string; state: string } }>;
  };
  const text = (r: { replies: { text: string }[] }) => r.replies.map((m) => m.text).join('\n');
  const open = (path: string, headers: Record<string, string> = {}) => {
    const s = new SseReader(`${srv.url}${path}`, headers);
    streams.push(s);
    return s;
  };
  async function counsellor(username: string): Promise<{ c: Client; events: SseReader }> {
    const c = new Client(srv.url);
    expect((await c.login(username)).status).toBe(200);
    const events = open('/api/liaison/live/events', { cookie: c.cookie! });
    await events.ready();
    expect(events.status).toBe(200);
    await events.next('state');
    return { c, events };
  }

  it('says honestly that nobody is on duty, with hotlines and a tip offered', async () => {
    await chat({ start: true }, 'lonely-person-0123456789');
    const r = await chat({ text: 'cho tôi nói chuyện với người thật' }, 'lonely-person-0123456789');
    expect(r.live).toBeUndefined();
    expect(r.replies.flatMap((m) => m.choices ?? []).map((c) => c.label)).toEqual(expect.arrayContaining(['Số điện thoại', 'Báo tin ẩn danh']));
  });

  it('refuses the dashboard side to anonymous users and unknown stream tokens; admins may be counsellors', async () => {
    expect((await fetch(`${srv.url}/api/liaison/live/events`)).status).toBe(401);
    const admin = new Client(srv.url);
    await admin.login('quan.tri');
    expect((await admin.get('/live')).status).toBe(200);
    expect((await admin.post('/live/duty', { on: false })).status).toBe(200);
    expect((await fetch(`${srv.url}/api/chat/live/${'A'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${srv.url}/api/chat/live/..%2f..%2fetc`)).status).toBe(404);
  });

  it('relays a whole chat both ways and returns the person to the bot when they end it', async () => {
    const a = await counsellor('tu.van');
    const b = await counsellor('tu.van2');
    // Off duty, nobody is offered; on duty, the state says so.
    expect((await a.c.post('/live/duty', { on: 'yes' })).status).toBe(400);
    expect((await a.c.post('/live/duty', { on: true }, { csrf: null })).status).toBe(403);
    expect((await a.c.post('/live/duty', { on: true })).body.onDuty).toBe(true);
    await a.events.next('state', (s) => s.onDuty === true);

    await chat({ start: true });
    const asked = await chat({ text: 'tôi muốn nói chuyện với tư vấn viên' });
    expect(text(asked)).toMatch(/tư vấn viên/);
    expect(asked.live?.state).toBe('waiting');
    const person = open(`/api/chat/live/${asked.live!.stream}`);
    await person.next('state', (s) => s.state === 'waiting');

    // B is not on duty: B's view has no chats; A sees one waiting chat and nothing identifying.
    const waiting = await a.events.next('state', (s) => s.chats.length === 1);
    const chatId = waiting.data.chats[0].id as string;
    expect(waiting.data.chats[0]).toMatchObject({ state: 'waiting', channel: 'web', mine: false, taken: false });
    expect(JSON.stringify(waiting.data)).not.toContain(client);
    expect(JSON.stringify(waiting.data)).not.toContain(asked.live!.stream);

    // While waiting, the person is told once that the counsellor will read it.
    expect(text(await chat({ text: 'Em đang rất sợ, có ai không?' }))).toMatch(/sẽ đọc tin nhắn này/);
    expect((await chat({ text: 'Em ở một mình' })).replies).toEqual([]);

    expect((await b.c.post(`/live/chats/${chatId}/take`)).status).toBe(409); // B is off duty
    expect((await a.c.post(`/live/chats/${chatId}/take`)).status).toBe(200);
    expect((await b.c.post('/live/duty', { on: true })).status).toBe(200);
    expect((await b.c.post(`/live/chats/${chatId}/take`)).body.code).toBe('already_taken');
    expect((await b.c.post(`/live/chats/${chatId}/messages`, { text: 'hi' })).status).toBe(403);
    expect((await b.c.get('/live')).body.chats).toEqual([]);

    const joined = await person.next('message', (m) => /đã vào cuộc trò chuyện/.test(m.replies[0].text));
    expect(joined.data.replies[0].choices).toEqual([{ id: 'live:end', label: 'Kết thúc trò chuyện' }]);
    const mine = await a.events.next('state', (s) => s.chats[0]?.mine && s.chats[0].messages?.length >= 3);
    expect(mine.data.chats[0].messages.filter((m: { from: string }) => m.from === 'user').map((m: { text: string }) => m.text))
      .toEqual(['Em đang rất sợ, có ai không?', 'Em ở một mình']);

    expect((await a.c.post(`/live/chats/${chatId}/messages`, { text: '<b>Chào em</b>, chị đang ở đây.' })).status).toBe(200);
    const line = await person.next('message', (m) => /^Tư vấn viên:/.test(m.replies[0].text));
    expect(line.data.replies[0].text).toBe('Tư vấn viên: <b>Chào em</b>, chị đang ở đây.');
    expect(JSON.stringify(person.events)).not.toMatch(/Nguyễn Tư Vấn|tu\.van/);
    expect((await a.c.post(`/live/chats/${chatId}/messages`, { text: 'x'.repeat(2001) })).body.code).toBe('too_long');

    // A message the platform redelivers (same id) reaches the counsellor once.
    const body = { client, id: 'redelivered-message-1', text: 'Cảm ơn chị' };
    for (let i = 0; i < 3; i++) await fetch(`${srv.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const thanks = (await a.c.get('/live')).body.chats[0].messages.filter((m: { text: string }) => m.text === 'Cảm ơn chị');
    expect(thanks).toHaveLength(1);

    // An emergency in the chat is flagged for the counsellor.
    await chat({ text: 'có người đang đánh em' });
    expect((await a.c.get('/live')).body.chats[0].urgent).toBe(true);

    // The person ends it: back to the bot, the stream ends, the counsellor sees it ended.
    const ended = await chat({ text: 'kết thúc' });
    expect(text(ended)).toMatch(/Bạn đã kết thúc cuộc trò chuyện/);
    expect(ended.live).toBeUndefined();
    await person.end();
    await a.events.next('state', (s) => s.chats[0]?.state === 'ended');
    expect(text(await chat({ text: 'số điện thoại đường dây nóng' }))).toMatch(/\d{3}/);
    expect((await a.c.post(`/live/chats/${chatId}/messages`, { text: 'Em còn đó không?' })).body.code).toBe('chat_ended');

    // Nothing of the conversation went to the logs.
    const logs = t.logs.join('');
    for (const secret of ['Em đang rất sợ', 'Chào em', 'Cảm ơn chị', client]) expect(logs).not.toContain(secret);
    await a.c.post(`/live/chats/${chatId}/dismiss`);
    expect((await a.c.get('/live')).body.chats).toEqual([]);
  });

  it('lets the counsellor end a chat; the person is told and can talk to the bot again', async () => {
    const a = await counsellor('tu.van');
    await a.c.post('/live/duty', { on: true });
    const who = 'second-person-0123456789';
    await chat({ start: true }, who);
    const asked = await chat({ text: 'nói chuyện với người thật' }, who);
    const person = open(`/api/chat/live/${asked.live!.stream}`);
    const id = (await a.events.next('state', (s) => s.chats.some((c: { state: string }) => c.state === 'waiting'))).data.chats.find((c: { state: string }) => c.state === 'waiting').id;
    await a.c.post(`/live/chats/${id}/take`);
    await person.next('message', (m) => /đã vào/.test(m.replies[0].text));
    expect((await a.c.post(`/live/chats/${id}/end`)).status).toBe(200);
    await person.next('message', (m) => /Tư vấn viên đã kết thúc/.test(m.replies[0].text));
    await person.end();
    // A page reconnecting after the end gets what it missed and the end, then the stream closes.
    const again = open(`/api/chat/live/${asked.live!.stream}`);
    await again.next('end');
    await again.end();
    expect(again.events.filter((e) => e.event === 'message')).toHaveLength(2);
    const replay = open(`/api/chat/live/${asked.live!.stream}`, { 'Last-Event-ID': '1' });
    await replay.end();
    expect(replay.events.map((e) => e.event)).toEqual(['message', 'end']);
    expect((await chat({ text: 'menu' }, who)).replies.length).toBeGreaterThan(0);
  });

  it('answers a crisis typed while waiting for a counsellor with its own first answer, in the person\'s language', async () => {
    const a = await counsellor('tu.van');
    await a.c.post('/live/duty', { on: true });
    for (const [who, ask, crisis, lang] of [
      ['waiting-vi-0123456789', 'cho tôi nói chuyện với tư vấn viên', 'em vừa uống hết vỉ thuốc ngủ rồi', /thuốc|cấp cứu/],
      ['waiting-en-0123456789', 'I want to talk to a real person please', 'I just took a whole pack of sleeping pills', /pills|ambulance|emergency/i],
    ] as const) {
      await chat({ start: true }, who);
      const asked = await chat({ text: ask }, who);
      expect(asked.live?.state).toBe('waiting');
      const r = await chat({ text: crisis }, who);
      expect([who, firstNumber(text(r))]).toEqual([who, '115']);
      expect(text(r)).toMatch(lang);
      // It still reaches the counsellor, flagged.
      const view = (await a.c.get('/live')).body.chats as { state: string; urgent?: boolean }[];
      expect(view.some((c) => c.state === 'waiting' && c.urgent)).toBe(true);
      await chat({ text: who.includes('-en-') ? 'end' : 'kết thúc' }, who);
    }
  });

  /** A person on the web chat asks for a human and counsellor `a` takes the chat: its id, the person's stream and token. */
  async function taken(a: { c: Client }, who: string): Promise<{ id: string; person: SseReader; stream: string }> {
    await chat({ start: true }, who);
    const asked = await chat({ text: 'cho tôi nói chuyện với người thật' }, who);
    expect(asked.live?.state).toBe('waiting');
    const person = open(`/api/chat/live/${asked.live!.stream}`);
    await person.next('state');
    const waiting = ((await a.c.get('/live')).body.chats as { id: string; state: string }[]).filter((c) => c.state === 'waiting');
    expect(waiting).toHaveLength(1);
    expect((await a.c.post(`/live/chats/${waiting[0].id}/take`)).status).toBe(200);
    await person.next('message', (m) => /đã vào/.test(m.replies[0].text));
    return { id: waiting[0].id, person, stream: asked.live!.stream };
  }
  const cases = async () => (await t.app.store.listCases({ limit: 1000 })).length;
  const officerId = async (username: string) => (await t.app.store.getOfficerByUsername(username))!.id;

  it('offers counsellors the ready-made replies from content/ and the tip categories', async () => {
    expect((await fetch(`${srv.url}/api/liaison/live/tools`)).status).toBe(401);
    const a = await counsellor('tu.van');
    const tools = (await a.c.get('/live/tools')).body;
    expect(tools.canned.map((c: { id: string }) => c.id)).toEqual(t.app.bundle.content.canned.map((c) => c.id));
    const police = t.app.bundle.content.hotlines.find((h) => h.id === 'police')!.number;
    expect(tools.canned.find((c: { id: string }) => c.id === 'emergency').text.vi).toContain(police);
    expect(tools.categories.map((c: { value: string }) => c.value)).toEqual([...CATEGORIES]);
    expect(tools.categories[0].label).toEqual({ vi: 'Ma túy', en: 'Drugs' });
  });

  it('shows the person that the counsellor is typing (throttled), and the counsellor that the person is', async () => {
    const a = await counsellor('tu.van');
    const b = await counsellor('tu.van2');
    await a.c.post('/live/duty', { on: true });
    const who = 'typing-person-0123456789';
    const { id, person, stream } = await taken(a, who);
    expect((await a.c.post(`/live/chats/${id}/typing`)).status).toBe(204);
    await person.next('typing');
    expect((await a.c.post(`/live/chats/${id}/typing`)).status).toBe(204); // too soon: not passed on
    expect((await b.c.post(`/live/chats/${id}/typing`)).status).toBe(403);
    expect((await a.c.post(`/live/chats/${id}/typing`, { text: 'no words travel' })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(person.events.filter((e) => e.event === 'typing')).toHaveLength(1);
    // The person types: the counsellor's view says so (and nothing else about them).
    expect((await fetch(`${srv.url}/api/chat/live/${stream}/typing`, { method: 'POST' })).status).toBe(204);
    const seen = await a.events.next('state', (s) => s.chats.some((c: { id: string; userTypingMs?: number }) => c.id === id && typeof c.userTypingMs === 'number'));
    expect(JSON.stringify(seen.data)).not.toContain(stream);
    expect((await fetch(`${srv.url}/api/chat/live/${'B'.repeat(32)}/typing`, { method: 'POST' })).status).toBe(204);
    await chat({ text: 'kết thúc' }, who);
    await person.end();
  });

  it('hands a chat to a colleague on duty: one neutral line for the person, the chat so far for the colleague, audited without content', async () => {
    const a = await counsellor('tu.van');
    const b = await counsellor('tu.van2');
    await a.c.post('/live/duty', { on: true });
    await b.c.post('/live/duty', { on: true });
    const who = 'handover-person-0123456789';
    const { id, person } = await taken(a, who);
    await chat({ text: 'Em bị nhốt trong phòng trọ' }, who);
    await a.c.post(`/live/chats/${id}/messages`, { text: 'Chị nghe đây.' });
    const mine = (await a.c.get('/live')).body;
    expect(mine.colleagues).toEqual([{ id: await officerId('tu.van2'), name: 'Lê Hai' }]);
    expect((await a.c.post(`/live/chats/${id}/handover`, { to: await officerId('tu.van') })).body.code).toBe('same_counsellor');
    expect((await a.c.post(`/live/chats/${id}/handover`, { to: await officerId('quan.tri') })).body.code).toBe('colleague_not_on_duty');
    expect((await b.c.post(`/live/chats/${id}/handover`, { to: await officerId('tu.van') })).status).toBe(403);
    const res = await a.c.post(`/live/chats/${id}/handover`, { to: await officerId('tu.van2') });
    expect(res.status).toBe(200);
    expect(res.body.chats.some((c: { id: string }) => c.id === id)).toBe(false);
    const line = await person.next('message', (m) => /chuyển sang một tư vấn viên khác/.test(m.replies[0].text));
    expect(line.data.replies[0].text).toBe(t.app.bundle.content.messages.live_handed_over.vi);
    expect(JSON.stringify(person.events)).not.toMatch(/Lê Hai|Nguyễn Tư Vấn|tu\.van/);
    const theirs = await b.events.next('state', (s) => s.chats.some((c: { id: string; mine: boolean }) => c.id === id && c.mine));
    const messages = theirs.data.chats.find((c: { id: string }) => c.id === id).messages as { from: string; text: string; notice?: string }[];
    expect(messages.filter((m) => m.from !== 'system').map((m) => m.text)).toEqual(['Em bị nhốt trong phòng trọ', 'Chị nghe đây.']);
    expect(messages.at(-1)?.notice).toBe('handed_over');
    expect((await a.c.post(`/live/chats/${id}/messages`, { text: 'Em còn đó không?' })).status).toBe(403);
    await b.c.post(`/live/chats/${id}/messages`, { text: 'Anh đây, em cứ nói tiếp.' });
    await person.next('message', (m) => m.replies[0].text === 'Tư vấn viên: Anh đây, em cứ nói tiếp.');
    const audit = await t.app.store.listAudit({ officerId: await officerId('tu.van') });
    expect(audit.filter((e) => e.action === 'live.handover')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(id);
    await chat({ text: 'kết thúc' }, who);
    await person.end();
  });

  it('keeps a chat as a tip only on the person\'s yes: one sealed case of their own words, code and secret to them, the code to the counsellor', async () => {
    const a = await counsellor('tu.van');
    await a.c.post('/live/duty', { on: true });
    const who = 'tip-person-0123456789abcd';
    const { id, person } = await taken(a, who);
    await chat({ text: 'Ở Đà Nẵng, tối nào cũng có nhóm người bán ma túy cho học sinh trước cổng trường.' }, who);
    await chat({ text: 'Tôi tên là Trần Văn Bình, số điện thoại của tôi là 0912 345 678.' }, who);
    await a.c.post(`/live/chats/${id}/messages`, { text: 'Cảm ơn em đã kể. LỜI TƯ VẤN VIÊN' });
    const before = await cases();
    expect((await a.c.post(`/live/chats/${id}/tip`, { category: 'weapons' })).status).toBe(400);
    const proposed = await a.c.post(`/live/chats/${id}/tip`, { category: 'drugs' });
    expect(proposed.body.chats.find((c: { id: string }) => c.id === id).tip).toEqual({ state: 'asked', category: 'drugs' });
    const ask = await person.next('message', (m) => m.replies[0].choices?.some((c: { id: string }) => c.id === 'live:tip_yes'));
    expect(ask.data.replies[0].text).toMatch(/\(loại: Ma túy\)/);
    expect(ask.data.replies[0].text).toMatch(/chỉ những tin nhắn BẠN đã viết/);
    expect(ask.data.replies[0].text).toMatch(/Nếu bạn không đồng ý, không có gì được lưu/);
    expect(ask.data.replies[0].choices).toEqual([{ id: 'live:tip_yes', label: 'Đồng ý lưu' }, { id: 'live:tip_no', label: 'Không lưu' }]);
    expect(await cases()).toBe(before); // asking stores nothing

    const yes = await chat({ payload: 'live:tip_yes' }, who);
    const got = /Mã tra cứu: (BA-[A-Z0-9]{6})\nMã bí mật: (\d{4} \d{4} \d{4})/.exec(text(yes));
    expect(got).not.toBeNull();
    const [, ref, secret] = got!;
    expect(yes.live?.state).toBe('active'); // still talking with the counsellor
    expect(await cases()).toBe(before + 1);
    const stored = (await t.app.store.getCaseByRef(ref))!;
    const f = t.app.cipher.openFields(stored.fields);
    expect(f).toMatchObject({ category: 'drugs', province: 'Đà Nẵng', inDanger: 'unsure' });
    expect(f.what).toContain('tối nào cũng có nhóm người bán ma túy cho học sinh');
    expect(f.what).not.toMatch(/Trần Văn Bình|0912|LỜI TƯ VẤN VIÊN/);
    expect(stored.fields.what).not.toContain('ma túy'); // sealed at rest
    expect(stored.channel).toBe('web');
    expect(JSON.stringify(stored)).not.toContain(who);

    // The counsellor's panel gets the reference code, never the secret.
    const panel = await a.events.next('state', (s) => s.chats.find((c: { id: string }) => c.id === id)?.tip?.state === 'saved');
    expect(panel.data.chats.find((c: { id: string }) => c.id === id).tip).toEqual({ state: 'saved', category: 'drugs', ref });
    expect(panel.data.chats.find((c: { id: string }) => c.id === id).messages.at(-1)).toMatchObject({ from: 'system', notice: 'tip_saved', ref });
    for (const x of [secret, secret.replace(/ /g, '')]) expect(JSON.stringify(panel.data)).not.toContain(x);
    // Tapping yes again stores nothing more; proposing again is refused.
    expect(text(await chat({ payload: 'live:tip_yes' }, who))).toContain(`đã được lưu rồi (mã tra cứu ${ref})`);
    expect(await cases()).toBe(before + 1);
    expect((await a.c.post(`/live/chats/${id}/tip`, { category: 'drugs' })).body.code).toBe('tip_saved');
    expect((await t.app.store.listAudit({ officerId: await officerId('tu.van') })).filter((e) => e.action === 'live.tip_proposed').length).toBeGreaterThanOrEqual(1);

    await chat({ text: 'kết thúc' }, who);
    await person.end();
    // The code and the secret work like any tip's (read back through the bot on another channel).
    const reporter = new Chat(t.app, undefined, 'telegram');
    await reporter.say('tra cứu tin báo');
    await reporter.say(ref);
    await reporter.say(secret);
    expect(reporter.text()).toContain(ref);
    expect(reporter.text()).not.toMatch(/không đúng|sai/i);
    const logs = t.logs.join('');
    for (const x of ['Trần Văn Bình', 'tối nào cũng', secret, who]) expect(logs).not.toContain(x);
  });

  it('stores nothing when the person says no, nor when the chat ends before they answer', async () => {
    const a = await counsellor('tu.van');
    await a.c.post('/live/duty', { on: true });
    const who = 'no-tip-person-0123456789';
    const { id, person } = await taken(a, who);
    await chat({ text: 'Hàng xóm nhà em hay đánh con, em nghe tiếng khóc mỗi tối.' }, who);
    const before = await cases();
    await a.c.post(`/live/chats/${id}/tip`, { category: 'child_abuse' });
    const ask = await person.next('message', (m) => m.replies[0].choices?.some((c: { id: string }) => c.id === 'live:tip_no'));
    expect(ask.data.replies[0].text).toMatch(/Xâm hại trẻ em/);
    expect(text(await chat({ payload: 'live:tip_no' }, who))).toMatch(/không có gì được lưu/);
    expect(await cases()).toBe(before);
    await a.events.next('state', (s) => s.chats.find((c: { id: string }) => c.id === id)?.tip?.state === 'declined');
    // A "yes" tapped later on the old question stores nothing either.
    expect(text(await chat({ payload: 'live:tip_yes' }, who))).toMatch(/không còn hiệu lực/);
    expect(await cases()).toBe(before);
    // Asked again, but the chat ends first: the question lapses with it.
    await a.c.post(`/live/chats/${id}/tip`, { category: 'child_abuse' });
    await chat({ text: 'kết thúc' }, who);
    await person.end();
    await chat({ payload: 'live:tip_yes' }, who);
    expect(await cases()).toBe(before);
    const ended = (await a.c.get('/live')).body.chats.find((c: { id: string }) => c.id === id);
    expect(ended.tip.state).toBe('expired');
  });
});

describe('live chat through Telegram', () => {
  let fake: FakePlatform;
  let t: TestApp;
  let channels: Channels;
  let srv: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    fake = new FakePlatform();
    await fake.start();
    t = await testApp();
    channels = createChannels(t.app, { TELEGRAM_BOT_TOKEN: '7012345678:AAHfakeTokenForTests_0123456789abcdef', TELEGRAM_WEBHOOK_SECRET: 'tg_secret_0123456789abcdefABCDEF-xyz', TELEGRAM_API_BASE: fake.url }, { outbox: { baseDelayMs: 5, sleep: async () => undefined } });
    srv = await serve(t.app, channels);
    await makeOfficer(t.app, { username: 'tu.van', role: 'officer' });
  });
  afterAll(async () => {
    await channels.stop();
    await srv.close();
    await t.close();
    await fake.stop();
  });

  it('relays the counsellor’s lines to the Telegram chat and the person’s words to the counsellor', async () => {
    const c = new Client(srv.url);
    await c.login('tu.van');
    const events = new SseReader(`${srv.url}/api/liaison/live/events`, { cookie: c.cookie! });
    await events.ready();
    await c.post('/live/duty', { on: true });
    let update = 500_000;
    const say = async (text: string) => {
      const res = await fetch(`${srv.url}/webhooks/telegram`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg_secret_0123456789abcdefABCDEF-xyz' },
        body: JSON.stringify({ update_id: ++update, message: { message_id: update, date: 1_730_000_000, text, from: { id: 5551234, is_bot: false, first_name: 'Hoa' }, chat: { id: 5551234, type: 'private', first_name: 'Hoa' } } }),
      });
      expect(res.status).toBe(200);
      await channels.drain();
    };
    const sentTexts = () => fake.calls('/sendMessage').map((r) => (r.json as { text: string }).text);
    await say('/start');
    await say('cho tôi nói chuyện với người thật');
    const id = (await events.next('state', (s) => s.chats.length === 1)).data.chats[0].id;
    expect((await c.post(`/live/chats/${id}/take`)).status).toBe(200);
    await channels.drain();
    expect(sentTexts().some((x) => /đã vào cuộc trò chuyện/.test(x))).toBe(true);
    await c.post(`/live/chats/${id}/messages`, { text: 'Chào bạn, mình nghe đây.' });
    await channels.drain();
    expect(sentTexts()).toContain('Tư vấn viên: Chào bạn, mình nghe đây.');
    const before = sentTexts().length;
    await say('Mình bị giữ giấy tờ ở chỗ làm');
    expect(sentTexts().length).toBe(before); // relayed, no bot reply
    const view = await events.next('state', (s) => s.chats[0]?.messages?.some((m: { text: string }) => m.text === 'Mình bị giữ giấy tờ ở chỗ làm'));
    expect(JSON.stringify(view.data)).not.toMatch(/5551234|Hoa/);
    await events.close();
  });

  it('shows "typing" with sendChatAction, and keeps the chat as a tip when the person taps yes in Telegram', async () => {
    const c = new Client(srv.url);
    await c.login('tu.van');
    const events = new SseReader(`${srv.url}/api/liaison/live/events`, { cookie: c.cookie! });
    await events.ready();
    await c.post('/live/duty', { on: true });
    let update = 600_000;
    const secret = 'tg_secret_0123456789abcdefABCDEF-xyz';
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(`${srv.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify({ update_id: ++update, ...body }) });
      expect(res.status).toBe(200);
      await channels.drain();
    };
    const chatOf = { id: 5559876, type: 'private', first_name: 'Lan' };
    const say = (text: string) => post({ message: { message_id: update, date: 1_730_000_000, text, from: { id: 5559876, is_bot: false, first_name: 'Lan' }, chat: chatOf } });
    const tap = (data: string) => post({ callback_query: { id: `cb-${update}`, from: { id: 5559876, is_bot: false, first_name: 'Lan' }, data, message: { message_id: 1, date: 1_730_000_000, chat: chatOf } } });
    const sent = () => fake.calls('/sendMessage').map((r) => r.json as { chat_id: string; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } }).filter((m) => String(m.chat_id) === '5559876');
    await say('/start');
    await say('cho tôi nói chuyện với người thật');
    const id = (await events.next('state', (s) => s.chats.some((x: { state: string }) => x.state === 'waiting'))).data.chats.find((x: { state: string }) => x.state === 'waiting').id;
    await c.post(`/live/chats/${id}/take`);
    expect((await c.post(`/live/chats/${id}/typing`)).status).toBe(204);
    await until(() => fake.calls('/sendChatAction').length > 0);
    const actions = fake.calls('/sendChatAction').map((r) => r.json);
    expect(actions).toEqual([{ chat_id: '5559876', action: 'typing' }]);
    await say('Có đường dây lừa người đi làm việc nhẹ lương cao ở Campuchia, họ thu hộ chiếu.');
    const before = (await t.app.store.listCases({ limit: 100 })).length;
    await c.post(`/live/chats/${id}/tip`, { category: 'trafficking' });
    await channels.drain();
    const ask = sent().find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.callback_data === 'live:tip_yes'));
    expect(ask?.text).toMatch(/Mua bán người/);
    expect(ask?.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['Đồng ý lưu', 'Không lưu']);
    await tap('live:tip_yes');
    const saved = sent().map((m) => m.text).find((x) => /Mã tra cứu: BA-/.test(x));
    expect(saved).toMatch(/Mã bí mật: \d{4} \d{4} \d{4}/);
    expect((await t.app.store.listCases({ limit: 100 })).length).toBe(before + 1);
    const ref = /Mã tra cứu: (BA-[A-Z0-9]{6})/.exec(saved!)![1];
    const stored = (await t.app.store.getCaseByRef(ref))!;
    expect(stored.channel).toBe('telegram');
    expect(JSON.stringify(stored)).not.toMatch(/5559876|Lan/);
    await events.next('state', (s) => s.chats.find((x: { id: string }) => x.id === id)?.tip?.ref === ref);
    await say('kết thúc');
    await events.close();
  });
});

describe('live chat through Messenger', () => {
  const APP_SECRET = 'a3f1c0ffee5eed0123456789abcdef01';
  const PAGE_ID = '107300000000001';
  const PSID = '24876543219876543';
  let fake: FakePlatform;
  let t: TestApp;
  let channels: Channels;
  let srv: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    fake = new FakePlatform((r) => (r.path.endsWith('/me/messages')
      ? { status: 200, body: { recipient_id: PSID, message_id: `m_out_${r.body.length}` } }
      : { status: 200, body: { result: 'success' } }));
    await fake.start();
    t = await testApp();
    channels = createChannels(t.app, {
      MESSENGER_PAGE_ACCESS_TOKEN: 'EAAGfakePageTokenZZ9', MESSENGER_APP_SECRET: APP_SECRET, MESSENGER_VERIFY_TOKEN: 'binh-an-verify-7c1e', MESSENGER_API_BASE: fake.url,
    }, { outbox: { baseDelayMs: 5, sleep: async () => undefined } });
    srv = await serve(t.app, channels);
    await makeOfficer(t.app, { username: 'tu.van', role: 'supervisor' });
  });
  afterAll(async () => {
    await channels.stop();
    await srv.close();
    await t.close();
    await fake.stop();
  });

  it('sends the counsellor’s lines as replies in the conversation and ends on the person’s "kết thúc"', async () => {
    const c = new Client(srv.url);
    await c.login('tu.van');
    const events = new SseReader(`${srv.url}/api/liaison/live/events`, { cookie: c.cookie! });
    await events.ready();
    await c.post('/live/duty', { on: true });
    let mid = 0;
    const say = async (text: string) => {
      const raw = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: [{ sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid: `m_live_${++mid}_abcdefghijklmnop`, text } }] }] });
      const sig = `sha256=${createHmac('sha256', APP_SECRET).update(Buffer.from(raw, 'utf8')).digest('hex')}`;
      const res = await fetch(`${srv.url}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, body: raw });
      expect(res.status).toBe(200);
      await channels.drain();
    };
    const sentTexts = () => fake.calls('/me/messages').map((r) => (r.json as { message?: { text?: string } }).message?.text ?? '');
    await say('tôi muốn nói chuyện với tư vấn viên');
    const id = (await events.next('state', (s) => s.chats.length === 1)).data.chats[0].id;
    expect((await events.next('state', (s) => s.chats.length === 1)).data.chats[0].channel).toBe('messenger');
    await c.post(`/live/chats/${id}/take`);
    await c.post(`/live/chats/${id}/messages`, { text: 'Chào bạn, mình là tư vấn viên.' });
    await channels.drain();
    const replies = fake.calls('/me/messages').map((r) => r.json as { recipient: { id: string }; messaging_type: string; message: { text: string } });
    const line = replies.find((r) => r.message.text === 'Tư vấn viên: Chào bạn, mình là tư vấn viên.');
    expect(line).toMatchObject({ recipient: { id: PSID }, messaging_type: 'RESPONSE' });
    await say('kết thúc');
    expect(sentTexts().some((x) => /Bạn đã kết thúc cuộc trò chuyện/.test(x))).toBe(true);
    await events.next('state', (s) => s.chats[0]?.state === 'ended');
    // A counsellor typing in a Messenger chat: the typing_on sender action, inside the reply window.
    const seen = events.events.length;
    await say('tôi muốn nói chuyện với tư vấn viên');
    const next = (await events.next('state', (s) => s.chats.some((x: { state: string }) => x.state === 'waiting'), 5000, seen)).data.chats.find((x: { state: string }) => x.state === 'waiting').id;
    expect((await c.post(`/live/chats/${next}/take`)).status).toBe(200);
    expect((await c.post(`/live/chats/${next}/typing`)).status).toBe(204);
    await until(() => fake.calls('/me/messages').some((r) => (r.json as { sender_action?: string }).sender_action));
    const typing = fake.calls('/me/messages').map((r) => r.json as { recipient: { id: string }; sender_action?: string }).filter((r) => r.sender_action);
    expect(typing).toEqual([{ recipient: { id: PSID }, sender_action: 'typing_on' }]);
    await say('kết thúc');
    await events.close();
  });
});
