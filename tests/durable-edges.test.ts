/**
 * Durable edges (issue #11, item 4) through a real webhook: an event is stored before the platform's 200 (503
 * when it cannot be), a redelivery while it waits runs once, and what a previous run left (events not yet run,
 * replies not yet sent) is run and sent at the next start, in order, once. The kill -9 trials in
 * `npm run trial:crash` do the same with a real process killed at random points.
 */
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { FakePlatform } from './helpers/fake-platform';
import { createChannels, type Channels } from '../src/channels/index';
import { Edges, STALE_AFTER_MS } from '../src/channels/edges';
import type { InboundEvent } from '../src/channels/types';

const TOKEN = '7012345678:AAHfakeTokenForTests_0123456789abcdef';
const SECRET = 'tg_secret_0123456789abcdefABCDEF-xyz';

let fake: FakePlatform;
let t: TestApp;
let env: Record<string, string>;
let updateId = 500_000;
let chatSeq = 7_100_000_000;

beforeAll(async () => {
  fake = new FakePlatform();
  await fake.start();
  env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: fake.url };
  t = await testApp();
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const texts = (chat: number): string[] => fake.calls('/sendMessage')
  .filter((r) => (r.json as { chat_id?: unknown }).chat_id === String(chat))
  .map((r) => (r.json as { text: string }).text);

const update = (chat: number, text: string, id = ++updateId) => ({
  update_id: id,
  message: { message_id: id % 10_000, date: 1_730_000_000, text, from: { id: chat, is_bot: false, first_name: 'X' }, chat: { id: chat, type: 'private' } },
});

async function running(instanceId: string): Promise<{ channels: Channels; url: string; close: () => Promise<void> }> {
  const channels = createChannels(t.app, env, { instanceId, outbox: { baseDelayMs: 5, sleep: async () => undefined } });
  await channels.resume();
  const srv = await serve(t.app, channels);
  return {
    channels, url: srv.url,
    close: async () => { await channels.drain(); await channels.stop(); await srv.close(); },
  };
}

const post = (url: string, body: unknown): Promise<Response> => fetch(`${url}/webhooks/telegram`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(body),
});

describe('durable edges on the Telegram webhook', () => {
  it('takes no new event while the inbound queue is full (503), and runs it once when delivered again', async () => {
    const channels = createChannels(t.app, env, { instanceId: 'edge-full', outbox: { baseDelayMs: 5, sleep: async () => undefined }, inbound: { concurrency: 1, maxWaiting: 2 } });
    await channels.resume();
    const srv = await serve(t.app, channels);
    const bot = t.app.bot as unknown as { handle: (...a: unknown[]) => Promise<unknown> };
    const real = bot.handle;
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    bot.handle = async (...a: unknown[]) => { await gate; return real.apply(t.app.bot, a); };
    try {
      const chats = [++chatSeq, ++chatSeq, ++chatSeq, ++chatSeq];
      const updates = chats.map((c) => update(c, 'xin chào'));
      // One runs (held at the gate), two wait: the fourth is not taken.
      const first = [];
      for (const u of updates.slice(0, 3)) first.push((await post(srv.url, u)).status);
      expect(first).toEqual([200, 200, 200]);
      expect((await post(srv.url, updates[3])).status).toBe(503);
      expect(channels.dispatchers.get('telegram')?.inbound.stats.overloaded).toBe(1);
      open();
      await channels.drain();
      expect((await post(srv.url, updates[3])).status).toBe(200);
      await channels.drain();
      for (const c of chats) expect(texts(c).length).toBeGreaterThan(0);
      const once = chats.map((c) => texts(c).length);
      // Delivered again after its turn: nothing more is sent.
      expect((await post(srv.url, updates[3])).status).toBe(200);
      await channels.drain();
      expect(chats.map((c) => texts(c).length)).toEqual(once);
    } finally {
      bot.handle = real;
      await channels.drain();
      await channels.stop();
      await srv.close();
    }
  });

  it('answers 503 when the event cannot be stored, and runs the redelivered one once', async () => {
    const r = await running('edge-a');
    const chat = ++chatSeq;
    const u = update(chat, 'ma túy là gì');
    const store = t.app.store as unknown as { inboxAdd: (...a: unknown[]) => Promise<boolean> };
    const real = store.inboxAdd;
    store.inboxAdd = async () => { throw new Error('database is out'); };
    try {
      expect((await post(r.url, u)).status).toBe(503);
    } finally {
      store.inboxAdd = real;
    }
    await r.channels.drain();
    expect(texts(chat)).toEqual([]);
    // Telegram delivers it again (twice, concurrently): stored once, one turn, one answer.
    const [a, b] = await Promise.all([post(r.url, u), post(r.url, u)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await r.channels.drain();
    const got = texts(chat);
    expect(got.length).toBeGreaterThan(0);
    await post(r.url, u);
    await r.channels.drain();
    expect(texts(chat)).toEqual(got);
    expect(await t.app.store.inboxTake({ owner: 'edge-a', own: true, staleBefore: 0 })).toEqual([]);
    expect(await t.app.store.outboxTake({ owner: 'edge-a', own: true, staleBefore: 0 })).toEqual([]);
    await r.close();
  });

  it("runs the events and sends the replies a killed run left, in order, once, before anything new", async () => {
    const before = new Edges(t.app.store, t.app.cipher, 'edge-b');
    const chat = ++chatSeq;
    // The killed run: a reply committed but not sent, then two events stored (200 given) but not run.
    const key = t.app.bot.sessionKey('telegram', String(chat));
    const turn = t.app.bot.messageKey('telegram', 'earlier');
    await t.app.store.commitTurn({ sessionKey: key, processedKey: turn, at: Date.now(), outbound: before.keep('telegram', String(chat), [{ text: 'Câu trả lời đã lưu trước khi tắt.' }], key, turn) });
    const events: InboundEvent[] = [
      { address: String(chat), dedupeKey: '91', kind: 'message', text: 'cai nghiện ở đâu' },
      { address: String(chat), dedupeKey: '92', kind: 'message', text: 'đường dây nóng' },
    ];
    for (const e of events) await before.accept('telegram', t.app.bot.messageKey('telegram', e.dedupeKey as string), e);
    // A stale row another instance left (it never came back) is taken too.
    const gone = new Edges(t.app.store, t.app.cipher, 'edge-gone', () => Date.now() - STALE_AFTER_MS - 1000);
    const other = ++chatSeq;
    await gone.accept('telegram', t.app.bot.messageKey('telegram', 'g1'), { address: String(other), dedupeKey: 'g1', kind: 'message', text: 'xin chào' });

    const r = await running('edge-b');
    await r.channels.drain();
    const got = texts(chat);
    expect(got[0]).toBe('Câu trả lời đã lưu trước khi tắt.');
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(texts(other).length).toBeGreaterThan(0);
    // Nothing left, and the same updates delivered again by Telegram are redeliveries: nothing more is sent.
    expect(await t.app.store.inboxTake({ owner: 'edge-b', own: true, staleBefore: 0 })).toEqual([]);
    expect(await t.app.store.outboxTake({ owner: 'edge-b', own: true, staleBefore: 0 })).toEqual([]);
    await post(r.url, { update_id: 91, message: { message_id: 91, date: 1_730_000_000, text: 'cai nghiện ở đâu', from: { id: chat, is_bot: false, first_name: 'X' }, chat: { id: chat, type: 'private' } } });
    await r.channels.drain();
    expect(texts(chat)).toEqual(got);
    await r.close();
  });
});
