/**
 * The Bot Framework channel on a real HTTP server: Emulator-style activities POSTed to /api/messages,
 * with serviceUrl pointing at a FakePlatform that records the bot's REST replies
 * (POST /v3/conversations/{id}/activities). Nothing here reaches the network.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { FakePlatform, type RecordedRequest } from './helpers/fake-platform';
import { createChannels, type Channels } from '../src/channels/index';
import { ConfigError } from '../src/config';
import type { Activity } from 'botbuilder';
import { renderMessages, splitText, toInboundEvent as toEvent } from '../src/channels/botframework/index';
import { CONSULAR, ENGLISH_FOLLOW_UP, ENGLISH_QUESTION, firstNumber, isEnglish, TRAPPED } from './helpers/competence';

/** Untrusted input: the mapper must cope with partial activities. */
const toInboundEvent = (a: object, offered?: Set<string>) => toEvent(a as Partial<Activity>, offered);

const fast = async (): Promise<void> => {};
const NAME = 'Nguyễn Thị Bí Mật';
const USER_ID = '5e0f9a7c-3b1d-4c2e-9f00-userid424242';
const BOT_ID = 'binhan-bot-id';

interface Sent { text: string; suggestedActions?: { actions: { type: string; title: string; value: string }[] } }

let t: TestApp;
let fake: FakePlatform;
let channels: Channels;
let srv: { url: string; close: () => Promise<void> };
let seq = 0;

beforeAll(async () => {
  t = await testApp();
  fake = new FakePlatform(() => ({ status: 200, body: { id: `sent-${Math.random().toString(36).slice(2)}` } }));
  await fake.start();
  channels = createChannels(t.app, { BOTFRAMEWORK_ENABLED: 'true', NODE_ENV: 'development' }, { outbox: { baseDelayMs: 5, sleep: fast } });
  srv = await serve(t.app, channels);
});
afterAll(async () => { await srv.close(); await fake.stop(); await t.close(); });

const newConversation = (): string => `8c7e${Math.random().toString(16).slice(2)}-conv`;

function activity(conv: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message', id: `0b9d-act-${++seq}-${Math.random().toString(36).slice(2)}`, timestamp: new Date().toISOString(),
    channelId: 'emulator', serviceUrl: fake.url, locale: 'vi-VN',
    from: { id: USER_ID, name: NAME, role: 'user' }, recipient: { id: BOT_ID, name: 'Bình An', role: 'bot' },
    conversation: { id: conv, name: `Trò chuyện của ${NAME}` }, ...extra,
  };
}

const post = (body: unknown, headers: Record<string, string> = {}, url = srv.url): Promise<Response> => fetch(`${url}/api/messages`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Posts and waits until the turn ran and its replies were sent. */
async function send(body: Record<string, unknown>): Promise<Response> {
  const res = await post(body);
  await channels.drain();
  return res;
}

const sentTo = (conv: string): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && r.path === `/v3/conversations/${encodeURIComponent(conv)}/activities`);
const texts = (conv: string): string => sentTo(conv).map((r) => (r.json as Sent).text).join('\n');
const lastActions = (conv: string): { title: string; value: string }[] => {
  const withActions = sentTo(conv).map((r) => r.json as Sent).filter((a) => a.suggestedActions?.actions.length);
  return withActions.at(-1)?.suggestedActions?.actions ?? [];
};
const turns = (): number => t.logs.filter((l) => /"message":"turn"/.test(l) && /botframework/.test(l)).length;

