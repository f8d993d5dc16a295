/**
 * The duty officer's alert (liaison/duty-alert.ts): a new urgent tip sends one Telegram message with its code
 * and nothing of its content; ordinary tips and later changes send nothing; a failed send is retried; a bad
 * variable names itself.
 */
import { testApp, type TestApp } from './helpers/app';
import { FakePlatform } from './helpers/fake-platform';
import { addTip } from './helpers/liaison';
import { alertText, readDutyAlertConfig, startDutyAlerts } from '../src/liaison/duty-alert';
import { ConfigError } from '../src/config';

const TOKEN = '123456789:AAHfakeTokenForTheOfficersGroup_x';

describe('duty officer alert', () => {
  let t: TestApp;
  const fake = new FakePlatform();
  beforeAll(async () => { t = await testApp(); await fake.start(); });
  afterAll(async () => { await fake.stop(); await t.close(); });

  it('sends "new urgent tip BA-…" to the officers’ group, never the content, and only for new urgent tips', async () => {
    const cfg = readDutyAlertConfig({ OFFICER_ALERT_TELEGRAM_CHAT_ID: '-1001234567890', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: fake.url })!;
    const pauses: number[] = [];
    const duty = startDutyAlerts(t.app.cases, cfg, t.app.log, async (ms) => { pauses.push(ms); });
    fake.queue({ status: 502, body: { ok: false } });
    const urgent = await addTip(t.app, { province: 'Nghệ An', category: 'child_abuse', what: 'Cháu bé bị nhốt và đánh ngay lúc này.', inDanger: 'yes' });
    await addTip(t.app, { province: 'Nghệ An', category: 'drugs', what: 'Bán ma túy ở quán nước.' });
    await t.app.cases.changePriority({ id: 'sup', role: 'supervisor', province: null }, urgent.id, { priority: 'high' });
    for (let i = 0; i < 100 && fake.calls(`/bot${TOKEN}/sendMessage`).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await duty.stop();
    const sent = fake.calls(`/bot${TOKEN}/sendMessage`);
    expect(sent).toHaveLength(2); // the 502, then the retry
    expect(pauses).toEqual([1000]);
    for (const r of sent) {
      expect(r.json).toEqual({ chat_id: '-1001234567890', text: alertText(urgent.ref), disable_web_page_preview: true });
      expect(r.body).not.toMatch(/nhốt|đánh|Nghệ An/);
    }
  });

  it('is off without a chat id, and names a bad variable', () => {
    expect(readDutyAlertConfig({ TELEGRAM_BOT_TOKEN: TOKEN })).toBeNull();
    const problems = (env: NodeJS.ProcessEnv): string[] => { try { readDutyAlertConfig(env); return []; } catch (e) { return (e as ConfigError).problems; } };
    expect(problems({ OFFICER_ALERT_TELEGRAM_CHAT_ID: 'officers group' , TELEGRAM_BOT_TOKEN: TOKEN })[0]).toMatch(/^OFFICER_ALERT_TELEGRAM_CHAT_ID/);
    expect(problems({ OFFICER_ALERT_TELEGRAM_CHAT_ID: '-100123' })[0]).toMatch(/OFFICER_ALERT_TELEGRAM_TOKEN \(or TELEGRAM_BOT_TOKEN\) is required/);
    expect(problems({ OFFICER_ALERT_TELEGRAM_CHAT_ID: '-100123', OFFICER_ALERT_TELEGRAM_TOKEN: 'https://t.me/x' })[0]).toMatch(/^OFFICER_ALERT_TELEGRAM_TOKEN does not look like/);
    expect(problems({ OFFICER_ALERT_TELEGRAM_TOKEN: TOKEN })[0]).toMatch(/^OFFICER_ALERT_TELEGRAM_CHAT_ID is required/);
  });
});
