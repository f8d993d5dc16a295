/**
 * Campaigns in the dashboard: their evaluation (from anonymous counters only: campaigns/evaluation.ts), its CSV,
 * and the poster refs that measure reach per place (campaigns/refs.ts) with their links and QR codes.
 *   GET  /campaigns                          every campaign with reached / completed (all roles)
 *   GET  /campaigns/:id/evaluation?from&to   the evaluation for a range of Viet Nam days (default: the campaign's
 *                                            start to today); an officer with a province sees poll answers of
 *                                            that province only (buckets of fewer than 10 are never numbers)
 *   GET  /campaigns/:id/evaluation.csv       the same as CSV (one row per figure)
 *   GET  /campaigns/:id/refs                 its poster refs with reach (all roles)
 *   POST /campaigns/:id/refs {place}         a new poster ref (supervisors, admins; audited)
 *   GET  /campaigns/:id/poster?ref=          the poster's text and QR codes (SVG data URLs), no case data
 */
import { z } from 'zod';
import type { Campaign } from '../campaigns/schema.js';
import { bucket, evaluate, totals, type Bucket, type CampaignEvaluation } from '../campaigns/evaluation.js';
import { linkConfig, linksFor, posterRefs, qrSvg, REF_RE, type PosterRef } from '../campaigns/refs.js';
import { toCsv } from './csv.js';
import { CASE_ROLES, SUPERVISOR, type RouteKit } from './kit.js';
import { HttpError, parse } from './validation.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 731;
const day = z.string().max(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine((s) => { const d = new Date(`${s}T00:00:00Z`); return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s); }, 'no such day');
const rangeQuery = z.strictObject({ from: day.optional(), to: day.optional() });
const EMERGENCY_IDS = ['police', 'medical', 'child'] as const;
const posterQuery = z.strictObject({ ref: z.string().regex(REF_RE, 'a poster ref such as p7k2m9qa').optional() });
const refBody = z.strictObject({ place: z.string().trim().min(2, 'the place, e.g. "THCS Lê Lợi, TP Vinh"').max(80) });

const vnToday = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

export interface RefDay { day: string; start: number; quiz: number; tip: Bucket }
export interface RefReach { ref: string; place: string; createdAt: string; start: number; quiz: number; tip: Bucket; byDay: RefDay[] }
export interface EvaluationReport extends CampaignEvaluation {
  from: string; to: string;
  /** The officer's province when poll answers are limited to it; null: nationwide. */
  scope: string | null;
  refs: RefReach[];
}

/** Sums `ref.<ref>.<what>` counters per ref, in all and per Viet Nam day. */
function reachOf(rows: readonly { day: string; key: string; count: number }[], refs: readonly PosterRef[]): RefReach[] {
  const sums = totals(rows);
  return refs.map((r) => {
    const days = new Map<string, { start: number; quiz: number; tip: number }>();
    for (const row of rows) {
      const m = /^ref\.([a-z0-9]+)\.(start|quiz|tip)$/.exec(row.key);
      if (!m || m[1] !== r.ref) continue;
      if (!days.has(row.day)) days.set(row.day, { start: 0, quiz: 0, tip: 0 });
      days.get(row.day)![m[2] as 'start' | 'quiz' | 'tip'] += row.count;
    }
    return {
      ref: r.ref, place: r.place, createdAt: r.createdAt,
      start: sums.get(`ref.${r.ref}.start`) ?? 0, quiz: sums.get(`ref.${r.ref}.quiz`) ?? 0,
      // A tip count per place could narrow down who sent one: like a poll bucket, shown only from 10 on.
      tip: bucket(sums.get(`ref.${r.ref}.tip`) ?? 0),
      byDay: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, d]) => ({ day, start: d.start, quiz: d.quiz, tip: bucket(d.tip) })),
    };
  });
}