describe('Bot Framework channel (Emulator mode, empty credentials)', () => {
  it('greets on conversationUpdate when someone other than the bot joins, not when only the bot does', async () => {
    const conv = newConversation();
    const botOnly = await send(activity(conv, { type: 'conversationUpdate', text: undefined, membersAdded: [{ id: BOT_ID }] }));
    expect(botOnly.status).toBe(200);
    expect(sentTo(conv)).toHaveLength(0);
    const res = await send(activity(conv, { type: 'conversationUpdate', membersAdded: [{ id: USER_ID }, { id: BOT_ID }] }));
    expect(res.status).toBe(200);
    const sent = sentTo(conv);
    expect(sent.length).toBeGreaterThan(0);
    expect(texts(conv)).toMatch(/Bình An/);
    const first = sent[0].json as Record<string, unknown>;
    expect(first.type).toBe('message');
    expect((first.conversation as { id: string }).id).toBe(conv);
    // No names travel back, and replies are plain sends (no replyToId).
    expect(JSON.stringify(sent.map((r) => r.json))).not.toContain(NAME);
    expect(first.replyToId).toBeUndefined();
  });

  it('answers a message with suggestedActions whose values are the engine choice ids', async () => {
    const conv = newConversation();
    await send(activity(conv, { text: 'tôi muốn báo tin' }));
    const actions = lastActions(conv);
    expect(actions.length).toBeGreaterThan(1);
    for (const a of actions) {
      expect(a).toMatchObject({ type: 'postBack' });
      expect(a.value).toMatch(/^[\w.:-]+$/);
      expect(a.title).not.toBe(a.value);
    }
    expect(actions.map((a) => a.title)).toContain('Ma túy');
    // The suggestions ride on the last activity of the reply.
    expect((sentTo(conv).at(-1)!.json as Sent).suggestedActions).toBeDefined();
  });

  it('files a complete anonymous tip through the channel and sends the reference code', async () => {
    const conv = newConversation();
    const before = (await t.app.store.listCases()).length;
    const say = (text: string) => send(activity(conv, { text }));
    /** A tap: Web Chat sends a postBack's string value as the message text; some clients as `value`. */
    const tap = async (title: string, via: 'text' | 'value' | 'payload' = 'text') => {
      const a = lastActions(conv).find((x) => x.title === title);
      if (!a) throw new Error(`no button ${title} among ${lastActions(conv).map((x) => x.title).join(' | ')}`);
      const extra = via === 'text' ? { text: a.value, channelData: { postBack: true } }
        : via === 'value' ? { text: undefined, value: a.value } : { text: undefined, value: { payload: a.value } };
      const res = await send(activity(conv, extra));
      expect(res.status).toBe(200);
    };
    await send(activity(conv, { type: 'conversationUpdate', membersAdded: [{ id: USER_ID }] }));
    await say('tôi muốn báo tin');
    await tap('Ma túy');
    await say('Nghệ An');
    await say('gần chợ xã, quán nước đầu hẻm');
    await tap('Vẫn đang diễn ra', 'value');
    await say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.');
    await tap('Bỏ qua', 'payload');
    await tap('Không');
    await tap('Không để lại');
    await tap('Gửi tin báo');
    const ref = /BA-[A-Z0-9]{6}/.exec(texts(conv))?.[0];
    expect(ref).toBeDefined();
    const cases = await t.app.store.listCases();
    expect(cases.length).toBe(before + 1);
    expect(cases.map((c) => c.ref)).toContain(ref);
  });

  it('runs one engine turn and sends one reply for the same activity delivered 3 times', async () => {
    const conv = newConversation();
    const a = activity(conv, { text: 'đường dây nóng' });
    const turnsBefore = turns();
    const results = await Promise.all([post(a), post(a), post(a)]);
    await channels.drain();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(turns() - turnsBefore).toBe(1);
    const once = sentTo(conv).length;
    expect(once).toBeGreaterThan(0);
    await send(a);
    expect(sentTo(conv).length).toBe(once);
    expect(turns() - turnsBefore).toBe(1);
  });

  it('acknowledges an attachment without text (never fetched) and answers politely', async () => {
    const conv = newConversation();
    const res = await send(activity(conv, { text: undefined, attachments: [{ contentType: 'image/png', contentUrl: `${fake.url}/photo.png`, name: 'IMG_0001.png' }] }));
    expect(res.status).toBe(200);
    expect(sentTo(conv).length).toBeGreaterThan(0);
    expect(fake.requests.some((r) => r.path === '/photo.png')).toBe(false);
  });

  it.each([
    ['not JSON', '{"type": "message",', 400],
    ['an array', [1, 2], 400],
    ['no activity type', { text: 'hi', conversation: { id: 'x' } }, 400],
    ['a numeric type', { type: 42 }, 400],
    ['an empty type', { type: '' }, 400],
    // The SDK answered 500 to these (it reads serviceUrl as a string while routing the turn).
    ['a numeric serviceUrl', { type: 'message', text: 'hi', serviceUrl: 5, conversation: { id: 'x' } }, 400],
    ['an object serviceUrl', { type: 'conversationUpdate', serviceUrl: {}, conversation: { id: 'x' } }, 400],
    ['an array serviceUrl', { type: 'event', serviceUrl: [5], conversation: { id: 'x' } }, 400],
    ['a boolean serviceUrl on an invoke', { type: 'invoke', name: 'adaptiveCard/action', serviceUrl: true }, 400],
    ['a numeric activity id', { type: 'message', id: 5, text: 'hi', conversation: { id: 'x' } }, 400],
    ['a string conversation', { type: 'message', text: 'hi', conversation: 'x' }, 400],
    ['an array sender', { type: 'message', text: 'hi', from: [], conversation: { id: 'x' } }, 400],
  ])('refuses %s with a bland 4xx', async (_n, body, status) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(await res.text()).not.toMatch(/req\.body|validateAndFixActivity|Error/);
  });

  it.each([
    ['an adaptive card action', { name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x', data: {} } } }],
    ['a sign-in state check', { name: 'signin/verifyState', value: { state: '123456' } }],
    ['a sign-in token exchange', { name: 'signin/tokenExchange', value: { id: 'x', token: 'eyJ' } }],
    ['a Teams task module fetch', { name: 'task/fetch', channelId: 'msteams', value: { data: {} } }],
    ['a Teams messaging extension query', { name: 'composeExtension/query', channelId: 'msteams', value: {} }],
    ['the old health check', { name: 'healthCheck' }],
    ['an invoke without a name', {}],
    ['an invoke without a conversation', { name: 'adaptiveCard/action', conversation: undefined }],
  ])('answers an invoke it does not handle (%s) with 501 Not Implemented and an empty body, runs no turn, sends nothing', async (_n, extra) => {
    const conv = newConversation();
    const turnsBefore = turns();
    const before = fake.requests.length;
    const res = await send(activity(conv, { type: 'invoke', text: undefined, ...extra }));
    expect(res.status).toBe(501);
    expect(await res.text()).toBe('');
    expect(turns()).toBe(turnsBefore);
    expect(fake.requests.length).toBe(before);
    // A bare invoke, as small as a fuzzer sends it.
    const bare = await post({ type: 'invoke' });
    expect(bare.status).toBe(501);
    expect(await bare.text()).toBe('');
  });

  it('never answers 5xx to odd field values on any activity type (a small grid, as the fuzzer found them)', async () => {
    const conv = newConversation();
    const fields = ['id', 'channelId', 'serviceUrl', 'from', 'recipient', 'conversation', 'timestamp', 'localTimestamp', 'expiration', 'deliveryMode',
      'callerId', 'locale', 'text', 'value', 'name', 'membersAdded', 'attachments', 'entities', 'channelData', 'replyToId', 'relatesTo', 'suggestedActions'];
    const odd: unknown[] = [5, null, [true]];
    const statuses = new Map<number, number>();
    for (const type of ['message', 'conversationUpdate', 'invoke', 'event', 'endOfConversation', 'x-unknown']) {
      for (const f of fields) {
        for (const v of odd) {
          const res = await post(activity(conv, { type, [f]: v }));
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500 && res.status !== 501) throw new Error(`${res.status} for ${type} with ${f}=${JSON.stringify(v)}`);
          if (res.status === 501) expect(type).toBe('invoke');
        }
      }
    }
    await channels.drain();
    expect([...statuses.keys()].sort()).toEqual([200, 400, 501]);
  });

  it('acknowledges every other activity type, known or not, with 200 and an empty body', async () => {
    const conv = newConversation();
    const turnsBefore = turns();
    const before = fake.requests.length;
    for (const type of ['typing', 'event', 'messageReaction', 'messageUpdate', 'messageDelete', 'installationUpdate', 'contactRelationUpdate',
      'deleteUserData', 'suggestion', 'trace', 'handoff', 'command', 'commandResult', 'invokeResponse', 'delay', 'x-something-new', 'constructor', '__proto__']) {
      const res = await send(activity(conv, { type, name: 'webchat/join', value: { language: 'vi-VN' } }));
      expect([type, res.status]).toEqual([type, 200]);
      expect(await res.text()).toBe('');
    }
    expect(turns()).toBe(turnsBefore);
    expect(fake.requests.length).toBe(before);
  });

  it('acknowledges and ignores activities it cannot use (typing, no conversation, bad serviceUrl)', async () => {
    const conv = newConversation();
    const before = fake.requests.length;
    for (const body of [
      activity(conv, { type: 'typing' }),
      activity(conv, { conversation: undefined }),
      activity(conv, { conversation: { id: 12345 } }),
      activity(conv, { serviceUrl: 'file:///etc/passwd' }),
      activity(conv, { type: 'message', text: '' }),
    ]) {
      const res = await send(body);
      expect(res.status).toBe(200);
    }
    expect(fake.requests.length).toBe(before);
  });

  it('reports platform errors as retryable or not, without throwing', async () => {
    const conv = newConversation();
    // 503 then success: the outbox retries; a 403 is final.
    const d = channels.dispatchers.get('botframework')!;
    const retriedBefore = d.outbox.stats.retried;
    fake.queue({ status: 503, body: { error: { code: 'ServiceError' } } }, (r) => r.path.includes(encodeURIComponent(conv)));
    await send(activity(conv, { text: 'đường dây nóng' }));
    const calls = sentTo(conv).length;
    expect(calls).toBeGreaterThan(1);
    // One HTTP attempt per send: the SDK's own retry policy is off, the Outbox retried once.
    expect(d.outbox.stats.retried).toBe(retriedBefore + 1);
    fake.queue({ status: 429, headers: { 'retry-after': '3' }, body: {} }, (r) => r.path.includes(encodeURIComponent(conv)));
    expect(await d.adapter.sendOne(conv, { type: 'message', text: 'x' })).toEqual({ ok: false, retryable: true, retryAfterMs: 3000, code: 'http_429' });
    expect(await d.adapter.sendOne(conv, { type: 'message', text: 'x' })).toEqual({ ok: true });
    const failedBefore = d.outbox.stats.failed;
    fake.queue({ status: 403, body: { error: { code: 'BotNotInConversationRoster' } } }, (r) => r.path.includes(encodeURIComponent(conv)));
    await send(activity(conv, { text: 'menu' }));
    expect(d.outbox.stats.failed).toBe(failedBefore + 1);
    const attempt = await d.adapter.sendOne('never-seen-conversation', { type: 'message', text: 'x' });
    expect(attempt).toMatchObject({ ok: false, retryable: false, code: 'no_reference' });
  });

  it('gives up quietly when the serviceUrl does not answer (network error, retried, never thrown)', async () => {
    const conv = newConversation();
    const d = channels.dispatchers.get('botframework')!;
    const before = { ...d.outbox.stats };
    const res = await send(activity(conv, { text: 'xin chào', serviceUrl: 'http://127.0.0.1:1' }));
    expect(res.status).toBe(200);
    // A network error is no reason to drop the rest of the reply: every part was tried, and failed.
    expect(d.outbox.stats.failed).toBeGreaterThan(before.failed);
    expect(d.outbox.stats.sent).toBe(before.sent);
    expect(t.logs.join('\n')).toMatch(/send failed/);
  });

  it('keeps names and raw ids out of the logs and the database', async () => {
    await t.app.store.listCases(); // the store is flushed synchronously (SQLite)
    const logs = t.logs.join('\n');
    expect(logs).toContain('botframework');
    expect(logs).not.toContain(NAME);
    expect(logs).not.toContain(USER_ID);
    expect(logs).not.toMatch(/8c7e[0-9a-f]+-conv/);
    expect(logs).not.toMatch(/0b9d-act-/);
    expect(logs).not.toContain('quán nước');
    const files: string[] = [];
    const walk = (d: string): void => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else files.push(p); } };
    walk(t.dir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const raw = readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8');
      expect(raw).not.toContain(USER_ID);
      expect(raw).not.toMatch(/8c7e[0-9a-f]+-conv/);
      expect(raw).not.toMatch(/0b9d-act-/);
      expect(raw).not.toContain(NAME);
      expect(raw).not.toContain('Trò chuyện của');
    }
  });
});

