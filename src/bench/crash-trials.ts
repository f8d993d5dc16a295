/**
 * `npm run trial:crash`: kill -9 trials (issue #11). The bot runs as a real process (dist/main.js) with the
 * Telegram webhook; a loopback stand-in for api.telegram.org records what it sends. In each trial a few
 * reporters file a whole tip, message by message, like people: they wait for the answer before the next step,
 * and the "platform" delivers an update again until it gets a 200 (as Telegram does). At a random moment the
 * bot is killed with SIGKILL and started again. Afterwards:
 *
 *   lost          an acknowledged message that never got an answer (ANSWER_WITHIN_MS, 60 s)
 *   misfiled      a step whose answer did not fit it (the button the next step taps is missing, or the stored
 *                 tip's province/category differ from what the reporter gave)
 *   codeMissing   a reporter whose tip is stored but who never saw its code
 *   tipsLost      a reporter who saw a code with no case behind it; tipsDuplicated: cases beyond one per reporter
 *   resent        replies that arrived twice in a row (allowed: at most once more after a crash)
 *
 *   TRIALS (100), REPORTERS (4), MONGODB_URI (unset: the embedded SQLite store), KILL_WITHIN_MS (3000)
 * Prints figures; exits 1 if any of the first five is not 0.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BotProcess, sleep } from './bot-process.js';

const TOKEN = '7000000000:TrialTokenTrialTokenTrialToken_abcd';
const SECRET = 'trial_secret_0123456789abcdef';
const PROVINCES = ['Nghệ An', 'Hà Nội', 'Cần Thơ', 'Lào Cai', 'Quảng Ninh', 'Đà Nẵng'];
/** The category buttons tapped, and the value a stored tip holds for each (flows/tip.yaml). */
const CATEGORIES = [['Ma túy', 'drugs'], ['Mua bán người', 'trafficking'], ['Mại dâm', 'prostitution']] as const;
const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
/** An acknowledged message unanswered this long counts as lost (a restart takes a few seconds). */
const ANSWER_WITHIN_MS = num('ANSWER_WITHIN_MS', 60_000);

interface Sent { text: string; buttons: { text: string; data: string }[] }

/** The stand-in for api.telegram.org: every sendMessage per chat, in order. */
async function fakeTelegram(): Promise<{ url: string; chats: Map<string, Sent[]>; close: () => void }> {
  const chats = new Map<string, Sent[]>();
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      if (req.url?.endsWith('/sendMessage')) {
        const m = JSON.parse(body) as { chat_id: string; text: string; reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] } };
        const list = chats.get(String(m.chat_id)) ?? [];
        list.push({ text: m.text, buttons: (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data })) });
        chats.set(String(m.chat_id), list);
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, chats, close: () => { server.closeAllConnections(); server.close(); } };
}


interface Tally { trials: number; reporters: number; messages: number; lost: number; misfiled: number; codeMissing: number; tipsLost: number; tipsDuplicated: number; resent: number; deliveriesRetried: number; killsDuringConversation: number; slowestReplyMs: number; restartMs: number[] }

let updateId = 1_000_000;

