/** The Zalo OA channel on a real HTTP server, against a recording stand-in for Zalo's OpenAPI and OAuth. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { FakePlatform, type RecordedRequest } from './helpers/fake-platform';
import { createChannels, type Channels } from '../src/channels/index';
import { Outbox } from '../src/channels/outbox';
import { ConfigError } from '../src/config';
import { ALERT_INTERVAL_MS, createZaloAdapter, type ZaloAdapter } from '../src/channels/zalo/index';
import { renderMessages, splitText } from '../src/channels/zalo/render';
import { parseJsonKeepingBigInts } from '../src/channels/zalo/json';
import { TOKENS_SETTING } from '../src/channels/zalo/tokens';
import { CONSULAR, ENGLISH_FOLLOW_UP, ENGLISH_QUESTION, firstNumber, isEnglish, TRAPPED } from './helpers/competence';

const APP_ID = '2553928453557884079';
const OA_ID = '3662729599332560487';
const OA_KEY = 'oa-secret-key-for-tests';
const fast = (): Promise<void> => Promise.resolve();

let t: TestApp;
let fake: FakePlatform;
let channels: Channels;
let srv: { url: string; close: () => Promise<void> };
let env: Record<string, string>;
let oauthN = 0;

beforeAll(async () => {
  fake = new FakePlatform((r) => (r.path.endsWith('/v4/oa/access_token')
    ? { body: { access_token: `acc-${++oauthN}`, refresh_token: `ref-${oauthN}`, expires_in: '90000' } }
    : { body: { error: 0, message: 'Success', data: { message_id: 'f0e1d2c3b4a5', user_id: '1' } } }));
  await fake.start();
  env = {
    ZALO_APP_ID: APP_ID, ZALO_APP_SECRET: 'app-secret', ZALO_OA_SECRET_KEY: OA_KEY,
    ZALO_ACCESS_TOKEN: 'env-access', ZALO_REFRESH_TOKEN: 'env-refresh',
    ZALO_API_BASE: fake.url, ZALO_OAUTH_BASE: fake.url,
  };
  t = await testApp();
  channels = createChannels(t.app, env, { outbox: { baseDelayMs: 5, sleep: fast } });
  srv = await serve(t.app, channels);
});
afterAll(async () => {
  await channels.drain();
  await srv.close();
  await fake.stop();
  await t.close();
});

let seq = 0;
const uniq = (): string => `${Date.now().toString(16)}${(++seq).toString(16).padStart(6, '0')}`;
const sign = (raw: string, ts: string, key = OA_KEY, appId = APP_ID): string =>
  `mac=${createHash('sha256').update(appId + raw + ts + key).digest('hex')}`;

async function postRaw(raw: string, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-zevent-signature'] = signature;
  return fetch(`${srv.url}/webhooks/zalo`, { method: 'POST', headers, body: raw });
}

/** Posts a correctly signed event and waits until it was processed and the replies sent. */
let lastPosted = { raw: '', ts: '' };
async function post(event: Record<string, unknown>): Promise<Response> {
  const ts = String(event.timestamp ?? Date.now());
  const raw = JSON.stringify({ app_id: APP_ID, ...event, timestamp: ts });
  lastPosted = { raw, ts };
  const res = await postRaw(raw, sign(raw, ts));
  await channels.drain();
  return res;
}

const textEvent = (user: string, text: string, msgId = uniq()) => ({
  user_id_by_app: '979122185046046317', event_name: 'user_send_text',
  sender: { id: user }, recipient: { id: OA_ID }, message: { msg_id: msgId, text },
});

const sends = (user: string): RecordedRequest[] =>
  fake.calls('/v3.0/oa/message/cs').filter((r) => (r.json as { recipient: { user_id: string } }).recipient.user_id === user);
interface Sent { text: string; attachment?: { payload: { buttons: { title: string; type: string; payload: string }[] } } }
const sentMessages = (reqs: RecordedRequest[]): Sent[] => reqs.map((r) => (r.json as { message: Sent }).message);

let userN = 0;
const newUser = (): string => `61424948231100${String(++userN).padStart(5, '0')}`;

