/** The Messenger channel on a real HTTP server, against a recording stand-in for the Graph API. */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { FakePlatform, type RecordedRequest } from './helpers/fake-platform';
import { createChannels, type Channels } from '../src/channels/index';
import { createMessengerAdapter, MessengerAdapter, WINDOW_MS } from '../src/channels/messenger/index';
import { MAX_TEMPLATE_TEXT, messageText, splitText, type MessengerMessage } from '../src/channels/messenger/render';
import { ConfigError } from '../src/config';
import { createLogger } from '../src/log';
import { setupMessenger } from '../src/cli/channels-messenger';
import { CONSULAR, ENGLISH_FOLLOW_UP, ENGLISH_QUESTION, firstNumber, isEnglish, TRAPPED } from './helpers/competence';

const APP_SECRET = 'a3f1c0ffee5eed0123456789abcdef01';
const VERIFY = 'binh-an-verify-7c1e';
const TOKEN = 'EAAGfakePageTokenZZ9';
const PAGE_ID = '107300000000001';
const OUTBOX = { baseDelayMs: 5, sleep: async () => {} };

const fake = new FakePlatform((r) => (r.path.endsWith('/me/messages')
    ? { status: 200, body: { recipient_id: (r.json as { recipient?: { id?: string } })?.recipient?.id, message_id: `m_out_${r.body.length}` } }
    : { status: 200, body: { result: 'success' } }));
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });

const envFor = (extra: Record<string, string> = {}): Record<string, string> => ({
  MESSENGER_PAGE_ACCESS_TOKEN: TOKEN, MESSENGER_APP_SECRET: APP_SECRET, MESSENGER_VERIFY_TOKEN: VERIFY, MESSENGER_API_BASE: fake.url, ...extra,
});

/** Meta's serialisation: every non-ASCII character escaped as \uXXXX (lowercase hex). */
const metaJson = (o: unknown): string => JSON.stringify(o).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const sign = (raw: string, secret = APP_SECRET): string => `sha256=${createHmac('sha256', secret).update(Buffer.from(raw, 'utf8')).digest('hex')}`;

let seq = 0;
/** Big digit-string ids, beyond 2^53. */
const newPsid = (): string => `2487654321987${String(6000 + ++seq).padStart(4, '0')}`;
const newMid = (): string => `m_AG5Hz2Uq7tuw${++seq}Xq-fakeMidAbcDEF0123456789`;

type Item = Record<string, unknown>;
const msgItem = (psid: string, message: Item, timestamp = Date.now()): Item => ({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp, message });
const textItem = (psid: string, text: string, mid = newMid(), timestamp?: number): Item => msgItem(psid, { mid, text }, timestamp);
const postbackItem = (psid: string, payload: string, mid = newMid(), title = 'Bắt đầu'): Item => ({
  sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(),
  postback: { mid, title, payload, referral: { ref: 'campaign-xyz', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
});
const body = (...items: Item[]): Item => ({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: items }] });

interface Ctx { t: TestApp; channels: Channels; srv: { url: string; close: () => Promise<void> }; clock?: { now: number } }

async function setup(opts: { clock?: boolean; env?: Record<string, string> } = {}): Promise<Ctx> {
  const t = await testApp();
  const clock = opts.clock ? { now: Date.now() } : undefined;
  const channels = createChannels(t.app, envFor(opts.env), { outbox: OUTBOX, now: clock ? () => clock.now : undefined });
  const srv = await serve(t.app, channels);
  return { t, channels, srv, clock };
}
async function teardown(c: Ctx): Promise<void> {
  await c.channels.drain();
  await c.srv.close();
  await c.t.close();
}

const post = (c: Ctx, raw: string, headers: Record<string, string> = {}): Promise<globalThis.Response> => fetch(`${c.srv.url}/webhooks/messenger`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw,
});
async function deliver(c: Ctx, payload: unknown): Promise<globalThis.Response> {
  const raw = metaJson(payload);
  const res = await post(c, raw, { 'x-hub-signature-256': sign(raw) });
  await c.channels.drain();
  return res;
}

type Sent = { recipient: { id: string }; messaging_type: string; message: MessengerMessage };
const sentTo = (psid: string, since = 0): Sent[] => fake.calls('/me/messages').slice(since)
  .map((r) => r.json as Sent).filter((j) => j.recipient.id === psid);
const sendCount = (): number => fake.calls('/me/messages').length;

