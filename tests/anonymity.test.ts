/**
 * Anonymity: a known sentence and a known user id go through the whole app (runtime, HTTP, store);
 * neither may appear in the logs or in the database files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chat, fileTip, testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import type { SqliteStore } from '../src/store/sqlite';

const USER_ID = '8842719935013377021'; // looks like a Zalo/Telegram id
const SENTENCE = 'Cháu tôi năm nay mười bốn tuổi, nghỉ học để phụ bán ở quán phở gần ga Vinh';
const WEB_CLIENT = 'f3a9c1d27b6e4a58a0c4d1e2f3a4b5c6';

let t: TestApp;
beforeAll(async () => { t = await testApp(); });
afterAll(async () => { await t.close(); });

function dataFiles(): string {
  (t.app.store as SqliteStore).raw.pragma('wal_checkpoint(FULL)');
  return readdirSync(t.dir).map((f) => readFileSync(join(t.dir, f)).toString('latin1')).join('\n');
}

const variants = (s: string) => [s, Buffer.from(s, 'utf8').toString('latin1'), encodeURIComponent(s)];

describe('anonymity of logs and store', () => {
  it('never writes message text or user ids to the logs or the database', async () => {
    const chat = new Chat(t.app, USER_ID, 'telegram');
    await chat.start();
    await chat.say(SENTENCE);
    await chat.say('cai nghiện ở đâu');
    await chat.say(`${SENTENCE} — cứu với`);
    await chat.say('menu');
    const srv = await serve(t.app);
    try {
      for (const body of [{ start: true }, { text: SENTENCE }]) {
        const res = await fetch(`${srv.url}/api/chat`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client: WEB_CLIENT, id: `m${Math.random().toString(36).slice(2, 12)}`, ...body }),
        });
        expect(res.status).toBe(200);
      }
    } finally {
      await srv.close();
    }
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(100); // the turns were logged
    const files = dataFiles();
    for (const secret of [USER_ID, WEB_CLIENT, SENTENCE, 'mười bốn tuổi']) {
      for (const v of variants(secret)) {
        expect(logs).not.toContain(v);
        expect(files).not.toContain(v);
      }
    }
  });

  it('stores no reporter identity in a case, only the fields of the tip', async () => {
    const chat = new Chat(t.app, USER_ID, 'zalo');
    const { ref } = await fileTip(chat, SENTENCE);
    const c = await t.app.store.getCaseByRef(ref);
    expect(c).not.toBeNull();
    expect(JSON.stringify(c)).not.toContain(USER_ID);
    expect(c!.channel).toBe('zalo');
    expect(Object.keys(c!.fields).sort()).toEqual(['category', 'contact', 'inDanger', 'involved', 'place', 'province', 'what', 'when', 'whenDate'].filter((k) => (c!.fields as unknown as Record<string, unknown>)[k] !== undefined).sort());
    // The case holds the tip's text (that is its purpose) but the logs still do not.
    expect(t.logs.join('')).not.toContain('quán phở');
    expect(dataFiles()).not.toContain(USER_ID);
  });

  it('keys sessions by an HMAC of channel and user id, and deletes them on request', async () => {
    const key = t.app.bot.sessionKey('telegram', USER_ID);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(t.app.bot.sessionKey('zalo', USER_ID));
    const chat = new Chat(t.app, USER_ID, 'telegram');
    await chat.say('tôi muốn báo tin');
    expect(await t.app.store.getSession(key)).not.toBeNull();
    await chat.say('xóa dữ liệu');
    await chat.tap('Có, xóa đi');
    expect(await t.app.store.getSession(key)).toBeNull();
  });
});
