/**
 * Live counsellor handoff: the desk's state machine (with a moved clock), then the whole path over
 * real HTTP — a person on the web chat asks for a human, a counsellor on duty takes the chat from the
 * dashboard's API and event stream, messages relay both ways, either side ends it — and through
 * Telegram with a loopback stand-in for its API.
 */
import { createHmac } from 'node:crypto';
import { LiveDesk, LiveError } from '../src/live/desk';
import { createChannels, type Channels } from '../src/channels/index';
import { Chat, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { Client, makeOfficer } from './helpers/liaison';
import { SseReader } from './helpers/sse';
import { FakePlatform } from './helpers/fake-platform';
import { firstNumber } from './helpers/competence';

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
    await events.close();
  });
});
