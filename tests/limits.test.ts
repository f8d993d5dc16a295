/**
 * Abuse limits (issue #11): a burst from one address or one conversation is refused within its budget with an
 * honest answer, a crisis still gets its first answer, and tips have a tighter budget of their own.
 */
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';

let t: TestApp;
afterEach(async () => { await t.close(); });

const cases = async (): Promise<number> => (await t.app.store.listCases({ limit: 100_000 })).length;

describe('abuse limits', () => {
  it('throttles a burst from one address on the web chat with 429, Retry-After and words a person can read', async () => {
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '20' });
    const srv = await serve(t.app);
    try {
      const started = Date.now();
      const statuses: number[] = [];
      let limited: { replies: { text: string }[] } | undefined;
      let retryAfter: string | null = null;
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${srv.url}/api/chat`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          // Each request a new client id: the per-address budget is what stops it.
          body: JSON.stringify({ client: `client-${String(i).padStart(12, '0')}`, id: `msg-${String(i).padStart(8, '0')}`, text: 'xin chào' }),
        });
        statuses.push(res.status);
        if (res.status === 429 && !limited) { limited = await res.json() as typeof limited; retryAfter = res.headers.get('retry-after'); } else await res.arrayBuffer();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(limited?.replies[0].text).toMatch(/gửi nhanh quá/);
      expect(limited?.replies[0].text).toMatch(/sending messages faster/);
      expect(t.app.limits.refused.address).toBe(20);
    } finally {
      await srv.close();
    }
  });

  it('throttles one conversation on any channel, stores nothing for the refused messages, and still answers a crisis', async () => {
    t = await testApp({ RATE_MESSAGES_PER_MINUTE: '5' });
    const chat = new Chat(t.app, 'flooder', 'telegram');
    for (let i = 0; i < 5; i++) await chat.say(`câu hỏi số ${i} về ma túy`);
    await chat.say('tôi muốn báo tin');
    expect(chat.text()).toMatch(/gửi nhanh quá/);
    // A crisis is never met with "wait a minute".
    await chat.say('em vừa rạch tay');
    expect(chat.text()).toMatch(/115/);
    expect(chat.text()).not.toMatch(/gửi nhanh quá/);
    // Another conversation is not affected.
    const other = new Chat(t.app, 'someone-else', 'telegram');
    await other.say('ma túy đá là gì');
    expect(other.text()).not.toMatch(/gửi nhanh quá/);
    expect(t.app.limits.refused.conversation).toBe(2);
  });

  it('has a tighter budget for tips: beyond it the tip is not stored, the reporter is told so, and the answers are kept', async () => {
    t = await testApp({ RATE_TIPS_PER_HOUR: '1' });
    const chat = new Chat(t.app);
    await fileTip(chat);
    expect(await cases()).toBe(1);
    await chat.tap('Menu chính');
    await chat.say('tôi muốn báo tin');
    await chat.tap('Ma túy');
    await chat.say('Nghệ An');
    await chat.tap('Bỏ qua');
    await chat.tap('Hôm nay');
    await chat.say('Một nhóm khác bán ma túy ở bến xe khách vào buổi sáng sớm.');
    await chat.tap('Bỏ qua');
    await chat.tap('Không');
    await chat.tap('Không để lại');
    await chat.tap('Gửi tin báo');
    expect(chat.text()).toMatch(/CHƯA được gửi/);
    expect(chat.choices().map((c) => c.label)).toEqual(['Gửi lại', 'Hủy tin báo']);
    expect(await cases()).toBe(1);
    expect(t.app.limits.refused.tips).toBe(1);
  });

  it('sees the real client behind a trusted proxy (TRUST_PROXY), and ignores X-Forwarded-For otherwise', async () => {
    const burst = async (url: string, from: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${url}/api/chat`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from },
          body: JSON.stringify({ client: `c-${from.replace(/\W/g, '')}-${String(i).padStart(8, '0')}`, id: `id-${String(i).padStart(8, '0')}`, text: 'chào' }),
        });
        out.push(res.status);
        await res.arrayBuffer();
      }
      return out;
    };
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '3', TRUST_PROXY: '1' });
    let srv = await serve(t.app);
    try {
      expect(await burst(srv.url, '198.51.100.1', 4)).toEqual([200, 200, 200, 429]);
      // Another person behind the same proxy has a budget of their own.
      expect(await burst(srv.url, '198.51.100.2', 3)).toEqual([200, 200, 200]);
    } finally { await srv.close(); }
    await t.close();
    // Without a trusted proxy, the header is anyone's to write: the connection's address counts.
    t = await testApp({ RATE_ADDRESS_PER_MINUTE: '3' });
    srv = await serve(t.app);
    try {
      expect(await burst(srv.url, '198.51.100.1', 2)).toEqual([200, 200]);
      expect(await burst(srv.url, '198.51.100.2', 2)).toEqual([200, 429]);
    } finally { await srv.close(); }
  });
});
