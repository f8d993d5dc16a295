/** Anonymous question counts per topic: counted from the bot's events, flushed in batches, served to officers. */
import { Chat, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { vnDay } from '../src/app/counters';
import type { SqliteStore } from '../src/store/sqlite';
import { hashPassword } from '../src/liaison/password';

let t: TestApp;
beforeEach(async () => { t = await testApp({ BINHAN_SCRYPT_N: '1024' }); });
afterEach(async () => { await t.close(); });

describe('anonymous counters', () => {
  it('counts intents per day without any text or id, and writes only on flush', async () => {
    const chat = new Chat(t.app, 'counter-user-42', 'telegram');
    await chat.say('cai nghiện ở đâu');
    await chat.say('muốn cai nghiện cho em trai');
    await chat.say('số điện thoại đường dây nóng');
    const raw = (t.app.store as SqliteStore).raw;
    expect(raw.prepare('SELECT COUNT(*) AS n FROM counters').get()).toEqual({ n: 0 });
    await t.app.counters.flush();
    const rows = raw.prepare('SELECT * FROM counters ORDER BY key').all() as { day: string; key: string; count: number }[];
    const day = vnDay(Date.now());
    expect(rows).toContainEqual({ day, key: 'intent:rehab_info', count: 2 });
    expect(rows).toContainEqual({ day, key: 'intent:hotlines', count: 1 });
    expect(JSON.stringify(rows)).not.toMatch(/counter-user-42|cai nghiện|telegram/);
  });

  it('serves question counts per topic to signed-in officers only', async () => {
    await t.app.store.bumpCounters('2026-11-20', [{ key: 'intent:drug_law', n: 4 }, { key: 'intent:rehab_info', n: 7 }, { key: 'flow:tip', n: 2 }]);
    await t.app.store.createOfficer({ username: 'mai', displayName: 'Mai', role: 'officer', province: null, passwordHash: await hashPassword('mot mat khau rat dai 123') });
    const srv = await serve(t.app);
    try {
      expect((await fetch(`${srv.url}/api/liaison/stats/questions`)).status).toBe(401);
      const login = await fetch(`${srv.url}/api/liaison/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'mai', password: 'mot mat khau rat dai 123' }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      const res = await fetch(`${srv.url}/api/liaison/stats/questions?from=2026-11-01&to=2026-11-30`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.byIntent).toEqual([{ intent: 'rehab_info', count: 7 }, { intent: 'drug_law', count: 4 }]);
      expect((await fetch(`${srv.url}/api/liaison/stats/questions?from=yesterday`, { headers: { cookie } })).status).toBe(400);
    } finally {
      await srv.close();
    }
  });
});
