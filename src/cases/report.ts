/**
 * The statistics report for the programme's evaluation: aggregates only, computed in the store (no
 * case is loaded or decrypted here), never a case id, a text or an officer id.
 *
 * - tips per ISO week by category (for a stacked chart), every week of the range, zeros included;
 * - tips by province;
 * - the status funnel: how many cases reached each stage (statuses only move forward, so a case
 *   "reached" every stage up to its current one), and closed cases by disposition;
 * - the median time from filing to triage (the first claim, assignment or status change), with the
 *   number of cases it is computed over;
 * - anonymous question counts per topic (intent) from the bot's counters (global, not per province).
 */
import { CASE_STATUSES, CATEGORIES, DISPOSITIONS, isoWeek, type CaseFilter, type Category, type CaseStore, type CounterStore } from '../store/port.js';
import { toCsv } from '../liaison/csv.js';

const DAY_MS = 86_400_000;
/** Vietnam time (UTC+7, no daylight saving): days of the range are days there. */
const VN_OFFSET_MS = 7 * 3_600_000;

/** Days "YYYY-MM-DD", Vietnam time, both included. */
export interface ReportRange { from: string; to: string }

export interface Report {
  from: string;
  to: string;
  /** The province the numbers are limited to (an officer's), or null for every province. */
  province: string | null;
  total: number;
  weekly: {
    weeks: { week: string; start: string }[];
    categories: Category[];
    /** counts[i] is the number of tips of `category` in weeks[i]. */
    series: { category: Category; counts: number[] }[];
  };
  provinces: { province: string; count: number }[];
  funnel: {
    stages: { status: (typeof CASE_STATUSES)[number]; reached: number }[];
    closedBy: { disposition: (typeof DISPOSITIONS)[number]; count: number }[];
  };
  triage: {
    /** Median milliseconds from filing to the first triage action; null when no case was triaged. */
    medianMs: number | null;
    /** How many cases the median is computed over (those that have left "new"). */
    cases: number;
    /** Cases of the range still waiting in "new". */
    waiting: number;
  };
  questions: { intent: string; count: number; label?: { vi: string; en: string } }[];
}

export type ReportChart = 'weekly' | 'province' | 'funnel' | 'questions';
export const REPORT_CHARTS: readonly ReportChart[] = ['weekly', 'province', 'funnel', 'questions'];

/** The range's bounds as instants: from the start of `from` to the end of `to`, Vietnam time. */
export function rangeBounds(r: ReportRange): { from: string; to: string } {
  return {
    from: new Date(Date.parse(`${r.from}T00:00:00Z`) - VN_OFFSET_MS).toISOString(),
    to: new Date(Date.parse(`${r.to}T00:00:00Z`) + DAY_MS - VN_OFFSET_MS).toISOString(),
  };
}

