/**
 * The statistics report (GET /api/liaison/stats/report and report.csv) on a real server and store:
 * weekly counts by category, by province, the status funnel, the median time to triage, question
 * counters; an officer's province scope; CSV per chart; date validation; roles. Aggregates only: the
 * responses never carry a case id, reference, officer id or text. Runs on SQLite, and on MongoDB too
 * when MONGODB_URI is set.
 */
import type { TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { addTip, appOn, backends, Client, makeOfficer } from './helpers/liaison';
import type { CaseRecord, HistoryEntry, Officer } from '../src/store/port';
import { isoWeekStart, median, rangeBounds, weeksOf } from '../src/cases/report';
import { isoWeek } from '../src/store/port';

const HOUR = 3_600_000;
const vnToday = () => new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);

describe('report helpers', () => {
  it('finds the Monday an ISO week starts on, across year boundaries', () => {
    expect(isoWeekStart('2026-W48')).toBe('2026-11-23');
    expect(isoWeekStart('2026-W01')).toBe('2025-12-29');
    expect(isoWeekStart('2020-W53')).toBe('2020-12-28');
    expect(isoWeekStart('2027-W01')).toBe('2027-01-04');
    for (const w of ['2026-W48', '2026-W01', '2020-W53', '2027-W01']) expect(isoWeek(new Date(`${isoWeekStart(w)}T12:00:00Z`))).toBe(w);
    expect(isoWeekStart('nope')).toBe('');
  });

  it('lists every week a range touches', () => {
    expect(weeksOf({ from: '2025-01-06', to: '2025-01-19' })).toEqual(['2025-W02', '2025-W03']);
    expect(weeksOf({ from: '2025-12-28', to: '2026-01-05' })).toEqual(['2025-W52', '2026-W01', '2026-W02']);
    expect(weeksOf({ from: '2026-11-25', to: '2026-11-25' })).toEqual(['2026-W48']);
  });

  it('takes the median of odd and even counts, null for none', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });

  it('bounds a range by days in Vietnam (UTC+7)', () => {
    expect(rangeBounds({ from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-10-31T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z' });
  });
});

describe.each(backends)('statistics report on %s', (backend) => {
  let t: TestApp;
  let srv: { url: string; close: () => Promise<void> };
  const o: Record<string, Officer> = {};
  const c: Record<string, Client> = {};
  const k: Record<string, CaseRecord> = {};

  /** Moves a case directly in the store, with history entries at given hours after its creation. */
  async function moveAt(kase: CaseRecord, status: CaseRecord['status'], entries: [number, HistoryEntry['action']][]): Promise<void> {
    const base = Date.parse(kase.createdAt);
    const history = entries.map(([h, action]) => ({ at: new Date(base + h * HOUR).toISOString(), by: o.officerAll.id, action }));
    expect(await t.app.store.updateCase(kase.id, { set: { status }, push: { history } })).not.toBeNull();
  }

  beforeAll(async () => {
    t = await appOn(backend);
    srv = await serve(t.app);
    o.officerNA = await makeOfficer(t.app, { username: 'officer.na', role: 'officer', province: 'Nghệ An' });
    o.officerAll = await makeOfficer(t.app, { username: 'officer.all', role: 'officer', province: null });
    o.supervisor = await makeOfficer(t.app, { username: 'supervisor', role: 'supervisor', province: null });
    o.admin = await makeOfficer(t.app, { username: 'admin', role: 'admin' });
    c.anonymous = new Client(srv.url);
    for (const who of ['officerNA', 'officerAll', 'supervisor', 'admin']) {
      c[who] = new Client(srv.url);
      expect((await c[who].login(o[who].username)).status).toBe(200);
    }

    k.a = await addTip(t.app, { category: 'drugs', province: 'Nghệ An', what: 'Bí mật: người bán hàng ở chợ Vinh.' });
    k.b = await addTip(t.app, { category: 'scam', province: 'Nghệ An', what: 'Bí mật: tuyển dụng lừa đảo qua mạng.' });
    k.c = await addTip(t.app, { category: 'trafficking', province: 'Hà Nội', what: 'Bí mật: môi giới việc làm ở nước ngoài.' });
    k.d = await addTip(t.app, { category: 'drugs', province: 'Hà Nội', what: 'Bí mật: quán karaoke.' });
    k.e = await addTip(t.app, { category: 'drugs', province: 'Quảng Ninh', what: 'Bí mật: bến tàu.' });
    // b: through the API (claim → assigned → forwarded → closed), triaged moments after filing.
    expect((await c.officerNA.post(`/cases/${k.b.id}/claim`)).status).toBe(200);
    expect((await c.officerNA.post(`/cases/${k.b.id}/status`, { status: 'forwarded' })).status).toBe(200);
    expect((await c.supervisor.post(`/cases/${k.b.id}/status`, { status: 'closed', disposition: 'actioned' })).status).toBe(200);
    // c, d, e: triaged 1, 3 and 5 hours after filing (a note before does not count as triage).
    await moveAt(k.c, 'triaged', [[1, 'status']]);
    await moveAt(k.d, 'assigned', [[0.5, 'note'], [3, 'claim'], [3, 'status']]);
    await moveAt(k.e, 'forwarded', [[5, 'status'], [6, 'status']]);

    const today = vnToday();
    await t.app.store.bumpCounters(today, [{ key: 'intent:rehab_info', n: 7 }, { key: 'intent:drug_law', n: 4 }, { key: 'flow:tip', n: 2 }]);
    await t.app.store.bumpCounters('2020-01-01', [{ key: 'intent:drug_law', n: 100 }]);
  });
  afterAll(async () => { await srv?.close(); await t?.close(); });

  /** Nothing that names a case, an officer or a tip's words. */
  function expectOnlyAggregates(text: string): void {
    for (const kase of Object.values(k)) {
      expect(text).not.toContain(kase.id);
      expect(text).not.toContain(kase.ref);
    }
    for (const off of Object.values(o)) expect(text).not.toContain(off.id);
    expect(text).not.toMatch(/Bí mật|officer\.na|supervisor"/);
  }

  it('gives a supervisor every province: weeks by category, provinces, funnel, median time to triage, questions', async () => {
    const res = await c.supervisor.get('/stats/report');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const r = res.body;
    const today = vnToday();
    expect(r.to).toBe(today);
    expect((Date.parse(r.to) - Date.parse(r.from)) / 86_400_000).toBe(83);
    expect(r.province).toBeNull();
    expect(r.total).toBe(5);

    expect(r.weekly.categories).toEqual(['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other']);
    expect(r.weekly.weeks.length).toBeGreaterThanOrEqual(12);
    expect(r.weekly.weeks.length).toBeLessThanOrEqual(14);
    const thisWeek = r.weekly.weeks.findIndex((w: { week: string }) => w.week === isoWeek(new Date()));
    expect(thisWeek).toBeGreaterThanOrEqual(0);
    const at = (cat: string, i: number) => r.weekly.series.find((s: { category: string }) => s.category === cat).counts[i];
    expect([at('drugs', thisWeek), at('scam', thisWeek), at('trafficking', thisWeek), at('other', thisWeek)]).toEqual([3, 1, 1, 0]);
    for (const s of r.weekly.series) expect(s.counts).toHaveLength(r.weekly.weeks.length);
    expect(r.weekly.weeks[0].start).toBe(isoWeekStart(r.weekly.weeks[0].week));

    expect(r.provinces).toEqual([{ province: 'Hà Nội', count: 2 }, { province: 'Nghệ An', count: 2 }, { province: 'Quảng Ninh', count: 1 }]);
    expect(r.funnel.stages).toEqual([
      { status: 'new', reached: 5 }, { status: 'triaged', reached: 4 }, { status: 'assigned', reached: 3 },
      { status: 'forwarded', reached: 2 }, { status: 'closed', reached: 1 },
    ]);
    expect(r.funnel.closedBy).toEqual([{ disposition: 'actioned', count: 1 }]);
    // Delays: b moments, c 1 h, d 3 h, e 5 h → median of four = (1 h + 3 h) / 2.
    expect(r.triage).toEqual({ medianMs: 2 * HOUR, cases: 4, waiting: 1 });

    expect(r.questions).toEqual([
      { intent: 'rehab_info', count: 7, label: { vi: 'Cai nghiện ma túy', en: 'Drug rehabilitation' } },
      { intent: 'drug_law', count: 4, label: { vi: 'Pháp luật về ma túy', en: 'Drug law' } },
    ]);
    expectOnlyAggregates(res.text);
  });

  it('limits case numbers to an officer\'s province (question counters stay global)', async () => {
    const res = await c.officerNA.get('/stats/report');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.province).toBe('Nghệ An');
    expect(r.total).toBe(2);
    expect(r.provinces).toEqual([{ province: 'Nghệ An', count: 2 }]);
    expect(r.funnel.stages.map((s: { reached: number }) => s.reached)).toEqual([2, 1, 1, 1, 1]);
    expect(r.triage.cases).toBe(1);
    expect(r.triage.waiting).toBe(1);
    expect(r.triage.medianMs).toBeGreaterThanOrEqual(0);
    expect(r.triage.medianMs).toBeLessThan(60_000);
    expect(r.questions.map((q: { count: number }) => q.count)).toEqual([7, 4]);
    expectOnlyAggregates(res.text);

    const all = await c.officerAll.get('/stats/report');
    expect(all.body.total).toBe(5);
  });

  it('takes a date range: days in Vietnam, both included; only `from` gives 12 weeks from it', async () => {
    const empty = await c.supervisor.get('/stats/report?from=2025-01-06&to=2025-01-19');
    expect(empty.status).toBe(200);
    expect(empty.body.total).toBe(0);
    expect(empty.body.weekly.weeks).toEqual([{ week: '2025-W02', start: '2025-01-06' }, { week: '2025-W03', start: '2025-01-13' }]);
    expect(empty.body.weekly.series.every((s: { counts: number[] }) => s.counts.every((n) => n === 0))).toBe(true);
    expect(empty.body.provinces).toEqual([]);
    expect(empty.body.funnel.closedBy).toEqual([]);
    expect(empty.body.triage).toEqual({ medianMs: null, cases: 0, waiting: 0 });
    expect(empty.body.questions).toEqual([]);

    const old = await c.supervisor.get('/stats/report?from=2020-01-01&to=2020-01-01');
    expect(old.body.questions).toEqual([{ intent: 'drug_law', count: 100, label: { vi: 'Pháp luật về ma túy', en: 'Drug law' } }]);

    const fromOnly = await c.supervisor.get('/stats/report?from=2025-03-01');
    expect(fromOnly.body).toMatchObject({ from: '2025-03-01', to: '2025-05-23' });

    const today = vnToday();
    const todayOnly = await c.supervisor.get(`/stats/report?from=${today}&to=${today}`);
    expect(todayOnly.body.total).toBe(5);
  });

  it('refuses bad dates and ranges with a clear 400', async () => {
    for (const q of ['from=2026-13-01', 'from=2026-02-30', 'to=yesterday', 'from=2026-11-30&to=2026-11-01', 'from=2023-01-01&to=2026-01-01',
      'province=Hà Nội', 'from=2026-01-01&from=2026-01-02', 'from[$gt]=2026-01-01']) {
      const res = await c.supervisor.get(`/stats/report?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.error).toBeTruthy();
    }
    const reversed = await c.supervisor.get('/stats/report?from=2026-11-30&to=2026-11-01');
    expect(JSON.stringify(reversed.body)).toMatch(/must not be after/);
    const tooLong = await c.supervisor.get('/stats/report?from=2023-01-01&to=2026-01-01');
    expect(JSON.stringify(tooLong.body)).toMatch(/at most 731 days/);
    expect((await c.supervisor.get('/stats/report?from=2024-01-01&to=2025-12-31')).status).toBe(200);
    for (const q of ['', 'chart=nope', 'chart=weekly&from=2026-02-30', 'chart=weekly&extra=1']) {
      expect([q, (await c.supervisor.get(`/stats/report.csv?${q}`)).status]).toEqual([q, 400]);
    }
  });

  it('is for signed-in officers, supervisors and admins', async () => {
    for (const path of ['/stats/report', '/stats/report.csv?chart=weekly']) {
      expect((await c.anonymous.get(path)).status).toBe(401);
      expect((await c.admin.get(path)).status).toBe(200);
      expect((await c.officerNA.get(path)).status).toBe(200);
      expect((await c.supervisor.get(path)).status).toBe(200);
    }
  });

  it('downloads each chart\'s data as CSV, named by chart and dates, with only aggregates', async () => {
    const today = vnToday();
    const from = new Date(Date.parse(today) - 13 * 86_400_000).toISOString().slice(0, 10);
    const get = async (chart: string, who = 'supervisor') => {
      const res = await c[who].get(`/stats/report.csv?chart=${chart}&from=${from}&to=${today}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="binhan-stats-${chart}-${from}-${today}.csv"`);
      expect(res.text.startsWith('\uFEFF')).toBe(true);
      expectOnlyAggregates(res.text);
      return res.text.slice(1).split('\r\n').filter(Boolean);
    };

    const weekly = await get('weekly');
    expect(weekly[0]).toBe('week,week_start,drugs,trafficking,prostitution,child_abuse,scam,other,total');
    expect(weekly.length).toBeGreaterThanOrEqual(3);
    expect(weekly).toContain(`${isoWeek(new Date())},${isoWeekStart(isoWeek(new Date()))},3,1,0,0,1,0,5`);

    expect(await get('province')).toEqual(['province,tips', 'Hà Nội,2', 'Nghệ An,2', 'Quảng Ninh,1']);
    expect(await get('province', 'officerNA')).toEqual(['province,tips', 'Nghệ An,2']);

    expect(await get('funnel')).toEqual([
      'measure,value', 'reached_new,5', 'reached_triaged,4', 'reached_assigned,3', 'reached_forwarded,2', 'reached_closed,1',
      'closed_actioned,1', 'median_hours_to_triage,2.00', 'median_computed_over_cases,4', 'waiting_in_new,1',
    ]);
    expect(await get('questions')).toEqual(['intent,topic,questions', 'rehab_info,Cai nghiện ma túy,7', 'drug_law,Pháp luật về ma túy,4']);
  });
});
