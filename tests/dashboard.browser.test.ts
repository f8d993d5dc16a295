/**
 * End-to-end: the officers' dashboard (/liaison) in a real headless Chromium, against the real server,
 * SQLite and the bot — sign-in, queue, case page, the anonymous follow-up, closing, scope and escaping.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, idle, submitSignIn } from './helpers/browser';
import { addTip, makeOfficer, PASSWORD } from './helpers/liaison';
import { ROOT } from './helpers/tmp';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();
const IMG = join(ROOT, 'docs', 'img');
/** DASHBOARD_SCREENSHOTS=1 refreshes the guide's screenshots in docs/img (1280x800). */
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An', displayName: 'Thượng úy Phạm Văn Đức' });
  await makeOfficer(t.app, { username: 'mai.le', role: 'supervisor', displayName: 'Lê Thị Mai' });
  await makeOfficer(t.app, { username: 'lan.tran', role: 'officer', province: 'Quảng Ninh', displayName: 'Trần Thị Lan' });
  await makeOfficer(t.app, { username: 'new.officer', role: 'officer', province: 'Nghệ An', mustChangePassword: true });
  if (SHOTS) mkdirSync(IMG, { recursive: true });
});
afterAll(async () => {
  await browser.close();
  await srv?.close();
  await t?.close();
});

const context = (): Promise<BrowserContext> => browser.context();

async function signIn(ctx: BrowserContext, username: string, password = PASSWORD): Promise<Page> {
  const page = await browser.page(ctx, `${srv.url}/liaison`);
  await submitSignIn(page, username, password);
  return page;
}
const row = (page: Page, ref: string) => page.locator(`.case-row[data-ref="${ref}"]`);

async function storage(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ l: { ...localStorage }, s: { ...sessionStorage } }));
}

