/**
 * End-to-end: the anonymous web chat in a real headless Chromium, against the real server and SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Page } from 'playwright-core';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { CHROMIUM, TestBrowser } from './helpers/browser';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
});
afterAll(async () => {
  // Nothing was loaded from outside the server (no CDN, no web font, no analytics), and no page error.
  await browser.close();
  await srv?.close();
  await t?.close();
});

async function phonePage(): Promise<Page> {
  // The quick exit's neutral site is stood in for; anything else from outside is refused and recorded.
  const ctx = await browser.context({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true },
    (route, url) => (url.startsWith('https://www.google.com/') ? route.fulfill({ status: 200, contentType: 'text/html', body: '<title>neutral</title>neutral' }) : undefined));
  const page = await browser.page(ctx, srv.url);
  await page.locator('.msg.bot').first().waitFor();
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
}

async function tap(page: Page, label: string): Promise<void> {
  const before = await page.locator('.msg.bot').count();
  await page.locator('.choices:not(.used) .choice', { hasText: label }).first().click();
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
}

describe('web chat in Chromium', () => {
  it('greets in Vietnamese with quick replies, fits a phone screen, and files a tip that lands in the store', async () => {
    const page = await phonePage();
    expect(await page.locator('h1').textContent()).toBe('Bình An');
    expect(await page.locator('.msg.bot').first().textContent()).toMatch(/Bình An/);
    expect(await page.locator('.choice').count()).toBeGreaterThan(3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.locator('#exit').isVisible()).resolves.toBe(true);

    await tap(page, 'Báo tin ẩn danh');
    await tap(page, 'Ma túy');
    await send(page, 'Quảng Ninh');
    await tap(page, 'Bỏ qua');
    await tap(page, 'Hôm qua');
    await send(page, 'Có người bán ma túy ở bãi xe gần bến cảng vào ban đêm.');
    await tap(page, 'Bỏ qua');
    await tap(page, 'Không');
    await tap(page, 'Không để lại');
    await tap(page, 'Gửi tin báo');
    const all = (await page.locator('.msg.bot').allTextContents()).join('\n');
    expect(all).toMatch(/Đã nhận và lưu tin báo/);
    const ref = /BA-[A-Z0-9]{6}/.exec(all)?.[0] as string;
    expect(ref).toBeDefined();
    const stored = await t.app.store.getCaseByRef(ref);
    expect(stored?.fields).toMatchObject({ category: 'drugs', province: 'Quảng Ninh' });
    await page.context().close();
  });

  it('renders what the user types as text, never as HTML', async () => {
    const page = await phonePage();
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>đậm</b>';
    await send(page, evil);
    expect(await page.locator('.msg.me').last().textContent()).toBe(evil);
    expect(await page.locator('#log img, #log script, #log b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.context().close();
  });

  it('masks the secret in the person\'s own bubble as soon as it is sent, and keeps it nowhere on the page', async () => {
    const { ref, secret } = await fileTip(new Chat(t.app, undefined, 'telegram'));
    const digits = secret.replace(/\D/g, '');
    const page = await phonePage();
    await send(page, 'tra cứu tin báo');
    await send(page, `mã của tôi là ${ref.toLowerCase()}`); // the code inside a sentence, in lower case
    expect(await page.locator('.msg.me').last().textContent()).toBe(`mã của tôi là ${ref.toLowerCase()}`);
    await send(page, `mã bí mật là ${secret} nhé`);
    expect(await page.locator('.msg.me').last().textContent()).toBe('mã bí mật là •••• •••• •••• nhé');
    // The secret was right: the status of the tip comes back.
    expect((await page.locator('.msg.bot').allTextContents()).join('\n')).toContain(`Tin báo ${ref}`);
    await send(page, digits); // typed again without spaces: masked too
    expect(await page.locator('.msg.me').last().textContent()).toBe('•••• •••• ••••');
    const kept = await page.evaluate(() => [document.documentElement.outerHTML, document.body.innerText, (document.getElementById('input') as HTMLTextAreaElement).value,
      JSON.stringify({ ...sessionStorage }), JSON.stringify({ ...localStorage })].join('\n'));
    expect(kept).not.toContain(digits);
    expect(kept).not.toContain(secret);
    expect(kept.replace(/\D/g, '')).not.toContain(digits);
    // A phone number is not a secret: it is shown as typed.
    await send(page, 'số của tôi 0987 654 321');
    expect(await page.locator('.msg.me').last().textContent()).toBe('số của tôi 0987 654 321');
    await page.context().close();
  });

  it('quick exit leaves for a neutral site, clears the page state, and leaves no way back', async () => {
    const page = await phonePage();
    await send(page, 'cai nghiện ở đâu');
    const id = await page.evaluate(() => sessionStorage.getItem('binhan-client'));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await page.click('#exit');
    await page.waitForURL(/google\.com/);
    await page.goBack().catch(() => undefined);
    expect(page.url()).not.toContain('127.0.0.1');
    await page.goto(srv.url);
    await page.locator('.msg.bot').first().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('binhan-client'))).not.toBe(id);
    expect(await page.locator('.msg.me').count()).toBe(0);
    await page.context().close();
  });

  it('quick exit (Esc twice) in a live chat: the counsellor sees "left" within 5 s; the browser keeps no chat title, no way back, no cached page', async () => {
    // A real browser profile on disk, so that its own history database can be read afterwards.
    const profile = mkdtempSync(join(tmpdir(), 'binhan-profile-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync', '--disable-background-networking'],
      locale: 'vi-VN', viewport: { width: 390, height: 800 },
    });
    const outside: string[] = [];
    await ctx.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      const url = route.request().url();
      if (url.startsWith('https://www.google.com/')) return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>thời tiết</title>thời tiết' });
      outside.push(url);
      return route.abort();
    });
    const desk = t.app.live.desk;
    desk.connect('counsellor-exit');
    desk.setDuty('counsellor-exit', true);
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      const first = await page.goto(`${srv.url}/?from=poster`);
      expect(first?.headers()['cache-control']).toBe('no-store');
      await page.locator('.msg.bot').first().waitFor();
      // One history entry, at the neutral address: the query is gone, the title names nothing.
      expect(new URL(page.url()).search).toBe('');
      expect(await page.title()).not.toMatch(/Bình An|báo tin|ẩn danh/i);
      await send(page, 'cho mình gặp tư vấn viên');
      const client = await page.evaluate(() => sessionStorage.getItem('binhan-client')) as string;
      const chat = desk.chatOf(t.app.bot.sessionKey('web', client));
      expect(chat?.state).toBe('waiting');
      desk.take(chat!.id, 'counsellor-exit');
      await page.locator('#live-status[data-state="active"]').waitFor();
      const left = Date.now();
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.waitForURL(/google\.com/);
      while (chat!.state !== 'ended' && Date.now() - left < 5_000) await new Promise((r) => setTimeout(r, 50));
      expect(Date.now() - left).toBeLessThan(5_000);
      expect(chat!.endReason).toBe('user_left');
      expect(chat!.messages.at(-1)?.notice).toBe('user_left');
      await page.goBack().catch(() => undefined);
      expect(page.url()).not.toContain('127.0.0.1');
    } finally {
      desk.setDuty('counsellor-exit', false);
      await ctx.close();
    }
    // What the browser's own history keeps (its database, written at close): the site's address under the
    // neutral title, nothing with the chat's name or a query; the privacy answer says exactly this.
    const db = new Database(join(profile, 'Default', 'History'), { readonly: true });
    const rows = db.prepare('SELECT url, title FROM urls').all() as { url: string; title: string }[];
    db.close();
    rmSync(profile, { recursive: true, force: true });
    const ours = rows.filter((r) => r.url.startsWith(srv.url));
    expect(ours.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.title).not.toMatch(/Bình An|báo tin|ẩn danh|tư vấn/i);
    for (const r of ours) expect(new URL(r.url).pathname + new URL(r.url).search).toMatch(/^\/(\?from=poster)?$/);
    expect(outside).toEqual([]);
  });

  it('shows call links for the emergency numbers when someone is in danger', async () => {
    const page = await phonePage();
    await send(page, 'cứu tôi với, tôi đang bị nhốt');
    const hrefs = await page.locator('#log a.call').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['tel:113', 'tel:115', 'tel:111']);
    await page.context().close();
  });

  it('switches to English with the language button', async () => {
    const page = await phonePage();
    await page.click('#lang');
    await page.waitForFunction(() => /Switched to English/.test(document.body.innerText));
    await page.context().close();
  });
});
