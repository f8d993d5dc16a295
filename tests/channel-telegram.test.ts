/**
 * The Telegram channel on a real HTTP server, with FakePlatform standing in for api.telegram.org:
 * secret token, redelivery, a full anonymous tip through buttons, callback_data limits, retries,
 * nothing identifying in logs or the database, configuration, setWebhook, and long polling.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { FakePlatform, type RecordedRequest } from './helpers/fake-platform';
import { createChannels, type Channels } from '../src/channels/index';
import { createTelegramAdapter, type TelegramAdapter } from '../src/channels/telegram/index';
import { normalise } from '../src/channels/telegram/ingress';
import { mapTelegramError } from '../src/channels/telegram/api';
import { splitText } from '../src/channels/telegram/render';
import { setupTelegram } from '../src/cli/channels-telegram';
import { ConfigError } from '../src/config';
import type { InboundEvent } from '../src/channels/types';
import { CONSULAR, ENGLISH_FOLLOW_UP, ENGLISH_QUESTION, firstNumber, isEnglish, TRAPPED } from './helpers/competence';

const TOKEN = '7012345678:AAHfakeTokenForTests_0123456789abcdef';
const SECRET = 'tg_secret_0123456789abcdefABCDEF-xyz';
const FIRST = 'Nguyễn Thị Hoa';
const LAST = 'Trầnvănđặcbiệt';
const USERNAME = 'hoa_khong_ten_that';

let fake: FakePlatform;
let t: TestApp;
let channels: Channels;
let srv: { url: string; close: () => Promise<void> };
const sleeps: number[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  fake = new FakePlatform();
  await fake.start();
  env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url };
  t = await testApp();
  channels = createChannels(t.app, env, { outbox: { baseDelayMs: 5, sleep: async (ms) => { sleeps.push(ms); } } });
  srv = await serve(t.app, channels);
});
afterAll(async () => {
  await channels.stop();
  await srv.close();
  await t.close();
  await fake.stop();
});

const adapter = (): TelegramAdapter => channels.dispatchers.get('telegram')!.adapter as TelegramAdapter;
const settle = async (): Promise<void> => { await channels.drain(); await adapter().idle(); };

let updateId = 870_123_456;
let chatSeq = 6_123_456_789;
const usedChatIds: number[] = [];

const post = (body: unknown, secret: string | null = SECRET, raw?: string): Promise<Response> => fetch(`${srv.url}/webhooks/telegram`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
  body: raw ?? JSON.stringify(body),
});

const sent = (chatId: number): RecordedRequest[] => fake.calls('/sendMessage').filter((r) => (r.json as { chat_id?: unknown }).chat_id === String(chatId));
type Sent = { text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };

/** One Telegram user in a private chat, with a name and username the bot must never keep. */
class TgUser {
  readonly chatId = ++chatSeq;
  private seen = 0;
  constructor() { usedChatIds.push(this.chatId); }

  private from() { return { id: this.chatId, is_bot: false, first_name: FIRST, last_name: LAST, username: USERNAME, language_code: 'vi' }; }
  private chat() { return { id: this.chatId, first_name: FIRST, last_name: LAST, username: USERNAME, type: 'private' }; }

  message(text: string, id = ++updateId) {
    return {
      update_id: id,
      message: {
        message_id: id % 10_000, date: 1_730_000_000, text, from: this.from(), chat: this.chat(),
        ...(text.startsWith('/') ? { entities: [{ offset: 0, length: text.split(' ')[0].length, type: 'bot_command' }] } : {}),
      },
    };
  }

  callback(data: string, id = ++updateId) {
    return {
      update_id: id,
      callback_query: {
        id: `43${id}bfdwdsb323b2d9`, chat_instance: '-7301122334455', from: this.from(), data,
        message: { message_id: 1366, chat: { id: this.chatId, type: 'private' }, date: 1_730_000_001, text: 'Bạn muốn làm gì?' },
      },
    };
  }

  async send(update: unknown): Promise<Sent[]> {
    const res = await post(update);
    expect(res.status).toBe(200);
    await settle();
    const all = sent(this.chatId).map((r) => r.json as Sent);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }

  say(text: string): Promise<Sent[]> { return this.send(this.message(text)); }

