/**
 * End-to-end: a live handoff in two browser contexts of a real headless Chromium — a person on the
 * anonymous web chat page and a counsellor on the dashboard — against the real server and SQLite; then the
 * counsellor's tools: a ready-made reply, "typing…" both ways, handing over to a colleague, keeping the chat as
 * a tip only when the person agrees, and a crisis typed during a live chat.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { TestBrowser, submitSignIn } from './helpers/browser';
import { makeOfficer, PASSWORD } from './helpers/liaison';
import { ROOT } from './helpers/tmp';
import { firstNumber } from './helpers/competence';
import { axeProblems } from './helpers/axe';

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
  await makeOfficer(t.app, { username: 'minh.counsellor', role: 'supervisor', displayName: 'Trần Văn Minh' });
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

/** A counsellor's dashboard on the live chats page, on duty (`onDuty`: how many are then, if known). */
async function counsellor(username = 'hanh.counsellor', onDuty: number | null = 1): Promise<Page> {
  const page = await browser.page(await browser.context());
  page.on('dialog', (d) => { void d.accept(); });
  await page.goto(`${srv.url}/liaison`);
  await submitSignIn(page, username, PASSWORD);
  await page.locator('#nav-live').click();
  await page.getByLabel('Tôi đang trực (nhận trò chuyện)').check();
  if (onDuty !== null) await page.locator('#on-duty-count', { hasText: `: ${onDuty}` }).waitFor();
  else await page.locator('#duty:checked').waitFor();
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

describe('the counsellor\'s tools in a live chat', () => {
  /** A person asks for a human and the counsellor on `desk` takes the chat (the only open one on that panel). */
  async function connected(desk: Page): Promise<Page> {
    const user = await person();
    await say(user, 'cho tôi nói chuyện với người thật');
    await desk.locator('.live-waiting').getByRole('button', { name: 'Nhận trò chuyện' }).click();
    await lastBot(user, /Một tư vấn viên đã vào cuộc trò chuyện/);
    await desk.locator('.live-chat.state-active').waitFor();
    return user;
  }
  /** The open chat's panel. */
  const open = (desk: Page) => desk.locator('.live-chat.state-active');
  const cases = async () => (await t.app.store.listCases({ limit: 1000 })).length;

  it('puts a ready-made reply into the box to be adapted, shows "typing…" both ways, and sends the edited text', async () => {
    const desk = await counsellor('hanh.counsellor', null);
    const user = await connected(desk);
    const box = open(desk).getByRole('textbox', { name: 'Trả lời' });
    // The person types (not sent yet): the counsellor sees it for a few seconds.
    await user.fill('#input', 'Em');
    await desk.locator('.live-user-typing', { hasText: 'Người dùng đang nhập…' }).waitFor();
    await user.fill('#input', '');
    // A ready-made reply goes into the box, in the person's language; nothing is sent yet.
    const safe = t.app.bundle.content.canned.find((c) => c.id === 'safe_now')!;
    await open(desk).getByLabel('Câu có sẵn').selectOption({ label: safe.title.vi });
    expect(await box.inputValue()).toBe(safe.text.vi);
    expect(await user.locator('.msg.bot', { hasText: safe.text.vi }).count()).toBe(0);
    // The counsellor keeps typing: the person sees "Tư vấn viên đang nhập…".
    await box.press('End');
    await box.pressSequentially(' Chị ở đây.');
    const typing = user.locator('#live-typing', { hasText: 'Tư vấn viên đang nhập…' });
    await typing.waitFor();
    await box.press('Enter');
    await lastBot(user, new RegExp(`^Tư vấn viên: ${safe.text.vi.replace(/[.?]/g, '\\$&')} Chị ở đây\\.$`));
    await typing.waitFor({ state: 'hidden' });
    expect(await box.inputValue()).toBe('');
    // An emergency reply carries the numbers of the hotline list.
    const police = t.app.bundle.content.hotlines.find((h) => h.id === 'police')!.number;
    await open(desk).getByLabel('Câu có sẵn').selectOption({ label: 'Số khẩn cấp' });
    expect(await box.inputValue()).toContain(police);
    await open(desk).getByRole('button', { name: 'Kết thúc' }).click();
    await lastBot(user, /Tư vấn viên đã kết thúc/);
  });

  it('hands the chat to a colleague on duty: the person sees one neutral line, the colleague the chat so far', async () => {
    const desk = await counsellor('hanh.counsellor', null);
    const other = await counsellor('minh.counsellor', null);
    const user = await connected(desk);
    await say(user, 'Em bị chủ giữ hộ chiếu');
    await desk.locator('.live-msg.from-user p', { hasText: 'Em bị chủ giữ hộ chiếu' }).waitFor();
    await open(desk).getByLabel('Chuyển cho đồng nghiệp đang trực').selectOption({ label: 'Trần Văn Minh' });
    await open(desk).getByRole('button', { name: 'Chuyển', exact: true }).click();
    await desk.locator('#flash', { hasText: 'Đã chuyển cuộc trò chuyện cho Trần Văn Minh.' }).waitFor();
    await open(desk).waitFor({ state: 'detached' });
    await lastBot(user, /^Bạn đang được chuyển sang một tư vấn viên khác\./);
    expect(await user.locator('#log').textContent()).not.toMatch(/Minh|Hạnh|counsellor/);
    // The colleague has the chat with what was said before.
    await other.locator('.live-chat .live-msg.from-user p', { hasText: 'Em bị chủ giữ hộ chiếu' }).waitFor();
    await other.locator('.live-msg.from-system', { hasText: 'một đồng nghiệp đã chuyển cuộc trò chuyện này' }).waitFor();
    await open(other).getByLabel('Trả lời').fill('Anh tiếp nhận nhé, em cứ kể tiếp.');
    await open(other).getByLabel('Trả lời').press('Enter');
    await lastBot(user, /^Tư vấn viên: Anh tiếp nhận nhé, em cứ kể tiếp\.$/);
    await open(other).getByRole('button', { name: 'Kết thúc' }).click();
    await lastBot(user, /Tư vấn viên đã kết thúc/);
    await other.getByLabel('Tôi đang trực (nhận trò chuyện)').uncheck();
    await other.locator('#duty:not(:checked)').waitFor();
  });

  it('keeps the chat as a tip only when the person agrees: "no" stores nothing, "yes" exactly one case, code and secret to them', async () => {
    const desk = await counsellor('hanh.counsellor', null);
    const user = await connected(desk);
    await say(user, 'Ở Hải Phòng có một quán karaoke bán ma túy cho học sinh mỗi tối thứ bảy.');
    await desk.locator('.live-msg.from-user p', { hasText: 'quán karaoke' }).waitFor();
    const before = await cases();
    const category = open(desk).getByLabel('Lưu thành tin báo ẩn danh (loại tin)');
    const ask = open(desk).getByRole('button', { name: 'Hỏi người dùng' });
    // First the person says no: nothing is stored.
    await category.selectOption({ label: 'Lừa đảo' });
    await ask.click();
    await desk.locator('.live-tip-state', { hasText: 'Đang chờ người dùng trả lời' }).waitFor();
    // The panel with its tools, and the question on the person's page, pass axe-core (no serious or critical problem).
    expect(await axeProblems(desk, { include: '#live-mine' })).toEqual([]);
    await lastBot(user, /Tư vấn viên đề nghị lưu những gì bạn đã kể thành một tin báo ẩn danh/);
    expect(await axeProblems(user, { include: '#log' })).toEqual([]);
    await user.locator('.choices:not(.used) .choice', { hasText: 'Không lưu' }).click();
    await lastBot(user, /không có gì được lưu/);
    await desk.locator('.live-tip-state', { hasText: 'Người dùng không đồng ý lưu' }).waitFor();
    expect(await cases()).toBe(before);
    // Asked again, the person agrees: one case, the code and the secret shown to them once.
    await category.selectOption({ label: 'Ma túy' });
    await ask.click();
    await lastBot(user, /\(loại: Ma túy\)/);
    await user.locator('.choices:not(.used) .choice', { hasText: 'Đồng ý lưu' }).click();
    const saved = user.locator('.msg.bot', { hasText: 'Mã tra cứu: BA-' }).last();
    await saved.waitFor();
    const [, ref, secret] = /Mã tra cứu: (BA-[A-Z0-9]{6})\nMã bí mật: (\d{4} \d{4} \d{4})/.exec((await saved.textContent()) ?? '')!;
    await desk.locator('.live-tip-state', { hasText: `Đã lưu tin báo ${ref}.` }).waitFor();
    await desk.locator('.live-msg.from-system', { hasText: `Người dùng đồng ý: đã lưu tin báo ${ref}.` }).waitFor();
    expect(await desk.locator('main').textContent()).not.toContain(secret);
    expect(await cases()).toBe(before + 1);
    const stored = (await t.app.store.getCaseByRef(ref))!;
    expect(t.app.cipher.openFields(stored.fields)).toMatchObject({ category: 'drugs', province: 'Hải Phòng' });
    expect(await ask.isDisabled()).toBe(true);
    await user.locator('#live-status[data-state="active"]').waitFor();
    await open(desk).getByRole('button', { name: 'Kết thúc' }).click();
    await lastBot(user, /Tư vấn viên đã kết thúc/);
    expect(await cases()).toBe(before + 1);
  });

  it('answers an emergency typed during a live chat with the crisis line and its number, and flags it for the counsellor', async () => {
    const desk = await counsellor('hanh.counsellor', null);
    const user = await person();
    await say(user, 'cho tôi nói chuyện với người thật');
    await user.locator('#live-status[data-state="waiting"]').waitFor();
    await say(user, 'em muốn tự tử');
    const crisis = t.app.engine.crisisAnswer('em muốn tự tử', 'vi', Date.now())!;
    const number = firstNumber(crisis.messages.map((m) => m.text).join('\n'))!;
    expect(t.app.bundle.content.hotlines.some((h) => h.status === 'verified' && h.number === number)).toBe(true);
    await lastBot(user, new RegExp(number.replace(/[+ ]/g, (c) => (c === '+' ? '\\+' : ' '))));
    await user.locator(`.calls a[href^="tel:"]`).first().waitFor();
    await desk.locator('.live-waiting.urgent', { hasText: 'CÓ THỂ KHẨN CẤP' }).waitFor();
    await desk.locator('.live-waiting').getByRole('button', { name: 'Nhận trò chuyện' }).click();
    await desk.locator('.live-msg.from-user.urgent p', { hasText: 'em muốn tự tử' }).waitFor();
    await desk.locator('.live-chat.state-active.urgent .flag.urgent').waitFor();
    await open(desk).getByRole('button', { name: 'Kết thúc' }).click();
  });
});
