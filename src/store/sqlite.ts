/** Embedded store on SQLite (better-sqlite3): WAL, synchronous=FULL for durable tips, versioned migrations. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CaseMessage, CaseRecord, NewCase, Store, StoredSession, TipFields, CaseStatus, Priority } from './port.js';

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cases (
     id TEXT PRIMARY KEY,
     ref TEXT NOT NULL UNIQUE,
     idempotency_key TEXT NOT NULL UNIQUE,
     secret_hash TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'new',
     priority TEXT NOT NULL,
     category TEXT NOT NULL,
     province TEXT NOT NULL,
     channel TEXT NOT NULL,
     lang TEXT NOT NULL,
     fields TEXT NOT NULL,
     messages TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX cases_queue ON cases (status, priority, created_at);
   CREATE INDEX cases_category ON cases (category);
   CREATE INDEX cases_province ON cases (province);
   CREATE TABLE sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX sessions_expiry ON sessions (expires_at);
   CREATE TABLE processed (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
   CREATE INDEX processed_at ON processed (at);
   CREATE TABLE attempts (scope TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX attempts_scope ON attempts (scope, at);`,
];

const PROCESSED_TTL_MS = 7 * 86_400_000;
const ATTEMPTS_TTL_MS = 86_400_000;

interface CaseRow {
  id: string; ref: string; secret_hash: string; status: string; priority: string; channel: string; lang: string;
  fields: string; messages: string; created_at: string; updated_at: string;
}

function toRecord(r: CaseRow): CaseRecord {
  return {
    id: r.id, ref: r.ref, status: r.status as CaseStatus, priority: r.priority as Priority, channel: r.channel, lang: r.lang,
    fields: JSON.parse(r.fields) as TipFields, messages: JSON.parse(r.messages) as CaseMessage[],
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a tip acknowledged to the reporter survives a power cut, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    const db = this.db;
    this.stmt = {
      insertCase: db.prepare(`INSERT INTO cases (id, ref, idempotency_key, secret_hash, status, priority, category, province, channel, lang, fields, messages, created_at, updated_at)
        VALUES (@id, @ref, @idempotency_key, @secret_hash, 'new', @priority, @category, @province, @channel, @lang, @fields, '[]', @now, @now)
        ON CONFLICT (idempotency_key) DO NOTHING`),
      caseByKey: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE idempotency_key = ?'),
      caseByRef: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE ref = ?'),
      listCases: db.prepare<[number], CaseRow>('SELECT * FROM cases ORDER BY created_at DESC, rowid DESC LIMIT ?'),
      setMessages: db.prepare('UPDATE cases SET messages = ?, updated_at = ? WHERE ref = ?'),
      getSession: db.prepare<[string], { data: string; expires_at: number }>('SELECT data, expires_at FROM sessions WHERE key = ?'),
      saveSession: db.prepare('INSERT INTO sessions (key, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE key = ?'),
      markProcessed: db.prepare('INSERT INTO processed (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      wasProcessed: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM processed WHERE key = ?'),
      countAttempts: db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM attempts WHERE scope = ? AND at >= ?'),
      recordAttempt: db.prepare('INSERT INTO attempts (scope, at) VALUES (?, ?)'),
      clearAttempts: db.prepare('DELETE FROM attempts WHERE scope = ?'),
      purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
      purgeProcessed: db.prepare('DELETE FROM processed WHERE at < ?'),
      purgeAttempts: db.prepare('DELETE FROM attempts WHERE at < ?'),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`the database ${this.file} has schema version ${version}, newer than this program knows (${MIGRATIONS.length}); upgrade Bình An`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async createCase(c: NewCase): Promise<{ case: CaseRecord; created: boolean }> {
    const now = new Date().toISOString();
    const info = this.stmt.insertCase.run({
      id: randomUUID(), ref: c.ref, idempotency_key: c.idempotencyKey, secret_hash: c.secretHash, priority: c.priority,
      category: c.fields.category, province: c.fields.province, channel: c.channel, lang: c.lang,
      fields: JSON.stringify(c.fields), now,
    });
    const row = this.stmt.caseByKey.get(c.idempotencyKey) as CaseRow;
    return { case: toRecord(row), created: info.changes === 1 };
  }

  async getCaseByRef(ref: string): Promise<(CaseRecord & { secretHash: string }) | null> {
    const row = this.stmt.caseByRef.get(ref);
    return row ? { ...toRecord(row), secretHash: row.secret_hash } : null;
  }

  async listCases(opts: { limit?: number } = {}): Promise<CaseRecord[]> {
    return this.stmt.listCases.all(opts.limit ?? 100).map(toRecord);
  }

  async appendCaseMessage(ref: string, msg: CaseMessage): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.stmt.caseByRef.get(ref);
      if (!row) return false;
      const messages = JSON.parse(row.messages) as CaseMessage[];
      messages.push(msg);
      this.stmt.setMessages.run(JSON.stringify(messages), new Date().toISOString(), ref);
      return true;
    }).immediate();
  }

  async commitTurn(t: { sessionKey: string; session?: { data: string; expiresAt: number }; processedKey?: string; at: number }): Promise<void> {
    this.db.transaction(() => {
      if (t.session) this.stmt.saveSession.run(t.sessionKey, t.session.data, t.session.expiresAt);
      else this.stmt.deleteSession.run(t.sessionKey);
      if (t.processedKey) this.stmt.markProcessed.run(t.processedKey, t.at);
    })();
  }

  async getSession(key: string): Promise<StoredSession | null> {
    const row = this.stmt.getSession.get(key);
    return row ? { data: row.data, expiresAt: row.expires_at } : null;
  }

  async saveSession(key: string, data: string, expiresAt: number): Promise<void> {
    this.stmt.saveSession.run(key, data, expiresAt);
  }

  async deleteSession(key: string): Promise<void> {
    this.stmt.deleteSession.run(key);
  }

  async markProcessed(key: string, at: number): Promise<boolean> {
    return this.stmt.markProcessed.run(key, at).changes === 1;
  }

  async wasProcessed(key: string): Promise<boolean> {
    return this.stmt.wasProcessed.get(key) !== undefined;
  }

  async countAttempts(scope: string, since: number): Promise<number> {
    return (this.stmt.countAttempts.get(scope, since) as { n: number }).n;
  }

  async recordAttempt(scope: string, at: number): Promise<void> {
    this.stmt.recordAttempt.run(scope, at);
  }

  async clearAttempts(scope: string): Promise<void> {
    this.stmt.clearAttempts.run(scope);
  }

  async purge(now: number): Promise<number> {
    return this.db.transaction(() =>
      this.stmt.purgeSessions.run(now).changes
      + this.stmt.purgeProcessed.run(now - PROCESSED_TTL_MS).changes
      + this.stmt.purgeAttempts.run(now - ATTEMPTS_TTL_MS).changes)();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** For tests: the raw database handle. */
  get raw(): Database.Database {
    return this.db;
  }
}
