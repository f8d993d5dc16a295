/**
 * SQLite: once a session is deleted ("xóa dữ liệu", unfollow, expiry), no version of its sealed data
 * is left in the database file or in its -wal file (issue #11, item 9). The checks read the files'
 * raw bytes, looking for every 48-character piece of every version the session ever had.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite';
import { Chat, testApp } from './helpers/app';
import { ROOT, tmpDir } from './helpers/tmp';

/** Shaped like a sealed value (key id + base64), `n` random bytes long. */
const sealed = (n: number): string => `k1:${randomBytes(n).toString('base64')}`;

/** The database files' bytes (main, -wal, -shm), as one latin1 string. */
function fileBytes(file: string): string {
  return ['', '-wal', '-shm'].map((s) => (existsSync(file + s) ? readFileSync(file + s).toString('latin1') : '')).join('\n');
}

/** How many 48-character pieces (taken every 256 characters) of the given values are still in the files. */
function leftovers(file: string, values: string[]): number {
  const bytes = fileBytes(file);
  let n = 0;
  for (const v of values) for (let o = 0; o + 48 <= v.length; o += 256) if (bytes.includes(v.slice(o, o + 48))) n++;
  return n;
}

const walSize = (file: string): number => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

async function scrubbed(store: SqliteStore, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (store.scrubPending) {
    if (Date.now() > until) throw new Error('the WAL scrub did not run');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let dirs: { dir: string; cleanup: () => void }[] = [];
const newFile = (): string => {
  const d = tmpDir('binhan-wal-');
  dirs.push(d);
  return join(d.dir, 'binhan.sqlite');
};
afterAll(() => { for (const d of dirs) d.cleanup(); dirs = []; });

describe('SQLite: deleted sessions leave nothing in the database or the WAL', () => {
  it('removes every version of a deleted session, long ones (overflow pages) included, and keeps the others', async () => {
    const file = newFile();
    const store = new SqliteStore(file, { scrubDelayMs: 20 });
    try {
      const at = Date.now();
      const a = [sealed(150), sealed(3000), sealed(12_000), sealed(9000), sealed(400), sealed(20_000)];
      const c = [sealed(5000), sealed(700)];
      const b = sealed(12_000);
      for (const [i, v] of a.entries()) {
        await store.commitTurn({ sessionKey: 'A', session: { data: v, expiresAt: at + 3_600_000 }, processedKey: `p-a-${i}`, at });
        // Half of them reach the database file too, as an automatic checkpoint would do.
        if (i === 2) store.raw.pragma('wal_checkpoint(PASSIVE)');
      }
      for (const v of c) await store.commitTurn({ sessionKey: 'C', session: { data: v, expiresAt: at + 3_600_000 }, at });
      await store.saveSession('B', b, at + 3_600_000);
      for (let i = 0; i < 40; i++) await store.saveSession(`other-${i}`, sealed(300), at + 3_600_000);
      // The check sees them before the deletion (in the WAL and in the database file).
      expect(leftovers(file, a)).toBeGreaterThan(50);
      expect(leftovers(file, c)).toBeGreaterThan(0);

      await store.deleteSession('A'); // as the delete_data action does
      await store.commitTurn({ sessionKey: 'C', at }); // as the turn that ends with deleteSession does
      expect(store.scrubPending).toBe(true);
      await scrubbed(store);

      expect(leftovers(file, a)).toBe(0);
      expect(leftovers(file, c)).toBe(0);
      expect(walSize(file)).toBe(0);
      // The kept session is untouched, and still found by the same check.
      expect((await store.getSession('B'))?.data).toBe(b);
      expect(leftovers(file, [b])).toBeGreaterThan(0);
      expect(await store.getSession('A')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('scrubs once for a burst of deletions, not once per deletion, and deleting nothing scrubs nothing', async () => {
    const file = newFile();
    const store = new SqliteStore(file, { scrubDelayMs: 50 });
    try {
      const at = Date.now();
      const values = Array.from({ length: 300 }, () => sealed(1500));
      for (const [i, v] of values.entries()) await store.saveSession(`s-${i}`, v, at + 3_600_000);
      const before = store.walScrubs.done;
      await store.deleteSession('never-existed');
      await store.commitTurn({ sessionKey: 'never-existed-either', at });
      expect(store.scrubPending).toBe(false);
      const started = process.hrtime.bigint();
      for (let i = 0; i < values.length; i++) await store.deleteSession(`s-${i}`);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      await scrubbed(store);
      expect(store.walScrubs.done - before).toBe(1);
      expect(leftovers(file, values)).toBe(0);
      // 300 deletions with synchronous=FULL: the scrub adds nothing per deletion.
      expect(ms).toBeLessThan(5000);
    } finally {
      await store.close();
    }
  });

  it('scrubs the sessions that expired (purge) as well', async () => {
    const file = newFile();
    const store = new SqliteStore(file, { scrubDelayMs: 20 });
    try {
      const old = sealed(8000);
      await store.saveSession('expired', old, 1000);
      await store.saveSession('alive', sealed(100), Date.now() + 3_600_000);
      expect(await store.purge(Date.now())).toBeGreaterThanOrEqual(1);
      await scrubbed(store);
      expect(leftovers(file, [old])).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('never waits for another process reading the database: it retries, and scrubs once the reader is done', async () => {
    const file = newFile();
    const store = new SqliteStore(file, { scrubDelayMs: 20 });
    const reader = new Database(file, { readonly: true });
    try {
      const at = Date.now();
      const v = sealed(10_000);
      await store.saveSession('A', v, at + 3_600_000);
      // Another process (say `binhan cases list`) holds a read snapshot from before the deletion.
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT COUNT(*) AS n FROM sessions').get();
      await store.deleteSession('A');
      const t0 = Date.now();
      expect(store.scrubWal()).toBe(false);
      expect(Date.now() - t0).toBeLessThan(1000); // busy_timeout 0 for the checkpoint: no 5 s stall
      await new Promise((r) => setTimeout(r, 100));
      expect(store.walScrubs.busy).toBeGreaterThanOrEqual(2);
      expect(store.scrubPending).toBe(true); // still trying
      reader.prepare('COMMIT').run();
      await scrubbed(store);
      expect(leftovers(file, [v])).toBe(0);
      expect(walSize(file)).toBe(0);
    } finally {
      reader.close();
      await store.close();
    }
  });

  it('a crash between a deletion and its scrub: the next start scrubs', () => {
    const file = newFile();
    const v = sealed(10_000);
    // A server that saves a session, deletes it and is killed (kill -9) before any checkpoint.
    const script = `
      const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL'); db.pragma('secure_delete = ON');
      db.exec('CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL)');
      db.prepare('INSERT INTO sessions (key, data, expires_at) VALUES (?, ?, ?)').run('A', ${JSON.stringify(v)}, 1);
      db.prepare('DELETE FROM sessions WHERE key = ?').run('A');
      process.kill(process.pid, 'SIGKILL');`;
    // The real schema first, so that the child writes into a database the store knows.
    new SqliteStore(file).close();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(leftovers(file, [v])).toBeGreaterThan(0); // left behind in the WAL by the crash
    const store = new SqliteStore(file);
    try {
      expect(leftovers(file, [v])).toBe(0);
      expect(walSize(file)).toBe(0);
    } finally {
      void store.close();
    }
  });
});

describe('"xóa dữ liệu" through the bot', () => {
  it('leaves no version of the sealed session in the database or WAL files', async () => {
    let store: SqliteStore | undefined;
    const t = await testApp({}, (dir) => { store = new SqliteStore(join(dir, 'binhan.sqlite'), { scrubDelayMs: 20 }); return store; });
    try {
      const s = store!;
      const file = join(t.dir, 'binhan.sqlite');
      const chat = new Chat(t.app, `zalo-user-${randomBytes(6).toString('hex')}`, 'zalo');
      const key = t.app.bot.sessionKey('zalo', chat.userId);
      const versions = new Set<string>();
      const note = (): void => {
        const row = s.raw.prepare('SELECT data FROM sessions WHERE key = ?').get(key) as { data: string } | undefined;
        if (row) versions.add(row.data);
      };
      const story = `Tối nào cũng có người bán ma túy ở quán nước đầu hẻm MARKER-${randomBytes(8).toString('hex')}. `.repeat(12);
      await chat.say('tôi muốn báo tin'); note();
      await chat.tap('Ma túy'); note();
      await chat.say('Nghệ An'); note();
      await chat.say('gần chợ xã, quán nước đầu hẻm'); note();
      await chat.tap('Vẫn đang diễn ra'); note();
      await chat.say(story); note();
      await chat.say('xóa dữ liệu'); note();
      expect(versions.size).toBeGreaterThanOrEqual(5);
      expect(leftovers(file, [...versions])).toBeGreaterThan(0);

      await chat.tap('Có, xóa đi');
      expect(await t.app.store.getSession(key)).toBeNull();
      await scrubbed(s);
      expect(leftovers(file, [...versions])).toBe(0);
      expect(fileBytes(file)).not.toContain('MARKER-');
      expect(walSize(file)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