/** Drives one user's conversation like the Zalo app would. */
class ZaloUser {
  private seen = 0;
  last: Sent[] = [];
  constructor(readonly id = newUser()) {}
  private collect(): Sent[] {
    const all = sends(this.id);
    this.last = sentMessages(all.slice(this.seen));
    this.seen = all.length;
    return this.last;
  }
  async say(text: string): Promise<Sent[]> {
    const res = await post(textEvent(this.id, text));
    expect(res.status).toBe(200);
    return this.collect();
  }
  async follow(): Promise<Sent[]> {
    await post({ oa_id: OA_ID, follower: { id: this.id }, user_id_by_app: '979122185046046317', event_name: 'follow', source: 'oa_profile' });
    return this.collect();
  }
  taps = { buttons: 0, numbers: 0 };
  /** Taps a button (its payload comes back as the message text), or types the number of a listed option. */
  async tap(label: string): Promise<Sent[]> {
    const button = this.last.flatMap((m) => m.attachment?.payload.buttons ?? []).find((b) => b.title === label);
    if (button) {
      expect(button.type).toBe('oa.query.hide');
      this.taps.buttons++;
      return this.say(button.payload);
    }
    for (const m of this.last) {
      const line = m.text.split('\n').find((l) => l.replace(/^\d+\.\s*/, '') === label);
      const n = line ? /^(\d+)\./.exec(line)?.[1] : undefined;
      if (n) { this.taps.numbers++; return this.say(n); }
    }
    throw new Error(`no choice "${label}" in: ${JSON.stringify(this.last)}`);
  }
  text(): string { return this.last.map((m) => m.text).join('\n'); }
}

const adapterOf = (c: Channels): ZaloAdapter => c.dispatchers.get('zalo')!.adapter as ZaloAdapter;

describe('Zalo configuration', () => {
  it('is off when no variable is set, and names the missing variable when half-configured', () => {
    const deps = { log: t.app.log, store: t.app.store };
    expect(createZaloAdapter({}, deps)).toBeNull();
    expect(() => createZaloAdapter({ ZALO_APP_ID: APP_ID, ZALO_OA_SECRET_KEY: OA_KEY }, deps)).toThrow(ConfigError);
    try {
      createZaloAdapter({ ZALO_APP_ID: APP_ID, ZALO_APP_SECRET: 's', ZALO_OA_SECRET_KEY: OA_KEY, ZALO_ACCESS_TOKEN: 'a' }, deps);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([expect.stringMatching(/^ZALO_REFRESH_TOKEN is required when ZALO_APP_ID is set/)]);
    }
    expect(() => createZaloAdapter({ ...env, ZALO_API_BASE: 'not a url' }, deps)).toThrow(/ZALO_API_BASE/);
    expect(createZaloAdapter(env, deps)?.name).toBe('zalo');
  });
});

