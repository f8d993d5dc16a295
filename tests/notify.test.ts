/** Opt-in notification subscriptions: stored only on request, sealed, removed on opt-out and on close. */
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import type { SqliteStore } from '../src/store/sqlite';
import { FakePlatform } from './helpers/fake-platform';
import { createChannels } from '../src/channels/index';
import { serve } from './helpers/server';

let t: TestApp;
beforeEach(async () => { t = await testApp(); });
afterEach(async () => { await t.close(); });

const ADDRESS = '6011222333444555';
const stored = () => JSON.stringify((t.app.store as SqliteStore).raw.prepare('SELECT * FROM notifications').all());

describe('opt-in notifications', () => {
  it('stores nothing unless asked; on request stores the address sealed; opting out deletes it', async () => {
    const chat = new Chat(t.app, ADDRESS, 'telegram');
    const { ref, secret } = await fileTip(chat);
    expect(await t.app.notifications.lookup(ref)).toBeNull();
    await chat.tap('Báo khi có tin mới');
    expect(chat.text()).toMatch(/Đã bật/);
    expect(await t.app.notifications.lookup(ref)).toEqual({ channel: 'telegram', address: ADDRESS, lang: 'vi' });
    expect(stored()).not.toContain(ADDRESS);
    expect(stored()).toContain('enc:v1:');
    const later = new Chat(t.app, ADDRESS, 'telegram');
    await later.say('tra cứu tin báo');
    await later.say(ref);
    await later.say(secret);
    await later.tap('Tắt thông báo');
    expect(later.text()).toMatch(/Đã tắt thông báo/);
    expect(await t.app.notifications.lookup(ref)).toBeNull();
  });

  it('says honestly that the web chat cannot notify', async () => {
    const chat = new Chat(t.app, 'web-client', 'web');
    const { ref } = await fileTip(chat);
    await chat.tap('Báo khi có tin mới');
    expect(chat.text()).toMatch(/chưa gửi được thông báo/);
    expect(await t.app.notifications.lookup(ref)).toBeNull();
  });

  it('deletes the subscription when the case is closed', async () => {
    const chat = new Chat(t.app, ADDRESS, 'zalo');
    const { ref } = await fileTip(chat);
    await chat.tap('Báo khi có tin mới');
    const c = (await t.app.store.getCaseByRef(ref))!;
    const sup = await t.app.store.createOfficer({ username: 'sup', displayName: 'Sup', role: 'supervisor', province: null, passwordHash: 'x' });
    await t.app.cases.changeStatus({ id: sup.id, role: 'supervisor', province: null }, c.id, { status: 'closed', disposition: 'actioned' } as never);
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.app.notifications.lookup(ref)).toBeNull();
  });
});

describe('opt-in notification through a channel', () => {
  it('sends only "there is news" to a subscribed Telegram reporter when an officer asks, never the question', async () => {
    const fake = new FakePlatform();
    await fake.start();
    const channels = createChannels(t.app, {
      TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForTests_abcdefghijklmno', TELEGRAM_WEBHOOK_SECRET: 'test-secret-0123456789abcdef', TELEGRAM_API_BASE: fake.url,
    }, { outbox: { baseDelayMs: 5, sleep: async () => {} } });
    try {
      const chatId = '700123456789';
      const chat = new Chat(t.app, chatId, 'telegram');
      const { ref } = await fileTip(chat);
      await chat.tap('Báo khi có tin mới');
      const c = (await t.app.store.getCaseByRef(ref))!;
      const officer = await t.app.store.createOfficer({ username: 'lan', displayName: 'Lan', role: 'officer', province: null, passwordHash: 'x' });
      await t.app.cases.askReporter({ id: officer.id, role: 'officer', province: null }, c.id, 'Quán mở cửa lúc mấy giờ?');
      await new Promise((r) => setTimeout(r, 50));
      await channels.drain();
      const sends = fake.calls('/sendMessage').filter((r) => (r.json as { chat_id?: unknown }).chat_id === chatId);
      expect(sends).toHaveLength(1);
      const text = (sends[0].json as { text: string }).text;
      expect(text).toMatch(/có tin mới về tin báo/);
      expect(text).not.toMatch(/Quán mở cửa/);
      expect(text).not.toContain(ref);
    } finally {
      await channels.stop();
      await fake.stop();
    }
  });
});

describe('health check', () => {
  it('reports per-channel send counters, without ids or content', async () => {
    const fake = new FakePlatform();
    await fake.start();
    const channels = createChannels(t.app, { TELEGRAM_BOT_TOKEN: '123456789:AAHfakeTokenForTests_abcdefghijklmno', TELEGRAM_WEBHOOK_SECRET: 'test-secret-0123456789abcdef', TELEGRAM_API_BASE: fake.url });
    const srv = await serve(t.app, channels);
    try {
      const body = await (await fetch(`${srv.url}/healthz`)).json();
      expect(body).toEqual({
        ok: true, store: 'sqlite', live: { counsellorsOnDuty: 0, openChats: 0 }, limited: { conversation: 0, address: 0, tips: 0, global: 0 },
        sends: { telegram: expect.objectContaining({ sent: 0, failed: 0, retried: 0 }) },
      });
    } finally {
      await srv.close();
      await channels.stop();
      await fake.stop();
    }
  });
});
