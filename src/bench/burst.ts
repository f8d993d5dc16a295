/**
 * `npm run bench:burst`: a 20 s flood on the Telegram webhook (autocannon, 50 connections, a pool of chats),
 * then new people write: how long until each one's first reply reaches the platform, how deep the outbound
 * queue got, what was shed, and memory. The platform is a loopback server that records the send calls (each
 * answered after a realistic delay). Prints figures; no pass/fail.
 *
 *   BURST_SECONDS (20), BURST_CHATS (500), BURST_CONNECTIONS (50), API_DELAY_MS (40)
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchEntry, isLoadProcess, loadInChild } from './load-process.js';
import { loadConfig } from '../config.js';
import { createApp } from '../app/index.js';
import { createChannels } from '../channels/index.js';
import { createServer } from '../web/server.js';
import { createLogger } from '../log.js';

const TOKEN = '7000000000:BenchTokenBenchTokenBenchToken_abcd';
const SECRET = 'bench_secret_0123456789abcdef';
const QUESTIONS = ['ma túy đá có hại gì', 'cai nghiện tự nguyện ở đâu', 'số đường dây nóng mua bán người', 'việc nhẹ lương cao ở Campuchia có thật không', 'xin chào'];

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** The stand-in for api.telegram.org: records when each chat got a message. */
async function fakeTelegram(delayMs: number): Promise<{ url: string; firstAt: Map<string, number>; calls: () => number; close: () => void }> {
  const firstAt = new Map<string, number>();
  let calls = 0;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      calls++;
      if (req.url?.endsWith('/sendMessage')) {
        try {
          const chat = String((JSON.parse(body) as { chat_id: unknown }).chat_id);
          if (!firstAt.has(chat)) firstAt.set(chat, performance.now());
        } catch { /* not JSON: answered all the same */ }
      }
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, result: { message_id: calls, date: 0, chat: { id: 1, type: 'private' } } }));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, firstAt, calls: () => calls, close: () => { server.closeAllConnections(); server.close(); } };
}

/** Update ids: the load process counts from 100,000,000, the newcomers (this process) from 900,000,000. */
let updateId = isLoadProcess ? 100_000_000 : 900_000_000;
function update(chat: number, text: string): string {
  const id = ++updateId;
  return JSON.stringify({
    update_id: id,
    message: { message_id: id % 1_000_000, date: 1_730_000_000, text, from: { id: chat, is_bot: false, first_name: 'A' }, chat: { id: chat, type: 'private' } },
  });
}

/** The load runs in its own process (the other core), so it does not share the bot's event loop. */
interface LoadJob { url: string; headers: Record<string, string>; connections: number; seconds: number; chats: number }
interface LoadResult { total: number; average: number; non2xx: number; errors: number; p99: number }

async function load(job: LoadJob): Promise<LoadResult> {
  let seq = 0;
  const r = await autocannon({
    url: job.url, method: 'POST', headers: job.headers, connections: job.connections, duration: job.seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: update(1_000 + (seq++ % job.chats), QUESTIONS[seq % QUESTIONS.length]) }) }],
  });
  return { total: r.requests.total, average: r.requests.average, non2xx: r.non2xx, errors: r.errors, p99: r.latency.p99 };
}