describe('officers’ dashboard in Chromium', () => {
  it('serves the page with no-store and the CSP, and its assets from /liaison', async () => {
    const res = await fetch(`${srv.url}/liaison`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await res.text()).toMatch(/\/liaison\/app\.js/);
    const deep = await fetch(`${srv.url}/liaison/queue`);
    expect(deep.status).toBe(200);
    const js = await fetch(`${srv.url}/liaison/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${srv.url}/`)).status).toBe(200); // the public chat is untouched
  });

  it('takes a tip from the queue through claim, a question, the reporter’s answer, and closing', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Có người bán ma túy ở quán nước đầu hẻm.';
    const { ref, secret } = await fileTip(new Chat(t.app, undefined, 'web'));
    const bad = await addTip(t.app, { category: 'scam', province: 'Nghệ An', what: evil, involved: '<b>đậm</b>' });
    const other = await fileTip(new Chat(t.app, undefined, 'web'), 'Có người bán ma túy đá ở quán nước đầu hẻm gần chợ xã, tối nào cũng có.');

    const octx = await context();
    const page = await signIn(octx, 'duc.pham');
    await row(page, ref).waitFor();
    expect(await page.locator('#who').textContent()).toMatch(/Phạm Văn Đức/);
    expect(await page.locator('#counts li[data-status="new"] strong').textContent()).toBe('3');
    // Data typed with markup renders as text.
    expect(await row(page, bad.ref).locator('.excerpt').textContent()).toContain('<script>');
    expect(await page.locator('#queue img, #queue script').count()).toBe(0);
    // Related tips are flagged in the list.
    await expect(row(page, ref).locator('.flag.related').textContent()).resolves.toMatch(/1/);

    // Search by reference code.
    await page.getByLabel('Tìm kiếm').fill(other.ref.toLowerCase());
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.case-row').length === 1);
    expect(await page.locator('.case-row').getAttribute('data-ref')).toBe(other.ref);
    await page.click('#f-reset');
    await row(page, ref).waitFor();
    await idle(page);

    // Keyboard: Tab reaches a queue row, Enter opens the case.
    await page.locator('#f-reset').focus();
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((r) => document.activeElement?.getAttribute('data-ref') === r || document.activeElement?.classList.contains('case-row') === true, ref);
    }
    expect(reached).toBe(true);
    const focusedRef = await page.evaluate(() => document.activeElement?.getAttribute('data-ref'));
    if (focusedRef !== ref) await row(page, ref).focus();
    await page.keyboard.press('Enter');
    await page.locator('#case-title').waitFor();
    expect(await page.locator('#case-title .ref').textContent()).toBe(ref);
    expect(page.url()).toBe(`${srv.url}/liaison`); // nothing about the case in the URL
    expect(await page.locator('#related li').textContent()).toContain(other.ref);
    expect(await page.locator('#related li').textContent()).toMatch(/\d+%/);

    await page.click('#claim');
    await page.waitForFunction(() => document.querySelector('#case-status')?.textContent === 'Đã có người nhận');
    await page.getByLabel('Ghi chú mới').fill('NỘI BỘ: <b>chủ quán</b> có tiền án');
    await page.getByRole('button', { name: 'Thêm ghi chú' }).click();
    await page.locator('#notes li').waitFor();
    expect(await page.locator('#notes li p').textContent()).toBe('NỘI BỘ: <b>chủ quán</b> có tiền án');
    await page.getByLabel('Câu hỏi cho người báo').fill('Quán nước mở cửa đến mấy giờ?');
    await page.getByRole('button', { name: 'Gửi câu hỏi' }).click();
    await page.locator('#messages li.from-officer').waitFor();

    // The reporter answers through the bot (another channel, with the code and the secret).
    const reporter = new Chat(t.app, undefined, 'telegram');
    await reporter.say('tra cứu tin báo');
    await reporter.say(ref);
    await reporter.say(secret);
    expect(reporter.text()).toMatch(/Quán nước mở cửa đến mấy giờ\?/);
    expect(reporter.text()).not.toMatch(/NỘI BỘ|Đức/);
    await reporter.tap('Bổ sung / trả lời');
    await reporter.say('Quán mở đến khoảng 11 giờ đêm.');

    await page.click('#reload');
    await page.locator('#messages li.from-reporter').waitFor();
    expect(await page.locator('#messages li.from-reporter p').textContent()).toBe('Quán mở đến khoảng 11 giờ đêm.');
    expect(await page.locator('#history').textContent()).toMatch(/người báo trả lời/);
    // The print stylesheet keeps the content and drops the controls.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#print').isVisible()).toBe(false);
    expect(await page.locator('#ask-form').isVisible()).toBe(false);
    expect(await page.locator('.fields').isVisible()).toBe(true);
    expect(await page.locator('#messages li.from-reporter').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    // An officer cannot close: the status choice does not offer it.
    expect(await page.locator('#c-status option[value="closed"]').count()).toBe(0);
    expect(await page.locator('.fields').textContent()).toContain('Vẫn đang diễn ra');
    // The tip's fields in their order, named as src/cases/tip-fields.ts names them, coded values in words.
    const names = await page.locator('.fields dt').allTextContents();
    expect(names.slice(0, 6)).toEqual(['Loại tin', 'Tỉnh/thành', 'Địa điểm', 'Thời gian', 'Sự việc', 'Có người đang gặp nguy hiểm']);
    expect(await page.locator('.fields dd').first().textContent()).toBe('Ma túy');
    if (SHOTS) {
      await page.screenshot({ path: join(IMG, 'dashboard-case.png') });
      await page.locator('#messages').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(IMG, 'dashboard-case-messages.png') });
    }

    // Back in the queue the tip shows the reporter answered.
    await page.click('#back');
    await row(page, ref).locator('.flag.answered').waitFor();
    await idle(page);
    await page.getByLabel('Loại tin').selectOption('drugs');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.case-row').length === 2);
    await idle(page);
    if (SHOTS) await page.screenshot({ path: join(IMG, 'dashboard-queue.png') });
    await page.click('#f-reset');
    await idle(page);
    // Nothing about cases in web storage.
    expect(await storage(page)).toBe('{"l":{},"s":{}}');

    // A supervisor in another browser context closes it with a disposition.
    const sctx = await context();
    const sup = await signIn(sctx, 'mai.le');
    await row(sup, ref).click();
    await sup.locator('#case-title').waitFor();
    await sup.selectOption('#c-status', 'closed');
    await sup.selectOption('#c-disposition', 'referred');
    await sup.getByRole('button', { name: 'Đổi' }).first().click();
    await sup.waitForFunction(() => document.querySelector('#case-status')?.textContent === 'Đã đóng');
    expect((await t.app.store.getCaseByRef(ref))?.disposition).toBe('referred');
    await sup.click('#back');
    expect(await sup.locator('#export').getAttribute('href')).toMatch(/^\/api\/liaison\/export\.csv/);

    // The officer's open copy is stale: a change now is a conflict, shown in words, with a reload.
    await row(page, other.ref).click();
    await page.locator('#case-title').waitFor();
    await idle(page);
    await t.app.cases.changePriority({ id: (await t.app.store.listOfficers()).find((o) => o.username === 'mai.le')!.id, role: 'supervisor', province: null },
      (await t.app.store.getCaseByRef(other.ref))!.id, { priority: 'high' });
    await page.selectOption('#c-priority', 'low');
    await page.locator('#priority-form button').click();
    await page.locator('#flash.error').waitFor();
    expect(await page.locator('#flash').textContent()).toMatch(/người khác thay đổi/);
    await page.click('#reload-conflict');
    await page.waitForFunction(() => document.querySelector('#case-priority')?.textContent === 'Cao');

    await sctx.close();

    // Markup typed into a tip is shown as text on the case page too.
    await page.click('#back');
    await idle(page);
    await row(page, bad.ref).click();
    await page.locator('#case-title').waitFor();
    expect(await page.locator('.fields').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.locator('.fields').textContent()).toContain('<b>đậm</b>');
    expect(await page.locator('main img, main script, main b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // Sign-out returns to the sign-in form; the session is gone.
    await page.click('#logout');
    await page.getByLabel('Tên đăng nhập').waitFor();
    expect(await page.locator('#flash').textContent()).toMatch(/Đã đăng xuất/);
    await octx.close();
  });

  it('hides other provinces’ tips, shows API errors as text, and toggles English', async () => {
    const { ref } = await fileTip(new Chat(t.app));
    const ctx = await context();
    const page = await signIn(ctx, 'lan.tran', 'wrong password!!');
    await page.locator('#flash.error').waitFor();
    // In plain words of the interface language: no status number, no server English.
    expect(await page.locator('#flash').textContent()).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.locator('#filters').waitFor();
    await idle(page);
    expect(await page.locator('.empty').textContent()).toBe('Không có tin báo nào phù hợp.');
    expect(await row(page, ref).count()).toBe(0);
    expect(await page.locator('.case-row').count()).toBe(0);
    await page.click('#lang');
    await page.getByRole('heading', { name: 'Tip queue' }).waitFor();
    expect(await page.locator('#logout').textContent()).toBe('Sign out');
    await ctx.close();
  });

  it('forces a password change, and sends an expired session back to sign-in with a message', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'new.officer');
    await page.locator('#password-form').waitFor();
    const next = 'a much longer new passphrase 42';
    await page.getByLabel('Mật khẩu hiện tại').fill(PASSWORD);
    await page.getByLabel('Mật khẩu mới (12 ký tự trở lên)').fill(next);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(next);
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await page.locator('#filters').waitFor();
    await idle(page);
    // The session ends on the server (as when it expires): the next call brings the sign-in form back.
    const me = (await t.app.store.listOfficers()).find((o) => o.username === 'new.officer')!;
    await t.app.store.deleteAuthSessionsOf(me.id);
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.getByLabel('Tên đăng nhập').waitFor();
    expect(await page.locator('#flash').textContent()).toMatch(/hết hạn/);
    await ctx.close();
  });

  it('puts urgent tips first and loads more with the cursor', async () => {
    for (let i = 0; i < 26; i++) await addTip(t.app, { province: 'Quảng Ninh', category: 'scam', what: `Lừa đảo qua điện thoại, lần ${i} ${'xyz'.repeat(i % 3)}` });
    const urgent = await addTip(t.app, { province: 'Quảng Ninh', category: 'scam', what: 'Có người bị giữ trong phòng ngay lúc này', inDanger: 'yes' }, { priority: 'urgent' });
    const ctx = await context();
    const page = await signIn(ctx, 'lan.tran');
    await page.locator('.case-row').first().waitFor();
    expect(await page.locator('.case-row').first().getAttribute('data-ref')).toBe(urgent.ref);
    expect(await page.locator('.case-row').first().locator('.flag.urgent').count()).toBe(1);
    expect(await page.locator('.case-row').count()).toBe(25);
    await page.click('#more');
    await page.waitForFunction(() => document.querySelectorAll('.case-row').length === 27);
    expect(await page.locator('#more').count()).toBe(0);
    await ctx.close();
  });
});
