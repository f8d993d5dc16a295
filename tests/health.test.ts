/**
 * Timeouts and health (issue #11): a frozen database turns into an honest answer within the store deadline,
 * /readyz says not ready while /healthz stays alive, and details and /metrics are for this machine only.
 */
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/port';
import { Chat, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';

/** A real SQLite store that can be frozen: while frozen, every call hangs (a stalled database). */
function freezable(dir: string): { store: Store; freeze: (on: boolean) => void } {
  const real = new SqliteStore(join(dir, 'binhan.sqlite'));
  let frozen = false;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => (frozen ? new Promise(() => undefined) : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { store, freeze: (on) => { frozen = on; } };
}

let t: TestApp;
let freeze: (on: boolean) => void;
beforeEach(async () => {
  t = await testApp({ STORE_TIMEOUT_MS: '1000' }, (dir) => { const f = freezable(dir); freeze = f.freeze; return f.store; });
});
afterEach(async () => { freeze(false); await t.close(); });

describe('a frozen database', () => {
  it('answers within the deadline and says plainly that the tip is not stored yet; it is stored once the database is back', async () => {
    const chat = new Chat(t.app);
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Nghệ An');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm nay');
    await chat.say('Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    freeze(true);
    const started = Date.now();
    await chat.tap('Gửi tin báo');
    const took = Date.now() - started;
    expect(took).toBeLessThan(5_000);
    expect(chat.text()).toMatch(/CHƯA lưu được/);
    expect(chat.choices().map((c) => c.label)).toContain('Gửi lại');
    freeze(false);
    await chat.tap('Gửi lại');
    expect(chat.text()).toMatch(/BA-[A-Z0-9]{6}/);
    expect((await t.app.store.listCases()).length).toBe(1);
  });

  it('makes /readyz say not ready while /healthz stays alive; details and /metrics only for this machine', async () => {
    const srv = await serve(t.app);
    try {
      const ready = await fetch(`${srv.url}/readyz`);
      expect(ready.status).toBe(200);
      await new Chat(t.app).say('ma túy đá là gì');
      const metrics = await fetch(`${srv.url}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/binhan_turn_seconds_bucket\{le="0.05",channel="test"\}/);
      expect(text).toMatch(/binhan_turns_total\{channel="test"\} 1/);
      expect(text).not.toMatch(/ma túy/);
      // Through a proxy (or from elsewhere), no details and no metrics.
      const proxied = { headers: { 'X-Forwarded-For': '203.0.113.9' } };
      expect((await fetch(`${srv.url}/metrics`, proxied)).status).toBe(404);
      expect(await (await fetch(`${srv.url}/healthz`, proxied)).json()).toEqual({ ok: true });
      freeze(true);
      const started = Date.now();
      const frozen = await fetch(`${srv.url}/readyz`);
      expect(frozen.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    } finally {
      freeze(false);
      await srv.close();
    }
  });
});
