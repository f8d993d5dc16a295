/**
 * Random walks through the tip flow (issue #10's property test): people tap any button, type labels, synonyms,
 * yes/no words and stories in Vietnamese or English, say goodbye, open the menu, restart the chat, write a crisis
 * line, go idle past the timeout, and the process restarts. After every step two properties are checked
 * against the durable store:
 *   1. a draft (a tip half written) disappears only when the reporter chose to discard it (or sent it);
 *   2. a tip is stored exactly once when the reporter chose to send it, never otherwise, and a redelivered
 *      message never stores a second one.
 * `npm run walks -- [count] [seed]` runs the full size against SQLite (and MongoDB when MONGODB_URI is set)
 * and prints figures; tests/tip-walks.test.ts runs a smaller count in `npm test`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { createApp, type App } from '../app/index.js';
import { createLogger } from '../log.js';
import type { Store } from '../store/port.js';
import type { OutMessage } from '../engine/types.js';

const MINUTE = 60_000;

/** Labels and words whose choice is the reporter's own decision to send or to discard. */
const SEND_TAPS = new Set(['Gửi tin báo', 'Send the tip', 'Gửi lại', 'Send again']);
const SEND_WORDS = ['ok', 'gửi', 'ừ', 'được', 'đồng ý', 'yes', 'send', 'ok send it', 'gui di'];
const DISCARD_TAPS = new Set(['Bỏ tin báo', 'Discard the tip', 'Hủy tin báo', 'Discard', 'Có, xóa đi', 'Yes, delete']);
/** Words that leave without discarding ("hủy" parks a draft; "xóa dữ liệu" asks first). */
const LEAVE_WORDS = ['hủy', 'cancel', 'thôi', 'dừng lại', 'xóa dữ liệu', 'delete my data'];

const STORIES = [
  'Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.',
  'Người quen rủ em gái tôi đi Campuchia làm việc nhẹ lương cao, giữ luôn căn cước.',
  'A Telegram group pays people to like videos, then asks for deposits and blocks them.',
  'quán massage cuối đường có mấy em nhìn mới 15 16 tuổi, khách ra vào cả đêm',
  'Tôi là Nguyễn Thị Lan, số của tôi 0987654321, nhà bên cạnh bán ma túy cho thanh niên.',
];
const TYPED = [
  'Nghệ An', 'Hà Nội', 'vung tau', 'Đài Loan', 'Taiwan', 'không rõ', 'unknown', 'gần chợ xã', 'bỏ qua', 'skip',
  'không', 'no', 'Not sure', 'không chắc', 'có', 'chưa', 'xong rồi', '1', '2', '3', 'hôm qua', 'still going on',
  'thôi em sợ bị lộ lắm, người ta biết em báo thì sao', 'báo tin có bị lộ không?', 'ma túy đá là gì',
  'tôi cũng không biết nên chọn cái nào nữa', '🙂', 'tiếp tục tin báo', 'continue my tip', 'xem lại & gửi',
];
const GOODBYES = ['bye', 'thôi cảm ơn nhé', 'tạm biệt', 'cảm ơn'];
const CRISES = ['cứu tôi với, tôi đang bị nhốt trong nhà kho', 'em vừa rạch tay', 'bạn tôi không thở'];
const STARTS = ['tôi muốn báo tin', 'I want to report something', 'e muon bao tin'];

/** What a typed text chooses where these buttons are showing: a label typed, an option's number, a send word. */
function typedIntent(t: string, choices: { label: string }[], atReview: boolean): 'send' | 'discard' | 'other' {
  const picked = /^[1-9]$/.test(t) ? choices[Number(t) - 1]?.label : choices.find((c) => c.label.toLowerCase() === t.toLowerCase())?.label;
  // A yes-word at a yes/no question picks its "yes" ("có" at "Bạn có chắc muốn xóa không?").
  const yes = ['có', 'ok', 'yes', 'ừ', 'được'].includes(t.toLowerCase()) ? choices.find((c) => /^(có|yes)(?=[\s,]|$)/i.test(c.label))?.label : undefined;
  if (yes && DISCARD_TAPS.has(yes)) return 'discard';
  if (picked && SEND_TAPS.has(picked)) return 'send';
  if (picked && DISCARD_TAPS.has(picked)) return 'discard';
  if (atReview && (/gửi|send/i.test(t) || SEND_WORDS.includes(t.toLowerCase()))) return 'send';
  return 'other';
}

/** A small seeded generator (mulberry32), so a failing walk can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WalkFigures {
  walks: number;
  steps: number;
  sent: number;
  discarded: number;
  draftsKeptThroughLeaving: number;
  redeliveries: number;
  restarts: number;
  timeouts: number;
  ms: number;
  /** Every broken property, with the seed and step to replay it. */
  failures: string[];
}

export interface WalkOptions {
  walks: number;
  seed?: number;
  /** Steps per walk (at most). */
  steps?: number;
  /** Replays one walk by its seed (as printed with a failure), printing each step when `trace` is set. */
  only?: number;
  trace?: (line: string) => void;
}

