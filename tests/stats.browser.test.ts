/**
 * End-to-end: the dashboard's statistics page in a real headless Chromium, against the real server and
 * SQLite — the four charts are drawn (their canvases hold coloured pixels), each has a text
 * alternative and a CSV download with the right data, the date range filters, the language toggle
 * redraws without leaking chart instances, an officer sees only their province, nothing leaves
 * 127.0.0.1, and the strict CSP reports no violation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, idle, submitSignIn } from './helpers/browser';
import { addTip, makeOfficer, PASSWORD } from './helpers/liaison';
import { ROOT } from './helpers/tmp';
import type { CaseRecord, Category, HistoryEntry, Officer } from '../src/store/port';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();
const IMG = join(ROOT, 'docs', 'img');
/** DASHBOARD_SCREENSHOTS=1 also writes the guide's screenshot docs/img/stats.png (1280x800). */
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHARTS = ['weekly', 'province', 'funnel', 'questions'] as const;
const vnDay = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 10);

/** Runs fn with only Date set back by `ago` ms (timers stay real), to file tips in past weeks. */
async function daysAgo<T>(ago: number, fn: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({ now: Date.now() - ago, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  try { return await fn(); } finally { jest.useRealTimers(); }
}

let supervisor: Officer;

beforeAll(async () => {
  // The charting library is bundled by `npm run build`; build it here too when the tests run alone.
  if (!existsSync(join(ROOT, 'web', 'liaison', 'vendor', 'chart.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-chart.mjs')]);
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
  supervisor = await makeOfficer(t.app, { username: 'mai.le', role: 'supervisor', displayName: 'Lê Thị Mai' });
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An', displayName: 'Thượng úy Phạm Văn Đức' });
  await makeOfficer(t.app, { username: 'admin', role: 'admin' });

  // Tips over the last seven weeks, some triaged hours after they came in, some closed.
  const plan: [number, Category, string, CaseRecord['status'] | null, number][] = [
    [45, 'drugs', 'Nghệ An', 'closed', 2], [44, 'scam', 'Hà Nội', 'forwarded', 5], [40, 'trafficking', 'Nghệ An', 'assigned', 1],
    [36, 'drugs', 'TP. Hồ Chí Minh', 'triaged', 8], [30, 'drugs', 'Nghệ An', 'closed', 3], [29, 'prostitution', 'Quảng Ninh', null, 0],
    [23, 'scam', 'TP. Hồ Chí Minh', 'assigned', 4], [22, 'child_abuse', 'Hà Nội', 'forwarded', 0.5], [16, 'drugs', 'Hà Nội', 'triaged', 6],
    [15, 'other', 'Nghệ An', null, 0], [9, 'trafficking', 'An Giang', 'assigned', 2], [8, 'drugs', 'Nghệ An', null, 0],
    [2, 'scam', 'Nghệ An', 'triaged', 1], [1, 'drugs', 'Quảng Ninh', null, 0], [0, 'drugs', 'Nghệ An', null, 0],
  ];
  for (const [ago, category, province, status, after] of plan) {
    const kase = await daysAgo(ago * DAY, () => addTip(t.app, { category, province, what: `Tin báo bí mật loại ${category}.` }));
    if (!status) continue;
    const at = (h: number) => new Date(Date.parse(kase.createdAt) + h * HOUR).toISOString();
    const history: HistoryEntry[] = [{ at: at(after), by: supervisor.id, action: 'status', from: 'new', to: status }];
    if (status === 'closed') history.push({ at: at(after + 24), by: supervisor.id, action: 'disposition', to: 'actioned' });
    await t.app.store.updateCase(kase.id, { set: { status, ...(status === 'closed' ? { disposition: 'actioned' } : {}) }, push: { history } });
  }
  const today = vnDay(Date.now());
  await t.app.store.bumpCounters(today, [
    { key: 'intent:rehab_info', n: 23 }, { key: 'intent:hotlines', n: 17 }, { key: 'intent:drug_law', n: 12 },
    { key: 'intent:trafficking_signs', n: 9 }, { key: 'intent:report_tip', n: 6 }, { key: 'intent:privacy', n: 3 },
  ]);
  if (SHOTS) mkdirSync(IMG, { recursive: true });
});
afterAll(async () => {
  await browser.close();
  await srv?.close();
  await t?.close();
});

async function context(): Promise<BrowserContext> {
  const ctx = await browser.context({ acceptDownloads: true });
  // CSP violations (an inline style or script, eval) are recorded by the page itself.
  await ctx.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => { w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`); });
  });
  return ctx;
}

async function signIn(ctx: BrowserContext, username: string): Promise<Page> {
  const page = await browser.page(ctx, `${srv.url}/liaison`);
  await submitSignIn(page, username, PASSWORD);
  await page.locator('#nav').waitFor();
  return page;
}


async function openStats(page: Page): Promise<void> {
  await page.locator('#nav-stats').click();
  await page.locator('.stats-page .charts').waitFor();
  await idle(page);
}

/** Pixels of a chart's canvas: drawn (not transparent) and coloured (bars, not grey axes or text). */
function pixels(page: Page, id: string): Promise<{ drawn: number; coloured: number; width: number; height: number }> {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId) as HTMLCanvasElement | null;
    if (!c) return { drawn: -1, coloured: -1, width: 0, height: 0 };
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      drawn++;
      if (data[i + 3] > 200 && Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 40) coloured++;
    }
    return { drawn, coloured, width: c.width, height: c.height };
  }, `chart-${id}`);
}

/** Live Chart.js instances of the page (the same module instance the page imported). */
const chartCount = (page: Page): Promise<number> =>
  // A string, so the test's compiler leaves the browser's dynamic import alone.
  page.evaluate("import('/liaison/vendor/chart.js').then((m) => Object.keys(m.Chart.instances).length)");

async function expectChartsDrawn(page: Page): Promise<void> {
  for (const id of CHARTS) {
    await page.waitForFunction((cid) => {
      const c = document.getElementById(cid) as HTMLCanvasElement | null;
      return !!c && c.width > 0 && c.height > 0;
    }, `chart-${id}`);
    const p = await pixels(page, id);
    expect([id, p.width > 100, p.height > 100]).toEqual([id, true, true]);
    expect([id, p.drawn > 2000]).toEqual([id, true]);
    expect([id, p.coloured > 300]).toEqual([id, true]);
  }
}

async function download(page: Page, chart: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`#csv-${chart}`).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('statistics page in Chromium', () => {
  it('draws the four charts with text alternatives and CSV downloads, filters by date, and redraws in English', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'mai.le');
    await openStats(page);
    expect(await page.locator('#nav-stats').getAttribute('aria-current')).toBe('page');
    expect(await page.locator('h1').textContent()).toBe('Thống kê');
    expect(await page.locator('.scope').textContent()).toMatch(/mọi tỉnh\/thành/);

    // The default range: the last 12 weeks up to today (Vietnam time).
    const today = vnDay(Date.now());
    const from = await page.locator('#s-from').inputValue();
    expect(await page.locator('#s-to').inputValue()).toBe(today);
    expect((Date.parse(today) - Date.parse(from)) / DAY).toBe(83);
    expect(await page.getByLabel('Từ ngày').count()).toBe(1);
    expect(await page.getByLabel('Đến ngày').count()).toBe(1);

    await expectChartsDrawn(page);
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.length).toBeGreaterThan(20_000);
    if (SHOTS) writeFileSync(join(IMG, 'stats.png'), await page.screenshot());
    expect(await chartCount(page)).toBe(4);

    // Headings, text alternatives and data tables.
    expect(await page.locator('.chart-card h2').allTextContents()).toEqual([
      'Số tin báo theo tuần và loại tin', 'Số tin báo theo tỉnh/thành', 'Tiến trình xử lý tin báo', 'Câu hỏi ẩn danh theo chủ đề (từ bot)',
    ]);
    for (const id of CHARTS) {
      const canvas = page.locator(`#chart-${id}`);
      expect(await canvas.getAttribute('role')).toBe('img');
      expect((await canvas.getAttribute('aria-label'))!.length).toBeGreaterThan(20);
      expect(await page.locator(`#card-${id} details table tbody tr`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('#chart-weekly').getAttribute('aria-label')).toMatch(/tổng 15 tin/);
    expect(await page.locator('#chart-province').getAttribute('aria-label')).toMatch(/Nghệ An: 7/);
    expect(await page.locator('#chart-questions').getAttribute('aria-label')).toMatch(/Cai nghiện ma túy: 23/);
    await page.locator('#card-province summary').click();
    expect(await page.locator('#card-province tbody tr').first().textContent()).toBe('Nghệ An7');
    // Median of the ten triage delays (0.5 to 8 hours): 2 h 30 min; over 10 tips, 5 waiting.
    expect(await page.locator('#median-triage .big-value').textContent()).toBe('2 giờ 30 phút');
    expect(await page.locator('#median-triage .big-note').textContent()).toMatch(/10 tin .*5 tin còn chờ/);
    expect(await page.locator('.closed-by li').allTextContents()).toEqual(['Đã xử lý 2']);

    // Each chart's CSV link downloads that chart's data for the range.
    const prov = await download(page, 'province');
    expect(prov.name).toBe(`binhan-stats-province-${from}-${today}.csv`);
    expect(prov.text.replace(/^\uFEFF/, '').split('\r\n').slice(0, 2)).toEqual(['province,tips', 'Nghệ An,7']);
    const funnel = await download(page, 'funnel');
    expect(funnel.text).toMatch(/reached_new,15\r\nreached_triaged,10\r\n/);
    expect(funnel.text).toMatch(/median_hours_to_triage,2\.50\r\n/);
    const questions = await download(page, 'questions');
    expect(questions.text).toMatch(/rehab_info,Cai nghiện ma túy,23/);
    const weekly = await download(page, 'weekly');
    expect(weekly.name).toBe(`binhan-stats-weekly-${from}-${today}.csv`);
    expect(weekly.text).toMatch(/^\uFEFFweek,week_start,drugs,trafficking,prostitution,child_abuse,scam,other,total\r\n/);
    expect(weekly.text).not.toMatch(/BA-|bí mật/i);

    // English: redrawn with English labels, the old chart instances destroyed.
    await page.click('#lang');
    await page.locator('h1', { hasText: 'Statistics' }).waitFor();
    await expectChartsDrawn(page);
    expect(await chartCount(page)).toBe(4);
    expect(await page.locator('#h-weekly').textContent()).toBe('Tips per week by category');
    expect(await page.locator('#chart-questions').getAttribute('aria-label')).toMatch(/Drug rehabilitation: 23/);
    expect(await page.locator('#median-triage .big-value').textContent()).toBe('2 h 30 min');
    expect(await page.locator('#csv-weekly').textContent()).toBe('Download CSV');
    await page.click('#lang');
    await page.locator('h1', { hasText: 'Thống kê' }).waitFor();

    // A range with no tips and no questions: a clear message instead of empty charts.
    await page.locator('#s-from').fill('2020-01-01');
    await page.locator('#s-to').fill('2020-01-31');
    await page.getByRole('button', { name: 'Xem thống kê' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.no-data').length === 4);
    await idle(page);
    expect(await page.locator('.chart-card canvas').count()).toBe(0);
    expect(await chartCount(page)).toBe(0);
    expect(await page.locator('.no-data').first().textContent()).toBe('Không có dữ liệu trong khoảng thời gian này.');
    expect(await page.locator('#csv-weekly').getAttribute('href')).toBe('/api/liaison/stats/report.csv?chart=weekly&from=2020-01-01&to=2020-01-31');

    // The last week only: fewer tips.
    const weekAgo = vnDay(Date.now() - 6 * DAY);
    await page.locator('#s-from').fill(weekAgo);
    await page.locator('#s-to').fill(today);
    await page.getByRole('button', { name: 'Xem thống kê' }).click();
    await page.locator('#chart-weekly').waitFor();
    await idle(page);
    await expectChartsDrawn(page);
    expect(await page.locator('#chart-weekly').getAttribute('aria-label')).toMatch(/tổng 3 tin/);

    // From after To: refused in the page, with a message.
    await page.locator('#s-from').fill(today);
    await page.locator('#s-to').fill(weekAgo);
    await page.getByRole('button', { name: 'Xem thống kê' }).click();
    await page.locator('#flash', { hasText: 'Từ ngày' }).waitFor();

    // Back to the default range, then away and back: charts are cleaned up and drawn again.
    await page.locator('#s-default').click();
    await page.locator('#chart-weekly').waitFor();
    await idle(page);
    expect(await page.locator('#s-from').inputValue()).toBe(from);
    await page.locator('#nav-queue').click();
    await page.locator('#queue').waitFor();
    expect(await chartCount(page)).toBe(0);
    await openStats(page);
    await expectChartsDrawn(page);
    expect(await chartCount(page)).toBe(4);

    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    await ctx.close();
  });

  it('shows an officer only their province, and the whole country to an administrator', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'duc.pham');
    await openStats(page);
    await expectChartsDrawn(page);
    expect(await page.locator('.scope').textContent()).toMatch(/Nghệ An/);
    expect(await page.locator('#chart-weekly').getAttribute('aria-label')).toMatch(/tổng 7 tin/);
    await page.locator('#card-province summary').click();
    expect(await page.locator('#card-province tbody tr').allTextContents()).toEqual(['Nghệ An7']);
    const prov = await download(page, 'province');
    expect(prov.text.replace(/^\uFEFF/, '')).toBe('province,tips\r\nNghệ An,7\r\n');
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    await ctx.close();

    const actx = await context();
    const admin = await signIn(actx, 'admin');
    await idle(admin);
    await openStats(admin);
    await expectChartsDrawn(admin);
    await actx.close();
  });
});
