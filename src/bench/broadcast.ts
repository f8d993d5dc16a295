/**
 * `npm run trial:broadcast`: a broadcast to 10,000 test subscribers (half Telegram, half Messenger marketing
 * messages) through loopback stand-ins, run by a child process that is killed with SIGKILL halfway and started
 * again. The clock starts at 21:58:30 Viet Nam time, so the job stops before 22:00, waits out the night (skipped,
 * not slept) and goes on at 07:00. Fifty people stop their subscription during the run.
 *
 * Asserts: every subscriber who did not stop got the message exactly once (no gap, no duplicate; a kill that
 * lands while a send is on its way may repeat that one: counted and printed), nobody who stopped got it after,
 * nothing was received between 22:00 and 07:00 (virtual time), and no channel went over Telegram's ~30 a second.
 * Prints the time, sends per second, the child's peak memory.
 *
 *   npm run trial:broadcast [-- --n 10000 --rate 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isQuiet } from '../campaigns/broadcast.js';
import { createLogger } from '../log.js';
import { makeRunner, newKeys, openWorld, peakPerSecond, recipientOf, seedSubscribers, TrialClock, type WorldKeys } from './broadcast-world.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive whole number`);
  return v;
};

// ---------------------------------------------------------------- the child: runs the broadcast until done

async function child(file: string, keys: WorldKeys, fakeUrl: string, virtualStart: number, rate: number): Promise<void> {
  const log = createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } }));
  const clock = new TrialClock(virtualStart);
  const say = (line: string): void => { process.stdout.write(`${line}\n`); };
  const sleep = clock.sleep;
  // Tell the parent how virtual time maps to real time (at start, and after a skipped night).
  clock.sleep = async (ms: number) => { await sleep(ms); say(`offset ${Date.now()} ${clock.now() - Date.now()}`); };
  say(`offset ${Date.now()} ${clock.now() - Date.now()}`);
  let peak = 0;
  const mem = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); say(`mem ${peak}`); }, 500);
  const world = openWorld(file, keys);
  const runner = makeRunner(world, fakeUrl, log, clock, rate);
  const done = await runner.run('trial');
  clearInterval(mem);
  say(`done ${JSON.stringify(done?.counts ?? null)} ${done?.status ?? 'missing'}`);
  await world.store.close();
}

// ---------------------------------------------------------------- the parent

interface Got { channel: string; i: number; real: number }

async function parent(): Promise<void> {
  const N = arg('n', 10_000);
  const rate = arg('rate', 20);
  const dir = mkdtempSync(join(tmpdir(), 'binhan-broadcast-trial-'));
  const file = join(dir, 'binhan.sqlite');
  const keys = newKeys();
  const start = Date.parse('2026-12-01T21:58:30+07:00');
  const got: Got[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let json: unknown;
      try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { json = undefined; }
      const who = recipientOf(new URL(req.url ?? '/', 'http://x').pathname, json);
      if (who) got.push({ ...who, real: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { message_id: 1 }, message_id: 'm' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const t0 = Date.now();
  const world = openWorld(file, keys);
  await seedSubscribers(world, N, start);
  await world.store.createBroadcast({ id: 'trial', campaign: [...world.campaigns.keys()][0], item: 'opening', createdBy: 'trial', at: new Date(start).toISOString() });
  await world.store.setBroadcastStatus('trial', ['draft'], 'running', new Date(start).toISOString());
  console.log(`seeded ${N} subscribers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Virtual time of each real instant, from the children's "offset" lines.
  const offsets: { real: number; offset: number }[] = [];
  const virtualAt = (real: number): number => {
    let o = offsets[0]?.offset ?? 0;
    for (const x of offsets) if (x.real <= real) o = x.offset;
    return real + o;
  };
  let peakRss = 0;
  const run = (virtualStart: number): { proc: ChildProcess; ended: Promise<string> } => {
    const proc = spawn(process.execPath, [__filename, '--child', file, JSON.stringify(keys), url, String(virtualStart), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let last = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const [kind, a, b] = line.split(' ');
        if (kind === 'offset') offsets.push({ real: Number(a), offset: Number(b) });
        else if (kind === 'mem') peakRss = Math.max(peakRss, Number(a));
        else if (kind === 'done') last = line;
      }
    });
    return { proc, ended: new Promise((r) => proc.on('exit', (code, signal) => r(last || `exit ${code ?? signal}`))) };
  };

  const sendStart = Date.now();
  const first = run(start);
  // A quarter of the way: fifty people whose turn has not come yet stop their subscription (the last in the
  // order of sending, subscription-key order: an opt-out is honoured up to the moment the message is handed to
  // the channel's Outbox, at most a few messages ahead of the platform call).
  const stoppers = new Set<number>();
  const order = Array.from({ length: N }, (_, i) => i)
    .map((i) => ({ i, key: i % 2 ? world.subs.keyOf('messenger', `psid-${i}`) : world.subs.keyOf('telegram', `tg-${i}`) }))
    .sort((a, b) => (a.key < b.key ? 1 : -1));
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (got.length < N / 4) return;
      clearInterval(t);
      for (const { i } of order.slice(0, 50)) stoppers.add(i);
      void Promise.all([...stoppers].map((i) => world.subs.unsubscribe(i % 2 ? 'messenger' : 'telegram', i % 2 ? `psid-${i}` : `tg-${i}`))).then(() => resolve());
    }, 5);
  });
  // Halfway: kill -9 at a random instant of the next second (not just after a request arrived, which would land
  // inside that request's own moment between the platform's answer and its written result).
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (got.length < N / 2) return;
      clearInterval(t);
      setTimeout(() => { first.proc.kill('SIGKILL'); resolve(); }, Math.floor(Math.random() * 1000));
    }, 7);
  });
  const killedAt = got.length;
  console.log(`first run: ${await first.ended} after ${killedAt} messages`);
  const second = run(virtualAt(Date.now()));
  const result = await second.ended;
  const sendEnd = Date.now();
  console.log(`second run: ${result}`);
  await new Promise<void>((r) => server.close(() => r()));

  // ---- checks
  const per = new Map<number, number>();
  for (const g of got) per.set(g.i, (per.get(g.i) ?? 0) + 1);
  const duplicates = [...per.entries()].filter(([, n]) => n > 1).map(([i]) => i);
  const gaps = Array.from({ length: N }, (_, i) => i).filter((i) => !stoppers.has(i) && !per.has(i));
  const stoppedGot = [...stoppers].filter((i) => per.has(i));
  const atNight = got.filter((g) => isQuiet(virtualAt(g.real)));
  const before = got.filter((g) => virtualAt(g.real) < Date.parse('2026-12-01T22:00:00+07:00')).length;
  const peaks = Object.fromEntries(['telegram', 'messenger'].map((ch) => [ch, peakPerSecond(got.filter((g) => g.channel === ch).map((g) => g.real))]));
  const seconds = (sendEnd - sendStart) / 1000;
  const figures = {
    subscribers: N, stopped: stoppers.size, requests: got.length, killedAfter: killedAt, sentBefore2200: before,
    duplicates: duplicates.length, gaps: gaps.length, stoppedButSent: stoppedGot.length, receivedAtNight: atNight.length,
    peakPerSecond: peaks, seconds: Number(seconds.toFixed(1)), sendsPerSecond: Number((got.length / seconds).toFixed(1)),
    childPeakRssMB: Number((peakRss / 1_048_576).toFixed(0)),
  };
  console.log(JSON.stringify(figures, null, 2));
  await world.store.close();
  rmSync(dir, { recursive: true, force: true });
  const problems = [
    gaps.length && `${gaps.length} subscribers never got the message`,
    // A kill lands between a platform's answer and the written result only for what was on its way: at most one per channel.
    duplicates.length > 2 && `${duplicates.length} subscribers got it twice`,
    stoppedGot.length && `${stoppedGot.length} who stopped got it`,
    atNight.length && `${atNight.length} messages arrived between 22:00 and 07:00`,
    Object.values(peaks).some((p) => p > 30) && `over 30 a second: ${JSON.stringify(peaks)}`,
    !/"queued":0/.test(result) && `the job did not finish: ${result}`,
  ].filter(Boolean);
  if (problems.length) { console.error(`FAILED: ${problems.join('; ')}`); process.exit(1); }
  console.log('OK: no gap, nobody who stopped, nothing at night, within the rate');
}

if (process.argv[2] === '--child') {
  const [, , , file, keys, url, virtualStart, rate] = process.argv;
  child(file, JSON.parse(keys) as WorldKeys, url, Number(virtualStart), Number(rate)).catch((e: Error) => { console.error(e); process.exit(1); });
} else {
  parent().catch((e: Error) => { console.error(e); process.exit(1); });
}
