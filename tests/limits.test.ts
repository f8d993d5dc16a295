/**
 * Abuse limits (issue #11): a burst from one address or one conversation is refused within its budget with an
 * honest answer, a crisis still gets its first answer, and tips have a tighter budget of their own.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { Limits, type LimitsConfig } from '../src/app/limits';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';

let t: TestApp;

const cases = async (): Promise<number> => (await t.app.store.listCases({ limit: 100_000 })).length;

describe('abuse limits', () => {
  afterEach(async () => { await t.close(); });

  it('throttles a burst from one address on the web chat with 429, Retry-After and words a person can read', async () => {
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '20' });
    const srv = await serve(t.app);
    try {
      const started = Date.now();
      const statuses: number[] = [];
      let limited: { replies: { text: string }[] } | undefined;
      let retryAfter: string | null = null;
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${srv.url}/api/chat`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          // Each request a new client id: the per-address budget is what stops it.
          body: JSON.stringify({ client: `client-${String(i).padStart(12, '0')}`, id: `msg-${String(i).padStart(8, '0')}`, text: 'xin chào' }),
        });
        statuses.push(res.status);
        if (res.status === 429 && !limited) { limited = await res.json() as typeof limited; retryAfter = res.headers.get('retry-after'); } else await res.arrayBuffer();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(limited?.replies[0].text).toMatch(/gửi nhanh quá/);
      expect(limited?.replies[0].text).toMatch(/sending messages faster/);
      expect(t.app.limits.refused.address).toBe(20);
    } finally {
      await srv.close();
    }
  });

  it('throttles one conversation on any channel, stores nothing for the refused messages, and still answers a crisis', async () => {
    t = await testApp({ RATE_MESSAGES_PER_MINUTE: '5' });
    const chat = new Chat(t.app, 'flooder', 'telegram');
    for (let i = 0; i < 5; i++) await chat.say(`câu hỏi số ${i} về ma túy`);
    await chat.say('tôi muốn báo tin');
    expect(chat.text()).toMatch(/gửi nhanh quá/);
    // A crisis is never met with "wait a minute".
    await chat.say('em vừa rạch tay');
    expect(chat.text()).toMatch(/115/);
    expect(chat.text()).not.toMatch(/gửi nhanh quá/);
    // Another conversation is not affected.
    const other = new Chat(t.app, 'someone-else', 'telegram');
    await other.say('ma túy đá là gì');
    expect(other.text()).not.toMatch(/gửi nhanh quá/);
    expect(t.app.limits.refused.conversation).toBe(2);
  });

  it('has a tighter budget for tips: beyond it the tip is not stored, the reporter is told so, and the answers are kept', async () => {
    t = await testApp({ RATE_TIPS_PER_HOUR: '1' });
    const chat = new Chat(t.app);
    await fileTip(chat);
    expect(await cases()).toBe(1);
    await chat.tap('Menu chính');
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Nghệ An');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm nay');
    await chat.say('Một nhóm khác bán ma túy ở bến xe khách vào buổi sáng sớm.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    await chat.tap('Gửi tin báo');
    expect(chat.text()).toMatch(/CHƯA được gửi/);
    expect(chat.choices().map((c) => c.label)).toEqual(['Gửi lại', 'Hủy tin báo']);
    expect(await cases()).toBe(1);
    expect(t.app.limits.refused.tips).toBe(1);
  });

  it('sees the real client behind a trusted proxy (TRUST_PROXY), and ignores X-Forwarded-For otherwise', async () => {
    const burst = async (url: string, from: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${url}/api/chat`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from },
          body: JSON.stringify({ client: `c-${from.replace(/\W/g, '')}-${String(i).padStart(8, '0')}`, id: `id-${String(i).padStart(8, '0')}`, text: 'chào' }),
        });
        out.push(res.status);
        await res.arrayBuffer();
      }
      return out;
    };
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '3', TRUST_PROXY: '1' });
    let srv = await serve(t.app);
    try {
      expect(await burst(srv.url, '198.51.100.1', 4)).toEqual([200, 200, 200, 429]);
      // Another person behind the same proxy has a budget of their own.
      expect(await burst(srv.url, '198.51.100.2', 3)).toEqual([200, 200, 200]);
    } finally { await srv.close(); }
    await t.close();
    // Without a trusted proxy, the header is anyone's to write: the connection's address counts.
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '3' });
    srv = await serve(t.app);
    try {
      expect(await burst(srv.url, '198.51.100.1', 2)).toEqual([200, 200]);
      expect(await burst(srv.url, '198.51.100.2', 2)).toEqual([200, 429]);
    } finally { await srv.close(); }
  });
});

// ---- Shared budgets in Redis (REDIS_URL): run only when a Redis answers PING on 127.0.0.1:6379 (CI starts one).
const REDIS_URL = 'redis://127.0.0.1:6379/0';
const redisAnswers = spawnSync(process.execPath, ['-e', `
  const s = require('net').connect(6379, '127.0.0.1', () => s.write('PING\\r\\n'));
  s.setTimeout(1000, () => process.exit(1)); s.on('error', () => process.exit(1));
  s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`], { timeout: 3000 }).status === 0;
if (!redisAnswers) console.log('no Redis answers on 127.0.0.1:6379: the shared-limits tests are skipped');

const budgets = (over: Partial<LimitsConfig> = {}): LimitsConfig => ({
  messagesPerMinute: 1000, addressPerMinute: 1000, tipsPerHour: 1000, tipsGlobalPerMinute: 1000, globalPerSecond: 100_000, ...over,
});

/** A port nothing listens on (for "Redis is down"). */
const closedPort = async (): Promise<number> => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
};

