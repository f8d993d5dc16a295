/**
 * End-to-end: a live handoff in two browser contexts of a real headless Chromium — a person on the
 * anonymous web chat page and a counsellor on the dashboard — against the real server and SQLite.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, submitSignIn } from './helpers/browser';
import { makeOfficer, PASSWORD } from './helpers/liaison';
import { ROOT } from './helpers/tmp';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';
const IMG = join(ROOT, 'docs', 'img');

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
  await makeOfficer(t.app, { username: 'hanh.counsellor', role: 'officer', displayName: 'Đỗ Thị Hạnh' });
  if (SHOTS) mkdirSync(IMG, { recursive: true });
});
afterAll(async () => {
  await browser.close();
  await srv?.close();
  await t?.close();
});

async function person(): Promise<Page> {
  const page = await browser.page(await browser.context({ viewport: { width: 375, height: 740 } }), srv.url);
  await page.locator('.msg.bot').first().waitFor();
  return page;
}

async function counsellor(): Promise<Page> {
  const page = await browser.page(await browser.context());
  page.on('dialog', (d) => { void d.accept(); });
  await page.goto(`${srv.url}/liaison`);
  await submitSignIn(page, 'hanh.counsellor', PASSWORD);
  await page.locator('#nav-live').click();
  await page.getByLabel('Tôi đang trực (nhận trò chuyện)').check();
  await page.locator('#on-duty-count', { hasText: ': 1' }).waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#input', text);
  await page.press('#input', 'Enter');
}

const lastBot = (page: Page, re: RegExp) => page.locator('.msg.bot', { hasText: re }).last().waitFor();

describe('live handoff between the web chat and the dashboard', () => {
  it('relays both ways, shows no identity either way, and the counsellor ends it', async () => {
    const desk = await counsellor();
    const user = await person();

    await say(user, 'cho tôi nói chuyện với người thật');
    await lastBot(user, /Mình đã báo cho tư vấn viên đang trực/);
    await user.locator('#live-status[data-state="waiting"]', { hasText: 'Đang chờ tư vấn viên' }).waitFor();

    // The waiting chat appears without a reload, counted in the header and the title.
    const waiting = desk.locator('.live-waiting');
    await waiting.waitFor();
    await desk.locator('#nav-live', { hasText: '(1)' }).waitFor();
    expect(await desk.title()).toMatch(/^\(1\) /);
    expect(await waiting.textContent()).toMatch(/Web/);
    await waiting.getByRole('button', { name: 'Nhận trò chuyện' }).click();
    await lastBot(user, /Một tư vấn viên đã vào cuộc trò chuyện/);
    await user.locator('#live-status[data-state="active"]').waitFor();

    await say(user, 'Em bị giữ giấy tờ ở chỗ làm, <script>alert(1)</script>');
    const fromUser = desk.locator('.live-msg.from-user p', { hasText: 'Em bị giữ giấy tờ' });
    await fromUser.waitFor();
    expect(await fromUser.textContent()).toBe('Em bị giữ giấy tờ ở chỗ làm, <script>alert(1)</script>');

    // The counsellor can look at the queue meanwhile and stays present; the typed draft survives updates.
    await desk.locator('#nav-queue').click();
    await desk.locator('#nav-live').click();
    const box = desk.getByLabel('Trả lời');
    await box.fill('Chị nghe em đây. Em đang ở nơi an toàn không?');
    await say(user, 'Em đang ở nhà bạn');
    await desk.locator('.live-msg.from-user p', { hasText: 'Em đang ở nhà bạn' }).waitFor();
    expect(await box.inputValue()).toBe('Chị nghe em đây. Em đang ở nơi an toàn không?');
    await box.press('Enter');
    await lastBot(user, /^Tư vấn viên: Chị nghe em đây\. Em đang ở nơi an toàn không\?$/);
    await desk.locator('.live-msg.from-counsellor', { hasText: 'Chị nghe em đây' }).waitFor();

    // Neither side sees the other's identity.
    expect(await user.locator('#log').textContent()).not.toMatch(/Hạnh|hanh\.counsellor/);
    const deskText = await desk.locator('main').textContent();
    const client = await user.evaluate(() => sessionStorage.getItem('binhan-client'));
    expect(deskText).not.toContain(client);

    if (SHOTS) await desk.screenshot({ path: join(IMG, 'live.png') });

    await desk.locator('.live-chat').getByRole('button', { name: 'Kết thúc' }).click();
    await lastBot(user, /Tư vấn viên đã kết thúc cuộc trò chuyện/);
    await user.locator('#live-status').waitFor({ state: 'hidden' });
    await desk.locator('.live-msg.from-system', { hasText: 'Bạn đã kết thúc cuộc trò chuyện' }).waitFor();
    // Back with the bot.
    await say(user, 'số điện thoại đường dây nóng');
    await lastBot(user, /\d{3}/);
    await desk.getByRole('button', { name: 'Đóng' }).click();
    await desk.getByText('Bạn chưa nhận cuộc trò chuyện nào.').waitFor();
  });

  it('lets the person end the chat with the button, and says honestly when nobody is on duty', async () => {
    const desk = await counsellor();
    const user = await person();
    await say(user, 'muốn nói chuyện với tư vấn viên');
    await desk.locator('.live-waiting').getByRole('button', { name: 'Nhận trò chuyện' }).click();
    await lastBot(user, /Một tư vấn viên đã vào/);
    await user.locator('.choices:not(.used) .choice', { hasText: 'Kết thúc trò chuyện' }).click();
    await lastBot(user, /Bạn đã kết thúc cuộc trò chuyện với tư vấn viên/);
    await desk.locator('.live-msg.from-system', { hasText: 'Người dùng đã kết thúc' }).waitFor();
    expect(await desk.locator('.live-chat textarea').count()).toBe(0);

    // Off duty: the next person is told nobody is available and offered hotlines and a tip.
    await desk.getByLabel('Tôi đang trực (nhận trò chuyện)').uncheck();
    await desk.locator('#on-duty-count', { hasText: ': 0' }).waitFor();
    const other = await person();
    await say(other, 'cho tôi nói chuyện với người thật');
    await other.locator('.choices:not(.used) .choice', { hasText: 'Số điện thoại' }).waitFor();
    await other.locator('.choices:not(.used) .choice', { hasText: 'Báo tin ẩn danh' }).waitFor();
  });
});
