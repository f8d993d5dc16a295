/**
 * Drafts (issue #10): a tip half written is never lost by leaving it, survives the idle timeout and a
 * restart for DRAFT_KEEP_HOURS, and disappears only when the reporter discards it.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createApp, type App } from '../src/app/index';
import { createLogger } from '../src/log';
import type { SqliteStore } from '../src/store/sqlite';
import { Chat } from './helpers/app';
import { tmpDir } from './helpers/tmp';

const HOUR = 3_600_000;
let clock = Date.UTC(2026, 10, 30, 8);
let dir: { dir: string; cleanup: () => void };
const open = (): Promise<App> => createApp(loadConfig({ DATA_DIR: dir.dir, LOG_LEVEL: 'error' }), {
  log: createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } })), now: () => clock,
});
const cases = (app: App): number => ((app.store as SqliteStore).raw.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n;
const labels = (chat: Chat): string[] => chat.choices().map((c) => c.label);

/** A tip up to its description, then left. */
async function halfTip(chat: Chat): Promise<void> {
  await chat.say('tôi muốn báo tin');
  await chat.tap('Ma túy');
  await chat.say('Nghệ An');
  await chat.tap('Bỏ qua');
  await chat.tap('Vẫn đang diễn ra');
  await chat.say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.');
}

beforeEach(() => { dir = tmpDir('binhan-drafts-'); clock = Date.UTC(2026, 10, 30, 8); });
afterEach(() => dir.cleanup());

describe('tip drafts', () => {
  it('keeps a draft across a goodbye, the idle timeout and a restart, and sends it from its review', async () => {
    let app = await open();
    const chat = new Chat(app, 'drafter');
    await halfTip(chat);
    await chat.say('thôi cảm ơn nhé');
    expect(chat.text()).toMatch(/tin báo viết dở/);
    expect(labels(chat)).toEqual(expect.arrayContaining(['Tiếp tục tin báo', 'Xem lại & gửi', 'Bỏ tin báo']));
    // Five hours later (past the 30-minute idle timeout and its grace), after a restart, it is still there.
    clock += 5 * HOUR;
    await app.store.purge(clock);
    await app.close();
    app = await open();
    const back = new Chat(app, 'drafter');
    await back.say('chào bạn');
    expect(labels(back)).toContain('Tiếp tục tin báo');
    await back.tap('Tiếp tục tin báo');
    expect(back.text()).toMatch(/Có người, xe/);
    await back.say('bye');
    await back.tap('Xem lại & gửi');
    expect(back.text()).toMatch(/kiểm tra lại tin báo/);
    expect(back.text()).toMatch(/quán nước đầu hẻm/);
    await back.say('ok');
    expect(back.text()).toMatch(/BA-[A-Z0-9]{6}/);
    expect(cases(app)).toBe(1);
    await app.close();
  });

  it('forgets a draft left alone longer than DRAFT_KEEP_HOURS', async () => {
    let app = await open();
    await halfTip(new Chat(app, 'late'));
    clock += 25 * HOUR;
    await app.store.purge(clock);
    await app.close();
    app = await open();
    const back = new Chat(app, 'late');
    await back.say('chào bạn');
    expect(labels(back)).not.toContain('Tiếp tục tin báo');
    await app.close();
  });

  it('drops a draft only when the reporter discards it', async () => {
    const app = await open();
    const chat = new Chat(app, 'discarder');
    await halfTip(chat);
    await chat.say('menu');
    expect(labels(chat)).toContain('Tiếp tục tin báo');
    await chat.say('ma túy đá là gì');
    expect(labels(chat)).toEqual(expect.arrayContaining(['Tiếp tục tin báo', 'Bỏ tin báo']));
    await chat.tap('Bỏ tin báo');
    expect(chat.text()).toMatch(/Đã bỏ tin báo/);
    await chat.say('tôi muốn báo tin');
    expect(chat.text()).not.toMatch(/viết dở/);
    expect(labels(chat)).toContain('Ma túy');
    expect(cases(app)).toBe(0);
    await app.close();
  });

  it('opens the parked draft when the reporter asks to report again, rather than a second tip', async () => {
    const app = await open();
    const chat = new Chat(app, 'again');
    await halfTip(chat);
    await chat.start();
    expect(labels(chat)).toContain('Tiếp tục tin báo');
    await chat.say('tôi muốn báo tin');
    expect(chat.text()).toMatch(/viết dở/);
    expect(chat.text()).toMatch(/biển số|Có người, xe/);
    await app.close();
  });
});