/** Runs the walks against an app whose clock the walker controls (`clock.now`). */
export async function runWalks(app: App, clock: { now: number }, opts: WalkOptions): Promise<WalkFigures> {
  const f: WalkFigures = { walks: 0, steps: 0, sent: 0, discarded: 0, draftsKeptThroughLeaving: 0, redeliveries: 0, restarts: 0, timeouts: 0, ms: 0, failures: [] };
  const started = Date.now();
  // Counted by the store (an aggregate query), not by reading every case back.
  const countCases = async (): Promise<number> => (await app.store.countCases({}, 'status')).reduce((n, r) => n + r.count, 0);
  let cases = await countCases();
  const seed0 = opts.seed ?? 1;
  for (let w = 0; w < opts.walks; w++) {
    const seed = opts.only ?? seed0 * 100_003 + w;
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const user = `walker-${seed}`;
    let last: OutMessage[] = [];
    let msgNo = 0;
    let lastMsg: { id: string; text?: string; payload?: string } | undefined;
    const send = async (m: { text?: string; payload?: string; start?: boolean }, id?: string): Promise<void> => {
      const messageId = id ?? `${user}-${msgNo++}`;
      lastMsg = { id: messageId, ...(m.text !== undefined ? { text: m.text } : {}), ...(m.payload !== undefined ? { payload: m.payload } : {}) };
      const out = await app.bot.handle({ channel: 'walk', userId: user, messageId, ...m });
      if (!out.duplicate) last = out.replies;
    };
    await send({ text: pick(STARTS) });
    const steps = 4 + Math.floor(rnd() * ((opts.steps ?? 24) - 4));
    // Half the walkers mostly answer what is asked (and so reach the review and send); the rest wander.
    const diligent = rnd() < 0.5;
    for (let i = 0; i < steps; i++) {
      const before = await app.bot.holdsDraft('walk', user, clock.now);
      const choices = last.flatMap((m) => m.choices ?? []);
      const atReview = choices.some((c) => SEND_TAPS.has(c.label));
      let intent: 'send' | 'discard' | 'leave' | 'other' = 'other';
      let what = '';
      const r = rnd();
      const asked = last.map((m) => m.text).join(' ');
      const onward = choices.filter((c) => !DISCARD_TAPS.has(c.label) && !/menu/i.test(c.label));
      if (diligent && rnd() < 0.75 && (onward.length || !choices.length)) {
        if (onward.length) {
          const c = pick(onward);
          what = `tap ${c.label}`;
          intent = SEND_TAPS.has(c.label) ? 'send' : 'other';
          await send({ payload: c.id });
        } else {
          const t = /tỉnh\/thành|province/i.test(asked) ? pick(['Nghệ An', 'Hà Nội', 'vung tau', 'Đài Loan', 'không rõ']) : pick(STORIES);
          what = `answer ${t}`;
          await send({ text: t });
        }
      } else if (r < 0.45 && choices.length) {
        const c = pick(choices);
        what = `tap ${c.label}`;
        intent = SEND_TAPS.has(c.label) ? 'send' : DISCARD_TAPS.has(c.label) ? 'discard' : 'other';
        await send({ payload: c.id });
      } else if (r < 0.55 && choices.length) {
        const c = pick(choices);
        what = `type ${c.label}`;
        // At the review, a typed label that says "send" ("Xem lại & gửi") is a choice to send.
        intent = SEND_TAPS.has(c.label) || (atReview && /gửi|send/i.test(c.label)) ? 'send' : DISCARD_TAPS.has(c.label) ? 'discard' : 'other';
        await send({ text: c.label });
      } else if (r < 0.6 && atReview) {
        const t = pick(SEND_WORDS);
        what = `type ${t} at the review`;
        intent = 'send';
        await send({ text: t });
      } else if (r < 0.72) {
        const t = rnd() < 0.5 ? pick(TYPED) : pick(STORIES);
        what = `type ${t}`;
        intent = typedIntent(t, choices, atReview);
        await send({ text: t });
      } else if (r < 0.77) {
        const t = pick(GOODBYES);
        what = `type ${t}`;
        intent = 'leave';
        await send({ text: t });
      } else if (r < 0.8) {
        what = 'type menu';
        intent = 'leave';
        await send({ text: 'menu' });
      } else if (r < 0.83) {
        what = 'start';
        intent = 'leave';
        await send({ start: true });
      } else if (r < 0.86) {
        const t = pick(CRISES);
        what = `type ${t}`;
        intent = 'leave';
        await send({ text: t });
      } else if (r < 0.87) {
        const t = pick(LEAVE_WORDS);
        what = `type ${t}`;
        intent = 'leave';
        await send({ text: t });
      } else if (r < 0.91) {
        // Idle past the timeout (40 minutes), or for hours (still within the draft's 24).
        clock.now += rnd() < 0.5 ? 40 * MINUTE : 5 * 60 * MINUTE;
        f.timeouts++;
        const t = pick([...TYPED, ...GOODBYES]);
        what = `idle, then type ${t}`;
        // After the idle time the question is still there: what is typed still answers it.
        const typed = typedIntent(t, choices, atReview);
        intent = typed === 'other' ? 'leave' : typed;
        await send({ text: t });
      } else if (r < 0.95 && lastMsg) {
        // The platform delivers the same message again.
        what = 'redelivery';
        f.redeliveries++;
        const again = lastMsg;
        await send({ ...(again.text !== undefined ? { text: again.text } : {}), ...(again.payload !== undefined ? { payload: again.payload } : {}) }, again.id);
      } else {
        // The process restarts: nothing in memory survives, only what the store holds.
        (app.bot as unknown as { remembered: Map<string, unknown> }).remembered.clear();
        f.restarts++;
        what = 'restart';
        intent = 'leave';
      }
      f.steps++;
      clock.now += 5_000;
      const now = await countCases();
      const after = await app.bot.holdsDraft('walk', user, clock.now);
      const where = `walk seed ${seed}, step ${i + 1} (${what})`;
      opts.trace?.(`${where} [draft ${before ? 'yes' : 'no'} -> ${after ? 'yes' : 'no'}]\n${last.map((m) => `  | ${m.text.slice(0, 160).replace(/\n/g, ' / ')}${m.choices?.length ? `\n  [${m.choices.map((c) => c.label).join('] [')}]` : ''}`).join('\n')}`);
      if (now > cases + 1) f.failures.push(`${where}: ${now - cases} tips stored by one step`);
      if (now === cases + 1) {
        if (intent !== 'send') f.failures.push(`${where}: a tip was stored without the reporter choosing to send it`);
        else if (!last.some((m) => /BA-[A-Z0-9]{6}/.test(m.text))) f.failures.push(`${where}: a tip was stored but no code was shown`);
        f.sent++;
      } else if (intent === 'send' && atReview && what !== 'redelivery') {
        f.failures.push(`${where}: the reporter chose to send at the review, and nothing was stored`);
      }
      if (before && !after && now === cases) {
        if (intent === 'discard') f.discarded++;
        else f.failures.push(`${where}: the draft disappeared though the reporter did not discard it`);
      }
      if (before && after && intent === 'leave') f.draftsKeptThroughLeaving++;
      cases = now;
    }
    f.walks++;
  }
  f.ms = Date.now() - started;
  return f;
}

