/**
 * Programme evaluation from anonymous counters only (compile.ts names the keys): how many opened a campaign,
 * finished it, how the post-quiz compares with the pre-quiz (mean scores, the share who improved with a 95 %
 * Wilson interval, from pairs of scores that carry no id), how polls were answered by province and age band,
 * and how each story choice was taken. Any bucket of fewer than MIN_BUCKET people is shown as "fewer than 10",
 * never as its number, so a small commune or age group cannot point at anyone.
 */
import type { Campaign } from './schema.js';
import { questionsOf } from './compile.js';

export const MIN_BUCKET = 10;

/** A count that may be hidden: `n` only when at least MIN_BUCKET. */
export type Bucket = { n: number } | { fewer: number };
export const bucket = (n: number): Bucket => (n >= MIN_BUCKET ? { n } : { fewer: MIN_BUCKET });

export interface Interval { low: number; high: number }

/** Wilson score interval for a proportion k/n at 95 % (z = 1.96); null when n = 0. */
export function wilson(k: number, n: number, z = 1.96): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** 95 % interval of a mean from its values' count, sum and sum of squares (normal approximation); null below 2. */
export function meanInterval(n: number, sum: number, sumSq: number, z = 1.96): (Interval & { mean: number }) | null {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const half = z * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

export interface CampaignEvaluation {
  id: string;
  title: { vi: string; en: string };
  reached: number;
  completed: number;
  quiz: {
    questions: number;
    /** Pre/post pairs (one person who did both quizzes, no id). */
    pairs: Bucket;
    preMean?: number;
    postMean?: number;
    /** The post-minus-pre difference with its 95 % interval. */
    gain?: Interval & { mean: number };
    improved?: { share: number; interval: Interval };
    /** Right answers per question, before and after (shares). */
    perQuestion: { id: string; text: { vi: string; en: string }; pre: { right: number; total: number }; post: { right: number; total: number } }[];
  } | null;
  polls: {
    id: string;
    question: { vi: string; en: string };
    public: boolean;
    choices: { value: string; label: { vi: string; en: string }; total: Bucket }[];
    byProvince: { province: string; answers: Bucket; choices: Record<string, Bucket> }[];
    byAge: { age: string; answers: Bucket; choices: Record<string, Bucket> }[];
  }[];
  stories: { id: string; title: { vi: string; en: string }; choices: { scene: string; value: string; label: { vi: string; en: string }; n: number }[] }[];
  feedback: Record<string, number>;
}

/** Sums counters (any days) by key. */
export function totals(rows: readonly { key: string; count: number }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0) + r.count);
  return m;
}

/** The evaluation of one campaign from its summed counters (`camp.<id>.…` keys). */
export function evaluate(c: Campaign, counts: ReadonlyMap<string, number>): CampaignEvaluation {
  const p = `camp.${c.id}.`;
  const get = (k: string): number => counts.get(p + k) ?? 0;
  const withPrefix = (k: string): [string[], number][] => [...counts].filter(([key]) => key.startsWith(p + k)).map(([key, n]) => [key.slice(p.length + k.length).split('.'), n]);

  const pre = c.items.find((i) => i.type === 'quiz' && i.phase === 'pre');
  const post = c.items.find((i) => i.type === 'quiz' && i.phase === 'post');
  let quiz: CampaignEvaluation['quiz'] = null;
  if (pre && pre.type === 'quiz') {
    const qs = questionsOf(c, pre);
    let n = 0; let sPre = 0; let sPost = 0; let sGain = 0; let sGain2 = 0; let up = 0;
    for (const [[a, b], k] of withPrefix('prepost.')) {
      const x = Number(a); const y = Number(b);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      n += k; sPre += x * k; sPost += y * k; sGain += (y - x) * k; sGain2 += (y - x) * (y - x) * k; if (y > x) up += k;
    }
    const enough = n >= MIN_BUCKET;
    const share = (item: string, q: string, correct: string): { right: number; total: number } => {
      let total = 0; let right = 0;
      for (const [[v], k] of withPrefix(`${item}.${q}.`)) { total += k; if (v === correct) right += k; }
      return { right, total };
    };
    quiz = {
      questions: qs.length, pairs: bucket(n),
      ...(enough ? {
        preMean: sPre / n, postMean: sPost / n,
        ...(meanInterval(n, sGain, sGain2) ? { gain: meanInterval(n, sGain, sGain2)! } : {}),
        improved: { share: up / n, interval: wilson(up, n)! },
      } : {}),
      perQuestion: qs.map((q) => ({ id: q.id, text: q.text, pre: share(pre.id, q.id, q.correct), post: post ? share(post.id, q.id, q.correct) : { right: 0, total: 0 } })),
    };
  }

  const polls: CampaignEvaluation['polls'] = [];
  for (const item of c.items) {
    if (item.type !== 'poll') continue;
    const total = new Map<string, number>();
    const byProv = new Map<string, Map<string, number>>();
    const byAge = new Map<string, Map<string, number>>();
    for (const [[province, age, value], k] of withPrefix(`${item.id}.`)) {
      if (value === undefined) continue;
      total.set(value, (total.get(value) ?? 0) + k);
      for (const [m, key] of [[byProv, province], [byAge, age]] as const) {
        if (!m.has(key)) m.set(key, new Map());
        m.get(key)!.set(value, (m.get(key)!.get(value) ?? 0) + k);
      }
    }
    const rows = <K extends string>(m: Map<string, Map<string, number>>, name: K) => [...m].map(([key, v]) => ({
      [name]: key, answers: bucket([...v.values()].reduce((a, b) => a + b, 0)),
      choices: Object.fromEntries(item.choices.map((ch) => [ch.value, bucket(v.get(ch.value) ?? 0)])),
    })).sort((a, b) => String(a[name]).localeCompare(String(b[name]), 'vi')) as ({ [P in K]: string } & { answers: Bucket; choices: Record<string, Bucket> })[];
    polls.push({
      id: item.id, question: item.question, public: item.public,
      choices: item.choices.map((ch) => ({ value: ch.value, label: ch.label, total: bucket(total.get(ch.value) ?? 0) })),
      byProvince: rows(byProv, 'province'), byAge: rows(byAge, 'age'),
    });
  }

  const stories: CampaignEvaluation['stories'] = [];
  for (const item of c.items) {
    if (item.type !== 'story') continue;
    stories.push({
      id: item.id, title: item.title,
      choices: item.scenes.flatMap((s) => s.choices.map((ch) => ({ scene: s.id, value: ch.value, label: ch.label, n: get(`${item.id}.${s.id}.${ch.value}`) }))),
    });
  }
  const feedback: Record<string, number> = {};
  for (const item of c.items) if (item.type === 'feedback') for (const [[v], k] of withPrefix(`${item.id}.`)) if (v) feedback[v] = (feedback[v] ?? 0) + k;

  return { id: c.id, title: c.title, reached: get('start'), completed: get('complete'), quiz, polls, stories, feedback };
}