export function registerCampaignRoutes({ r, guard, store, app, log, now }: RouteKit): void {
  const campaigns = (): Map<string, Campaign> => app.bundle.campaigns ?? new Map();
  const refs = posterRefs(store);
  // Checked when the dashboard is mounted (start-up): a bad value stops the program naming the variable.
  const links = linkConfig();

  const campaignOf = (id: unknown): Campaign => {
    const c = typeof id === 'string' ? campaigns().get(id) : undefined;
    if (!c) throw new HttpError(404, 'no such campaign', undefined, 'not_found');
    return c;
  };
  const rangeOf = (c: Campaign, q: { from?: string; to?: string }): { from: string; to: string } => {
    const to = q.to ?? vnToday(now());
    let from = q.from ?? c.dates.from;
    if (!q.from && from > to) from = to;
    const issue = (message: string) => new HttpError(400, 'invalid query', [{ path: 'from', message }], 'invalid_range');
    if (from > to) throw issue('"from" must not be after "to"');
    if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_DAYS) throw issue(`a range of at most ${MAX_DAYS} days (about two years)`);
    return { from, to };
  };

  const report = async (c: Campaign, range: { from: string; to: string }, province: string | null): Promise<EvaluationReport> => {
    const [rows, refRows, all] = await Promise.all([
      store.readCounters({ ...range, prefix: `camp.${c.id}.` }),
      store.readCounters({ ...range, prefix: 'ref.' }),
      refs.list(),
    ]);
    const ev = evaluate(c, totals(rows));
    // An officer of one province reads the poll answers of that province (its buckets, same rule); the totals stay
    // nationwide (they are not broken down by place).
    const polls = province === null ? ev.polls : ev.polls.map((p) => ({ ...p, byProvince: p.byProvince.filter((b) => b.province === province) }));
    return { ...ev, polls, ...range, scope: province, refs: reachOf(refRows, all.filter((x) => x.campaign === c.id)) };
  };

  r.get('/campaigns', guard(CASE_ROLES, async (_ctx, _req, res) => {
    const list = [...campaigns().values()];
    const to = vnToday(now());
    const items = await Promise.all(list.map(async (c) => {
      const from = c.dates.from < to ? c.dates.from : to;
      const sums = totals(await store.readCounters({ from, to, prefix: `camp.${c.id}.` }));
      return {
        id: c.id, title: c.title, summary: c.summary, dates: c.dates, triggers: c.triggers,
        reached: sums.get(`camp.${c.id}.start`) ?? 0, completed: sums.get(`camp.${c.id}.complete`) ?? 0,
      };
    }));
    res.json({ items });
  }));

  r.get('/campaigns/:id/evaluation', guard(CASE_ROLES, async ({ officer }, req, res) => {
    const c = campaignOf(req.params.id);
    const range = rangeOf(c, parse(rangeQuery, req.query, 'query'));
    res.json(await report(c, range, officer.role === 'officer' ? officer.province : null));
  }));

  r.get('/campaigns/:id/evaluation.csv', guard(CASE_ROLES, async ({ officer }, req, res) => {
    const c = campaignOf(req.params.id);
    const range = rangeOf(c, parse(rangeQuery, req.query, 'query'));
    const ev = await report(c, range, officer.role === 'officer' ? officer.province : null);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="binhan-campaign-${c.id}-${range.from}-${range.to}.csv"`);
    res.send(evaluationCsv(ev));
  }));

  r.get('/campaigns/:id/refs', guard(CASE_ROLES, async (_ctx, req, res) => {
    const c = campaignOf(req.params.id);
    const to = vnToday(now());
    const from = c.dates.from < to ? c.dates.from : to;
    const [rows, all] = await Promise.all([store.readCounters({ from, to, prefix: 'ref.' }), refs.list()]);
    res.json({ items: reachOf(rows, all.filter((x) => x.campaign === c.id)) });
  }));

  r.post('/campaigns/:id/refs', guard(SUPERVISOR, async ({ officer }, req, res) => {
    const c = campaignOf(req.params.id);
    const { place } = parse(refBody, req.body);
    let rec: PosterRef;
    try { rec = await refs.create(c.id, place); } catch (e) { throw new HttpError(409, (e as Error).message, undefined, 'too_many'); }
    await store.addAudit({ at: new Date(now()).toISOString(), officerId: officer.id, action: `campaign_ref_create:${c.id}:${rec.ref}` });
    log.info('poster ref created', { campaign: c.id });
    res.status(201).json(rec);
  }));

  r.get('/campaigns/:id/poster', guard(CASE_ROLES, async (_ctx, req, res) => {
    const c = campaignOf(req.params.id);
    const q = parse(posterQuery, req.query, 'query');
    const rec = q.ref ? await refs.get(q.ref) : undefined;
    if (q.ref && (!rec || rec.campaign !== c.id)) throw new HttpError(404, 'no such poster ref for this campaign', undefined, 'not_found');
    const fallback = `${req.protocol}://${req.get('host') ?? 'localhost'}/`;
    const codes = await Promise.all(linksFor(links, rec?.ref, fallback).map(async (l) => ({
      ...l, qr: `data:image/svg+xml;base64,${Buffer.from(await qrSvg(l.url)).toString('base64')}`,
    })));
    // The emergency numbers printed on the poster, from content/hotlines.yaml (police, ambulance, children).
    const emergency = EMERGENCY_IDS.map((id) => app.bundle.content.hotlines.find((h) => h.id === id)?.number).filter((n): n is string => !!n);
    res.json({ id: c.id, title: c.title, summary: c.summary, trigger: c.triggers[0] ?? null, place: rec?.place ?? null, ref: rec?.ref ?? null, links: codes, emergency });
  }));
}

