/**
 * `npm run bench:http`: requests per second and latency of the web chat API (`POST /api/chat`) and the Telegram
 * webhook at 50 connections, on the embedded SQLite store (every turn committed with synchronous=FULL before it
 * is answered). The load runs in a second process (autocannon). The abuse limits are raised for the run (one
 * address sends everything); each request is a new message of one of `HTTP_CLIENTS` conversations.
 * Prints figures; no pass/fail.
 *
 *   HTTP_SECONDS (10), HTTP_CONNECTIONS (50), HTTP_CLIENTS (5000), HTTP_TARGETS (chat,telegram)
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchEntry, loadInChild } from './load-process.js';
import { loadConfig } from '../config.js';
import { createApp } from '../app/index.js';
import { createChannels } from '../channels/index.js';
import { createServer } from '../web/server.js';
import { createLogger } from '../log.js';

const TOKEN = '7000000000:BenchTokenBenchTokenBenchToken_abcd';
const SECRET = 'bench_secret_0123456789abcdef';
/** What people type most: greetings, short questions, menu words (a mix like the golden conversations). */
const TEXTS = ['xin chào', 'ma túy đá có hại gì', 'cai nghiện ở đâu', 'số đường dây nóng', 'cảm ơn', 'menu', 'việc nhẹ lương cao có thật không', 'ok'];
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

interface LoadJob { target: 'chat' | 'telegram'; url: string; headers: Record<string, string>; connections: number; seconds: number; clients: number }
interface LoadResult { total: number; average: number; non2xx: number; errors: number; p50: number; p99: number }

async function load(job: LoadJob): Promise<LoadResult> {
  let seq = 0;
  const body = (): string => {
    const n = seq++;
    const text = TEXTS[n % TEXTS.length];
    if (job.target === 'chat') {
      return JSON.stringify({ client: `benchclient${String(n % job.clients).padStart(8, '0')}`, id: `m${String(n).padStart(10, '0')}`, text });
    }
    const chat = 10_000 + (n % job.clients);
    return JSON.stringify({ update_id: 200_000_000 + n, message: { message_id: n, date: 1_730_000_000, text, from: { id: chat, is_bot: false, first_name: 'A' }, chat: { id: chat, type: 'private' } } });
  };
  const r = await autocannon({
    url: job.url, method: 'POST', headers: job.headers, connections: job.connections, duration: job.seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return { total: r.requests.total, average: r.requests.average, non2xx: r.non2xx, errors: r.errors, p50: r.latency.p50, p99: r.latency.p99 };
}

async function main(): Promise<void> {
  const seconds = env('HTTP_SECONDS', 10);
  const connections = env('HTTP_CONNECTIONS', 50);
  const clients = env('HTTP_CLIENTS', 5000);
  const targets = (process.env.HTTP_TARGETS ?? 'chat,telegram').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'binhan-http-'));
  // The platform's send API: answers at once (sends are not what is measured here).
  const platform = createHttpServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true,"result":{"message_id":1}}'); }); });
  await new Promise<void>((r) => platform.listen(0, '127.0.0.1', () => r()));
  const apiBase = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
  const config = loadConfig({
    DATA_DIR: dir, LOG_LEVEL: 'silent',
    RATE_ADDRESS_PER_MINUTE: '1000000', RATE_MESSAGES_PER_MINUTE: '100000', RATE_GLOBAL_PER_SECOND: '1000000',
  });
  const app = await createApp(config, { log: createLogger('silent') });
  const channels = createChannels(app, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: apiBase });
  const web = createServer(app, channels);
  const server = await new Promise<ReturnType<typeof web.listen>>((r) => { const s = web.listen(0, '127.0.0.1', () => r(s)); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lines: string[] = [];
  for (const target of targets) {
    const job: LoadJob = target === 'chat'
      ? { target: 'chat', url: `${base}/api/chat`, headers: { 'content-type': 'application/json' }, connections, seconds, clients }
      : { target: 'telegram', url: `${base}/webhooks/telegram`, headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, connections, seconds, clients };
    const r = await loadInChild<LoadJob, LoadResult>(job);
    let drained = '';
    if (target === 'telegram') {
      // The webhook answers at once; the turns run after it. How long until they all ran:
      const t0 = performance.now();
      await channels.dispatchers.get('telegram')!.inbound.drain();
      drained = `, turns all run ${Math.round(performance.now() - t0)} ms after the load`;
    }
    lines.push(`${target === 'chat' ? 'POST /api/chat' : 'Telegram webhook'}: ${r.total} requests in ${seconds} s = ${Math.round(r.average)}/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}${drained}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  server.closeAllConnections();
  server.close();
  await channels.stop();
  await app.close();
  platform.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

benchEntry(load, main);
