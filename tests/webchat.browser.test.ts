/**
 * End-to-end: the anonymous web chat in a real headless Chromium, against the real server and SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type BrowserContextOptions, type Page } from 'playwright-core';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { CHROMIUM, TestBrowser } from './helpers/browser';
import { axeProblems } from './helpers/axe';
import { TRAPPED } from './helpers/competence';

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

// ---------------------------------------------------------------------------------------------
// The reporter's side (issue #12): codes to keep, numbers to call, a page that fits a small screen and
// reads well aloud. Every number is taken from content/hotlines.yaml, never typed here.

const verified = () => t.app.bundle.content.hotlines.filter((h) => h.status === 'verified' && h.dial);
const hotline = (id: string) => verified().find((h) => h.id === id)!;
const digits = (s: string): string => s.replace(/\D/g, '');

/** A page at a given size (and zoom, as deviceScaleFactor), waiting for the greeting. */
async function pageAt(opts: BrowserContextOptions): Promise<Page> {
  const page = await browser.page(await browser.context(opts), srv.url);
  await page.locator('.msg.bot').first().waitFor();
  return page;
}

/** Taps the current button with exactly this label. */
async function tapExact(page: Page, label: string): Promise<void> {
  const before = await page.locator('.msg.bot').count();
  await page.locator('.choices:not(.used)').getByRole('button', { name: label, exact: true }).last().click();
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
}

type Step = string | { say: string };
const TIP_VI: Step[] = ['Báo tin ẩn danh', 'Ma túy', { say: 'Quảng Ninh' }, 'Bỏ qua', 'Hôm qua', { say: 'Có người bán ma túy ở bãi xe gần bến cảng vào ban đêm.' },
  'Bỏ qua', 'Không', 'Không để lại', 'Gửi tin báo'];
const TIP_EN: Step[] = ['Anonymous tip', 'Drugs', { say: 'Quang Ninh' }, 'Skip', 'Yesterday', { say: 'Someone sells drugs in the car park near the port at night.' },
  'Skip', 'No', 'No contact', 'Send the tip'];

/** Files a tip through the buttons; returns the codes the server sent with the receipt (read from its answer). */
async function fileTipOnPage(page: Page, steps: Step[]): Promise<{ ref: string; secret: string }> {
  const codes: { label: string; value: string; secret?: boolean }[] = [];
  const watch = (res: { url(): string; json(): Promise<unknown> }): void => {
    if (!res.url().endsWith('/api/chat')) return;
    void res.json().then((b) => { for (const r of (b as { replies?: { copy?: typeof codes }[] }).replies ?? []) codes.push(...(r.copy ?? [])); }, () => undefined);
  };
  page.on('response', watch);
  for (const s of steps) {
    if (typeof s === 'string') await tapExact(page, s);
    else await send(page, s.say);
  }
  await page.locator('.codes').waitFor();
  page.off('response', watch);
  const ref = codes.find((c) => !c.secret)?.value as string;
  const secret = codes.find((c) => c.secret)?.value as string;
  expect(ref).toMatch(/^BA-[A-Z0-9]{6}$/);
  expect(digits(secret)).toMatch(/^\d{12}$/);
  return { ref, secret };
}

/** What the page keeps anywhere a person (or the next one) could find it. */
const keptOnPage = (page: Page): Promise<string> => page.evaluate(() => [document.documentElement.outerHTML, document.body.innerText, location.href,
  JSON.stringify({ ...sessionStorage }), JSON.stringify({ ...localStorage })].join('\n'));

/** Controls smaller than 44 × 44 px: chips, buttons, call links and the footer's emergency links. */
const smallTargets = (page: Page): Promise<string[]> => page.evaluate(() => [...document.querySelectorAll('button, .choice, a.call, .sos a, .codes button')]
  .filter((e) => (e as HTMLElement).offsetParent !== null)
  .map((e) => ({ e, r: e.getBoundingClientRect() }))
  .filter(({ r }) => r.width < 44 || r.height < 44)
  .map(({ e, r }) => `${e.textContent?.trim()} ${Math.round(r.width)}×${Math.round(r.height)}`));