/** A "Redis" that accepts connections and passes the ready check, then never answers a command (a stalled server). */
const stalledRedis = async (): Promise<{ url: string; close(): Promise<void> }> => {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      // Commands arrive as RESP arrays; only INFO (the ready check) and connection set-up get a reply.
      for (const m of String(d).matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const cmd = m[1].toUpperCase();
        if (cmd === 'INFO') { const body = 'redis_version:7.0.0\r\nloading:0\r\n'; sock.write(`$${Buffer.byteLength(body)}\r\n${body}\r\n`); }
        else if (cmd === 'CLIENT' || cmd === 'SELECT' || cmd === 'PING') sock.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
  };
};

/** Limits as one process would hold them, all under this run's own key prefix; each test closes what it opened. */
const prefix = `binhan:test:${process.pid}-${randomUUID()}`;
const opened: Limits[] = [];
const open = (config: LimitsConfig, url = REDIS_URL, extra: { commandTimeoutMs?: number } = {}): Limits => {
  const l = new Limits(config, { redisUrl: url, keyPrefix: prefix, ...extra });
  opened.push(l);
  return l;
};

(redisAnswers ? describe : describe.skip)('abuse limits shared in Redis (REDIS_URL)', () => {
  let admin: Redis;

  beforeAll(() => { admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }); });
  afterEach(async () => { await Promise.all(opened.splice(0).map((l) => l.close())); });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length) await admin.del(...keys);
    expect(await admin.keys(`${prefix}:*`)).toEqual([]);
    await admin.quit();
  });

  it('two instances share one budget: together they allow exactly N, the next is refused with scope and retryAfterS', async () => {
    const N = 5;
    const a = open(budgets({ messagesPerMinute: N, addressPerMinute: N }));
    const b = open(budgets({ messagesPerMinute: N, addressPerMinute: N }));
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    expect(a.store).toBe('redis');
    const session = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'; // a session HMAC, as the bot passes it
    const verdicts = [];
    for (let i = 0; i < N; i++) verdicts.push(await (i % 2 ? b : a).message(session));
    expect(verdicts).toEqual(Array.from({ length: N }, () => ({ ok: true })));
    for (const l of [a, b]) {
      const v = await l.message(session);
      expect(v).toMatchObject({ ok: false, scope: 'conversation' });
      if (v.ok) throw new Error('not refused');
      expect(v.retryAfterS).toBeGreaterThanOrEqual(1);
      expect(v.retryAfterS).toBeLessThanOrEqual(60);
    }
    expect(a.refused.conversation + b.refused.conversation).toBe(2);
    // Another conversation has a budget of its own; the per-address budget is shared too.
    expect(await b.message('ffeeddccbbaa99887766554433221100')).toEqual({ ok: true });
    for (let i = 0; i < N; i++) expect(await (i % 2 ? a : b).address('198.51.100.7')).toEqual({ ok: true });
    expect(await a.address('198.51.100.7')).toMatchObject({ ok: false, scope: 'address' });
    // Keys hold the scope and the HMAC / address only: no message text.
    const keys = (await admin.keys(`${prefix}:*`)).map((k) => k.slice(prefix.length + 1)).sort();
    expect(keys).toEqual(['address:198.51.100.7', 'conversation:a1b2c3d4e5f60718293a4b5c6d7e8f90', 'conversation:ffeeddccbbaa99887766554433221100', 'global:all']);
  });

  it('the app uses Redis when REDIS_URL is set and quits it on close', async () => {
    const app = await testApp({ REDIS_URL });
    try {
      expect(app.app.limits.store).toBe('redis');
      expect(await app.app.limits.ready()).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('abuse limits when Redis does not answer (REDIS_URL set)', () => {
  afterEach(async () => { await Promise.all(opened.splice(0).map((l) => l.close())); });

  it('with Redis down, the limits still hold in memory (the insurance) and answer at once', async () => {
    const l = open(budgets({ messagesPerMinute: 3 }), `redis://127.0.0.1:${await closedPort()}`);
    const started = Date.now();
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await l.message('0123456789abcdef0123456789abcdef'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(verdicts.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(verdicts[3]).toMatchObject({ ok: false, scope: 'conversation' });
    expect(await l.ready(300)).toBe(false);
  });

  it('with a Redis that stops answering, each call gives up after the command timeout and the insurance counts', async () => {
    const stalled = await stalledRedis();
    try {
      const l = open(budgets({ tipsPerHour: 2 }), stalled.url, { commandTimeoutMs: 100 });
      expect(await l.ready()).toBe(true);
      const verdicts = [];
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        verdicts.push(await l.tip('0123456789abcdef0123456789abcdef'));
        expect(Date.now() - started).toBeLessThan(1000);
      }
      expect(verdicts).toEqual([{ ok: true }, { ok: true }, expect.objectContaining({ ok: false, scope: 'tips' })]);
    } finally {
      await Promise.all(opened.splice(0).map((l) => l.close()));
      await stalled.close();
    }
  });
});