/** One reporter's whole tip over the webhook; returns the code they saw (if any) and what went wrong. */
async function reporter(bot: BotProcess, tg: Awaited<ReturnType<typeof fakeTelegram>>, chat: number, i: number, t: Tally): Promise<{ ref?: string; province: string; category: string }> {
  const province = PROVINCES[i % PROVINCES.length];
  const [label, category] = CATEGORIES[i % CATEGORIES.length];
  const steps: (string | { tap: string })[] = [
    'tôi muốn báo tin', { tap: label }, province, 'gần chợ xã', { tap: 'Vẫn đang diễn ra' },
    `Có người lạ tụ tập ở bến xe mỗi tối, trạm ${chat}.`, { tap: 'Bỏ qua' }, { tap: 'Không' }, { tap: 'Không để lại' }, { tap: 'Gửi tin báo' },
  ];
  const seen = (): Sent[] => tg.chats.get(String(chat)) ?? [];
  let from = 0;
  let ref: string | undefined;
  for (const [k, step] of steps.entries()) {
    const next = steps[k + 1];
    let body: Record<string, unknown>;
    const id = ++updateId;
    const user = { id: chat, is_bot: false, first_name: 'A' };
    if (typeof step === 'string') {
      body = { update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), text: step, from: user, chat: { id: chat, type: 'private' } } };
    } else {
      const button = seen().slice(from).flatMap((m) => m.buttons).find((b) => b.text === step.tap);
      if (!button) {
        if (process.env.TRIAL_DEBUG) process.stderr.write(`no button "${step.tap}" in ${JSON.stringify(seen().slice(from))}\n`);
        t.misfiled++;
        return { province, category };
      }
      body = { update_id: id, callback_query: { id: `cb${id}`, from: user, data: button.data, message: { message_id: 1, date: 0, chat: { id: chat, type: 'private' } } } };
    }
    from = seen().length;
    // The platform: the same update again until a 200.
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${bot.url}/webhooks/telegram`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
        });
        if (r.status === 200) break;
      } catch { /* killed, or not up yet */ }
      if (attempt) t.deliveriesRetried++;
      await sleep(100);
    }
    t.messages++;
    const acked = Date.now();
    const deadline = acked + ANSWER_WITHIN_MS;
    while (seen().length === from && Date.now() < deadline) await sleep(20);
    if (seen().length === from) { t.lost++; return { province, category }; }
    t.slowestReplyMs = Math.max(t.slowestReplyMs, Date.now() - acked);
    // The rest of the answer (Telegram: one part per second per chat): until the next step's button shows,
    // or, before a typed answer, until nothing more came for a while.
    if (next !== undefined && typeof next !== 'string') {
      while (!seen().slice(from).some((m) => m.buttons.some((b) => b.text === next.tap)) && Date.now() < deadline) await sleep(20);
    } else {
      for (let n = seen().length; ; n = seen().length) {
        await sleep(1300);
        if (seen().length === n) break;
      }
    }
  }
  for (const m of seen().slice(from)) ref ??= /\bBA-[2-9A-HJ-NP-Z]{6}\b/.exec(m.text)?.[0];
  return { ref, province, category };
}

async function main(): Promise<void> {
  const trials = num('TRIALS', 100);
  const perTrial = num('REPORTERS', 4);
  const killWithin = num('KILL_WITHIN_MS', 3000);
  const mongo = process.env.MONGODB_URI;
  const dir = mkdtempSync(join(tmpdir(), 'binhan-crash-'));
  const tg = await fakeTelegram();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const bot = new BotProcess({
    PATH: process.env.PATH, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', INSTANCE_ID: 'trial',
    BINHAN_SECRET: 'trial-secret-0123456789abcdef0123456789abcdef',
    TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_BASE: tg.url,
    RATE_TIPS_PER_HOUR: '100', RATE_TIPS_GLOBAL_PER_MINUTE: '100000', RATE_MESSAGES_PER_MINUTE: '1000',
    ...(mongo ? { MONGODB_URI: mongo } : {}),
  }, port);
  const t: Tally = { trials: 0, reporters: 0, messages: 0, lost: 0, misfiled: 0, codeMissing: 0, tipsLost: 0, tipsDuplicated: 0, resent: 0, deliveriesRetried: 0, killsDuringConversation: 0, slowestReplyMs: 0, restartMs: [] };
  const readCases = async (): Promise<{ ref: string; province: string; category: string }[]> => {
    if (!mongo) {
      const db = new Database(join(dir, 'binhan.sqlite'), { readonly: true, fileMustExist: true });
      try { return db.prepare('SELECT ref, province, category FROM cases').all() as { ref: string; province: string; category: string }[]; } finally { db.close(); }
    }
    const { MongoClient } = await import('mongodb');
    const c = await MongoClient.connect(mongo);
    try { return (await c.db().collection('cases').find({}, { projection: { ref: 1, province: 1, category: 1 } }).toArray()) as never; } finally { await c.close(); }
  };
  const started = performance.now();
  const known = new Set<string>();
  await bot.start();
  let chat = 5_000_000;
  try {
    for (let n = 0; n < trials; n++) {
      const killAt = Math.random() * killWithin;
      const chats = Array.from({ length: perTrial }, () => ++chat);
      let running = true;
      const killer = (async () => {
        await sleep(killAt);
        if (running) t.killsDuringConversation++;
        await bot.kill();
        t.restartMs.push(await bot.start());
      })();
      const results = await Promise.all(chats.map((c, i) => reporter(bot, tg, c, n * perTrial + i, t)));
      running = false;
      await killer;
      t.trials++;
      t.reporters += chats.length;
      for (const c of chats) {
        const msgs = tg.chats.get(String(c)) ?? [];
        for (let k = 1; k < msgs.length; k++) {
          if (msgs[k].text !== msgs[k - 1].text) continue;
          t.resent++;
          if (process.env.TRIAL_DEBUG) process.stderr.write(`resent: ${msgs[k].text.slice(0, 80)}\n`);
        }
      }
      // Every case of this trial belongs to one reporter, who saw its code; one case per reporter.
      const fresh = (await readCases()).filter((c) => !known.has(c.ref));
      for (const c of fresh) known.add(c.ref);
      if (fresh.length > chats.length) t.tipsDuplicated += fresh.length - chats.length;
      for (const c of fresh) {
        const owner = chats.findIndex((id) => (tg.chats.get(String(id)) ?? []).some((m) => m.text.includes(c.ref)));
        if (owner < 0) { t.codeMissing++; continue; }
        const r = results[owner];
        if (c.province !== r.province || c.category !== r.category) t.misfiled++;
      }
      for (const r of results) if (r.ref && !fresh.some((c) => c.ref === r.ref)) t.tipsLost++;
      if ((n + 1) % 10 === 0) process.stdout.write(`  ${n + 1} trials: ${JSON.stringify({ ...t, restartMs: undefined })}\n`);
    }
  } finally {
    await bot.stop();
    tg.close();
  }
  const ms = [...t.restartMs].sort((a, b) => a - b);
  const report = {
    store: mongo ? `mongodb (${mongo.replace(/\/\/[^@]*@/, '//')})` : 'sqlite',
    ...t, restartMs: undefined,
    restartMedianMs: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), minutes: Math.round((performance.now() - started) / 600) / 100,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  if (t.lost || t.misfiled || t.codeMissing || t.tipsLost || t.tipsDuplicated) process.exit(1);
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