/** One anonymous Messenger user talking to the bot through the webhook. */
class User {
  last: Sent[] = [];
  /** Taps answered by typing a number (the choices did not fit as quick replies). */
  typedNumbers = 0;
  constructor(readonly c: Ctx, readonly psid = newPsid()) {}
  private async turn(item: Item): Promise<Sent[]> {
    const since = sendCount();
    const res = await deliver(this.c, body(item));
    expect(res.status).toBe(200);
    this.last = sentTo(this.psid, since);
    return this.last;
  }
  say(text: string): Promise<Sent[]> { return this.turn(textItem(this.psid, text)); }
  postback(payload: string): Promise<Sent[]> { return this.turn(postbackItem(this.psid, payload)); }
  /** Taps a quick reply by title (as Messenger sends it: a message whose text is the title), else types its number. */
  async tap(label: string): Promise<Sent[]> {
    for (const s of this.last) {
      const q = s.message.quick_replies?.find((x) => x.title === label);
      if (q) return this.turn(msgItem(this.psid, { mid: newMid(), text: q.title, quick_reply: { payload: q.payload } }));
    }
    for (const s of this.last) {
      const m = new RegExp(`^(\\d+)\\. ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(messageText(s.message));
      if (m) { this.typedNumbers++; return this.say(m[1]); }
    }
    throw new Error(`no choice ${label} in: ${this.text()}`);
  }
  attach(type: string): Promise<Sent[]> {
    return this.turn(msgItem(this.psid, { mid: newMid(), attachments: [{ type, payload: { url: `${fake.url}/cdn/photo.jpg?oh=abc` } }] }));
  }
  text(): string { return this.last.map((s) => messageText(s.message)).join('\n'); }
}

describe('Messenger configuration', () => {
  const log = createLogger('silent');
  const deps = { log, store: {} as never };
  it('is off when no variable is set, on when the three are set', () => {
    expect(createMessengerAdapter({}, deps)).toBeNull();
    expect(createMessengerAdapter(envFor(), deps)).toBeInstanceOf(MessengerAdapter);
  });
  it.each(['MESSENGER_PAGE_ACCESS_TOKEN', 'MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN'])('names %s when it is missing', (k) => {
    const env = envFor();
    delete env[k];
    expect(() => createMessengerAdapter(env, deps)).toThrow(ConfigError);
    expect(() => createMessengerAdapter(env, deps)).toThrow(k);
  });
  it('refuses a bad Graph version or base URL', () => {
    expect(() => createMessengerAdapter(envFor({ MESSENGER_GRAPH_VERSION: '25' }), deps)).toThrow('MESSENGER_GRAPH_VERSION');
    expect(() => createMessengerAdapter(envFor({ MESSENGER_API_BASE: 'not a url' }), deps)).toThrow('MESSENGER_API_BASE');
  });
});

describe('Messenger webhook', () => {
  let c: Ctx;
  beforeAll(async () => { c = await setup(); });
  afterAll(async () => { await teardown(c); });

  it('answers the GET verification with the challenge only for the right token', async () => {
    const get = (q: string) => fetch(`${c.srv.url}/webhooks/messenger?${q}`);
    const ok = await get(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await get('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong')).status).toBe(403);
    expect((await get('hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=' + VERIFY)).status).toBe(403);
    expect((await get('hub.mode=subscribe&hub.challenge=1')).status).toBe(403);
  });

  it('accepts a signature over the raw \\u-escaped bytes; refuses bad and missing ones', async () => {
    const psid = newPsid();
    const raw = metaJson(body(textItem(psid, 'Xin chào, tôi cần giúp đỡ')));
    expect(raw).toContain('\\u1ea7'); // "ầ" escaped, as Meta sends it
    const since = sendCount();
    expect((await post(c, raw)).status).toBe(401);
    expect((await post(c, raw, { 'x-hub-signature-256': sign(raw, 'another-secret-of-some-length') })).status).toBe(401);
    expect((await post(c, raw, { 'x-hub-signature-256': sign(JSON.stringify(JSON.parse(raw))) })).status).toBe(401); // re-serialised
    expect((await post(c, raw, { 'x-hub-signature': 'sha1=0000' })).status).toBe(401); // the legacy header is not enough
    await c.channels.drain();
    expect(sentTo(psid, since)).toHaveLength(0);
    const res = await post(c, raw, { 'x-hub-signature-256': sign(raw) });
    expect(res.status).toBe(200);
    await c.channels.drain();
    const sent = sentTo(psid, since);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0].messaging_type).toBe('RESPONSE');
    const call = fake.calls('/me/messages').at(-1) as RecordedRequest;
    expect(call.path).toBe('/v25.0/me/messages');
    expect(call.query.get('access_token')).toBe(TOKEN);
  });

  it('refuses bodies over 256 kB with 413', async () => {
    const raw = metaJson(body(textItem(newPsid(), 'x'.repeat(300_000))));
    expect((await post(c, raw, { 'x-hub-signature-256': sign(raw) })).status).toBe(413);
  });

  it('acknowledges and ignores what it cannot use: non-JSON, other objects, numeric ids, echoes, deliveries, reads', async () => {
    const since = sendCount();
    const psid = newPsid();
    for (const raw of ['not json {', metaJson({ object: 'instagram', entry: [] }), metaJson({ object: 'page' }), metaJson({ object: 'page', entry: [{ messaging: 'x' }] })]) {
      expect((await post(c, raw, { 'x-hub-signature-256': sign(raw) })).status).toBe(200);
    }
    const res = await deliver(c, body(
      { sender: { id: 2487654321987654 }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid: newMid(), text: 'số' } },
      msgItem(psid, { mid: newMid(), is_echo: true, app_id: 1517776481860111, text: 'Bình An: xin chào' }),
      { sender: { id: psid }, recipient: { id: PAGE_ID }, delivery: { mids: [newMid()], watermark: Date.now() } },
      { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), read: { watermark: Date.now() } },
      msgItem(psid, { text: 'no mid' }),
      { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), optin: { ref: 'x' } },
      null as never, 'string' as never, [] as never,
    ));
    expect(res.status).toBe(200);
    expect(fake.calls('/me/messages').length).toBe(since);
  });

  it('handles batched entries and messaging items: every event is delivered', async () => {
    const a = newPsid(), b = newPsid(), d = newPsid();
    const since = sendCount();
    const payload = {
      object: 'page',
      entry: [
        { id: PAGE_ID, time: Date.now(), messaging: [textItem(a, 'Xin chào'), textItem(b, 'đường dây nóng')] },
        { id: PAGE_ID, time: Date.now(), messaging: [postbackItem(d, 'start')] },
      ],
    };
    expect((await deliver(c, payload)).status).toBe(200);
    for (const p of [a, b, d]) expect(sentTo(p, since).length).toBeGreaterThan(0);
  });

  it('processes a message redelivered 3 times once: one turn, replies sent once', async () => {
    const psid = newPsid();
    const mid = newMid();
    const item = textItem(psid, 'Xin chào', mid);
    const turnsBefore = c.t.logs.filter((l) => l.includes('"turn"')).length;
    const since = sendCount();
    await Promise.all([1, 2, 3].map(async () => {
      const raw = metaJson(body(item));
      expect((await post(c, raw, { 'x-hub-signature-256': sign(raw) })).status).toBe(200);
    }));
    await c.channels.drain();
    const first = sentTo(psid, since).length;
    expect(first).toBeGreaterThan(0);
    await deliver(c, body(item));
    expect(sentTo(psid, since).length).toBe(first);
    expect(c.t.logs.filter((l) => l.includes('"turn"')).length - turnsBefore).toBe(1);
  });

  it('maps Get Started to a start and drops the postback title and referral', async () => {
    const u = new User(c);
    await u.postback('start');
    expect(u.text()).toMatch(/Bình An/);
    expect(u.last.some((s) => (s.message.quick_replies ?? []).length > 0 || /^1\. /m.test(messageText(s.message)))).toBe(true);
    expect(c.t.logs.join('\n')).not.toContain('campaign-xyz');
  });

  it('acknowledges an attachment without fetching it', async () => {
    const u = new User(c);
    const before = fake.requests.length;
    await u.attach('image');
    const fetched = fake.requests.slice(before).filter((r) => !r.path.endsWith('/me/messages'));
    expect(fetched).toHaveLength(0);
    expect(u.text().length).toBeGreaterThan(0);
  });

  it('runs a whole anonymous tip through Messenger: a case in the store, the reference code sent back', async () => {
    const u = new User(c);
    await u.postback('start');
    await u.say('tôi muốn báo tin');
    await u.tap('Ma túy');
    await u.say('Nghệ An');
    await u.say('gần chợ xã, quán nước đầu hẻm');
    await u.tap('Vẫn đang diễn ra');
    await u.say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối. Tên Nguyễn Văn Tèo.');
    await u.tap('Bỏ qua');
    await u.tap('Không');
    await u.tap('Không để lại');
    await u.tap('Gửi tin báo');
    const ref = /BA-[A-Z0-9]{6}/.exec(u.text())?.[0];
    expect(ref).toBeDefined();
    const cases = await c.t.app.store.listCases();
    expect(cases.map((x) => x.ref)).toContain(ref);
    // Every bubble respected the limits.
    for (const s of fake.calls('/me/messages').map((r) => r.json as Sent)) {
      expect(messageText(s.message).length).toBeLessThan(2000);
      // A call button hangs on a button template: its text and buttons within the template's limits.
      if (s.message.attachment) {
        expect(s.message.attachment.payload.text.length).toBeLessThanOrEqual(MAX_TEMPLATE_TEXT);
        expect(s.message.attachment.payload.buttons.length).toBeLessThanOrEqual(3);
        for (const b of s.message.attachment.payload.buttons) expect(b.title.length).toBeLessThanOrEqual(20);
      }
      expect((s.message.quick_replies ?? []).length).toBeLessThanOrEqual(13);
      for (const q of s.message.quick_replies ?? []) expect(q.title.length).toBeLessThanOrEqual(20);
    }
    // Nothing identifying in the logs or in the database files.
    const logs = c.t.logs.join('\n');
    const files = readdirSync(c.t.dir).filter((f) => !f.startsWith('.')).map((f) => { try { return readFileSync(join(c.t.dir, f)).toString('latin1'); } catch { return ''; } }).join('\n');
    for (const secret of [u.psid, PAGE_ID, TOKEN, APP_SECRET, 'Tèo', 'Nguy', 'quán nước', 'm_AG5Hz2Uq7tuw']) {
      expect(logs).not.toContain(secret);
      expect(files).not.toContain(secret);
    }
  });
});

describe('Messenger: conversation competence', () => {
  let c: Ctx;
  beforeAll(async () => { c = await setup(); });
  afterAll(async () => { await teardown(c); });

  it('answers a crisis with its own first answer, the consular line first, and an English speaker in English', async () => {
    const u = new User(c);
    await u.say(TRAPPED);
    expect(firstNumber(u.text())).toBe(CONSULAR);
    const en = new User(c);
    await en.say(ENGLISH_QUESTION);
    const first = en.text();
    expect(isEnglish(first)).toBe(true);
    await en.say(ENGLISH_FOLLOW_UP);
    expect(isEnglish(en.text())).toBe(true);
    expect(en.text()).not.toBe(first);
  });
});

describe('Messenger rendering', () => {
  const a = createMessengerAdapter(envFor({ MESSENGER_API_BASE: 'http://127.0.0.1:9' }), { log: createLogger('silent'), store: {} as never }) as MessengerAdapter;
  const choices = (n: number, label = (i: number) => `Lựa chọn ${i}`) => Array.from({ length: n }, (_, i) => ({ id: `flow/node/v${i}`, label: label(i + 1) }));

  it('uses quick replies for up to 13 short choices; the payload is the choice id', () => {
    const [m] = a.render([{ text: 'Bạn muốn làm gì?', choices: choices(13) }]) as Sent['message'][];
    expect(m.quick_replies).toHaveLength(13);
    expect(m.quick_replies![0]).toEqual({ content_type: 'text', title: 'Lựa chọn 1', payload: 'flow/node/v0' });
  });

  it('falls back to a numbered list for 14 choices or a label over 20 characters', () => {
    for (const cs of [choices(14), [...choices(2), { id: 'x/y/z', label: 'Một nhãn rất dài hơn hai mươi ký tự' }]]) {
      const out = a.render([{ text: 'Chọn một:', choices: cs }]) as Sent['message'][];
      expect(out.every((m) => m.quick_replies === undefined)).toBe(true);
      const text = out.map((m) => m.text).join('\n');
      expect(text).toMatch(/^1\. /m);
      expect(text).toContain(`${cs.length}. ${cs[cs.length - 1].label}`);
    }
  });

  it('splits long texts on paragraph, line or sentence boundaries under 2000 characters', () => {
    const para = 'Đây là một câu dài về cai nghiện ma túy và hỗ trợ. '.repeat(30).trim();
    const text = [para, para, para].join('\n\n');
    const out = a.render([{ text, choices: choices(2) }]) as Sent['message'][];
    expect(out.length).toBeGreaterThan(1);
    for (const m of out) {
      expect(messageText(m).length).toBeLessThan(2000);
      expect(m.text).toMatch(/\.$/);
    }
    expect(out.slice(0, -1).every((m) => !m.quick_replies)).toBe(true);
    expect(out.at(-1)!.quick_replies).toHaveLength(2);
    expect(out.map((m) => m.text).join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    const words = splitText('từ '.repeat(1500).trim());
    expect(words.every((w) => w.length < 2000 && !w.startsWith(' '))).toBe(true);
    const emoji = splitText('😀'.repeat(1500));
    expect(emoji.join('')).toBe('😀'.repeat(1500));
    expect(emoji.every((w) => w.length < 2000)).toBe(true);
  });
});

describe('Messenger sending: errors, retries and the 24-hour window', () => {
  let c: Ctx;
  let adapter: MessengerAdapter;
  beforeAll(async () => {
    c = await setup({ clock: true });
    adapter = c.channels.dispatchers.get('messenger')!.adapter as MessengerAdapter;
  });
  afterAll(async () => { await teardown(c); });
  const outbox = () => c.channels.dispatchers.get('messenger')!.outbox;

  /** A user who wrote just now (so the window is open). */
  async function fresh(): Promise<string> {
    const psid = newPsid();
    await deliver(c, body(textItem(psid, 'Xin chào', newMid(), c.clock!.now)));
    return psid;
  }
  const graphError = (code: number, message: string, extra: Record<string, unknown> = {}) => ({ error: { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEf', ...extra } });

  it.each([
    ['429 with Retry-After', { status: 429, headers: { 'retry-after': '2' }, body: graphError(613, 'Calls to this api have exceeded the rate limit.') }, { ok: false, retryable: true, retryAfterMs: 2000 }],
    ['500', { status: 500, body: graphError(2, 'An unexpected error has occurred. Please retry your request later.') }, { ok: false, retryable: true }],
    ['503 without a body', { status: 503 }, { ok: false, retryable: true, code: 'http_503' }],
    ['code 613', { status: 400, body: graphError(613, 'Calls to this api have exceeded the rate limit.') }, { ok: false, retryable: true, code: 'rate_613' }],
    ['code 4', { status: 400, body: graphError(4, 'Application request limit reached') }, { ok: false, retryable: true, code: 'rate_4' }],
    ['code 551', { status: 400, body: graphError(551, 'This person isn\'t available right now.', { error_subcode: 1545041 }) }, { ok: false, retryable: false, unreachable: true, code: 'window' }],
    ['code 10 outside the window', { status: 400, body: graphError(10, '(#10) This message is sent outside of allowed window.', { error_subcode: 2018278 }) }, { ok: false, retryable: false, unreachable: true, code: 'window' }],
    ['code 190', { status: 400, body: graphError(190, 'Error validating access token: Session has expired') }, { ok: false, retryable: false, unreachable: true, code: 'token' }],
    ['code 100', { status: 400, body: graphError(100, '(#100) The parameter recipient is required') }, { ok: false, retryable: false, code: 'graph_100' }],
    // Temporary failures are retried whatever the HTTP status they come with.
    ['code 1200 with a 400', { status: 400, body: graphError(1200, 'Temporary send message failure. Please try again later', { type: 'OAuthException' }) }, { ok: false, retryable: true, code: 'graph_1200' }],
    ['code 1200 with a 403', { status: 403, body: graphError(1200, 'Temporary send message failure') }, { ok: false, retryable: true, code: 'graph_1200' }],
    ['code 1 with a 400', { status: 400, body: graphError(1, 'An unknown error occurred') }, { ok: false, retryable: true, code: 'graph_1' }],
    ['code 2 with a 400', { status: 400, body: graphError(2, 'Service temporarily unavailable') }, { ok: false, retryable: true, code: 'graph_2' }],
    ['an unknown code marked is_transient', { status: 400, body: graphError(4242, 'Something went wrong', { is_transient: true }) }, { ok: false, retryable: true, code: 'graph_4242' }],
    ['an unknown code marked is_transient: false', { status: 400, body: graphError(4242, 'Something went wrong', { is_transient: false }) }, { ok: false, retryable: false, code: 'graph_4242' }],
  ])('reports %s', async (_name, reply, expected) => {
    const psid = await fresh();
    fake.queue(reply, (r) => r.path.endsWith('/me/messages'));
    const res = await adapter.sendOne(psid, { text: 'Cảm ơn bạn' });
    expect(res).toMatchObject(expected);
  });

  it('reports a network error as retryable', async () => {
    const a = createMessengerAdapter(envFor({ MESSENGER_API_BASE: 'http://127.0.0.1:9' }), { log: createLogger('silent'), store: {} as never })!;
    a.window.note('123', Date.now());
    expect(await a.sendOne('123', { text: 'x' })).toMatchObject({ ok: false, retryable: true, code: 'network' });
  });

  it('retries 429 and 5xx through the outbox, gives up at once on 190', async () => {
    const psid = await fresh();
    const only = (r: RecordedRequest) => r.path.endsWith('/me/messages') && (r.json as Sent).recipient.id === psid;
    fake.queue({ status: 429, headers: { 'retry-after': '1' } }, only);
    fake.queue({ status: 502 }, only);
    fake.queue({ status: 400, body: graphError(613, 'rate limit') }, only);
    let since = sendCount();
    await outbox().send(psid, adapter.render([{ text: 'Tin báo đã được ghi nhận.' }]));
    expect(sentTo(psid, since)).toHaveLength(4);
    fake.queue({ status: 400, body: graphError(190, 'Error validating access token') }, only);
    since = sendCount();
    const failed = outbox().stats.failed;
    await outbox().send(psid, adapter.render([{ text: 'một' }, { text: 'hai' }]));
    expect(sentTo(psid, since)).toHaveLength(1); // a refused token: nothing more can be sent, so the second bubble is not tried
    expect(outbox().stats.failed).toBe(failed + 2); // the refused bubble and the one not tried
    expect(c.t.logs.join('\n')).not.toContain(TOKEN);
  });

  it('retries error 1200 that comes with a 4xx through the outbox, and a part that finally fails never drops the parts after it', async () => {
    const psid = await fresh();
    const part = (text: string) => (r: RecordedRequest) => r.path.endsWith('/me/messages') && (r.json as Sent).recipient.id === psid && (r.json as Sent).message.text === text;
    const temporary = { status: 400, body: graphError(1200, 'Temporary send message failure. Please try again later') };
    // Part one: 1200 twice (with a 400), then delivered. Part two: 1200 on every attempt, so it finally
    // fails. Part three: a final error of its own. Part four (the one with the code): still delivered.
    fake.queue(temporary, part('Đã nhận tin báo.'));
    fake.queue({ ...temporary, status: 500 }, part('Đã nhận tin báo.'));
    for (let i = 0; i < 5; i++) fake.queue(temporary, part('Cảm ơn bạn.'));
    fake.queue({ status: 400, body: graphError(100, '(#100) Invalid parameter') }, part('Giữ kỹ mã.'));
    const before = { ...outbox().stats };
    const since = sendCount();
    await outbox().send(psid, adapter.render([
      { text: 'Đã nhận tin báo.' }, { text: 'Cảm ơn bạn.' }, { text: 'Giữ kỹ mã.' }, { text: 'Mã tin báo: BA-K7Q2MX' },
    ]));
    const tried = sentTo(psid, since).map((m) => m.message.text);
    expect(tried).toEqual([
      'Đã nhận tin báo.', 'Đã nhận tin báo.', 'Đã nhận tin báo.',
      'Cảm ơn bạn.', 'Cảm ơn bạn.', 'Cảm ơn bạn.', 'Cảm ơn bạn.', 'Cảm ơn bạn.',
      'Giữ kỹ mã.',
      'Mã tin báo: BA-K7Q2MX',
    ]);
    expect(outbox().stats.sent - before.sent).toBe(2);
    expect(outbox().stats.failed - before.failed).toBe(2);
    expect(outbox().stats.retried - before.retried).toBe(2 + 4);
    const logs = c.t.logs.join('\n');
    expect(logs).toMatch(/"code":"graph_1200"/);
    expect(logs).not.toContain('BA-K7Q2MX');
  });

  it('does not try the rest of a reply once the window turns out closed', async () => {
    const psid = await fresh();
    const only = (r: RecordedRequest) => r.path.endsWith('/me/messages') && (r.json as Sent).recipient.id === psid;
    fake.queue({ status: 400, body: graphError(10, '(#10) This message is sent outside of allowed window.', { error_subcode: 2018278 }) }, only);
    const failed = outbox().stats.failed;
    const since = sendCount();
    await outbox().send(psid, adapter.render([{ text: 'một' }, { text: 'hai' }, { text: 'ba' }]));
    expect(sentTo(psid, since)).toHaveLength(1);
    expect(outbox().stats.failed).toBe(failed + 3);
    expect(c.t.logs.join('\n')).toMatch(/send skipped.*"parts":2/);
  });

  it('does not send outside the 24-hour window (no API call) and sends inside it', async () => {
    const psid = await fresh();
    const stranger = newPsid();
    let since = sendCount();
    expect(await adapter.sendOne(stranger, { text: 'x' })).toEqual({ ok: false, retryable: false, unreachable: true, code: 'window' });
    c.clock!.now += WINDOW_MS - 60_000;
    expect((await adapter.sendOne(psid, { text: 'vẫn trong 24 giờ' })).ok).toBe(true);
    expect(sentTo(psid, since)).toHaveLength(1);
    c.clock!.now += 120_000;
    since = sendCount();
    expect(await adapter.sendOne(psid, { text: 'quá 24 giờ' })).toEqual({ ok: false, retryable: false, unreachable: true, code: 'window' });
    expect(sendCount()).toBe(since);
    // The user writes again: the window reopens.
    await deliver(c, body(textItem(psid, 'Tôi quay lại', newMid(), c.clock!.now)));
    expect(sentTo(psid, since).length).toBeGreaterThan(0);
  });

  it('counts the window from the message time, not from a late redelivery', async () => {
    const psid = newPsid();
    const old = c.clock!.now - WINDOW_MS - 1000;
    const since = sendCount();
    await deliver(c, body(textItem(psid, 'tin nhắn cũ', newMid(), old)));
    expect(sentTo(psid, since)).toHaveLength(0);
  });
});

describe('binhan channels setup messenger', () => {
  it('sets the Get Started button and the Vietnamese persistent menu', async () => {
    const lines: string[] = [];
    const since = fake.requests.length;
    expect(await setupMessenger(envFor(), (s) => lines.push(s))).toBe(0);
    const calls = fake.requests.slice(since);
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].path).toBe('/v25.0/me/messenger_profile');
    expect(calls[0].query.get('access_token')).toBe(TOKEN);
    const j = calls[0].json as { get_started: { payload: string }; persistent_menu: { locale: string; call_to_actions: { type: string; title: string; payload: string }[] }[] };
    expect(j.get_started).toEqual({ payload: 'start' });
    expect(j.persistent_menu[0].locale).toBe('default');
    expect(j.persistent_menu[0].call_to_actions).toEqual([
      { type: 'postback', title: 'Menu chính', payload: 'cmd:menu' },
      { type: 'postback', title: 'Báo tin ẩn danh', payload: 'intent:report_tip' },
      { type: 'postback', title: 'Xóa dữ liệu', payload: 'cmd:delete_data' },
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('reports a refused token and a missing configuration without printing secrets', async () => {
    fake.queue({ status: 400, body: { error: { message: 'Invalid OAuth access token.', code: 190 } } }, (r) => r.path.endsWith('/me/messenger_profile'));
    const lines: string[] = [];
    expect(await setupMessenger(envFor(), { write: (s: string) => lines.push(s) })).toBe(1);
    expect(lines.join('')).toMatch(/token/);
    expect(lines.join('')).not.toContain(TOKEN);
    const env = envFor();
    delete env.MESSENGER_APP_SECRET;
    expect(await setupMessenger(env, (s) => lines.push(s))).toBe(2);
    expect(lines.join('\n')).toContain('MESSENGER_APP_SECRET');
    expect(await setupMessenger({}, (s) => lines.push(s))).toBe(2);
  });

  it('the menu postbacks drive the bot through the webhook', async () => {
    const c = await setup();
    try {
      const u = new User(c);
      await u.postback('intent:report_tip');
      expect(u.text().length).toBeGreaterThan(0);
      expect(u.text()).not.toMatch(/nút này đã cũ|stale/i);
      await u.postback('cmd:menu');
      expect(u.last.length).toBeGreaterThan(0);
    } finally { await teardown(c); }
  });
});
