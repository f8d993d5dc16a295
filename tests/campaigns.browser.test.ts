/**
 * End-to-end (issue #13): people play a campaign through the bot (some through a poster's ref), the counters are
 * flushed, then in a real headless Chromium against the real server and SQLite: the dashboard's evaluation page
 * draws its charts (canvases with coloured pixels) with a table for each, a supervisor makes a poster for a place,
 * the printed A4 poster's QR codes are decoded back (jsQR, from the rendered images' pixels) into the expected deep
 * links, and the public /ket-qua page shows the results with small buckets hidden. axe-core: no serious or critical
 * problem on any of these pages. DASHBOARD_SCREENSHOTS=1 refreshes docs/img/campaign-*.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';
import { testApp, Chat, fileTip, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, idle, submitSignIn } from './helpers/browser';
import { makeOfficer, PASSWORD } from './helpers/liaison';
import { axeProblems } from './helpers/axe';
import { ROOT } from './helpers/tmp';
import { questionsOf } from '../src/campaigns/compile';
import { vnDay } from '../src/app/counters';
import { posterRefs } from '../src/campaigns/refs';

const C = 'job_scam_trafficking';
const IMG = join(ROOT, 'docs', 'img');
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';
const LINK_ENV = { CAMPAIGN_TELEGRAM_BOT: 'BinhAnTestBot', CAMPAIGN_MESSENGER_PAGE: 'binhan.test', CAMPAIGN_ZALO_OA_ID: '4318842938412345678', CAMPAIGN_WEB_URL: 'https://binhan.example.vn/' };

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
const browser = new TestBrowser();
const saved: Record<string, string | undefined> = {};

/**
 * Plays one person through the campaign: `preRight` and `postRight` right answers in the quizzes, an age band,
 * a province, a poll answer, the first choice of each story scene, "useful" as feedback.
 */
async function play(chat: Chat, o: { preRight: number; postRight: number; age: string; province: string; poll: string }): Promise<void> {
  const c = t.app.bundle.campaigns.get(C)!;
  const flow = `campaign_${C}.`;
  for (let step = 0; step < 120; step++) {
    if (/tỉnh\/thành nào/.test(chat.text())) { await chat.say(o.province); continue; }
    const choices = chat.choices().filter((x) => x.id.startsWith(flow));
    if (!choices.length) return;
    const [node] = choices[0].id.slice(flow.length).split(':');
    // The campaign is over: "what next?" (another topic, news, a tip, the menu).
    if (node === 'then') return;
    const values = choices.map((x) => x.id.split(':')[1]);
    let pick = values[0];
    const q = /^i(\d+)q(\d+)$/.exec(node);
    if (q) {
      const item = c.items[Number(q[1])];
      if (item.type !== 'quiz') throw new Error(`not a quiz at ${node}`);
      const question = questionsOf(c, item)[Number(q[2])];
      const right = Number(q[2]) < (item.phase === 'pre' ? o.preRight : o.postRight);
      pick = right ? question.correct : values.find((v) => v !== question.correct)!;
    } else if (values.includes('under_15')) pick = o.age;
    else if (values.includes(o.poll)) pick = o.poll;
    else if (values.includes('next')) pick = 'next';
    else if (values.includes('useful')) pick = 'useful';
    await chat.payload(choices[values.indexOf(pick)].id);
  }
  throw new Error('the campaign did not end');
}

let ref = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'web', 'liaison', 'vendor', 'chart.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-chart.mjs')]);
  for (const [k, v] of Object.entries(LINK_ENV)) { saved[k] = process.env[k]; process.env[k] = v; }
  // Each person answers some 40 questions within a minute here.
  t = await testApp({ RATE_MESSAGES_PER_MINUTE: '10000' });
  srv = await serve(t.app);
  await browser.launch();
  await makeOfficer(t.app, { username: 'mai.le', role: 'supervisor', displayName: 'Lê Thị Mai' });
  await makeOfficer(t.app, { username: 'duc.pham', role: 'officer', province: 'Nghệ An', displayName: 'Phạm Văn Đức' });
  // A poster ref made the way the dashboard makes it (its API is tested in campaign-evaluation.test.ts).
  ref = (await posterRefs(t.app.store).create(C, 'Bến xe Vinh')).ref;

  // Twelve people: eight learn (1 → 4 right), four do not (2 → 2); eleven in Nghệ An, 18–24; one in Hà Nội.
  for (let i = 0; i < 12; i++) {
    const chat = new Chat(t.app, `person-${i}-${Math.random()}`, 'web');
    if (i < 3) await chat.app.bot.handle({ channel: 'web', userId: chat.userId, start: true, ref, capabilities: chat.capabilities }).then((o) => { chat.last = o.replies; });
    else await chat.payload(`go:campaign_${C}`);
    await play(chat, i < 8
      ? { preRight: 1, postRight: 4, age: '18_24', province: i === 11 ? 'Hà Nội' : 'Nghệ An', poll: 'yes_refused' }
      : { preRight: 2, postRight: 2, age: '18_24', province: i === 11 ? 'Hà Nội' : 'Nghệ An', poll: 'yes_refused' });
    // One of the poster's people sends a tip afterwards, in the same conversation.
    if (i === 0) await fileTip(chat);
  }
  await t.app.counters.flush();
  if (SHOTS) mkdirSync(IMG, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser.close();
  await srv?.close();
  await t?.close();
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
});