async function main(): Promise<void> {
  const seconds = env('BURST_SECONDS', 20);
  const chats = env('BURST_CHATS', 500);
  const connections = env('BURST_CONNECTIONS', 50);
  const dir = mkdtempSync(join(tmpdir(), 'binhan-burst-'));
  const tg = await fakeTelegram(env('API_DELAY_MS', 40));
  const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
  const channels = createChannels(app, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: tg.url });
  const web = createServer(app, channels);
  const server = await new Promise<ReturnType<typeof web.listen>>((r) => { const s = web.listen(0, '127.0.0.1', () => r(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`;
  const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET };
  const dispatcher = channels.dispatchers.get('telegram')!;
  const outbox = dispatcher.outbox;
  const rss0 = process.memoryUsage().rss;

  /** A new person writes once; resolves to the ms until the platform got their first reply. */
  let newcomer = 900_000_000;
  const firstReply = async (): Promise<number> => {
    const chat = ++newcomer;
    const t0 = performance.now();
    await fetch(url, { method: 'POST', headers, body: update(chat, 'cho mình hỏi số điện thoại đường dây nóng') });
    for (;;) {
      const at = tg.firstAt.get(String(chat));
      if (at !== undefined) return at - t0;
      if (performance.now() - t0 > 600_000) return Infinity;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  // One sender flooding, before the burst: how soon is it throttled? (web chat: one address and client; Telegram:
  // one chat). Sequential requests, as fast as they are answered.
  const base = url.replace('/webhooks/telegram', '');
  const flood = async (send: (i: number) => Promise<boolean>): Promise<{ n: number; ms: number }> => {
    const t0 = performance.now();
    for (let i = 1; i <= 1000; i++) if (await send(i)) return { n: i, ms: performance.now() - t0 };
    return { n: Infinity, ms: Infinity };
  };
  const webFlood = await flood(async (i) => {
    const r = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client: 'floodclient000000001', id: `flood${String(i).padStart(6, '0')}`, text: 'xin chào' }) });
    await r.arrayBuffer();
    return r.status === 429;
  });
  const refusedBefore = app.limits.refused.conversation;
  const tgFlood = await flood(async () => {
    await fetch(url, { method: 'POST', headers, body: update(777, 'xin chào') });
    await dispatcher.inbound.drain();
    return app.limits.refused.conversation > refusedBefore;
  });
  await channels.drain();

  let maxQueued = 0;
  const depth = setInterval(() => { maxQueued = Math.max(maxQueued, outbox.stats.queued); }, 50);
  const during: Promise<number>[] = [];
  const midway = setTimeout(() => { for (let i = 0; i < 3; i++) during.push(firstReply()); }, (seconds * 1000) / 2);
  const burst = await loadInChild<LoadJob, LoadResult>({ url, headers, connections, seconds, chats });
  clearTimeout(midway);
  const rssBurst = process.memoryUsage().rss;
  const queuedAfter = outbox.stats.queued;
  const waitingAfter = dispatcher.inbound.stats.waiting;
  const after: number[] = [];
  for (let i = 0; i < 5; i++) after.push(await firstReply());
  const mid = await Promise.all(during);
  clearInterval(depth);
  const fmt = (xs: number[]) => xs.map((x) => `${Math.round(x)} ms`).join(', ');
  const lines = [
    `one sender flooding: web chat refused at request ${webFlood.n}, ${Math.round(webFlood.ms)} ms after the first; one Telegram chat refused at message ${tgFlood.n}, ${Math.round(tgFlood.ms)} ms after the first`,
    `burst: ${seconds} s, ${connections} connections, ${chats} chats: ${burst.total} webhook requests (${Math.round(burst.average)}/s), non-2xx ${burst.non2xx}, errors ${burst.errors}, p99 ${burst.p99} ms`,
    `inbound: ${dispatcher.inbound.stats.run} turns run, ${dispatcher.inbound.stats.refused} refused (a conversation's queue full), ${waitingAfter} waiting when the burst ended; limits refused ${JSON.stringify(app.limits.refused)}`,
    `outbound: at most ${maxQueued} parts waiting (cap ${Math.ceil(30 * 60)}), ${queuedAfter} waiting when the burst ended; sent ${outbox.stats.sent}, shed ${outbox.stats.shed}, failed ${outbox.stats.failed}`,
    `a new person's first reply, mid-burst: ${fmt(mid)}`,
    `a new person's first reply, right after the burst: ${fmt(after)}`,
    `memory (RSS): ${Math.round(rss0 / 1e6)} MB before, ${Math.round(rssBurst / 1e6)} MB after the burst`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  server.closeAllConnections();
  server.close();
  await channels.stop();
  await app.close();
  tg.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

benchEntry(load, main);