describe('Zalo webhook ingress', () => {
  it('accepts a correctly signed event and replies through the CS message API with a bare access_token header', async () => {
    const u = new ZaloUser();
    const replies = await u.say('Xin chào');
    expect(replies.length).toBeGreaterThan(0);
    const req = sends(u.id)[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3.0/oa/message/cs');
    expect(req.headers.access_token).toBe('env-access');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['content-type']).toMatch(/application\/json/);
    expect((req.json as { recipient: { user_id: string } }).recipient.user_id).toBe(u.id);
  });

  it.each([
    ['a missing signature', undefined],
    ['a wrong signature', `mac=${'0'.repeat(64)}`],
    ['a malformed signature', 'sha256=abc'],
    ['an HMAC instead of the plain SHA-256', 'mac=' + createHash('sha256').update('x').digest('hex')],
    ['a signature with the App Secret instead of the OA Secret Key', 'APPSECRET'],
    ['a signature of another body', 'OTHER'],
  ])('drops %s unread with 200 (never 4xx, which Zalo would count towards disabling the webhook), and counts it', async (_name, sig) => {
    const u = newUser();
    const ts = String(Date.now());
    const raw = JSON.stringify({ app_id: APP_ID, ...textEvent(u, 'Tôi muốn báo tin'), timestamp: ts });
    const signature = sig === 'APPSECRET' ? sign(raw, ts, 'app-secret')
      : sig === 'OTHER' ? sign(raw.replace('báo tin', 'báo tín'), ts) : sig;
    const refused = adapterOf(channels).refused;
    const before = refused.no_signature + refused.bad_signature + refused.unverifiable_body;
    const turns = t.logs.filter((l) => l.includes('"message":"turn"')).length;
    const res = await postRaw(raw, signature);
    expect(res.status).toBe(200);
    await channels.drain();
    expect(sends(u)).toHaveLength(0);
    expect(t.logs.filter((l) => l.includes('"message":"turn"')).length).toBe(turns);
    expect(refused.no_signature + refused.bad_signature + refused.unverifiable_body).toBe(before + 1);
  });

  it('drops a body that cannot be verified (not JSON, no timestamp) with 200, and refuses an oversized one with 413', async () => {
    const refused = adapterOf(channels).refused;
    const before = refused.unverifiable_body;
    expect((await postRaw('{not json', sign('{not json', ''))).status).toBe(200);
    const noTs = JSON.stringify({ app_id: APP_ID, event_name: 'user_send_text' });
    expect((await postRaw(noTs, sign(noTs, ''))).status).toBe(200);
    expect(refused.unverifiable_body).toBe(before + 2);
    const big = JSON.stringify({ app_id: APP_ID, ...textEvent(newUser(), 'a'.repeat(300_000)), timestamp: '1' });
    expect((await postRaw(big, sign(big, '1'))).status).toBe(413);
  });

  it('raises a wrong OA Secret Key as one alert (error level, no body, no user id), again only after the alert interval', async () => {
    // Its own adapter and clock, so that the alerts of the tests above do not count.
    let clock = Date.now();
    const own = createChannels(t.app, { ...env, ZALO_OA_SECRET_KEY: 'a-wrong-key' }, { outbox: { baseDelayMs: 5, sleep: fast }, now: () => clock });
    const ownSrv = await serve(t.app, own);
    try {
      const u = newUser();
      const alerts = (): string[] => t.logs.filter((l) => l.includes('"alert":"zalo_signature"'));
      const before = alerts().length;
      const deliver = async (text: string): Promise<number> => {
        const ts = String(Date.now());
        const raw = JSON.stringify({ app_id: APP_ID, ...textEvent(u, text), timestamp: ts });
        const r = await fetch(`${ownSrv.url}/webhooks/zalo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-zevent-signature': sign(raw, ts) }, body: raw });
        return r.status;
      };
      for (const text of ['Tôi muốn báo tin bí mật', 'Xin chào', 'menu']) expect(await deliver(text)).toBe(200);
      await own.drain();
      expect(adapterOf(own).refused).toEqual({ no_signature: 0, unverifiable_body: 0, bad_signature: 3 });
      expect(alerts().length - before).toBe(1);
      const alert = JSON.parse(alerts().at(-1)!) as Record<string, unknown>;
      expect(alert).toMatchObject({ level: 'error', reason: 'bad_signature', dropped: 1 });
      expect(alert.message).toMatch(/ZALO_OA_SECRET_KEY/);
      const logged = t.logs.slice(-20).join('\n');
      expect(logged).not.toContain(u);
      expect(logged).not.toContain('bí mật');
      expect(sends(u)).toHaveLength(0);
      // Within the interval: counted, not logged again. After it: one more alert, counting the 4 dropped since the last one.
      clock += ALERT_INTERVAL_MS - 1000;
      expect(await deliver('một lần nữa')).toBe(200);
      expect(alerts().length - before).toBe(1);
      clock += 2000;
      expect(await deliver('lần nữa')).toBe(200);
      expect(alerts().length - before).toBe(2);
      expect(JSON.parse(alerts().at(-1)!)).toMatchObject({ dropped: 4, refused: { bad_signature: 5 } });
    } finally {
      await own.drain();
      await ownSrv.close();
    }
  });

  it('acknowledges unknown and malformed events with 200 and ignores them', async () => {
    for (const ev of [
      { event_name: 'user_seen_message', sender: { id: newUser() }, message: { msg_ids: ['x'] } },
      { event_name: 'oa_send_text', sender: { id: OA_ID }, recipient: { id: newUser() }, message: { msg_id: uniq(), text: 'echo' } },
      { event_name: 'user_send_text', sender: { id: { nested: true } }, message: { msg_id: uniq(), text: 'hi' } },
      { event_name: 'user_submit_info', sender: { id: newUser() }, info: { name: 'Nguyễn Văn A', phone: '84912345678' } },
      { event_name: 42 },
    ]) {
      const before = fake.requests.length;
      expect((await post(ev)).status).toBe(200);
      expect(fake.requests.length).toBe(before);
    }
  });

  it('keeps a big numeric id exact even when it arrives as a bare JSON number', async () => {
    const big = '6142494823119999999'; // > 2^53: JSON.parse would round it
    expect(String(JSON.parse(big))).not.toBe(big);
    const ts = String(Date.now());
    const raw = `{"app_id":"${APP_ID}","event_name":"user_send_text","sender":{"id":${big}},"recipient":{"id":${OA_ID}},`
      + `"message":{"msg_id":"${uniq()}","text":"Xin ch\\u00e0o 12345678901234567890"},"timestamp":${ts}}`;
    expect((await postRaw(raw, sign(raw, ts))).status).toBe(200);
    await channels.drain();
    expect(sends(big).length).toBeGreaterThan(0);
    expect(parseJsonKeepingBigInts('{"a":"12345678901234567890","b":12345678901234567890,"c":1.5e3,"d":[-9007199254740993]}'))
      .toEqual({ a: '12345678901234567890', b: '12345678901234567890', c: 1500, d: ['-9007199254740993'] });
  });

  it('runs one turn for the same msg_id delivered three times, and replies once', async () => {
    const u = new ZaloUser();
    await u.say('Xin chào');
    const before = sends(u.id).length;
    const turnsBefore = t.logs.filter((l) => l.includes('"message":"turn"')).length;
    const ev = textEvent(u.id, 'Tôi muốn báo tin', 'cb31dff1c39642cc1b83');
    const ts = String(Date.now());
    const raw = JSON.stringify({ app_id: APP_ID, ...ev, timestamp: ts });
    const codes = await Promise.all([1, 2, 3].map(() => postRaw(raw, sign(raw, ts)).then((r) => r.status)));
    expect(codes).toEqual([200, 200, 200]);
    await channels.drain();
    await postRaw(raw, sign(raw, ts)); // and a late redelivery
    await channels.drain();
    expect(t.logs.filter((l) => l.includes('"message":"turn"')).length - turnsBefore).toBe(1);
    const replies = sends(u.id).slice(before);
    expect(replies.length).toBeGreaterThan(0);
    expect(new Set(replies.map((r) => r.body)).size).toBe(replies.length);
  });

  it('turns follow into a start, typed numbers into options, and button payloads typed back as text into payloads', async () => {
    const u = new ZaloUser();
    const welcome = await u.follow();
    // The main menu has more than 5 choices: a numbered list.
    expect(u.text()).toMatch(/\n1\. .+\n2\. /);
    // No choice buttons then; only a call button for the hotline the welcome names (src/channels/calls.ts).
    expect(welcome.flatMap((m) => m.attachment?.payload.buttons ?? []).every((b) => b.type === 'oa.open.phone')).toBe(true);
    await u.tap('Báo tin ẩn danh');
    expect(u.text()).toMatch(/\n1\. Ma túy\n/);
    const choicesBefore = t.logs.filter((l) => l.includes('"input":"choice"')).length;
    await u.say('tip.category:drugs'); // what a tapped oa.query.hide button sends back
    expect(t.logs.filter((l) => l.includes('"input":"choice"')).length).toBe(choicesBefore + 1);
    await u.say('cmd:menu');
    expect(t.logs.filter((l) => l.includes('"input":"choice"')).length).toBe(choicesBefore + 2);
    expect(u.text()).toMatch(/\n1\. /);
    // Every format engine/payload.ts decodes comes back as a payload: a knowledge entry's button too.
    await u.say('kb:rehab_register');
    expect(t.logs.filter((l) => l.includes('"input":"choice"')).length).toBe(choicesBefore + 3);
    await u.say('kb:no such entry');
    expect(t.logs.filter((l) => l.includes('"input":"choice"')).length).toBe(choicesBefore + 3);
  });

  it.each([
    ['user_send_image', { attachments: [{ type: 'image', payload: { thumbnail: 'THUMB', url: 'URL' } }] }],
    ['user_send_file', { attachments: [{ type: 'file', payload: { url: 'URL', name: 'Nguyen_Van_A.pdf', size: '1024' } }] }],
    ['user_send_location', { attachments: [{ type: 'location', payload: { coordinates: { latitude: '21.0', longitude: '105.8' } } }] }],
    ['user_send_sticker', { attachments: [{ type: 'sticker', payload: { id: 'x', url: 'URL' } }] }],
    ['user_send_business_card', { attachments: [{ type: 'link', payload: { url: 'URL', description: 'Nguyễn Văn A 0912345678' } }] }],
  ])('acknowledges %s without fetching it', async (event, message) => {
    const u = newUser();
    const url = `${fake.url}/cdn/${uniq()}`;
    const msg = JSON.parse(JSON.stringify(message).replace(/"URL"|"THUMB"/g, JSON.stringify(url)));
    await post({ event_name: event, sender: { id: u }, recipient: { id: OA_ID }, message: { msg_id: uniq(), ...msg } });
    expect(sends(u).length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.path.startsWith('/cdn/'))).toHaveLength(0);
    expect(t.logs.some((l) => l.includes('"input":"attachment"'))).toBe(true);
  });

  it('forgets the conversation on unfollow and on the data-subject-rights event, and sends nothing after', async () => {
    for (const ev of ['unfollow', 'su-kien-nguoi-dung-zalo-thuc-hien-quyen-chu-the-du-lieu']) {
      const u = new ZaloUser();
      await u.say('tôi muốn báo tin');
      const key = t.app.bot.sessionKey('zalo', u.id);
      expect(await t.app.store.getSession(key)).not.toBeNull();
      const body = ev === 'unfollow' ? { oa_id: OA_ID, follower: { id: u.id }, event_name: ev } : { event_name: ev, sender: { id: u.id } };
      await post(body);
      expect(await t.app.store.getSession(key)).toBeNull();
      expect(await adapterOf(channels).sendOne(u.id, { text: 'x' })).toEqual({ ok: false, retryable: false, unreachable: true, code: 'window' });
    }
  });
});

describe('a full anonymous tip through Zalo', () => {
  it('files a tip, stores a case and sends the reference code back; nothing identifying is logged or stored', async () => {
    const u = new ZaloUser('6142494823110000001');
    await u.follow();
    await u.say('Tôi muốn báo tin');
    await u.tap('Ma túy');
    await u.say('Nghệ An');
    await u.say('gần chợ xã, quán nước đầu hẻm');
    await u.tap('Vẫn đang diễn ra');
    await u.say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.');
    await u.tap('Bỏ qua');
    await u.tap('Không');
    await u.tap('Không để lại');
    await u.tap('Gửi tin báo');
    expect(u.taps.buttons).toBeGreaterThan(2);
    expect(u.taps.numbers).toBeGreaterThan(0);
    const ref = /BA-[A-Z0-9]{6}/.exec(u.text())?.[0];
    expect(ref).toBeDefined();
    const cases = await t.app.store.listCases();
    expect(cases.filter((c) => c.ref === ref)).toHaveLength(1);

    // Zalo redelivers the "send" tap three times: no second case, nothing sent again.
    const { raw, ts } = lastPosted;
    const sent = fake.requests.length;
    await Promise.all([1, 2, 3].map(() => postRaw(raw, sign(raw, ts))));
    await channels.drain();
    expect(fake.requests.length).toBe(sent);
    expect(await t.app.store.listCases()).toHaveLength(cases.length);

    const logs = t.logs.join('\n');
    for (const secret of [u.id, '979122185046046317', 'Tôi muốn báo tin', 'quán nước', 'env-access', 'env-refresh', 'Nguyen_Van_A', '0912345678']) {
      expect(logs).not.toContain(secret);
    }
    const files = readdirSync(t.dir).map((f) => join(t.dir, f)).filter((f) => statSync(f).isFile());
    expect(files.some((f) => f.endsWith('binhan.sqlite'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f).toString('latin1');
      for (const secret of [u.id, '979122185046046317', 'oa_profile']) expect(bytes).not.toContain(secret);
    }
  });
});

describe('Zalo: conversation competence', () => {
  it('answers a crisis with its own first answer, the consular line first, and an English speaker in English', async () => {
    const u = new ZaloUser();
    await u.say(TRAPPED);
    expect(firstNumber(u.text())).toBe(CONSULAR);
    const en = new ZaloUser();
    await en.say(ENGLISH_QUESTION);
    const first = en.text();
    expect(isEnglish(first)).toBe(true);
    await en.say(ENGLISH_FOLLOW_UP);
    expect(isEnglish(en.text())).toBe(true);
    expect(en.text()).not.toBe(first);
  });
});

describe('Zalo rendering', () => {
  it('puts up to 5 short choices on oa.query.hide buttons and the rest in a numbered list', () => {
    const opt = (i: number, label = `Lựa chọn ${i}`) => ({ id: `tip.kind:opt_${i}`, label });
    const [few] = renderMessages([{ text: 'Chọn một', choices: [opt(1), opt(2), { id: 'cmd:menu', label: 'Menu' }] }]);
    expect(few.attachment?.payload.buttons).toEqual([
      { title: 'Lựa chọn 1', type: 'oa.query.hide', payload: 'tip.kind:opt_1' },
      { title: 'Lựa chọn 2', type: 'oa.query.hide', payload: 'tip.kind:opt_2' },
      { title: 'Menu', type: 'oa.query.hide', payload: 'cmd:menu' },
    ]);
    const [many] = renderMessages([{ text: 'Chọn một', choices: [{ id: 'resume', label: 'Tiếp tục' }, ...[1, 2, 3, 4, 5, 6].map((i) => opt(i))] }]);
    expect(many.text).toBe('Chọn một\n\n1. Lựa chọn 1\n2. Lựa chọn 2\n3. Lựa chọn 3\n4. Lựa chọn 4\n5. Lựa chọn 5\n6. Lựa chọn 6');
    expect(many.attachment?.payload.buttons).toEqual([{ title: 'Tiếp tục', type: 'oa.query.hide', payload: 'resume' }]);
    const [long] = renderMessages([{ text: 'Chọn', choices: [opt(1, 'x'.repeat(101)), opt(2)] }]);
    expect(long.attachment).toBeUndefined();
    expect(long.text).toContain('1. ' + 'x'.repeat(101));
  });

  it('splits long texts within 2000 characters on paragraph and sentence boundaries, buttons on the last part', () => {
    const para = 'Câu này nói về đường dây nóng. '.repeat(40).trim();
    const text = [para, para, para].join('\n\n');
    const parts = renderMessages([{ text, choices: [{ id: 'cmd:menu', label: 'Menu' }] }]);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(2000);
      expect(p.text.endsWith('.')).toBe(true);
    }
    expect(parts.slice(0, -1).every((p) => !p.attachment)).toBe(true);
    expect(parts[parts.length - 1].attachment).toBeDefined();
    expect(parts.map((p) => p.text).join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    const hard = splitText('😀'.repeat(1500), 2000);
    expect(hard.every((p) => p.length <= 2000 && !/^[\udc00-\udfff]/.test(p))).toBe(true);
    expect(hard.join('')).toBe('😀'.repeat(1500));
  });
});

describe('Zalo sending: errors, tokens and the 7-day window', () => {
  let clock = Date.now();
  const now = () => clock;
  let outboxLogs: string[];

  /** A fresh adapter on the same store, with an outbox that retries fast. */
  async function fresh(extraEnv: Record<string, string> = {}) {
    const adapter = createZaloAdapter({ ...env, ...extraEnv }, { log: t.app.log, store: t.app.store, now }) as ZaloAdapter;
    const outbox = new Outbox(adapter, t.app.log, { baseDelayMs: 1, sleep: fast, now });
    const user = newUser();
    adapter.normalise({ event_name: 'user_send_text', sender: { id: user }, message: { msg_id: uniq(), text: 'hi' } }, String(clock));
    return { adapter, outbox, user };
  }
  const sendCalls = (user: string) => sends(user).length;
  const refreshCalls = () => fake.calls('/v4/oa/access_token');

  beforeEach(async () => {
    clock = Date.now();
    await t.app.store.deleteSetting(TOKENS_SETTING);
    outboxLogs = t.logs;
  });

  it('refreshes on -216 with the single-use pair, stores the new pair before using it, and never reuses the old refresh token', async () => {
    const { adapter, outbox, user } = await fresh();
    fake.queue({ body: { error: -216, message: 'Access token is invalid' } }, (r) => r.path.endsWith('/message/cs'));
    const before = refreshCalls().length;
    await outbox.send(user, [{ text: 'Xin chào' }]);
    const oauth = refreshCalls().slice(before);
    expect(oauth).toHaveLength(1);
    expect(oauth[0].headers.secret_key).toBe('app-secret');
    expect(oauth[0].headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(oauth[0].body);
    expect(Object.fromEntries(form)).toEqual({ refresh_token: 'env-refresh', app_id: APP_ID, grant_type: 'refresh_token' });
    const [first, second] = sends(user);
    expect(first.headers.access_token).toBe('env-access');
    const n = oauthN;
    expect(second.headers.access_token).toBe(`acc-${n}`);
    const stored = JSON.parse((await t.app.store.getSetting(TOKENS_SETTING))!);
    expect(stored).toMatchObject({ accessToken: `acc-${n}`, refreshToken: `ref-${n}` });
    expect(stored.expiresAt).toBe(clock + 90_000_000);
    expect(outbox.stats).toMatchObject({ sent: 1, retried: 1, failed: 0 });

    // The next expiry (later): the new refresh token is used, never the spent one.
    clock += 5 * 60_000;
    fake.queue({ body: { error: -220, message: 'access_token is expired or removed' } }, (r) => r.path.endsWith('/message/cs'));
    await outbox.send(user, [{ text: 'Lần nữa' }]);
    const again = refreshCalls().slice(before + 1);
    expect(again).toHaveLength(1);
    expect(new URLSearchParams(again[0].body).get('refresh_token')).toBe(`ref-${n}`);
    expect(refreshCalls().filter((r) => new URLSearchParams(r.body).get('refresh_token') === 'env-refresh')).toHaveLength(1);

    // A restart prefers the stored pair over the environment's first pair.
    const restarted = await fresh();
    await restarted.outbox.send(restarted.user, [{ text: 'Sau khi khởi động lại' }]);
    expect(sends(restarted.user)[0].headers.access_token).toBe(`acc-${n + 1}`);
    void adapter;
  });

  it('refreshes before expiry, shares one refresh between concurrent sends, and takes a new env pair over a stored one', async () => {
    const a = await fresh();
    fake.queue({ body: { error: -216 } }, (r) => r.path.endsWith('/message/cs'));
    await a.outbox.send(a.user, [{ text: 'một' }]);
    const n = oauthN;
    // Near expiry: refreshed before sending, once for two concurrent sends.
    clock += 90_000_000 - 30 * 60_000;
    a.adapter.normalise({ event_name: 'user_send_text', sender: { id: a.user }, message: { msg_id: uniq(), text: 'hi' } }, String(clock));
    const other = newUser();
    a.adapter.normalise({ event_name: 'user_send_text', sender: { id: other }, message: { msg_id: uniq(), text: 'hi' } }, String(clock));
    const before = refreshCalls().length;
    await Promise.all([a.outbox.send(a.user, [{ text: 'hai' }]), a.outbox.send(other, [{ text: 'ba' }])]);
    expect(refreshCalls().length - before).toBe(1);
    expect(sends(other)[0].headers.access_token).toBe(`acc-${n + 1}`);
    // The operator granted a new pair: it replaces the stored chain.
    const b = await fresh({ ZALO_ACCESS_TOKEN: 'new-env-access', ZALO_REFRESH_TOKEN: 'new-env-refresh' });
    await b.outbox.send(b.user, [{ text: 'bốn' }]);
    expect(sends(b.user)[0].headers.access_token).toBe('new-env-access');
  });

  it('does not use a refreshed pair it could not store, and keeps it for when the store is back', async () => {
    const a = await fresh();
    const store = t.app.store;
    const orig = store.setSetting.bind(store);
    let failing = true;
    store.setSetting = async (k: string, v: string) => { if (failing && k === TOKENS_SETTING) throw new Error('disk full'); return orig(k, v); };
    try {
      fake.queue({ body: { error: -216 } }, (r) => r.path.endsWith('/message/cs'));
      const r1 = await a.adapter.sendOne(a.user, { text: 'x' });
      expect(r1).toMatchObject({ ok: false, retryable: true, code: 'token_store' });
      const r2 = await a.adapter.sendOne(a.user, { text: 'x' });
      expect(r2).toMatchObject({ ok: false, retryable: true, code: 'token_store' });
      expect(sends(a.user)).toHaveLength(1);
      failing = false;
      const n = oauthN;
      expect(await a.adapter.sendOne(a.user, { text: 'x' })).toEqual({ ok: true });
      expect(sends(a.user)[1].headers.access_token).toBe(`acc-${n}`);
      expect(JSON.parse((await store.getSetting(TOKENS_SETTING))!).refreshToken).toBe(`ref-${n}`);
    } finally {
      store.setSetting = orig;
    }
  });

  it('retries -32 (rate limit), 429 and 5xx with backoff', async () => {
    const { outbox, user } = await fresh();
    fake.queue({ body: { error: -32, message: 'Your application reached limit call api' } }, (r) => r.path.endsWith('/message/cs'));
    fake.queue({ status: 429, headers: { 'retry-after': '1' }, body: {} }, (r) => r.path.endsWith('/message/cs'));
    fake.queue({ status: 502, body: {} }, (r) => r.path.endsWith('/message/cs'));
    await outbox.send(user, [{ text: 'Xin chào' }]);
    expect(sendCalls(user)).toBe(4);
    expect(outbox.stats).toMatchObject({ sent: 1, retried: 3, failed: 0 });
  });

  it.each([-213, -217, -227, -230, -232, -244])('records window error %i without retrying, and stops sending to that user', async (code) => {
    const { outbox, user } = await fresh();
    fake.queue({ body: { error: code, message: 'window' } }, (r) => r.path.endsWith('/message/cs'));
    await outbox.send(user, [{ text: 'một' }, { text: 'hai' }]);
    expect(sendCalls(user)).toBe(1);
    expect(outbox.stats).toMatchObject({ sent: 0, failed: 2, retried: 0 }); // the refused part, and 'hai' not tried: nothing can reach the user
    expect(outboxLogs.some((l) => l.includes('"send failed"') && l.includes(`"code":"${code}"`))).toBe(true);
    await outbox.send(user, [{ text: 'ba' }]);
    expect(sendCalls(user)).toBe(1);
  });

  it('never calls the API outside the 7-day window', async () => {
    const { adapter, user } = await fresh();
    expect(await adapter.sendOne(newUser(), { text: 'x' })).toEqual({ ok: false, retryable: false, unreachable: true, code: 'window' });
    clock += 6 * 86_400_000;
    expect(await adapter.sendOne(user, { text: 'x' })).toEqual({ ok: true });
    clock += 86_400_000;
    expect(await adapter.sendOne(user, { text: 'x' })).toEqual({ ok: false, retryable: false, unreachable: true, code: 'window' });
    expect(sendCalls(user)).toBe(1);
    // A redelivery of an old message does not reopen the window.
    adapter.normalise({ event_name: 'user_send_text', sender: { id: user }, message: { msg_id: uniq(), text: 'cũ' } }, String(clock - 8 * 86_400_000));
    expect(await adapter.sendOne(user, { text: 'x' })).toMatchObject({ code: 'window' });
  });

  it('reports configuration errors as final and timeouts as retryable', async () => {
    const { adapter, user } = await fresh();
    fake.queue({ body: { error: -201, message: 'user_id is invalid!' } }, (r) => r.path.endsWith('/message/cs'));
    expect(await adapter.sendOne(user, { text: 'x' })).toEqual({ ok: false, retryable: false, code: '-201' });
    fake.queue({ status: 200, body: 'not an object' }, (r) => r.path.endsWith('/message/cs'));
    expect(await adapter.sendOne(user, { text: 'x' })).toMatchObject({ ok: false, retryable: false });
    const down = createZaloAdapter({ ...env, ZALO_API_BASE: 'http://127.0.0.1:1' }, { log: t.app.log, store: t.app.store, now }) as ZaloAdapter;
    down.normalise({ event_name: 'user_send_text', sender: { id: user }, message: { msg_id: uniq(), text: 'hi' } }, String(clock));
    expect(await down.sendOne(user, { text: 'x' })).toMatchObject({ ok: false, retryable: true, code: 'network' });
  });

  it('refreshes an environment pair of unknown expiry at the periodic check, and then only near expiry', async () => {
    const { adapter } = await fresh();
    await adapter.start();
    try {
      const check = () => (adapter.tokens as unknown as { check(): Promise<void> }).check();
      const before = refreshCalls().length;
      await check();
      expect(refreshCalls().length - before).toBe(1);
      expect(new URLSearchParams(refreshCalls()[before].body).get('refresh_token')).toBe('env-refresh');
      await check();
      expect(refreshCalls().length - before).toBe(1);
      clock += 90_000_000 - 59 * 60_000;
      await check();
      expect(refreshCalls().length - before).toBe(2);
    } finally {
      await adapter.stop();
    }
  });

  it('does not refresh again when a freshly refreshed token is refused too', async () => {
    const { outbox, user } = await fresh();
    for (let i = 0; i < 5; i++) fake.queue({ body: { error: -216 } }, (r) => r.path.endsWith('/message/cs'));
    const before = refreshCalls().length;
    await outbox.send(user, [{ text: 'x' }]);
    expect(refreshCalls().length - before).toBe(1);
    expect(sendCalls(user)).toBe(2);
    expect(outbox.stats).toMatchObject({ sent: 0, failed: 1 });
    expect(outboxLogs.some((l) => l.includes('"code":"token_rejected"'))).toBe(true);
  });

  it('stops asking the OAuth server after it refused a refresh token', async () => {
    const { adapter, user } = await fresh();
    fake.queue({ body: { error: -216 } }, (r) => r.path.endsWith('/message/cs'));
    fake.queue({ body: { error: -14014, error_name: 'Invalid refresh token' } }, (r) => r.path.endsWith('/access_token'));
    expect(await adapter.sendOne(user, { text: 'x' })).toEqual({ ok: false, retryable: false, code: 'token_refresh_refused' });
    fake.queue({ body: { error: -216 } }, (r) => r.path.endsWith('/message/cs'));
    const before = refreshCalls().length;
    expect(await adapter.sendOne(user, { text: 'x' })).toMatchObject({ retryable: false });
    expect(refreshCalls().length).toBe(before);
    expect(t.logs.some((l) => l.includes('zalo token refresh refused'))).toBe(true);
  });
});

describe('Zalo hotline call buttons', () => {
  it('renders hotline calls as oa.open.phone buttons first, within 5 buttons', () => {
    const [msg] = renderMessages([{
      text: 'Gọi ngay 113.',
      calls: [{ label: 'Gọi 113', dial: '113' }, { label: 'Gọi 115', dial: '115' }, { label: 'Gọi 111', dial: '111' }],
      choices: [{ id: 'emergency.now:tip', label: 'Báo tin ẩn danh' }, { id: 'emergency.now:hotlines', label: 'Số điện thoại' }, { id: 'emergency.now:menu', label: 'Menu chính' }],
    }]);
    const buttons = msg.attachment!.payload.buttons;
    expect(buttons.slice(0, 3)).toEqual([
      { title: 'Gọi 113', type: 'oa.open.phone', payload: { phone_code: '113' } },
      { title: 'Gọi 115', type: 'oa.open.phone', payload: { phone_code: '115' } },
      { title: 'Gọi 111', type: 'oa.open.phone', payload: { phone_code: '111' } },
    ]);
    expect(buttons.length).toBeLessThanOrEqual(5);
    // The three options do not fit beside the calls: they become a numbered list.
    expect(msg.text).toContain('1. Báo tin ẩn danh');
  });
});