async function signIn(ctx: BrowserContext, username: string): Promise<Page> {
  const page = await browser.page(ctx, `${srv.url}/liaison`);
  await submitSignIn(page, username, PASSWORD);
  await page.locator('#nav').waitFor();
  return page;
}

async function coloured(page: Page, id: string): Promise<number> {
  await page.waitForFunction((cid) => { const c = document.getElementById(cid) as HTMLCanvasElement | null; return !!c && c.width > 0; }, id);
  return page.evaluate((cid) => {
    const c = document.getElementById(cid) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) n++;
    return n;
  }, id);
}

it('counted the campaign and the poster, anonymously', async () => {
  const day = vnDay(Date.now());
  const rows = await t.app.store.readCounters({ from: day, to: day, prefix: 'ref.' });
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r.count]));
  expect(byKey).toEqual({ [`ref.${ref}.start`]: 3, [`ref.${ref}.quiz`]: 3, [`ref.${ref}.tip`]: 1 });
  const camp = await t.app.store.readCounters({ from: day, to: day, prefix: `camp.${C}.prepost.` });
  expect(Object.fromEntries(camp.map((r) => [r.key, r.count]))).toEqual({ [`camp.${C}.prepost.1.4`]: 8, [`camp.${C}.prepost.2.2`]: 4 });
});

