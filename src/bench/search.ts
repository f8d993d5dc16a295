/**
 * How far the officers' full-text search scales (issue #12): N tips (default 50,000) written straight to a real
 * SQLite store, sealed as the bot seals them; then the in-memory index is built by the first search (every tip
 * read and decrypted once), queries are timed, and a new tip's update is timed. Prints the figures README quotes.
 *
 *   npm run bench:search -- [tips]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config.js';
import { createApp } from '../app/index.js';
import { createLogger } from '../log.js';
import type { Category } from '../store/port.js';

const PLACES = ['Nghệ An', 'Hà Tĩnh', 'Hà Nội', 'Gia Lai', 'Cà Mau', 'An Giang', 'Lào Cai', 'Quảng Ninh'];
const CATEGORIES: Category[] = ['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other'];
const WORDS = ('quán nước đầu hẻm bán ma túy đá thuốc lắc thanh niên tụ tập buổi tối cò lao động hứa việc nhẹ lương cao '
  + 'Campuchia giữ hộ chiếu căn cước cô gái quán karaoke massage khách ra vào cả đêm lừa đảo đầu tư tiền ảo chuyển khoản '
  + 'tuyển cộng tác viên chốt đơn bị đánh đập nhốt trong nhà kho xe đón bến xe sáng sớm người lạ hàng xóm chợ xã').split(' ');
const REF = 'ACDEFGHJKLMNPQRTUVWXY3479';

function story(rand: () => number): string {
  const n = 20 + Math.floor(rand() * 40);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return `${out.join(' ')}.`;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 50_000);
  const dir = mkdtempSync(join(tmpdir(), 'binhan-search-'));
  const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
  let seed = 42;
  const rand = (): number => { seed = (seed * 1664525 + 1013904223) % 4294967296; return seed / 4294967296; };
  try {
    const t0 = performance.now();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      // Unique codes in the real alphabet (random ones would collide a few times in 50,000).
      let ref = 'BA-';
      for (let n = i, k = 0; k < 6; k++, n = Math.floor(n / REF.length)) ref += REF[n % REF.length];
      const at = new Date(Date.now() - (total - i) * 60_000).toISOString();
      writes.push(app.store.createCase({
        idempotencyKey: createHash('sha256').update(`bench:${i}`).digest('hex'), ref,
        secretHash: createHash('sha256').update(`s:${i}`).digest('hex'), priority: 'normal', channel: 'web', lang: 'vi',
        fields: app.cipher.sealFields({ category: CATEGORIES[i % CATEGORIES.length], province: PLACES[i % PLACES.length], what: story(rand), inDanger: 'no', place: 'gần chợ' }),
        history: [{ at, by: 'reporter', action: 'created', to: 'new' }],
      }));
      if (writes.length >= 500) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const wrote = performance.now() - t0;
    const everywhere = { id: 'bench', role: 'supervisor' as const, province: null };
    const one = { id: 'bench-officer', role: 'officer' as const, province: 'Nghệ An' };

    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const b0 = performance.now();
    const first = await app.cases.list(everywhere, { q: 'ho chieu campuchia' }, { limit: 25, order: 'queue' });
    const build = performance.now() - b0;
    global.gc?.();
    const heap1 = process.memoryUsage().heapUsed;

    const queries = ['ma tuy', 'cò lao động', 'karaoke', 'tiền ảo chuyển', 'nhốt kho', 'bến xe', 'campu', 'quán nước đầu hẻm'];
    const times: number[] = [];
    const scoped: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const q of queries) {
        let s = performance.now();
        await app.cases.list(everywhere, { q }, { limit: 25, order: 'queue' });
        times.push(performance.now() - s);
        s = performance.now();
        await app.cases.list(one, { q, status: ['new'] }, { limit: 25, order: 'queue' });
        scoped.push(performance.now() - s);
      }
    }
    const u0 = performance.now();
    await app.cases.createTip({
      idempotencyKey: 'bench-new', ref: 'BA-NEW777', secretHash: 'x'.repeat(64), priority: 'normal', channel: 'web', lang: 'vi',
      fields: { category: 'drugs', province: 'Nghệ An', what: 'Một từ hiếm: xylophone.', inDanger: 'no' },
    });
    const update = performance.now() - u0;
    const hit = await app.cases.list(everywhere, { q: 'xylophone' }, { limit: 5, order: 'queue' });

    const fig = (ms: number): string => `${ms.toFixed(1)} ms`;
    console.log(JSON.stringify({
      tips: total, writeSeconds: +(wrote / 1000).toFixed(1),
      firstSearchBuildsIndex: fig(build), firstHits: first.items.length,
      indexHeapMB: +((heap1 - heap0) / 1048576).toFixed(1), rssMB: +(process.memoryUsage().rss / 1048576).toFixed(0),
      queryAllProvinces: { p50: fig(pct(times, 50)), p95: fig(pct(times, 95)), max: fig(Math.max(...times)) },
      queryOneProvinceNew: { p50: fig(pct(scoped, 50)), p95: fig(pct(scoped, 95)) },
      newTipIndexedWithCreate: fig(update), newTipFound: hit.items.length === 1,
    }, null, 2));
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
