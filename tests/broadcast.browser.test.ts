/**
 * The dashboard's broadcast page (issue #13) in Chromium: a supervisor counts the recipients (dry-run), starts a
 * broadcast, pauses, resumes and cancels it, the progress read from the server; an officer has no such page;
 * axe finds no serious or critical problem.
 */
import type { Page } from 'playwright-core';
import { BroadcastService, attachBroadcasts } from '../src/campaigns/broadcasts';
import { adapterSender } from '../src/campaigns/senders';
import { SubscriptionRegistry } from '../src/campaigns/subscriptions';
import { Outbox } from '../src/channels/outbox';
import { createTelegramAdapter } from '../src/channels/telegram/index';
import { TRIAL_TOKEN, TrialClock } from '../src/bench/broadcast-world';
import { axeProblems } from './helpers/axe';
import { testApp, type TestApp } from './helpers/app';
import { TestBrowser, idle, submitSignIn } from './helpers/browser';
import { FakePlatform } from './helpers/fake-platform';
import { makeOfficer, PASSWORD } from './helpers/liaison';
import { serve } from './helpers/server';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
let fake: FakePlatform;
let service: BroadcastService;
const browser = new TestBrowser();

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  fake = new FakePlatform(() => ({ status: 200, body: { ok: true, result: { message_id: 1 } } }));
  await fake.start();
  await browser.launch();
  await makeOfficer(t.app, { username: 'mai.le', role: 'supervisor', displayName: 'Lê Thị Mai' });
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An' });
  const clock = new TrialClock(Date.parse('2026-12-01T10:00:00+07:00'));
  const subs = new SubscriptionRegistry(t.app.store, t.app.cipher, Buffer.alloc(32, 3));
  for (let i = 0; i < 12; i++) await subs.subscribe({ channel: 'telegram', address: `tg-${i}`, lang: 'vi', now: clock.now() });
  await subs.subscribe({ channel: 'zalo', address: 'zalo-1', lang: 'vi', now: clock.now() });
  const tg = createTelegramAdapter({ TELEGRAM_BOT_TOKEN: TRIAL_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'trial_webhook_secret_0123456789abcdef', TELEGRAM_API_BASE: fake.url }, { log: t.app.log, store: t.app.store })!;
  // Two a second: slow enough to pause it while it runs.
  service = new BroadcastService({
    store: t.app.store, subscriptions: subs, campaigns: t.app.bundle.campaigns, log: t.app.log, now: clock.now, sleep: clock.sleep,
    senders: new Map([['telegram', adapterSender(tg, new Outbox(tg, t.app.log), 2, 1)]]),
  });
  attachBroadcasts(t.app.store, service);
});
afterAll(async () => {
  await browser.close();
  await service?.runner.idle();
  await fake?.stop();
  await srv?.close();
  await t?.close();
});

async function signIn(username: string): Promise<Page> {
  const ctx = await browser.context();
  const page = await browser.page(ctx, `${srv.url}/liaison`);
  await submitSignIn(page, username, PASSWORD);
  await page.locator('#nav').waitFor();
  return page;
}

const status = (page: Page) => page.locator('#bc-list tbody tr .bc-status').first();

it('counts the recipients, starts, pauses, resumes and cancels a broadcast; accessible', async () => {
  const page = await signIn('mai.le');
  await page.locator('#nav-broadcasts').click();
  await page.locator('#bc-form').waitFor();
  await idle(page);
  expect(await page.locator('#bc-start').isDisabled()).toBe(true);
  expect(await page.locator('#bc-list .empty').textContent()).toBe('Chưa có đợt gửi nào.');

  await page.locator('#bc-dry').click();
  await page.locator('#bc-dry-result').waitFor();
  expect(await page.locator('#bc-total').textContent()).toBe('Tổng số sẽ nhận: 12');
  expect(await page.locator('#bc-dry-result tbody').textContent()).toContain('Không (nền tảng chưa cho phép)');
  expect(await axeProblems(page)).toEqual([]);

  await page.locator('#bc-start').click();
  await page.locator('#bc-list tbody tr').waitFor();
  await idle(page);
  expect(await page.locator('#flash').textContent()).toBe('Đã bắt đầu gửi.');
  expect(await status(page).textContent()).toBe('Đang gửi');

  await page.locator('.bc-pause').click();
  await page.locator('.bc-resume').waitFor();
  expect(await status(page).textContent()).toBe('Tạm dừng');
  const sentWhilePaused = fake.calls('/sendMessage').length;
  expect(sentWhilePaused).toBeLessThan(12);
  expect(await axeProblems(page)).toEqual([]);

  await page.locator('.bc-resume').click();
  await page.locator('.bc-pause').waitFor();
  expect(await status(page).textContent()).toBe('Đang gửi');
  // The progress refreshes by itself while it runs.
  await page.waitForFunction(() => /đã gửi [1-9]/.test(document.querySelector('#bc-list .bc-progress')?.textContent ?? ''), undefined, { timeout: 10_000 });

  await page.locator('.bc-cancel').click();
  await page.waitForFunction(() => document.querySelector('#bc-list .bc-status')?.textContent === 'Đã hủy');
  // Another broadcast the same week is refused in plain words (subscribers were promised at most one a week).
  await page.locator('#bc-dry').click();
  await page.locator('#bc-dry-result').waitFor();
  await page.locator('#bc-start').click();
  await page.waitForFunction(() => /chưa đủ 7 ngày/.test(document.querySelector('#flash')?.textContent ?? ''));

  const actions = (await t.app.store.listAudit({ limit: 50 })).map((a) => a.action.split(':')[0]);
  expect(actions).toEqual(expect.arrayContaining(['broadcast.dry_run', 'broadcast.start', 'broadcast.pause', 'broadcast.resume', 'broadcast.cancel']));
}, 60_000);

it('is not offered to an officer', async () => {
  const page = await signIn('duc.pham');
  expect(await page.locator('#nav-broadcasts').count()).toBe(0);
});