/** An app on its own data folder and store, with a clock the walker moves. */
export async function walkApp(store?: Store): Promise<{ app: App; clock: { now: number }; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'binhan-walks-'));
  const clock = { now: Date.UTC(2026, 10, 30, 8) };
  // The walks test drafts and sends, not the abuse limits (tests/limits.test.ts): their budgets are lifted here.
  const env = { RATE_MESSAGES_PER_MINUTE: '100000', RATE_TIPS_PER_HOUR: '100000', RATE_TIPS_GLOBAL_PER_MINUTE: '1000000' };
  const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'error', ...env, ...(process.env.BINHAN_ROOT ? { BINHAN_ROOT: process.env.BINHAN_ROOT } : {}) }), {
    log: createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } })), now: () => clock.now, ...(store ? { store } : {}),
  });
  return { app, clock, close: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10_000);
  const seed = Number(process.argv[3] ?? 1);
  // `npm run walks -- replay <seed>`: one walk, every step printed.
  if (process.argv[2] === 'replay') {
    const { app, clock, close } = await walkApp();
    try {
      const f = await runWalks(app, clock, { walks: 1, only: seed, trace: (l) => process.stdout.write(`${l}\n`) });
      for (const x of f.failures) process.stdout.write(`BROKEN: ${x}\n`);
    } finally { await close(); }
    return;
  }
  const stores: { name: string; open: () => Promise<Store | undefined> }[] = [{ name: 'sqlite', open: async () => undefined }];
  const uri = process.env.MONGODB_URI;
  if (uri) {
    stores.push({
      name: 'mongodb',
      open: async () => {
        const { MongoStore } = await import('../store/mongo/index.js');
        return MongoStore.connect(uri, { dbName: `binhan_walks_${Date.now().toString(36)}` });
      },
    });
  }
  let failed = false;
  // WALK_STORES=mongodb (or sqlite) runs one of them only.
  const only = process.env.WALK_STORES?.split(',');
  for (const s of stores.filter((x) => !only || only.includes(x.name))) {
    const { app, clock, close } = await walkApp(await s.open());
    try {
      const f = await runWalks(app, clock, { walks: count, seed });
      failed ||= f.failures.length > 0;
      process.stdout.write(`${s.name}: ${f.walks} walks, ${f.steps} steps in ${(f.ms / 1000).toFixed(1)} s; sent ${f.sent}, discarded ${f.discarded}, drafts kept through leaving ${f.draftsKeptThroughLeaving}, redeliveries ${f.redeliveries}, restarts ${f.restarts}, idle ${f.timeouts}; broken properties: ${f.failures.length}\n`);
      for (const x of f.failures.slice(0, 20)) process.stdout.write(`  ${x}\n`);
    } finally {
      await close();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();