describe('web chat: the reporter\'s side', () => {
  it('shows a filed tip\'s codes in a box that fits a small phone, copies each, and keeps the secret masked and nowhere on the page', async () => {
    const page = await pageAt({ viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true, permissions: ['clipboard-read', 'clipboard-write'] });
    const { ref, secret } = await fileTipOnPage(page, TIP_VI);
    expect(await t.app.store.getCaseByRef(ref)).toBeTruthy();

    // The box: both codes, labelled, the secret masked; wholly inside the conversation's visible part.
    const box = page.locator('.codes');
    expect(await box.getAttribute('role')).toBe('group');
    expect(await box.locator('.code-label').allTextContents()).toEqual(['Mã tra cứu', 'Mã bí mật']);
    expect(await box.locator('.code-value').allTextContents()).toEqual([ref, '•••• •••• ••••']);
    const [b, l] = await Promise.all([box.boundingBox(), page.locator('#log').boundingBox()]);
    expect(b!.y).toBeGreaterThanOrEqual(l!.y);
    expect(b!.y + b!.height).toBeLessThanOrEqual(l!.y + l!.height);
    // The receipt's own text says the secret masked too.
    const receipt = (await page.locator('.msg.bot').allTextContents()).find((x) => x.includes(ref)) as string;
    expect(receipt).toContain('Mã bí mật: •••• •••• ••••');
    expect(digits(await keptOnPage(page))).not.toContain(digits(secret));

    // Copy the reference code: on the clipboard, and the button says so.
    await box.getByRole('button', { name: 'Sao chép Mã tra cứu' }).click();
    await box.getByRole('button', { name: 'Đã chép Mã tra cứu' }).waitFor();
    expect(await box.locator('button.copy').first().textContent()).toBe('Đã chép');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ref);
    // Copy the secret without showing it: on the clipboard, still masked on the page.
    await box.getByRole('button', { name: 'Sao chép Mã bí mật' }).click();
    await box.getByRole('button', { name: 'Đã chép Mã bí mật' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect(digits(await keptOnPage(page))).not.toContain(digits(secret));

    // Shown on demand, hidden again: then gone from the page.
    await box.getByRole('button', { name: 'Hiện Mã bí mật' }).click();
    expect(await box.locator('.code-value').nth(1).textContent()).toBe(secret);
    await box.getByRole('button', { name: 'Ẩn Mã bí mật' }).click();
    expect(await box.locator('.code-value').nth(1).textContent()).toBe('•••• •••• ••••');
    expect(digits(await keptOnPage(page))).not.toContain(digits(secret));

    expect(await smallTargets(page)).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('in English: the box says Copy, Copied, Show, the messages say "You:", and axe finds nothing serious', async () => {
    const page = await pageAt({ viewport: { width: 375, height: 740 }, permissions: ['clipboard-read', 'clipboard-write'] });
    await page.click('#lang');
    await page.waitForFunction(() => /Switched to English/.test(document.body.innerText));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#exit').textContent()).toBe('Quick exit');
    expect(await axeProblems(page)).toEqual([]);
    const { ref, secret } = await fileTipOnPage(page, TIP_EN);
    const box = page.locator('.codes');
    expect(await box.getAttribute('aria-label')).toBe('Your codes');
    expect(await box.locator('.code-label').allTextContents()).toEqual(['Reference code', 'Secret']);
    await box.getByRole('button', { name: 'Copy Reference code' }).click();
    await box.getByRole('button', { name: 'Copied Reference code' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ref);
    await box.getByRole('button', { name: 'Show Secret' }).click();
    expect(await box.locator('.code-value').nth(1).textContent()).toBe(secret);
    await box.getByRole('button', { name: 'Hide Secret' }).waitFor();
    const labels = await page.evaluate(() => [...document.querySelectorAll('.msg.me')].map((m) => m.previousElementSibling?.textContent));
    expect(labels.length).toBeGreaterThan(3);
    expect(new Set(labels)).toEqual(new Set(['You: ']));
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('makes every phone number in an answer a tel: link and an e-mail address a mailto: link, as DOM nodes', async () => {
    const page = await phonePage();
    await tap(page, 'Số điện thoại');
    const shown = (await page.locator('.msg.bot').allTextContents()).slice(-3).join('\n');
    const expected = verified().filter((h) => shown.includes(h.number));
    expect(expected.map((h) => h.id)).toEqual(expect.arrayContaining(['police', 'medical', 'child']));
    const links = await page.locator('.msg.bot a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent })));
    for (const h of expected) expect(links).toContainEqual({ href: `tel:${h.dial}`, text: h.number });
    // Nothing else is made a link, and a bubble holds only text and links (never markup from the data).
    for (const l of links) expect(verified().some((h) => l.href === `tel:${h.dial}`)).toBe(true);
    expect(await page.locator('.msg.bot *:not(a)').count()).toBe(0);

    // Trapped abroad: the consular numbers and the consular e-mail address.
    await send(page, TRAPPED);
    const consular = hotline('consular');
    const email = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(consular.use_for.vi)![0];
    const last = page.locator('.msg.bot', { hasText: email }).last();
    expect(await last.locator(`a[href="mailto:${email}"]`).textContent()).toBe(email);
    expect(await last.locator(`a[href="tel:${consular.dial}"]`).textContent()).toBe(consular.number);
    await page.context().close();
  });

  it.each([
    ['a 320 px phone', { viewport: { width: 320, height: 568 } }],
    ['a 640 × 800 window at 200% zoom', { viewport: { width: 320, height: 400 }, deviceScaleFactor: 2 }],
  ])('fits %s in both languages: the name, EN and "Thoát nhanh" side by side and whole, no sideways scroll, 44 px targets', async (_what, opts) => {
    const page = await pageAt(opts);
    for (const lang of ['vi', 'en']) {
      if (lang === 'en') {
        await page.click('#lang');
        await page.waitForFunction(() => /Switched to English/.test(document.body.innerText));
      }
      const m = await page.evaluate(() => {
        const r = (s: string) => document.querySelector(s)!.getBoundingClientRect();
        const el = (s: string) => document.querySelector(s) as HTMLElement;
        return {
          h1: r('h1'), lang: r('#lang'), exit: r('#exit'), width: window.innerWidth,
          pageScroll: document.documentElement.scrollWidth - window.innerWidth,
          logScroll: el('#log').scrollWidth - el('#log').clientWidth,
          h1Clipped: el('h1').scrollWidth > el('h1').clientWidth,
          exitClipped: el('#exit').scrollWidth > el('#exit').clientWidth,
          exitText: el('#exit').textContent,
        };
      });
      expect({ lang, exit: m.exitText }).toEqual({ lang, exit: lang === 'vi' ? 'Thoát nhanh' : 'Quick exit' });
      expect(m.h1.left).toBeGreaterThanOrEqual(0);
      expect(m.h1.right).toBeLessThanOrEqual(m.lang.left);
      expect(m.lang.right).toBeLessThanOrEqual(m.exit.left);
      expect(m.exit.right).toBeLessThanOrEqual(m.width);
      expect({ h1: m.h1Clipped, exit: m.exitClipped }).toEqual({ h1: false, exit: false });
      expect({ page: m.pageScroll, log: m.logScroll }).toEqual({ page: 0, log: 0 });
      expect(await smallTargets(page)).toEqual([]);
    }
    await page.context().close();
  });

  it('labels each message for screen readers, "Bình An:" and "Bạn:", visually hidden, the messages\' own text unchanged', async () => {
    const page = await phonePage();
    await send(page, 'cai nghiện ở đâu');
    const roles = await page.evaluate(() => [...document.querySelectorAll('.msg.bot, .msg.me')].map((m) => {
      const label = m.previousElementSibling as HTMLElement;
      const r = label.getBoundingClientRect();
      return { who: m.classList.contains('me') ? 'me' : 'bot', label: label.className === 'sr-only' ? label.textContent : null, hidden: r.width <= 1 && r.height <= 1 };
    }));
    expect(roles.length).toBeGreaterThan(2);
    for (const r of roles) expect(r).toEqual({ who: r.who, label: r.who === 'me' ? 'Bạn: ' : 'Bình An: ', hidden: true });
    expect(await page.locator('.msg.me').last().textContent()).toBe('cai nghiện ở đâu');
    // What a screen reader is given: the label, then the message.
    const tree = await page.locator('#log').ariaSnapshot();
    expect(tree).toMatch(/Bạn:[\s\S]*cai nghiện ở đâu/);
    expect(tree).toMatch(/Bình An:/);
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });

  it('in a live chat: the end button stays ready (not greyed out) as lines come, a counsellor\'s numbers are links, and axe finds nothing serious', async () => {
    const desk = t.app.live.desk;
    desk.connect('counsellor-a11y');
    desk.setDuty('counsellor-a11y', true);
    try {
      const page = await phonePage();
      await send(page, 'cho mình gặp tư vấn viên');
      const client = await page.evaluate(() => sessionStorage.getItem('binhan-client')) as string;
      const chat = desk.chatOf(t.app.bot.sessionKey('web', client))!;
      desk.take(chat.id, 'counsellor-a11y');
      const end = page.locator('.choices.live-end .choice');
      await end.waitFor();
      // A counsellor's line with numbers written as people write them (each built from content/hotlines.yaml).
      const consular = hotline('consular');
      const national = `0${consular.dial.replace(/^\+84/, '')}`;
      const nationalShown = `${national.slice(0, 4)} ${national.slice(4, 6)} ${national.slice(6, 8)} ${national.slice(8)}`;
      const binhYen = hotline('binh_yen');
      const binhYenShown = `${binhYen.dial.slice(0, 4)} ${binhYen.dial.slice(4, 7)} ${binhYen.dial.slice(7)}`;
      const police = hotline('police');
      desk.reply(chat.id, 'counsellor-a11y', `Em gọi ${nationalShown} hoặc ${binhYenShown}, khẩn cấp thì ${police.dial}. Theo Điều ${police.dial}, phạt ${police.dial}.000 đồng.`);
      const line = page.locator('.msg.bot', { hasText: nationalShown });
      await line.waitFor();
      expect(await line.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual([
        [`tel:${national}`, nationalShown], [`tel:${binhYen.dial}`, binhYenShown], [`tel:${police.dial}`, police.dial],
      ]);
      // The person writes too (no bot answer in a live chat): every earlier button but the end one turns secondary.
      await page.fill('#input', 'dạ em hiểu rồi');
      await page.press('#input', 'Enter');
      await page.locator('.msg.me', { hasText: 'dạ em hiểu rồi' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('#log .typing'));
      // Still ready: not marked as an old button, fully opaque, the hand cursor, readable (axe checks contrast).
      expect(await page.locator('.choices.live-end.used').count()).toBe(0);
      const look = await end.evaluate((b) => {
        let o = 1;
        for (let e: Element | null = b; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
        return { opacity: o, cursor: getComputedStyle(b).cursor, disabled: (b as HTMLButtonElement).disabled };
      });
      expect(look).toEqual({ opacity: 1, cursor: 'pointer', disabled: false });
      expect(await axeProblems(page)).toEqual([]);
      await end.click();
      await page.locator('.msg.bot', { hasText: 'Bạn đã kết thúc cuộc trò chuyện' }).waitFor();
      await page.locator('.choices.live-end.used').waitFor({ state: 'attached' });
      await page.context().close();
    } finally {
      desk.setDuty('counsellor-a11y', false);
    }
  });

  it('has no serious or critical axe-core problem at the start', async () => {
    const page = await phonePage();
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });
});
