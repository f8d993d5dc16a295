/**
 * The newcomer's path, end to end in a real headless Chromium: the first admin comes from the CLI
 * (`binhan officers add --role admin`, a real process on the same DATA_DIR), a tip is filed through the
 * web chat page, and the admin triages it on the dashboard — claim, a question, the reporter's answer
 * typed on the web chat page, closing with a disposition — then sees it flagged "new" no more, while a
 * tip received after the previous sign-in is.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, submitSignIn } from './helpers/browser';
import { addTip } from './helpers/liaison';
import { ROOT } from './helpers/tmp';

const ADMIN_PASSWORD = 'mật khẩu quản trị đủ dài 2026';
let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();

beforeAll(async () => {
  t = await testApp();
  srv = await serve(t.app);
  await browser.launch();
});
afterAll(async () => {
  await browser.close();
  await srv?.close();
  await t?.close();
});

/** A tablet-sized window. */
const context = (): Promise<BrowserContext> => browser.context({ viewport: { width: 1024, height: 768 } });
const open = (ctx: BrowserContext, path: string): Promise<Page> => browser.page(ctx, `${srv.url}${path}`);

/** The web chat page: type, or tap a button, and wait for the bot's answer. */
class WebChat {
  constructor(readonly page: Page) {}
  static async open(ctx: BrowserContext): Promise<WebChat> {
    const page = await open(ctx, '/');
    await page.locator('.msg.bot').first().waitFor();
    return new WebChat(page);
  }
  private async answered(before: number): Promise<void> {
    await this.page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n && !document.querySelector('.typing'), before);
  }
  async say(text: string): Promise<void> {
    const before = await this.page.locator('.msg.bot').count();
    await this.page.fill('#input', text);
    await this.page.press('#input', 'Enter');
    await this.answered(before);
  }
  async tap(label: string): Promise<void> {
    const before = await this.page.locator('.msg.bot').count();
    await this.page.locator('.choices:not(.used) .choice', { hasText: label }).first().click();
    await this.answered(before);
  }
  text(): Promise<string> { return this.page.locator('#log').textContent().then((s) => s ?? ''); }
}

async function signIn(ctx: BrowserContext): Promise<Page> {
  const page = await open(ctx, '/liaison');
  await submitSignIn(page, 'admin', ADMIN_PASSWORD);
  await page.locator('#filters').waitFor();
  return page;
}

/** The CLI on the test app's own store: its DATA_DIR's SQLite file (never a MONGODB_URI CI may have set). */
function cliEnv(): NodeJS.ProcessEnv {
  const { MONGODB_URI: _mongo, ...rest } = process.env;
  return { ...rest, DATA_DIR: t.dir, LOG_LEVEL: 'error' };
}

describe('a newcomer triages the tip they filed', () => {
  it('goes from `binhan officers add --role admin` to a closed tip, through the web chat page and the dashboard', async () => {
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'binhan.js'), 'officers', 'add', '--role', 'admin'], {
      input: `${ADMIN_PASSWORD}\n`, encoding: 'utf8', timeout: 60_000, env: cliEnv(),
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/created admin "admin"/);

    // A tip through the web chat page.
    const reporterCtx = await context();
    const chat = await WebChat.open(reporterCtx);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Lừa đảo');
    await chat.say('Đà Nẵng');
    await chat.say('trang tuyển dụng trên mạng');
    await chat.tap('Trong tuần này');
    await chat.say('Một trang tuyển người đi làm ở nước ngoài, bắt nộp tiền đặt cọc và giữ hộ chiếu.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    await chat.tap('Gửi tin báo');
    const receipt = await chat.text();
    const ref = /BA-[A-Z0-9]{6}/.exec(receipt)![0];
    // The secret stays masked on the page until asked for: "Hiện" in the codes box shows it.
    expect(receipt).not.toMatch(/\d{4} \d{4} \d{4}/);
    await chat.page.getByRole('button', { name: 'Hiện Mã bí mật' }).click();
    const secret = (await chat.page.locator('.codes .code-value').nth(1).textContent()) as string;
    expect(secret).toMatch(/^\d{4} \d{4} \d{4}$/);

    // The admin finds it at the top of the queue and triages it.
    const deskCtx = await context();
    const desk = await signIn(deskCtx);
    const row = desk.locator(`.case-row[data-ref="${ref}"]`);
    await row.waitFor();
    expect(await desk.locator('.case-row').first().getAttribute('data-ref')).toBe(ref);
    expect(await row.locator('.flag.new').count()).toBe(0); // a first sign-in has no "previous visit"
    await row.click();
    await desk.locator('#claim').click();
    await desk.locator('#case-status', { hasText: 'Đã có người nhận' }).waitFor();
    await desk.getByLabel('Câu hỏi cho người báo').fill('Trang đó tên là gì?');
    await desk.getByRole('button', { name: 'Gửi câu hỏi' }).click();
    await desk.locator('#messages li.from-officer').waitFor();

    // The reporter looks the tip up on the web chat page and answers.
    await chat.say('tra cứu tin báo');
    await chat.say(ref);
    await chat.say(secret);
    expect(await chat.text()).toContain('Trang đó tên là gì?');
    await chat.tap('Bổ sung / trả lời');
    await chat.say('Trang tên là "Việc nhẹ lương cao 247".');

    await desk.click('#reload');
    await desk.locator('#messages li.from-reporter', { hasText: 'Việc nhẹ lương cao 247' }).waitFor();
    await desk.locator('#c-status').selectOption('closed');
    await desk.locator('#c-disposition').selectOption('referred');
    await desk.locator('#status-form button[type="submit"]').click();
    await desk.locator('#case-status', { hasText: 'Đã đóng' }).waitFor();

    // Next visit: what came in after the previous sign-in is flagged new, the rest is not.
    await desk.click('#logout');
    await desk.getByLabel('Tên đăng nhập').waitFor();
    await new Promise((r) => setTimeout(r, 5));
    const later = await addTip(t.app, { province: 'Huế', what: 'Tin đến sau lần đăng nhập trước.' });
    await submitSignIn(desk, 'admin', ADMIN_PASSWORD);
    await desk.locator(`.case-row[data-ref="${later.ref}"] .flag.new`, { hasText: 'Chưa xem' }).waitFor();
    // The closed tip is under "Đã đóng" (the default list holds open tips only), not flagged.
    expect(await desk.locator(`.case-row[data-ref="${ref}"]`).count()).toBe(0);
    await desk.click('#view-closed');
    await desk.locator(`.case-row[data-ref="${ref}"]`).waitFor();
    expect(await desk.locator(`.case-row[data-ref="${ref}"] .flag.new`).count()).toBe(0);
    await reporterCtx.close();
    await deskCtx.close();
  });
});