  /** Taps the button with that label on the latest keyboard, sending back exactly its callback_data. */
  async tap(label: string | RegExp): Promise<Sent[]> {
    return this.send(this.callback(this.button(label)));
  }

  button(label: string | RegExp): string {
    const all = sent(this.chatId).map((r) => r.json as Sent);
    const kb = [...all].reverse().find((m) => m.reply_markup)?.reply_markup?.inline_keyboard.flat() ?? [];
    const b = kb.find((x) => (typeof label === 'string' ? x.text === label : label.test(x.text)));
    if (!b) throw new Error(`no button ${String(label)} among: ${kb.map((x) => x.text).join(' | ')}`);
    return b.callback_data;
  }
}

const texts = (msgs: Sent[]): string => msgs.map((m) => m.text).join('\n');

describe('Telegram webhook ingress', () => {
  it('accepts the right secret token, refuses a wrong or missing one with 401 before reading the body', async () => {
    const u = new TgUser();
    const before = fake.calls('/sendMessage').length;
    expect((await post(u.message('xin chào'), 'wrong_secret_0123456789abcdefABCDEF')).status).toBe(401);
    expect((await post(u.message('xin chào'), null)).status).toBe(401);
    expect((await post(u.message('xin chào'), `${SECRET}x`)).status).toBe(401);
    // Even an oversized body is refused for its missing token, not parsed.
    expect((await post(undefined, null, 'x'.repeat(400_000))).status).toBe(401);
    await settle();
    expect(fake.calls('/sendMessage').length).toBe(before);
    const replies = await u.say('/start');
    expect(replies.length).toBeGreaterThan(0);
    expect(texts(replies)).toMatch(/Bình An/);
  });

  it('answers 413 to an oversized body and acks junk, unknown updates and groups without replying', async () => {
    expect((await post(undefined, SECRET, JSON.stringify({ update_id: 1, message: { text: 'a'.repeat(300_000) } }))).status).toBe(413);
    const before = fake.calls('/sendMessage').length;
    const u = new TgUser();
    const junk: [unknown, string?][] = [
      [undefined, 'this is {not json'],
      [[1, 2, 3]],
      [{ update_id: ++updateId, edited_message: { chat: { id: 1, type: 'private' }, text: 'sửa' } }],
      [{ update_id: ++updateId, inline_query: { id: '1', query: 'x' } }],
      [{ update_id: ++updateId, message: { message_id: 1, chat: { id: -1001234567890, type: 'supergroup', title: 'Nhóm' }, from: { id: 5, first_name: FIRST }, text: 'báo tin' } }],
      [{ update_id: ++updateId, message: { message_id: 1, chat: { id: '../../x', type: 'private' }, text: 'hi' } }],
      [{ update_id: 'abc', message: { message_id: 1, chat: { id: u.chatId, type: 'private' }, text: 'hi' } }],
      [{ update_id: ++updateId, message: { message_id: 1, chat: { id: u.chatId, type: 'private' }, pinned_message: {} } }],
      [{ update_id: ++updateId, my_chat_member: { chat: { id: u.chatId, type: 'private' }, new_chat_member: { status: 'member' } } }],
      [{}],
    ];
    for (const [body, raw] of junk) expect((await post(body, SECRET, raw)).status).toBe(200);
    await settle();
    expect(fake.calls('/sendMessage').length).toBe(before);
    expect((await fetch(`${srv.url}/webhooks/telegram`, { headers: { 'x-telegram-bot-api-secret-token': SECRET } })).status).toBe(404);
  });

  it('normalises at the edge: chat id as a string, update_id as dedupe key, no names', () => {
    const u = new TgUser();
    const n = normalise(u.message('Tôi muốn báo tin', 870_999_001));
    expect(n.event).toEqual({ address: String(u.chatId), dedupeKey: '870999001', kind: 'message', text: 'Tôi muốn báo tin' });
    expect(normalise(u.message('/start ref_abc')).event?.kind).toBe('start');
    expect(normalise(u.callback('tip:start', 5)).event).toEqual({ address: String(u.chatId), dedupeKey: '5', kind: 'message', payload: 'tip:start' });
    const photo = { update_id: 7, message: { message_id: 2, chat: { id: u.chatId, type: 'private' }, photo: [{ file_id: 'AgAC', width: 90 }], caption: 'ảnh của Hoa' } };
    expect(normalise(photo).event).toEqual({ address: String(u.chatId), dedupeKey: '7', kind: 'message', attachment: 'image' });
    const contact = { update_id: 8, message: { message_id: 3, chat: { id: u.chatId, type: 'private' }, contact: { phone_number: '+84901234567', first_name: FIRST } } };
    expect(JSON.stringify(normalise(contact))).not.toMatch(/84901234567|Hoa/);
    const kicked = { update_id: 9, my_chat_member: { chat: { id: u.chatId, type: 'private', first_name: FIRST }, from: { id: u.chatId, first_name: FIRST }, date: 1, old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked', user: { id: 1, is_bot: true, first_name: 'Bot' } } } };
    expect(normalise(kicked).event).toEqual({ address: String(u.chatId), dedupeKey: '9', kind: 'stop' });
    for (const upd of [u.message('x'), u.callback('y'), photo, kicked]) expect(JSON.stringify(normalise(upd).event)).not.toMatch(/Hoa|hoa_|Trần|"vi"/);
  });

  it('acknowledges a photo politely without fetching it', async () => {
    const u = new TgUser();
    await u.say('/start');
    const replies = await u.send({ update_id: ++updateId, message: { message_id: 9, date: 1, chat: { id: u.chatId, type: 'private', first_name: FIRST }, from: { id: u.chatId, is_bot: false, first_name: FIRST }, photo: [{ file_id: 'AgACAgUAAxkBAAI', file_unique_id: 'AQAD', width: 90, height: 90 }] } });
    expect(replies.length).toBeGreaterThan(0);
    expect(fake.calls('/getFile')).toHaveLength(0);
  });

  it('forgets the conversation when the user blocks the bot (my_chat_member kicked)', async () => {
    const u = new TgUser();
    await u.say('/start');
    const key = t.app.bot.sessionKey('telegram', String(u.chatId));
    expect(await t.app.store.getSession(key)).not.toBeNull();
    const replies = await u.send({ update_id: ++updateId, my_chat_member: { chat: { id: u.chatId, type: 'private', first_name: FIRST }, from: { id: u.chatId, is_bot: false, first_name: FIRST }, date: 1, old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked' } } });
    expect(replies).toHaveLength(0);
    expect(await t.app.store.getSession(key)).toBeNull();
  });
});

describe('Telegram conversation', () => {
  it('files a complete anonymous tip through buttons; redeliveries change nothing', async () => {
    const u = new TgUser();
    const callbacksBefore = fake.calls('/answerCallbackQuery').length;
    let callbacks = 0;
    const tap = async (label: string | RegExp): Promise<Sent[]> => { callbacks++; return u.tap(label); };

    expect(texts(await u.say('/start'))).toMatch(/Bình An/);
    // The same update delivered 3 times (Telegram retries): one engine turn, replies sent once.
    const first = u.message('tôi muốn báo tin');
    const once = await u.send(first);
    expect(once.length).toBeGreaterThan(0);
    expect(await u.send(first)).toHaveLength(0);
    expect(await u.send(first)).toHaveLength(0);

    await tap('Ma túy');
    await u.say('Nghệ An');
    await u.say('gần chợ xã, quán nước đầu hẻm');
    await tap('Vẫn đang diễn ra');
    await u.say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.');
    await tap('Bỏ qua');
    await tap('Không');
    await tap('Không để lại');

    // The final "send" tap, redelivered 3 times at once: one case, one confirmation.
    const casesBefore = (await t.app.store.listCases()).length;
    const submit = u.callback(u.button('Gửi tin báo'));
    const sentBefore = sent(u.chatId).length;
    callbacks += 3;
    const results = await Promise.all([post(submit), post(submit), post(submit)]);
    for (const r of results) expect(r.status).toBe(200);
    await settle();
    const done = sent(u.chatId).map((r) => r.json as Sent).slice(sentBefore);
    const ref = /BA-[A-Z0-9]{6}/.exec(texts(done))?.[0];
    expect(ref).toBeDefined();
    const cases = await t.app.store.listCases();
    expect(cases.length).toBe(casesBefore + 1);
    expect(cases.some((c) => c.ref === ref)).toBe(true);
    expect(sent(u.chatId).filter((r) => (r.json as Sent).text.includes(ref!))).toHaveLength(1);

    // Every callback was answered, and every button fits Telegram's 64-byte callback_data.
    expect(fake.calls('/answerCallbackQuery').length - callbacksBefore).toBe(callbacks);
    for (const r of fake.calls('/sendMessage')) {
      const m = r.json as Sent;
      expect(m.text.length).toBeGreaterThan(0);
      expect(m.text.length).toBeLessThanOrEqual(4096);
      for (const b of m.reply_markup?.inline_keyboard.flat() ?? []) {
        expect(Buffer.byteLength(b.callback_data, 'utf8')).toBeGreaterThanOrEqual(1);
        expect(Buffer.byteLength(b.callback_data, 'utf8')).toBeLessThanOrEqual(64);
      }
    }
  });

  it('shortens long choice ids to ≤ 64-byte callback_data and maps them back; unknown keys pass through', async () => {
    const a = adapter();
    const long = 'tip_status.follow_up:add_more_information_about_the_location_and_time_please';
    const viet = 'lựa_chọn.rất_dài:đường_dây_nóng_hỗ_trợ_nạn_nhân_mua_bán_người';
    const out = a.render([{ text: 'Chọn một mục:', choices: [{ id: long, label: 'Bổ sung thông tin' }, { id: viet, label: 'Đường dây nóng hỗ trợ nạn nhân' }, { id: 'cmd:menu', label: 'Menu chính' }, { id: '~sneaky', label: 'x' }] }]);
    const buttons = out.flatMap((m) => m.reply_markup?.inline_keyboard.flat() ?? []);
    expect(buttons).toHaveLength(4);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data, 'utf8')).toBeLessThanOrEqual(64);
    expect(buttons[2].callback_data).toBe('cmd:menu');
    const events: InboundEvent[] = [];
    const probe = createTelegramAdapter(env, { log: t.app.log, store: t.app.store })!;
    probe.mount(Router(), async (e) => { events.push(e); });
    (probe as unknown as { keys: unknown }).keys = a.keys;
    const u = new TgUser();
    for (const b of buttons) await probe.ingest(u.callback(b.callback_data));
    await probe.ingest(u.callback('~AAAAAAAAAAAAAAAA'));
    expect(events.map((e) => e.payload)).toEqual([long, viet, 'cmd:menu', '~sneaky', '~AAAAAAAAAAAAAAAA']);
    return probe.idle();
  });

  it('splits long texts cleanly within 4096 characters', () => {
    const para = 'Đường dây nóng hỗ trợ nạn nhân mua bán người hoạt động 24/7. '.repeat(40);
    const chunks = splitText(`${para}\n\n${para}\n\n${para}`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(4096);
      expect(c).toMatch(/\.$/);
    }
    const out = adapter().render([{ text: 'x'.repeat(9000), choices: [{ id: 'a', label: 'A' }] }]);
    expect(out.map((m) => m.text.length)).toEqual([4096, 4096, 808]);
    expect(out[2].reply_markup).toBeDefined();
    expect(out[0].reply_markup).toBeUndefined();
  });
});

describe('Telegram: conversation competence', () => {
  it('answers a crisis with its own first answer, the consular line first, and an English speaker in English', async () => {
    const u = new TgUser();
    const crisis = texts(await u.say(TRAPPED));
    expect(firstNumber(crisis)).toBe(CONSULAR);
    const en = new TgUser();
    const first = texts(await en.say(ENGLISH_QUESTION));
    expect(isEnglish(first)).toBe(true);
    const follow = texts(await en.say(ENGLISH_FOLLOW_UP));
    expect(isEnglish(follow)).toBe(true);
    expect(follow).not.toBe(first);
  });
});

describe('Telegram sending', () => {
  const isSend = (r: RecordedRequest): boolean => r.path.endsWith('/sendMessage');

  it('retries a 429 after parameters.retry_after', async () => {
    const u = new TgUser();
    const stats = channels.dispatchers.get('telegram')!.outbox.stats;
    const retried = stats.retried;
    sleeps.length = 0;
    fake.queue({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } }, isSend);
    const replies = await u.say('/start');
    expect(replies.length).toBeGreaterThan(1); // the 429'd message and then the rest
    expect(stats.retried).toBe(retried + 1);
    expect(sleeps).toContain(3000);
    expect(replies[0].text).toBe(replies[1].text);
  });

  it('retries a 5xx, and does not retry a 403 (bot blocked) or a 400', async () => {
    const stats = channels.dispatchers.get('telegram')!.outbox.stats;
    const u1 = new TgUser();
    fake.queue({ status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }, isSend);
    const r1 = await u1.say('/start');
    expect(r1[0].text).toBe(r1[1].text);

    const failed = stats.failed;
    const u2 = new TgUser();
    fake.queue({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }, isSend);
    expect(await u2.say('/start')).toHaveLength(1); // the one refused attempt: a blocked bot reaches nobody, so nothing after it
    expect(stats.failed).toBe(failed + 2); // the refused part and the one not tried
    expect(t.logs.join('')).toMatch(/"code":"blocked"/);

    // A 400 on one part drops only that part: the rest of the reply still goes.
    const u3 = new TgUser();
    fake.queue({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } }, isSend);
    const r3 = await u3.say('/start');
    expect(r3).toHaveLength(2);
    expect(r3[1].reply_markup).toBeDefined();

    expect(mapTelegramError(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' })).toEqual({ ok: false, retryable: false, code: 'bad_request' });
    expect(mapTelegramError(429, { ok: false, error_code: 429, parameters: { retry_after: 7 } })).toEqual({ ok: false, retryable: true, retryAfterMs: 7000, code: 'rate_429' });
    expect(mapTelegramError(500, undefined)).toMatchObject({ ok: false, retryable: true });
    expect(mapTelegramError(401, { ok: false, error_code: 401 })).toMatchObject({ retryable: false, code: 'token' });
  });

  it('paces sends at about 30/s overall and 1/s per chat', () => {
    expect(adapter().rate).toEqual({ perSecond: 30, perAddressPerSecond: 1 });
  });
});

describe('Telegram privacy', () => {
  it('keeps names, usernames, chat ids, the token and the secret out of the logs and the database', async () => {
    await settle();
    const logs = t.logs.join('\n');
    const files: string[] = [];
    const walk = (d: string): void => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else files.push(p); } };
    walk(t.dir);
    expect(files.length).toBeGreaterThan(0);
    const db = files.map((f) => readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8')).join('\n');
    for (const needle of [FIRST, LAST, USERNAME, TOKEN, SECRET, 'Nghệ An', ...usedChatIds.map(String)]) {
      expect(logs).not.toContain(needle);
    }
    for (const needle of [FIRST, LAST, USERNAME, TOKEN, ...usedChatIds.map(String)]) expect(db).not.toContain(needle);
    expect(logs).toMatch(/telegram update/);
  });
});

describe('Telegram configuration and setup', () => {
  const deps = () => ({ log: t.app.log, store: t.app.store });

  it('is off when nothing is set and names the missing variable when half-configured', () => {
    expect(createTelegramAdapter({}, deps())).toBeNull();
    const err = (e: NodeJS.ProcessEnv): string => {
      try { createTelegramAdapter(e, deps()); } catch (x) { expect(x).toBeInstanceOf(ConfigError); return (x as Error).message; }
      throw new Error('no ConfigError');
    };
    expect(err({ TELEGRAM_WEBHOOK_SECRET: SECRET })).toMatch(/TELEGRAM_BOT_TOKEN is required/);
    expect(err({ TELEGRAM_PUBLIC_URL: 'https://bot.example.vn' })).toMatch(/TELEGRAM_BOT_TOKEN is required/);
    expect(err({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_PUBLIC_URL: 'https://bot.example.vn' })).toMatch(/TELEGRAM_WEBHOOK_SECRET is required/);
    expect(err({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'short' })).toMatch(/TELEGRAM_WEBHOOK_SECRET must be/);
    expect(err({ TELEGRAM_BOT_TOKEN: 'https://api.telegram.org/bot123' })).toMatch(/TELEGRAM_BOT_TOKEN does not look/);
    expect(err({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_WEBHOOK_PATH: '/hook/:id' })).toMatch(/TELEGRAM_WEBHOOK_PATH/);
    expect(err({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_PUBLIC_URL: 'http://bot.example.vn' })).toMatch(/TELEGRAM_PUBLIC_URL must be an https URL/);
    expect(createTelegramAdapter({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: fake.url }, deps())!.mode).toBe('polling');
    expect(createTelegramAdapter(env, deps())!.mode).toBe('webhook');
  });

  it('registers the webhook with setWebhook (secret token, allowed updates, pending updates kept)', async () => {
    const lines: string[] = [];
    const e = { ...env, TELEGRAM_PUBLIC_URL: 'https://bot.example.vn/', TELEGRAM_WEBHOOK_PATH: '/tg/hook-5f1c' };
    expect(await setupTelegram(e, (l) => lines.push(l))).toBe(0);
    const call = fake.calls('/setWebhook').at(-1)!;
    expect(call.path).toBe(`/bot${TOKEN}/setWebhook`);
    expect(call.json).toEqual({
      url: 'https://bot.example.vn/tg/hook-5f1c', secret_token: SECRET,
      allowed_updates: ['message', 'callback_query', 'my_chat_member'], drop_pending_updates: false,
    });
    fake.queue({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }, (r) => r.path.endsWith('/setWebhook'));
    expect(await setupTelegram(e, (l) => lines.push(l))).toBe(1);
    expect(await setupTelegram({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: fake.url }, (l) => lines.push(l))).toBe(2);
    expect(await setupTelegram({}, (l) => lines.push(l))).toBe(2);
    expect(await setupTelegram({ TELEGRAM_WEBHOOK_SECRET: SECRET }, (l) => lines.push(l))).toBe(2);
    const text = lines.join('\n');
    expect(text).toMatch(/webhook set to https:\/\/bot\.example\.vn\/tg\/hook-5f1c/);
    expect(text).toMatch(/TELEGRAM_BOT_TOKEN is required/);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
  });
});

describe('Telegram long polling (development)', () => {
  it('deletes the webhook first, polls the fake API, answers, and stops cleanly', async () => {
    const chatId = 6_987_654_321;
    let served = false;
    const poll = new FakePlatform((r) => {
      if (r.path.endsWith('/getMe')) return { body: { ok: true, result: { id: 7012345678, is_bot: true, first_name: 'Bình An', username: 'binhan_test_bot' } } };
      if (r.path.endsWith('/getUpdates')) {
        const offset = (r.json as { offset?: number } | undefined)?.offset ?? 0;
        if (!served && offset === 0) {
          served = true;
          return { body: { ok: true, result: [{ update_id: 500_000_001, message: { message_id: 1, date: 1, text: '/start', from: { id: chatId, is_bot: false, first_name: FIRST, username: USERNAME }, chat: { id: chatId, first_name: FIRST, username: USERNAME, type: 'private' } } }] } };
        }
        return { delayMs: 20, body: { ok: true, result: [] } };
      }
      return { body: { ok: true, result: true } };
    });
    await poll.start();
    const t2 = await testApp();
    const ch = createChannels(t2.app, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: poll.url }, { outbox: { baseDelayMs: 5, sleep: async () => {} } });
    try {
      await ch.start();
      for (let i = 0; i < 200 && poll.calls('/sendMessage').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await ch.drain();
      const paths = poll.requests.map((r) => r.path.split('/').pop());
      expect(paths.indexOf('deleteWebhook')).toBeGreaterThanOrEqual(0);
      expect(paths.indexOf('deleteWebhook')).toBeLessThan(paths.indexOf('getUpdates'));
      expect((poll.calls('/getUpdates')[0].json as { allowed_updates: string[] }).allowed_updates).toEqual(['message', 'callback_query', 'my_chat_member']);
      const replies = poll.calls('/sendMessage').map((r) => r.json as { chat_id: string; text: string });
      expect(replies.length).toBeGreaterThan(0);
      expect(replies[0].chat_id).toBe(String(chatId));
      expect(replies[0].text).toMatch(/Bình An/);
    } finally {
      await ch.stop();
      await t2.close();
      await poll.stop();
    }
    const logs = t2.logs.join('\n');
    expect(logs).not.toContain(FIRST);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(String(chatId));
  });
});