it('shows the evaluation with charts and tables, a poster with working QR codes, and prints both', async () => {
  const ctx = await browser.context();
  const page = await signIn(ctx, 'mai.le');
  page.setDefaultTimeout(8000);
  await page.locator('#nav-evaluation').click();
  await page.locator(`.open-campaign[data-id="${C}"]`).waitFor();
  expect(await axeProblems(page)).toEqual([]);
  await page.locator(`.open-campaign[data-id="${C}"]`).click();
  await page.locator('#ev-quiz').waitFor();
  await idle(page);
  for (const id of ['chart-prepost', 'chart-questions', 'chart-poll-0', 'chart-refdays']) expect([id, (await coloured(page, id)) > 200]).toEqual([id, true]);
  // Each chart has its table; the figures read as expected.
  expect(await page.locator('#ev-quiz details.chart-table table').count()).toBe(1);
  expect(await page.locator('#ev-questions details.chart-table table').count()).toBe(1);
  const quiz = await page.locator('#ev-quiz').innerText();
  expect(quiz).toContain('12');
  expect(quiz).toContain('66,7 %'); // 8 of 12 improved
  // The poll by province: Hà Nội's single person is "ít hơn 10".
  const pollText = await page.locator('#ev-poll-0').evaluate((el) => el.textContent ?? '');
  expect(pollText).toContain('ít hơn 10');
  const refRow = page.locator('.ref-table tbody tr', { hasText: 'Bến xe Vinh' });
  expect(await refRow.innerText()).toMatch(/3\s+3\s+ít hơn 10/);
  expect(await axeProblems(page)).toEqual([]);
  if (SHOTS) await page.screenshot({ path: join(IMG, 'campaign-evaluation.png') });

  // The report prints with its period and method note, every table unfolded.
  await page.emulateMedia({ media: 'print' });
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  expect(await page.locator('.eval-page .period').isVisible()).toBe(true);
  expect(await page.locator('.eval-page .method').isVisible()).toBe(true);
  expect(await page.locator('#ev-range').isVisible()).toBe(false);
  expect(await page.locator('.eval-page details:not([open])').count()).toBe(0);
  await page.emulateMedia({ media: 'screen' });

  // A supervisor makes a poster for a place, then prints it.
  await page.locator('#ref-place').fill('THCS Lê Lợi, TP Vinh');
  await page.locator('#new-ref button[type="submit"]').click();
  const row = page.locator('.ref-table tbody tr', { hasText: 'THCS Lê Lợi, TP Vinh' });
  await row.waitFor();
  const newRef = (await row.locator('td').first().innerText()).trim();
  expect(newRef).toMatch(/^p[a-z0-9]{7}$/);
  await row.locator('.poster-btn').click();
  await page.locator('.poster').waitFor();
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('header.bar').isVisible()).toBe(false);
  expect(await page.locator('#poster-print').isVisible()).toBe(false);
  expect(await page.locator('.poster h1').innerText()).toContain('Việc nhẹ lương cao');
  // Each QR image as the page rendered it, drawn on a canvas; its pixels come back as base64 for jsQR.
  const decoded = await page.locator('.poster-code img').evaluateAll(async (imgs) => Promise.all(imgs.map(async (el) => {
    const img = el as HTMLImageElement;
    await img.decode();
    const size = 400;
    const canvas = document.createElement('canvas');
    canvas.width = size; canvas.height = size;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
    g.drawImage(img, 0, 0, size, size);
    const bytes = g.getImageData(0, 0, size, size).data;
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { channel: img.dataset.channel, size, data: btoa(bin) };
  })));
  const links = decoded.map((d) => ({ channel: d.channel, url: jsQR(new Uint8ClampedArray(Buffer.from(d.data, 'base64')), d.size, d.size)?.data }));
  expect(links).toEqual([
    { channel: 'telegram', url: `https://t.me/BinhAnTestBot?start=${newRef}` },
    { channel: 'messenger', url: `https://m.me/binhan.test?ref=${newRef}` },
    { channel: 'zalo', url: 'https://zalo.me/4318842938412345678' },
    { channel: 'web', url: `https://binhan.example.vn/?ref=${newRef}` },
  ]);
  expect(await axeProblems(page)).toEqual([]);
  if (SHOTS) await page.screenshot({ path: join(IMG, 'campaign-poster.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await ctx.close();
}, 120_000);

it('starts the campaign from a poster\'s web link, keeps no code in the address, and counts it', async () => {
  const day = vnDay(Date.now());
  const before = (await t.app.store.readCounters({ from: day, to: day, prefix: `ref.${ref}.start` }))[0]?.count ?? 0;
  const ctx = await browser.context();
  const page = await browser.page(ctx, `${srv.url}/?ref=${ref}`);
  await page.locator('#log .msg.bot', { hasText: 'Việc nhẹ lương cao' }).first().waitFor();
  expect(new URL(page.url()).search).toBe('');
  await ctx.close();
  await t.app.counters.flush();
  expect((await t.app.store.readCounters({ from: day, to: day, prefix: `ref.${ref}.start` }))[0].count).toBe(before + 1);
});

it('lets an officer read the evaluation of their province, without poster making', async () => {
  const ctx = await browser.context();
  const page = await signIn(ctx, 'duc.pham');
  await page.locator('#nav-evaluation').click();
  await page.locator(`.open-campaign[data-id="${C}"]`).click();
  await page.locator('#ev-quiz').waitFor();
  await idle(page);
  expect(await page.locator('.eval-page .scope').innerText()).toContain('Nghệ An');
  expect(await page.locator('#new-ref').count()).toBe(0);
  expect(await axeProblems(page)).toEqual([]);
  // In English, the page and its charts are drawn again.
  await page.locator('#lang').click();
  await page.locator('h1', { hasText: 'Campaign evaluation' }).waitFor();
  expect((await coloured(page, 'chart-prepost')) > 200).toBe(true);
  expect(await page.locator('#ev-quiz').innerText()).toContain('Share who improved');
  expect(await axeProblems(page)).toEqual([]);
  await page.locator('#lang').click();
  await ctx.close();
});

it('shows the public results page without sign-in or script, accessible, in both languages', async () => {
  const ctx = await browser.context({ javaScriptEnabled: false });
  const page = await browser.page(ctx, `${srv.url}/ket-qua`);
  const text = await page.locator('main').innerText();
  expect(text).toContain('Việc nhẹ lương cao');
  expect(text).toContain('Bạn đã từng nhận lời mời việc làm');
  expect(text).toContain('67 %'); // 8 of 12 improved
  expect(text).toContain('ít hơn 10');
  await ctx.close();
  const ctx2 = await browser.context();
  const p2 = await browser.page(ctx2, `${srv.url}/ket-qua`);
  expect(await axeProblems(p2)).toEqual([]);
  if (SHOTS) await p2.screenshot({ path: join(IMG, 'campaign-results.png'), fullPage: false });
  await p2.locator('a.lang').click();
  await p2.locator('html[lang="en"]').waitFor();
  expect(await p2.locator('main').innerText()).toContain('fewer than 10');
  expect(await axeProblems(p2)).toEqual([]);
  await ctx2.close();
});
