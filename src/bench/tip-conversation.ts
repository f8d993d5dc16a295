/**
 * `npm run bench`: in-process turns per second of complete anonymous-tip conversations through
 * the engine + NLU + SQLite store (the real runtime, no HTTP). Prints figures; no pass/fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createApp } from '../app/index.js';
import { createLogger } from '../log.js';
import type { Bot } from '../app/bot.js';

const PROVINCES = ['Nghệ An', 'Hà Nội', 'TP. Hồ Chí Minh', 'Cần Thơ', 'Lào Cai', 'Quảng Ninh', 'An Giang', 'Đà Nẵng'];
const CATEGORIES = ['Ma túy', 'Mua bán người', 'Lừa đảo (việc, mạng)', 'Mại dâm'];
const PLACES = ['quán nước đầu hẻm', 'bãi xe gần chợ', 'nhà trọ cuối ngõ', 'quán karaoke ven đường', 'bến xe khách', 'tiệm cầm đồ'];
const TIMES = ['vào mỗi tối', 'cuối tuần', 'lúc nửa đêm', 'sáng sớm'];

/** A complete tip conversation; tips vary (category, province, text) like real ones, so related-tip links are occasional. */
function script(i: number): (string | { tap: string })[] {
  return [
    'tôi muốn báo tin', { tap: CATEGORIES[i % CATEGORIES.length] }, PROVINCES[i % PROVINCES.length], 'gần chợ xã', { tap: 'Vẫn đang diễn ra' },
    `Có người lạ hay tụ tập ở ${PLACES[i % PLACES.length]} ${TIMES[(i >> 2) % TIMES.length]}, mỗi lần một nhóm khác nhau (lần ${i}).`,
    { tap: 'Bỏ qua' }, { tap: 'Không' }, { tap: 'Không để lại' }, { tap: 'Gửi tin báo' },
  ];
}

async function conversation(bot: Bot, user: string, i: number): Promise<number> {
  let choices: { id: string; label: string }[] = [];
  let turns = 0;
  for (const step of script(i)) {
    const msg = typeof step === 'string'
      ? { channel: 'bench', userId: user, text: step }
      : { channel: 'bench', userId: user, payload: (choices.find((c) => c.label === step.tap) ?? { id: 'missing' }).id };
    const out = await bot.handle({ ...msg, messageId: `${user}-${turns}` });
    choices = out.replies.flatMap((r) => r.choices ?? []);
    turns++;
  }
  return turns;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'binhan-bench-'));
  try {
    const t0 = performance.now();
    const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    const startup = performance.now() - t0;
    // Warm-up, then measure.
    for (let i = 0; i < 20; i++) await conversation(app.bot, `warm-${i}`, i);
    const n = Number(process.env.BENCH_CONVERSATIONS ?? 400);
    const t1 = performance.now();
    let turns = 0;
    for (let i = 0; i < n; i++) turns += await conversation(app.bot, `user-${i}`, i);
    const secs = (performance.now() - t1) / 1000;
    const cases = (await app.store.listCases({ limit: 100_000 })).length;
    const sample = 'em trai tôi dùng ma túy, gia đình nên làm gì vậy ạ';
    const k = 20_000;
    const t2 = performance.now();
    for (let i = 0; i < k; i++) app.nlu.classify(sample);
    const classifyUs = ((performance.now() - t2) * 1000) / k;
    const t3 = performance.now();
    for (let i = 0; i < k; i++) app.nlu.retrieve(sample);
    const retrieveUs = ((performance.now() - t3) * 1000) / k;
    const t4 = performance.now();
    for (let i = 0; i < k; i++) app.nlu.crisis(sample);
    const crisisUs = ((performance.now() - t4) * 1000) / k;
    await app.close();
    process.stdout.write([
      `start-up (load flows + content, train NLU, open SQLite): ${startup.toFixed(0)} ms`,
      `tip conversations: ${n} (${turns} turns, ${cases} cases stored, synchronous=FULL, sealed at rest, related tips linked)`,
      `turns per second (engine + NLU + SQLite, in-process): ${(turns / secs).toFixed(0)}`,
      `mean turn: ${((secs * 1000) / turns).toFixed(2)} ms`,
      `NLU classify: ${classifyUs.toFixed(1)} µs per message; knowledge retrieval: ${retrieveUs.toFixed(1)} µs; crisis router: ${crisisUs.toFixed(1)} µs`,
      '',
    ].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