const shown = (b: Bucket): string => ('n' in b ? String(b.n) : `<${b.fewer}`);
const pct = (x: number | undefined): string => (x === undefined ? '' : (x * 100).toFixed(1));
const dec = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(2));

/** One row per figure: section, item, group, choice, value, low, high (shares in %; "<10" for a small bucket). */
export function evaluationCsv(ev: EvaluationReport): string {
  const rows: unknown[][] = [];
  const add = (section: string, item: string, group: string, choice: string, value: string | number, low = '', high = '') => rows.push([section, item, group, choice, value, low, high]);
  add('range', ev.id, '', '', `${ev.from}..${ev.to}`);
  add('reach', ev.id, '', 'reached', ev.reached);
  add('reach', ev.id, '', 'completed', ev.completed);
  if (ev.quiz) {
    const q = ev.quiz;
    add('quiz', 'pairs', '', '', shown(q.pairs));
    add('quiz', 'pre_mean', '', '', dec(q.preMean));
    add('quiz', 'post_mean', '', '', dec(q.postMean));
    add('quiz', 'gain_mean', '', '', dec(q.gain?.mean), dec(q.gain?.low), dec(q.gain?.high));
    add('quiz', 'improved_pct', '', '', pct(q.improved?.share), pct(q.improved?.interval.low), pct(q.improved?.interval.high));
    for (const x of q.perQuestion) {
      add('question', x.id, 'pre', 'right_pct', x.pre.total ? pct(x.pre.right / x.pre.total) : '', '', '');
      add('question', x.id, 'post', 'right_pct', x.post.total ? pct(x.post.right / x.post.total) : '', '', '');
    }
  }
  for (const p of ev.polls) {
    for (const ch of p.choices) add('poll', p.id, 'all', ch.value, shown(ch.total));
    for (const b of p.byProvince) for (const [v, n] of Object.entries(b.choices)) add('poll', p.id, `province:${b.province}`, v, shown(n));
    for (const b of p.byAge) for (const [v, n] of Object.entries(b.choices)) add('poll', p.id, `age:${b.age}`, v, shown(n));
  }
  for (const s of ev.stories) for (const ch of s.choices) add('story', s.id, ch.scene, ch.value, ch.n);
  for (const [v, n] of Object.entries(ev.feedback)) add('feedback', 'feedback', '', v, n);
  for (const x of ev.refs) {
    add('ref', x.ref, x.place, 'start', x.start);
    add('ref', x.ref, x.place, 'quiz', x.quiz);
    add('ref', x.ref, x.place, 'tip', shown(x.tip));
    for (const d of x.byDay) {
      add('ref_day', x.ref, d.day, 'start', d.start);
      add('ref_day', x.ref, d.day, 'quiz', d.quiz);
      add('ref_day', x.ref, d.day, 'tip', shown(d.tip));
    }
  }
  return toCsv(['section', 'item', 'group', 'choice', 'value', 'low', 'high'], rows);
}
