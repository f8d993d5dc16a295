/** Statistics for the programme's evaluation: counters and aggregates only, never text or ids. */
import { z } from 'zod';
import { REPORT_CHARTS, reportCsv, type ReportRange } from '../cases/report.js';
import { CASE_ROLES, type RouteKit } from './kit.js';
import { HttpError, parse } from './validation.js';

const DAY_MS = 86_400_000;
/** The report's default range: the last 12 weeks, today included. */
const DEFAULT_DAYS = 12 * 7;
/** The longest range a report covers (about two years). */
const MAX_DAYS = 731;

/** A calendar day "YYYY-MM-DD" that exists (not 2026-02-30). */
const day = z.string().max(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine((s) => { const d = new Date(`${s}T00:00:00Z`); return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s); }, 'no such day');
const questionStatsQuery = z.strictObject({ from: day.optional(), to: day.optional() });
const reportQuery = z.strictObject({ from: day.optional(), to: day.optional() });
const reportCsvQuery = z.strictObject({ chart: z.enum(REPORT_CHARTS as [string, ...string[]]), from: day.optional(), to: day.optional() });

/** Today in Vietnam (UTC+7). */
const vnToday = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
const shift = (d: string, days: number) => new Date(Date.parse(`${d}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The range asked for, with defaults; 400 when `from` is after `to` or the range is longer than ~2 years. */
function rangeOf(q: { from?: string; to?: string }, now: number): ReportRange {
  const to = q.to ?? (q.from ? shift(q.from, DEFAULT_DAYS - 1) : vnToday(now));
  const from = q.from ?? shift(to, -(DEFAULT_DAYS - 1));
  const issue = (message: string) => new HttpError(400, 'invalid query', [{ path: 'from', message }], 'invalid_range');
  if (from > to) throw issue('"from" must not be after "to"');
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_DAYS) throw issue(`a range of at most ${MAX_DAYS} days (about two years)`);
  return { from, to };
}

export function registerStatsRoutes({ r, guard, store, cases, app, now }: RouteKit): void {
  /** Anonymous question counts per topic (intent) per day, from the bot: counters only. */
  r.get('/stats/questions', guard(CASE_ROLES, async (_ctx, req, res) => {
    const q = parse(questionStatsQuery, req.query, 'query');
    const to = q.to ?? new Date(now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const rows = await store.readCounters({ from, to, prefix: 'intent:' });
    const byIntent = new Map<string, number>();
    for (const r of rows) byIntent.set(r.key.slice(7), (byIntent.get(r.key.slice(7)) ?? 0) + r.count);
    res.json({
      from, to,
      byIntent: [...byIntent].map(([intent, count]) => ({ intent, count })).sort((a, b) => b.count - a.count),
      byDay: rows.map((r) => ({ day: r.day, intent: r.key.slice(7), count: r.count })),
    });
  }));

  const labels = () => app.bundle.content.intentLabels as Record<string, { vi: string; en: string }>;

  /**
   * The statistics page's data for a range of days (Vietnam time; default the last 12 weeks): tips
   * per week by category, by province, the status funnel, the median time to triage, and question
   * counts per topic. Case numbers are limited to the officer's province; question counters are global.
   */
  r.get('/stats/report', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const range = rangeOf(parse(reportQuery, req.query, 'query'), now());
    res.json(await cases.report(actor, range, labels()));
  }));

  /** One chart's data as CSV: ?chart=weekly|province|funnel|questions&from&to. */
  r.get('/stats/report.csv', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const q = parse(reportCsvQuery, req.query, 'query');
    const range = rangeOf(q, now());
    const chart = q.chart as (typeof REPORT_CHARTS)[number];
    const csv = reportCsv(await cases.report(actor, range, labels()), chart);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="binhan-stats-${chart}-${range.from}-${range.to}.csv"`);
    res.send(csv);
  }));
}