/** The Monday ("YYYY-MM-DD") an ISO week "YYYY-Www" starts on. */
export function isoWeekStart(week: string): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return '';
  const jan4 = Date.UTC(Number(m[1]), 0, 4);
  const mondayOfWeek1 = jan4 - (((new Date(jan4).getUTCDay() || 7) - 1) * DAY_MS);
  return new Date(mondayOfWeek1 + (Number(m[2]) - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
}

/** Every ISO week the range touches, in order. */
export function weeksOf(r: ReportRange): string[] {
  const out: string[] = [];
  const end = Date.parse(`${r.to}T00:00:00Z`);
  for (let t = Date.parse(`${r.from}T00:00:00Z`); t <= end; t += DAY_MS) {
    const w = isoWeek(new Date(t));
    if (out[out.length - 1] !== w) out.push(w);
  }
  return out;
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const byCountThenKey = <T extends { count: number }>(key: (x: T) => string) => (a: T, b: T) =>
  b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * Builds the report. `scope` is the case filter already narrowed to the officer's province (null:
 * nothing can match); `intentLabels` names the bot's topics.
 */
export async function buildReport(
  store: CaseStore & CounterStore, scope: CaseFilter | null, range: ReportRange, province: string | null,
  intentLabels: Partial<Record<string, { vi: string; en: string }>> = {},
): Promise<Report> {
  const f: CaseFilter | null = scope ? { ...scope, ...rangeBounds(range) } : null;
  const none = Promise.resolve([]);
  const [pairs, byProvince, byStatus, byDisposition, triage, counters] = await Promise.all([
    f ? store.countCasesByPair(f, ['week', 'category']) : none,
    f ? store.countCases(f, 'province') : none,
    f ? store.countCases(f, 'status') : none,
    f ? store.countCases({ ...f, status: ['closed'] }, 'disposition') : none,
    f ? store.triageTimes(f) : none,
    store.readCounters({ from: range.from, to: range.to, prefix: 'intent:' }),
  ]);

  // Weeks: every week of the range, and any week a case was filed in (the stored week is UTC-based,
  // so a tip from early on a Monday in Vietnam can belong to the week before the range's first).
  const weeks = [...new Set([...weeksOf(range), ...pairs.map((p) => p.keys[0])])].sort();
  const index = new Map(weeks.map((w, i) => [w, i]));
  const series = CATEGORIES.map((category) => ({ category, counts: weeks.map(() => 0) }));
  for (const p of pairs) {
    const s = series.find((x) => x.category === p.keys[1]);
    if (s) s.counts[index.get(p.keys[0]) as number] += p.count;
  }

  const statusCount = new Map(byStatus.map((r) => [r.key, r.count]));
  const stages = CASE_STATUSES.map((status, i) => ({
    status, reached: CASE_STATUSES.slice(i).reduce((n, s) => n + (statusCount.get(s) ?? 0), 0),
  }));
  const closedBy = DISPOSITIONS.map((disposition) => ({ disposition, count: byDisposition.find((r) => r.key === disposition)?.count ?? 0 }))
    .filter((d) => d.count > 0);

  const delays = triage.map((t) => Date.parse(t.triagedAt) - Date.parse(t.createdAt)).filter((d) => Number.isFinite(d) && d >= 0);

  const perIntent = new Map<string, number>();
  for (const c of counters) {
    const intent = c.key.slice('intent:'.length);
    perIntent.set(intent, (perIntent.get(intent) ?? 0) + c.count);
  }

  return {
    from: range.from, to: range.to, province,
    total: stages[0].reached,
    weekly: { weeks: weeks.map((week) => ({ week, start: isoWeekStart(week) })), categories: [...CATEGORIES], series },
    provinces: byProvince.map((r) => ({ province: r.key, count: r.count })).sort(byCountThenKey((x) => x.province)),
    funnel: { stages, closedBy },
    triage: { medianMs: median(delays), cases: delays.length, waiting: statusCount.get('new') ?? 0 },
    questions: [...perIntent].map(([intent, count]) => {
      const label = Object.hasOwn(intentLabels, intent) ? intentLabels[intent] : undefined;
      return { intent, count, ...(label ? { label: { vi: label.vi, en: label.en } } : {}) };
    }).sort(byCountThenKey((x) => x.intent)),
  };
}

const hours = (ms: number | null) => (ms === null ? '' : (ms / 3_600_000).toFixed(2));

/** One chart's data as CSV (BOM, formula-safe cells): what the chart shows, nothing more. */
export function reportCsv(report: Report, chart: ReportChart): string {
  switch (chart) {
    case 'weekly':
      return toCsv(['week', 'week_start', ...report.weekly.categories, 'total'], report.weekly.weeks.map((w, i) => {
        const counts = report.weekly.series.map((s) => s.counts[i]);
        return [w.week, w.start, ...counts, counts.reduce((a, b) => a + b, 0)];
      }));
    case 'province':
      return toCsv(['province', 'tips'], report.provinces.map((p) => [p.province, p.count]));
    case 'funnel':
      return toCsv(['measure', 'value'], [
        ...report.funnel.stages.map((s) => [`reached_${s.status}`, s.reached]),
        ...report.funnel.closedBy.map((d) => [`closed_${d.disposition}`, d.count]),
        ['median_hours_to_triage', hours(report.triage.medianMs)],
        ['median_computed_over_cases', report.triage.cases],
        ['waiting_in_new', report.triage.waiting],
      ]);
    case 'questions':
      return toCsv(['intent', 'topic', 'questions'], report.questions.map((q) => [q.intent, q.label?.vi ?? '', q.count]));
  }
}