describe('Bot Framework: conversation competence', () => {
  it('answers a crisis with its own first answer, the consular line first, and an English speaker in English', async () => {
    const conv = newConversation();
    await send(activity(conv, { text: TRAPPED }));
    expect(firstNumber(texts(conv))).toBe(CONSULAR);
    const en = newConversation();
    await send(activity(en, { text: ENGLISH_QUESTION, locale: 'en-US' }));
    const first = texts(en);
    expect(isEnglish(first)).toBe(true);
    await send(activity(en, { text: ENGLISH_FOLLOW_UP, locale: 'en-US' }));
    const all = texts(en);
    expect(isEnglish(all)).toBe(true);
    expect(all.length).toBeGreaterThan(first.length);
  });
});

describe('Bot Framework configuration', () => {
  const make = (env: Record<string, string>) => () => createChannels(t.app, env, { outbox: { sleep: fast } });

  it('is off unless BOTFRAMEWORK_ENABLED=true, even with credentials', () => {
    expect(make({})().dispatchers.has('botframework')).toBe(false);
    expect(make({ MicrosoftAppId: 'x', MicrosoftAppPassword: 'y' })().dispatchers.has('botframework')).toBe(false);
    expect(make({ BOTFRAMEWORK_ENABLED: 'false' })().dispatchers.has('botframework')).toBe(false);
    expect(make({ BOTFRAMEWORK_ENABLED: 'yes' })).toThrow(/BOTFRAMEWORK_ENABLED/);
  });

  it('refuses empty credentials in production unless BOTFRAMEWORK_ALLOW_UNAUTHENTICATED=true', () => {
    const f = make({ BOTFRAMEWORK_ENABLED: 'true', NODE_ENV: 'production' });
    expect(f).toThrow(ConfigError);
    expect(f).toThrow(/BOTFRAMEWORK_ALLOW_UNAUTHENTICATED/);
    expect(make({ BOTFRAMEWORK_ENABLED: 'true', NODE_ENV: 'production', BOTFRAMEWORK_ALLOW_UNAUTHENTICATED: 'true' })().dispatchers.has('botframework')).toBe(true);
    expect(make({ BOTFRAMEWORK_ENABLED: 'true', NODE_ENV: 'production', MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' })().dispatchers.has('botframework')).toBe(true);
  });

  it.each([
    [{ MicrosoftAppId: '00000000-0000-0000-0000-000000000001' }, /MicrosoftAppPassword is required/],
    [{ MicrosoftAppPassword: 'secret' }, /MicrosoftAppId is required/],
    [{ MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', MicrosoftAppType: 'SingleTenant' }, /MicrosoftAppTenantId is required/],
    [{ MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', MicrosoftAppType: 'Personal' }, /MicrosoftAppType must be/],
    [{ MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' }, /MicrosoftAppPassword must be empty/],
  ])('names the missing or wrong variable when half-configured (%j)', (env, msg) => {
    const f = make({ BOTFRAMEWORK_ENABLED: 'true', ...env });
    expect(f).toThrow(ConfigError);
    expect(f).toThrow(msg);
  });
});

describe('Bot Framework with credentials', () => {
  let authed: Channels;
  let authedSrv: { url: string; close: () => Promise<void> };
  let errors: jest.SpyInstance;
  beforeAll(async () => {
    // Metadata URLs point at the loopback fake, so no token check can reach the internet.
    authed = createChannels(t.app, {
      BOTFRAMEWORK_ENABLED: 'true', NODE_ENV: 'production',
      MicrosoftAppId: '00000000-0000-0000-0000-0000000000aa', MicrosoftAppPassword: 'not-a-real-password', MicrosoftAppType: 'MultiTenant',
      ToBotFromChannelOpenIdMetadataUrl: `${fake.url}/openid`, ToBotFromEmulatorOpenIdMetadataUrl: `${fake.url}/openid-emulator`,
      ToChannelFromBotLoginUrl: `${fake.url}/login`,
    }, { outbox: { sleep: fast } });
    authedSrv = await serve(t.app, authed);
    errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterAll(async () => { errors.mockRestore(); await authedSrv.close(); });

  it('answers 401 to a request without Authorization, with a bland body, and runs no turn', async () => {
    const conv = newConversation();
    const turnsBefore = turns();
    const started = Date.now();
    const res = await post(activity(conv, { text: 'xin chào' }), {}, authedSrv.url);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized' });
    expect(Date.now() - started).toBeLessThan(2000);
    await authed.drain();
    expect(turns()).toBe(turnsBefore);
    expect(sentTo(conv)).toHaveLength(0);
  });

  it('answers 401 to a forged bearer token without reaching the internet', async () => {
    const conv = newConversation();
    const res = await post(activity(conv, { text: 'xin chào', channelId: 'webchat' }), { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' }, authedSrv.url);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toMatch(/Unauthorized Access|token/i);
    expect(sentTo(conv)).toHaveLength(0);
  });
});

describe('Bot Framework rendering and mapping', () => {
  it('splits long texts within 4000 characters and puts suggested actions on the last part', () => {
    const para = 'Câu này nói về đường dây nóng. '.repeat(60).trim();
    const text = Array.from({ length: 6 }, () => para).join('\n\n');
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4000);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    const out = renderMessages([{ text, choices: [{ id: 'cmd:menu', label: 'Menu chính' }] }, { text: 'Bạn cần gì?' }]);
    expect(out.at(-1)!.suggestedActions!.actions).toEqual([{ type: 'postBack', title: 'Menu chính', value: 'cmd:menu' }]);
    expect(out.slice(0, -1).every((m) => !m.suggestedActions)).toBe(true);
  });

  it('maps activities to events without names', () => {
    const base = { id: 'a1', conversation: { id: 'c1', name: 'n' }, from: { id: 'u1', name: NAME }, recipient: { id: 'b' } };
    expect(toInboundEvent({ ...base, type: 'message', text: 'xin chào' })).toEqual({ address: 'c1', dedupeKey: 'a1', kind: 'message', text: 'xin chào' });
    expect(toInboundEvent({ ...base, type: 'message', text: 'cmd:menu' }, new Set(['cmd:menu']))).toMatchObject({ payload: 'cmd:menu' });
    expect(toInboundEvent({ ...base, type: 'message', text: 'cmd:menu' })).toMatchObject({ text: 'cmd:menu' });
    expect(toInboundEvent({ ...base, type: 'message', value: { payload: 'x:y' } })).toMatchObject({ payload: 'x:y' });
    expect(toInboundEvent({ ...base, type: 'message', attachments: [{ contentType: 'audio/ogg' }] })).toMatchObject({ attachment: 'audio' });
    expect(toInboundEvent({ ...base, type: 'endOfConversation' })).toMatchObject({ kind: 'stop' });
    expect(toInboundEvent({ ...base, type: 'event' })).toBeUndefined();
    expect(JSON.stringify(toInboundEvent({ ...base, type: 'conversationUpdate', membersAdded: [{ id: 'u1', name: NAME }] }))).not.toContain(NAME);
  });
});
