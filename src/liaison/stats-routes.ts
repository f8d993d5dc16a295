/** Statistics for the programme's evaluation: counters and aggregates only, never text or ids. */
import { z } from 'zod';
import { CASE_ROLES, type RouteKit } from './kit.js';
import { parse } from './validation.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
const questionStatsQuery = z.strictObject({ from: day.optional(), to: day.optional() });

export function registerStatsRoutes({ r, guard, store, now }: RouteKit): void {
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

}
