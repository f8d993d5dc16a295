/**
 * The printout of one tip (web/liaison/print.js, print.css) in a real headless Chromium, against the real server:
 * hidden on screen, alone on paper, marked "MẬT — tài liệu nội bộ" in the header and footer rows that repeat on
 * every page, who printed it and when in Viet Nam time (whatever the computer's zone), the tip's fields in the
 * officers' words from the one source of labels, text shown as text; removed after printing.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, idle, submitSignIn } from './helpers/browser';
import { addTip, makeOfficer, PASSWORD } from './helpers/liaison';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();
let ctx: BrowserContext;
let page: Page;
let caseId: string;

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An', displayName: 'Thượng úy Phạm Văn Đức' });
  caseId = (await addTip(t.app, {
    category: 'trafficking', province: 'Nghệ An', place: 'Bến xe <b>Vinh</b>', when: 'earlier', whenDate: '2026-08-15',
    what: 'Có người hứa việc làm ở Campuchia <img src=x onerror="window.__xss=1">, đòi giữ hộ chiếu.', inDanger: 'unsure',
  })).id;
  // Far from Viet Nam: the printout still says Viet Nam time.
  ctx = await browser.context({ timezoneId: 'America/New_York' });
  page = await browser.page(ctx, `${srv.url}/liaison`);
  await submitSignIn(page, 'duc.pham', PASSWORD);
  await idle(page);
  // Modules of the page, imported in the page (a string: the test's own transpiler would turn import() into require()).
  await page.evaluate('window.__import = (url) => import(url)');
  // The lead links print.css in index.html; here the test links it.
  await page.evaluate(() => new Promise<void>((resolve) => {
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/liaison/print.css' });
    link.onload = () => resolve();
    document.head.append(link);
  }));
});
afterAll(async () => {
  await ctx?.close();
  await browser.close();
  await srv.close();
  await t.close();
});

/** import() in the page. */
type Importer = { __import: (url: string) => Promise<any> };

/** Builds the sheet in the page for the case, as the officer, at 01/12/2026 08:30 in Viet Nam; counts window.print calls. */
async function print(lang: 'vi' | 'en'): Promise<{ text: string; fields: Record<string, string>; head: string; foot: string; prints: number }> {
  return page.evaluate(async ({ id, lang }) => {
    const i18n = await (window as unknown as Importer).__import('/liaison/i18n.js');
    i18n.setLang(lang);
    const { printSheet } = await (window as unknown as Importer).__import('/liaison/print.js');
    const view = (await (await fetch(`/api/liaison/cases/${id}`)).json()).case;
    const me = (await (await fetch('/api/liaison/me')).json()).officer;
    const w = window as unknown as { print: () => void; __prints: number };
    w.__prints = 0;
    w.print = () => { w.__prints++; };
    const sheet: HTMLElement = printSheet(view, me, { now: new Date('2026-12-01T01:30:00Z') });
    return {
      text: sheet.querySelector('tbody')!.textContent!,
      fields: Object.fromEntries([...sheet.querySelectorAll('dt')].map((dt) => [dt.textContent!, dt.nextElementSibling!.textContent!])),
      head: sheet.querySelector('thead')!.textContent!,
      foot: sheet.querySelector('tfoot')!.textContent!,
      prints: w.__prints,
    };
  }, { id: caseId, lang });
}

const shown = (selector: string): Promise<boolean> => page.evaluate((s) => {
  const el = document.querySelector(s);
  return !!el && getComputedStyle(el).display !== 'none';
}, selector);

describe('the printout of a tip in Chromium', () => {
  it('marks every page MẬT, says who printed it and when in Viet Nam time, lists the fields in Vietnamese; then prints', async () => {
    const p = await print('vi');
    expect(p.prints).toBe(1);
    expect(p.head).toBe('MẬT — tài liệu nội bộ');
    expect(p.foot).toBe('MẬT — tài liệu nội bộ');
    expect(p.text).toContain('In bởi: Thượng úy Phạm Văn Đức · 01/12/2026 08:30 (giờ Việt Nam)');
    const ref = (await t.app.store.getCase(caseId))!.ref;
    expect(p.text).toContain(`Mã tin báo ${ref}`);
    const stored = (await t.app.store.getCase(caseId))!;
    const received = new Date(Date.parse(stored.createdAt) + 7 * 3_600_000).toISOString();
    expect(p.fields).toEqual({
      'Trạng thái': 'Mới', 'Mức ưu tiên': 'Khẩn',
      'Nhận lúc': `${received.slice(8, 10)}/${received.slice(5, 7)}/${received.slice(0, 4)} ${received.slice(11, 16)}`,
      'Cập nhật': expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/),
      'Loại tin': 'Mua bán người', 'Tỉnh/thành': 'Nghệ An', 'Thời gian': 'Trước đó', 'Ngày': '15/08/2026',
      // What the reporter typed is text, never markup.
      'Địa điểm': 'Bến xe <b>Vinh</b>',
      'Sự việc': 'Có người hứa việc làm ở Campuchia <img src=x onerror="window.__xss=1">, đòi giữ hộ chiếu.',
      'Có người đang gặp nguy hiểm': 'Không chắc',
    });
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('is hidden on screen; on paper it is all there is; gone after printing', async () => {
    await print('vi');
    await page.emulateMedia({ media: 'screen' });
    expect(await shown('#print-sheet')).toBe(false);
    expect(await shown('#main')).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await shown('#print-sheet')).toBe(true);
    expect(await shown('#main')).toBe(false);
    expect(await shown('header.bar')).toBe(false);
    // The marking rows repeat on each printed page: a table header and footer group.
    expect(await page.evaluate(() => [getComputedStyle(document.querySelector('#print-sheet thead')!).display, getComputedStyle(document.querySelector('#print-sheet tfoot')!).display]))
      .toEqual(['table-header-group', 'table-footer-group']);
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    expect(await page.locator('#print-sheet').count()).toBe(0);
    // Without a sheet, printing the page prints the page, as before.
    expect(await shown('#main')).toBe(true);
    await page.emulateMedia({ media: 'screen' });
  });

  it('speaks English on an English page, keeping the Vietnamese marking first; one sheet at a time', async () => {
    await print('vi');
    const p = await print('en');
    expect(await page.locator('#print-sheet').count()).toBe(1);
    expect(p.head).toBe('MẬT — tài liệu nội bộ · CONFIDENTIAL — internal document');
    expect(p.text).toContain('Printed by: Thượng úy Phạm Văn Đức · 01/12/2026 08:30 (Viet Nam time)');
    expect(p.fields).toMatchObject({ Status: 'New', Category: 'Trafficking', When: 'Earlier', Date: '15/08/2026', 'Someone in danger now': 'Unsure' });
    await page.evaluate(async () => {
      (await (window as unknown as Importer).__import('/liaison/print.js')).removeSheet();
      (await (window as unknown as Importer).__import('/liaison/i18n.js')).setLang('vi');
    });
  });
});
