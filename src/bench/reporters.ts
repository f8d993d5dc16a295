/**
 * `npm run trial:reporters`: many reporters at once (issue #11: 1,000). The bot runs as a real process
 * (dist/main.js); each reporter files a whole tip through the web chat API (`POST /api/chat`), step by step,
 * all of them at the same time, retrying a request that failed with the same message id, as the page does.
 * Afterwards every stored tip must have been shown to its reporter, one case per reporter.
 *
 *   REPORTERS (1000), MONGODB_URI (unset: the embedded SQLite store), REQUEST_TIMEOUT_MS (30000)
 * Prints figures (latency per request: p50, p99, max); exits 1 when a stored tip's code was not shown or a
 * tip was stored twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'node:http';
import { BotProcess } from './bot-process.js';

/** Each person's page keeps its own connection open (node:http, keep-alive, no cap on sockets). */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
function post(url: string, body: string, timeoutMs: number): Promise<{ ok: boolean; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => { try { resolve({ ok: (res.statusCode ?? 0) < 300, json: JSON.parse(data) }); } catch (e) { reject(e); } });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const PROVINCES = ['Nghệ An', 'Hà Nội', 'Cần Thơ', 'Lào Cai', 'Quảng Ninh', 'Đà Nẵng'];
const CATEGORIES = ['Ma túy', 'Mua bán người', 'Mại dâm', 'Lừa đảo (việc, mạng)'];
const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

interface Reply { text: string; choices?: { id: string; label: string }[] }

async function main(): Promise<void> {
  const n = num('REPORTERS', 1000);
  const timeoutMs = num('REQUEST_TIMEOUT_MS', 30_000);
  const mongo = process.env.MONGODB_URI;
  const dir = mkdtempSync(join(tmpdir(), 'binhan-reporters-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const bot = new BotProcess({
    PATH: process.env.PATH, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error',
    BINHAN_SECRET: 'trial-secret-0123456789abcdef0123456789abcdef',
    // Every reporter comes from this one loopback address: the per-address budget is raised for the run.
    RATE_ADDRESS_PER_MINUTE: '1000000', RATE_TIPS_GLOBAL_PER_MINUTE: '100000', RATE_GLOBAL_PER_SECOND: '100000',
    ...(mongo ? { MONGODB_URI: mongo } : {}),
  }, port);
  await bot.start();
  const latencies: number[] = [];
  /** Latencies per step of the conversation (0: the first message … 9: "send"). */
  const byStep = new Map<number, number[]>();
  let retried = 0;
  let failedRequests = 0;

  async function say(client: string, id: string, body: { text?: string; payload?: string }, step: number): Promise<Reply[] | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const t0 = performance.now();
      try {
        const r = await post(`${bot.url}/api/chat`, JSON.stringify({ client, id, ...body }), timeoutMs);
        const j = r.json as { replies: Reply[] };
        latencies.push(performance.now() - t0);
        byStep.set(step, [...(byStep.get(step) ?? []), performance.now() - t0]);
        if (r.ok) return j.replies;
      } catch {
        latencies.push(performance.now() - t0);
      }
      retried++;
    }
    failedRequests++;
    return null;
  }

  async function reporter(i: number): Promise<{ ref?: string; finished: boolean }> {
    const client = `reporter${String(i).padStart(8, '0')}`;
    const steps: (string | { tap: string })[] = [
      'tôi muốn báo tin', { tap: CATEGORIES[i % CATEGORIES.length] }, PROVINCES[i % PROVINCES.length], 'gần chợ xã', { tap: 'Vẫn đang diễn ra' },
      `Có người lạ tụ tập ở bến xe mỗi tối (người báo ${i}).`, { tap: 'Bỏ qua' }, { tap: 'Không' }, { tap: 'Không để lại' }, { tap: 'Gửi tin báo' },
    ];
    let replies: Reply[] = [];
    for (const [k, step] of steps.entries()) {
      const body = typeof step === 'string' ? { text: step } : { payload: replies.flatMap((r) => r.choices ?? []).find((c) => c.label === step.tap)?.id };
      if (body.payload === undefined && typeof step !== 'string') {
        if (process.env.TRIAL_DEBUG) process.stderr.write(`no "${step.tap}" in ${JSON.stringify(replies).slice(0, 400)}\n`);
        return { finished: false };
      }
      const got = await say(client, `${client}-${k}`, body, k);
      if (!got) return { finished: false };
      replies = got;
    }
    const ref = replies.map((r) => /\bBA-[2-9A-HJ-NP-Z]{6}\b/.exec(r.text)?.[0]).find(Boolean);
    return { ref, finished: true };
  }

  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => reporter(i)));
  const seconds = (performance.now() - t0) / 1000;
  await bot.stop();

  let refs: string[];
  if (!mongo) {
    const db = new Database(join(dir, 'binhan.sqlite'), { readonly: true, fileMustExist: true });
    try { refs = (db.prepare('SELECT ref FROM cases').all() as { ref: string }[]).map((r) => r.ref); } finally { db.close(); }
  } else {
    const { MongoClient } = await import('mongodb');
    const c = await MongoClient.connect(mongo);
    try {
      refs = (await c.db().collection('cases').find({}, { projection: { ref: 1 } }).toArray()).map((d) => String(d.ref));
      await c.db().dropDatabase();
    } finally { await c.close(); }
  }
  const shown = new Set(results.map((r) => r.ref).filter((r): r is string => r !== undefined));
  const storedNotShown = refs.filter((r) => !shown.has(r)).length;
  const shownNotStored = [...shown].filter((r) => !refs.includes(r)).length;
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  const report = {
    store: mongo ? 'mongodb' : 'sqlite', reporters: n, seconds: Math.round(seconds * 10) / 10, requests: latencies.length, retried, failedRequests,
    finished: results.filter((r) => r.finished).length, codesShown: shown.size, tipsStored: refs.length, storedNotShown, shownNotStored,
    latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: Math.round(sorted[sorted.length - 1] ?? 0) },
    requestsPerSecond: Math.round(latencies.length / seconds),
    p99ByStepMs: Object.fromEntries([...byStep].sort((a, b) => a[0] - b[0]).map(([k, xs]) => [k, Math.round([...xs].sort((a, b) => a - b)[Math.floor(0.99 * xs.length)] ?? 0)])),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  if (storedNotShown || shownNotStored || refs.length > n) process.exit(1);
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
