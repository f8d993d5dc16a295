import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Route } from 'playwright-core';

/** Debian's Chromium, driven headless by playwright-core (never a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * One Chromium for a test file. Its contexts abort every request that is not to the loopback server
 * (recorded in `external`); its pages record uncaught errors and console errors, CSP reports included
 * (in `errors`), except the browser's own line for a 4xx answer the page handles. `close()` asserts that
 * both lists are empty.
 */
export class TestBrowser {
  readonly external: string[] = [];
  readonly errors: string[] = [];
  private browser?: Browser;

  async launch(): Promise<void> {
    this.browser = await launchChromium();
  }

  /** A context (desktop size, Vietnamese locale unless given). `outside` may answer a non-loopback request itself. */
  async context(opts: BrowserContextOptions = {}, outside?: (route: Route, url: string) => Promise<void> | undefined): Promise<BrowserContext> {
    const ctx = await this.browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN', ...opts });
    await ctx.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => {
      const url = route.request().url();
      const handled = outside?.(route, url);
      if (handled) return handled;
      this.external.push(url);
      return route.abort();
    });
    return ctx;
  }

  /** A new page of the context, watched for errors, opened at `url` if given. */
  async page(ctx: BrowserContext, url?: string): Promise<Page> {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => this.errors.push(e.message));
    page.on('console', (m) => {
      if ((m.type() === 'error' || /Content Security Policy/.test(m.text())) && !/status of 4\d\d/.test(m.text())) this.errors.push(m.text());
    });
    if (url) await page.goto(url);
    return page;
  }

  async close(): Promise<void> {
    expect(this.external).toEqual([]);
    expect(this.errors).toEqual([]);
    await this.browser?.close();
  }
}

/** Fills the dashboard's sign-in form and submits it. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/** Waits until no request of the dashboard page is running (it sets aria-busy on <main>). */
export const idle = (page: Page): Promise<void> => page.locator('#main[aria-busy="false"]').waitFor();
