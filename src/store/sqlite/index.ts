/**
 * Embedded store on SQLite (better-sqlite3): WAL, synchronous=FULL for durable tips, versioned migrations.
 *
 * Deleted sessions leave no copy behind: secure_delete=ON zeroes the freed space in the database file
 * (FAST left a long session's overflow pages readable), and after a session is deleted the WAL — whose
 * old frames still hold every version written since the last reset — is checkpointed and truncated to
 * zero bytes (`wal_checkpoint(TRUNCATE)`). That is batched: at most one checkpoint per `scrubDelayMs`
 * whatever the number of deletions, retried when another process holds a read snapshot, and done once
 * at start (a crash between a deletion and its checkpoint) and at close.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  DuplicateKeyError, PRIORITY_RANK, cutPage, parseCursor, isoWeek, groupKey,
  type AuditEvent, type AuthSession, type CaseFilter, type CaseMessage, type CaseNote, type CasePage,
  type CasePageRequest, type CaseRecord, type CaseStatus, type CaseUpdate, type Disposition, type GroupBy,
  type HistoryEntry, type NewCase, type NewOfficer, type Officer, type Priority, type RelatedLink, type Role,
  type Store, type CampaignSubscription, type Broadcast, type BroadcastStatus, type MarkState, type StoredSession, type TipFields, type TriageTime, TRIAGE_ACTIONS,
  SessionConflictError, type TurnCommit, type InboxItem, type OutboxItem, type TakeLeftovers,
} from '../port.js';
import { ATTEMPTS_TTL_MS, DEFAULT_LIST_LIMIT, PROCESSED_TTL_MS } from '../shared.js';

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
export const MIGRATIONS: readonly string[] = [
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

  // 2: case lifecycle (disposition, assignment, queue rank, optimistic version, ISO week, notes, history,
  // related links), officers, their sign-in sessions, the audit trail, settings.
  // The rank values are frozen here as they were in PRIORITY_RANK when this migration was released;
  // the week of existing rows uses SQLite's ISO-8601 week (%G-W%V) of the UTC day (migration 4 moves it to Viet Nam's day).
  `ALTER TABLE cases ADD COLUMN disposition TEXT;
   ALTER TABLE cases ADD COLUMN assigned_to TEXT;
   ALTER TABLE cases ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 2;
   ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE cases ADD COLUMN week TEXT NOT NULL DEFAULT '';
   ALTER TABLE cases ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE cases ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE cases ADD COLUMN related TEXT NOT NULL DEFAULT '[]';
   UPDATE cases SET
     priority_rank = CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 WHEN 'low' THEN 3 ELSE 2 END,
     week = strftime('%G-W%V', created_at);
   DROP INDEX cases_queue;
   CREATE INDEX cases_queue ON cases (status, priority_rank, created_at, id);
   CREATE INDEX cases_rank ON cases (priority_rank, created_at, id);
   CREATE INDEX cases_created ON cases (created_at, id);
   CREATE INDEX cases_assigned ON cases (assigned_to, priority_rank, created_at, id);
   CREATE TABLE officers (
     id TEXT PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     display_name TEXT NOT NULL,
     role TEXT NOT NULL,
     province TEXT,
     password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     must_change_password INTEGER NOT NULL DEFAULT 0,
     failed_logins INTEGER NOT NULL DEFAULT 0,
     locked_until INTEGER,
     created_at TEXT NOT NULL
   );
   CREATE TABLE auth_sessions (
     id TEXT PRIMARY KEY,
     officer_id TEXT NOT NULL,
     csrf TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);
   CREATE INDEX auth_sessions_officer ON auth_sessions (officer_id);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     officer_id TEXT NOT NULL,
     action TEXT NOT NULL,
     case_id TEXT
   );
   CREATE INDEX audit_case ON audit (case_id, at, seq);
   CREATE INDEX audit_officer ON audit (officer_id, at, seq);
   CREATE INDEX audit_at ON audit (at, seq);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE counters (day TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, key));`,
  // 4: a case's week is the ISO week of the day it is in Viet Nam (UTC+7), like isoWeek() in port.ts.
  `UPDATE cases SET week = strftime('%G-W%V', created_at, '+7 hours');`,
  // 5: a session's version, bumped by every committed turn (a turn commits only onto the version it read).
  `ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
  // 6: durable edges: inbound events from their webhook's 200 to their turn's commit, replies from that commit
  // until sent (sealed; rowid keeps the order of arrival).
  `CREATE TABLE inbox (id TEXT PRIMARY KEY, channel TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL, owner TEXT NOT NULL);
   CREATE INDEX inbox_at ON inbox (at);
   CREATE TABLE outbox (id TEXT PRIMARY KEY, session_key TEXT NOT NULL, channel TEXT NOT NULL, data TEXT NOT NULL,
     at INTEGER NOT NULL, owner TEXT NOT NULL, turn TEXT NOT NULL);
   CREATE INDEX outbox_at ON outbox (at);`,
  // 7: opt-in notification addresses in a table of their own (they were settings named "notify:<ref>").
  `CREATE TABLE notifications (ref TEXT PRIMARY KEY, data TEXT NOT NULL);
   INSERT INTO notifications (ref, data) SELECT substr(key, 8), value FROM settings WHERE key LIKE 'notify:%';
   DELETE FROM settings WHERE key LIKE 'notify:%';`,
  // 8: opt-in campaign subscriptions (sealed address, no link to any session or tip) and broadcasts with a mark
  // per subscriber (issue #13).
  `CREATE TABLE IF NOT EXISTS subscriptions (key TEXT PRIMARY KEY, channel TEXT NOT NULL, sealed TEXT NOT NULL, lang TEXT NOT NULL,
     since INTEGER NOT NULL, expires_at INTEGER);
   CREATE TABLE IF NOT EXISTS broadcasts (id TEXT PRIMARY KEY, campaign TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL,
     created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, cursor TEXT, planned INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE IF NOT EXISTS broadcast_marks (broadcast_id TEXT NOT NULL, key TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,
     PRIMARY KEY (broadcast_id, key));
   CREATE INDEX IF NOT EXISTS broadcast_marks_state ON broadcast_marks (broadcast_id, state, channel, key);`,
];

/** Default delay between a session deletion and the WAL checkpoint that scrubs it (deletions meanwhile share it). */
export const DEFAULT_SCRUB_DELAY_MS = 1000;
const BUSY_TIMEOUT_MS = 5000;

export interface SqliteStoreOptions {
  /** Delay (ms) between a session deletion and the WAL checkpoint + truncation (default 1000). */
  scrubDelayMs?: number;
}

/** How the WAL scrubs after deletions went (tests, diagnostics). */
export interface WalScrubStats {
  /** Checkpoints that truncated the WAL. */
  done: number;
  /** Attempts that found the WAL held by a reader (another process) and were retried later. */
  busy: number;
}

interface CaseRow {
  id: string; ref: string; secret_hash: string; status: string; priority: string; channel: string; lang: string;
  fields: string; messages: string; notes: string; history: string; related: string;
  disposition: string | null; assigned_to: string | null; priority_rank: number; version: number; week: string;
  created_at: string; updated_at: string;
}

interface OfficerRow {
  id: string; username: string; display_name: string; role: string; province: string | null; password_hash: string;
  disabled: number; must_change_password: number; failed_logins: number; locked_until: number | null; created_at: string;
}

interface AuthSessionRow { id: string; officer_id: string; csrf: string; created_at: number; expires_at: number }
interface AuditRow { at: string; officer_id: string; action: string; case_id: string | null }

function toRecord(r: CaseRow): CaseRecord {
  return {
    id: r.id, ref: r.ref, status: r.status as CaseStatus, priority: r.priority as Priority,
    disposition: r.disposition as Disposition | null, assignedTo: r.assigned_to,
    channel: r.channel, lang: r.lang,
    fields: JSON.parse(r.fields) as TipFields,
    messages: JSON.parse(r.messages) as CaseMessage[],
    notes: JSON.parse(r.notes) as CaseNote[],
    history: JSON.parse(r.history) as HistoryEntry[],
    related: JSON.parse(r.related) as RelatedLink[],
    version: r.version, createdAt: r.created_at, updatedAt: r.updated_at, week: r.week,
  };
}

function toOfficer(r: OfficerRow): Officer {
  return {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role as Role, province: r.province,
    passwordHash: r.password_hash, disabled: r.disabled === 1, mustChangePassword: r.must_change_password === 1,
    failedLogins: r.failed_logins, lockedUntil: r.locked_until, createdAt: r.created_at,
  };
}

function toAudit(r: AuditRow): AuditEvent {
  const e: AuditEvent = { at: r.at, officerId: r.officer_id, action: r.action };
  if (r.case_id !== null) e.caseId = r.case_id;
  return e;
}

function rankOf(p: Priority): number {
  const rank = PRIORITY_RANK[p];
  if (rank === undefined) throw new Error(`unknown priority ${String(p)}`);
  return rank;
}


/** A filter's ISO bound, normalised so that it compares correctly with the stored `toISOString()` text. */
function isoBound(name: string, v: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid ${name} date`);
  return d.toISOString();
}

type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

interface SubscriptionRow { key: string; channel: string; sealed: string; lang: string; since: number; expires_at: number | null }
interface BroadcastRow {
  id: string; campaign: string; item: string; status: string; created_by: string; created_at: string; updated_at: string;
  cursor: string | null; planned: number;
}
function toSubscription(r: SubscriptionRow): CampaignSubscription {
  return { key: r.key, channel: r.channel, sealed: r.sealed, lang: r.lang, since: r.since, expiresAt: r.expires_at };
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly stmt;
  /** Filter queries, compiled once per shape (which filters are present, order, cursor). */
  private readonly dynamic = new Map<string, Statement<unknown[]>>();
  readonly walScrubs: WalScrubStats = { done: 0, busy: 0 };
  private readonly scrubDelayMs: number;
  private scrubTimer: NodeJS.Timeout | undefined;

  constructor(readonly file: string, opts: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.scrubDelayMs = opts.scrubDelayMs ?? DEFAULT_SCRUB_DELAY_MS;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a tip acknowledged to the reporter survives a power cut, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Deleted content (deleted sessions, old versions of a case) is overwritten with zeros, free pages
    // included: FAST left the overflow pages of a long session readable in the file after its deletion.
    this.db.pragma('secure_delete = ON');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    // A session deleted just before a crash may still sit in the WAL: scrub it now.
    this.scrubWal();
    const db = this.db;
    this.stmt = {
      insertCase: db.prepare(`INSERT INTO cases (id, ref, idempotency_key, secret_hash, status, priority, priority_rank, category, province,
          channel, lang, fields, messages, notes, history, related, disposition, assigned_to, version, week, created_at, updated_at)
        VALUES (@id, @ref, @idempotency_key, @secret_hash, 'new', @priority, @priority_rank, @category, @province,
          @channel, @lang, @fields, '[]', '[]', @history, '[]', NULL, NULL, 1, @week, @now, @now)`),
      caseById: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE id = ?'),
      caseByKey: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE idempotency_key = ?'),
      caseByRef: db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE ref = ?'),
      listCases: db.prepare<[number], CaseRow>('SELECT * FROM cases ORDER BY created_at DESC, rowid DESC LIMIT ?'),
      writeCase: db.prepare(`UPDATE cases SET status = @status, priority = @priority, priority_rank = @priority_rank,
          disposition = @disposition, assigned_to = @assigned_to, category = @category, province = @province, fields = @fields,
          messages = @messages, notes = @notes, history = @history, related = @related,
          version = version + 1, updated_at = @updated_at
        WHERE id = @id`),
      appendMessage: db.prepare(`UPDATE cases SET messages = json_insert(messages, '$[#]', json(?)), version = version + 1, updated_at = ?
        WHERE ref = ?`),

      getSession: db.prepare<[string], { data: string; expires_at: number; version: number }>('SELECT data, expires_at, version FROM sessions WHERE key = ?'),
      sessionVersion: db.prepare<[string], { version: number }>('SELECT version FROM sessions WHERE key = ?'),
      saveSession: db.prepare('INSERT INTO sessions (key, data, expires_at, version) VALUES (?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, version = version + 1'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE key = ?'),
      markProcessed: db.prepare('INSERT INTO processed (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      wasProcessed: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM processed WHERE key = ?'),
      countAttempts: db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM attempts WHERE scope = ? AND at >= ?'),
      recordAttempt: db.prepare('INSERT INTO attempts (scope, at) VALUES (?, ?)'),
      clearAttempts: db.prepare('DELETE FROM attempts WHERE scope = ?'),

      insertOfficer: db.prepare(`INSERT INTO officers (id, username, display_name, role, province, password_hash, disabled,
          must_change_password, failed_logins, locked_until, created_at)
        VALUES (@id, @username, @display_name, @role, @province, @password_hash, 0, @must_change_password, 0, NULL, @created_at)`),
      officerById: db.prepare<[string], OfficerRow>('SELECT * FROM officers WHERE id = ?'),
      officerByUsername: db.prepare<[string], OfficerRow>('SELECT * FROM officers WHERE username = ?'),
      listOfficers: db.prepare<[], OfficerRow>('SELECT * FROM officers ORDER BY username'),
      writeOfficer: db.prepare(`UPDATE officers SET display_name = @display_name, role = @role, province = @province,
          password_hash = @password_hash, disabled = @disabled, must_change_password = @must_change_password,
          failed_logins = @failed_logins, locked_until = @locked_until
        WHERE id = @id`),

      insertAuthSession: db.prepare('INSERT INTO auth_sessions (id, officer_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      getAuthSession: db.prepare<[string], AuthSessionRow>('SELECT * FROM auth_sessions WHERE id = ?'),
      touchAuthSession: db.prepare('UPDATE auth_sessions SET expires_at = ? WHERE id = ?'),
      deleteAuthSession: db.prepare('DELETE FROM auth_sessions WHERE id = ?'),
      deleteAuthSessionsOf: db.prepare('DELETE FROM auth_sessions WHERE officer_id = ?'),

      insertAudit: db.prepare('INSERT INTO audit (at, officer_id, action, case_id) VALUES (?, ?, ?, ?)'),
      auditAll: db.prepare<[number], AuditRow>('SELECT at, officer_id, action, case_id FROM audit ORDER BY at DESC, seq DESC LIMIT ?'),
      auditByCase: db.prepare<[string, number], AuditRow>('SELECT at, officer_id, action, case_id FROM audit WHERE case_id = ? ORDER BY at DESC, seq DESC LIMIT ?'),
      auditByOfficer: db.prepare<[string, number], AuditRow>('SELECT at, officer_id, action, case_id FROM audit WHERE officer_id = ? ORDER BY at DESC, seq DESC LIMIT ?'),
      auditByBoth: db.prepare<[string, string, number], AuditRow>('SELECT at, officer_id, action, case_id FROM audit WHERE case_id = ? AND officer_id = ? ORDER BY at DESC, seq DESC LIMIT ?'),

      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      deleteSetting: db.prepare('DELETE FROM settings WHERE key = ?'),
      putNotification: db.prepare('INSERT INTO notifications (ref, data) VALUES (?, ?) ON CONFLICT (ref) DO UPDATE SET data = excluded.data'),
      getNotification: db.prepare<[string], { data: string }>('SELECT data FROM notifications WHERE ref = ?'),
      deleteNotification: db.prepare('DELETE FROM notifications WHERE ref = ?'),
      putSubscription: db.prepare(`INSERT INTO subscriptions (key, channel, sealed, lang, since, expires_at) VALUES (@key, @channel, @sealed, @lang, @since, @expiresAt)
        ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, sealed = excluded.sealed, lang = excluded.lang, since = excluded.since, expires_at = excluded.expires_at`),
      getSubscription: db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE key = ?'),
      deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE key = ?'),
      listSubscriptions: db.prepare<[string, number], SubscriptionRow>('SELECT * FROM subscriptions WHERE key > ? ORDER BY key LIMIT ?'),
      countSubscriptions: db.prepare<[number], { channel: string; count: number }>(
        'SELECT channel, COUNT(*) AS count FROM subscriptions WHERE expires_at IS NULL OR expires_at > ? GROUP BY channel ORDER BY channel'),
      insertBroadcast: db.prepare(`INSERT INTO broadcasts (id, campaign, item, status, created_by, created_at, updated_at, cursor, planned)
        VALUES (?, ?, ?, 'draft', ?, ?, ?, NULL, 0)`),
      getBroadcast: db.prepare<[string], BroadcastRow>('SELECT * FROM broadcasts WHERE id = ?'),
      listBroadcasts: db.prepare<[number], BroadcastRow>('SELECT * FROM broadcasts ORDER BY created_at DESC, rowid DESC LIMIT ?'),
      broadcastCounts: db.prepare<[string], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM broadcast_marks WHERE broadcast_id = ? GROUP BY state'),
      setBroadcastStatus: db.prepare('UPDATE broadcasts SET status = ?, updated_at = ? WHERE id = ?'),
      moveBroadcast: db.prepare('UPDATE broadcasts SET cursor = ?, planned = ? WHERE id = ?'),
      insertMark: db.prepare("INSERT INTO broadcast_marks (broadcast_id, key, channel, state) VALUES (?, ?, ?, 'queued') ON CONFLICT DO NOTHING"),
      queuedMarks: db.prepare<[string, string, number], { key: string }>(
        "SELECT key FROM broadcast_marks WHERE broadcast_id = ? AND state = 'queued' AND channel = ? ORDER BY key LIMIT ?"),
      settleMark: db.prepare("UPDATE broadcast_marks SET state = ? WHERE broadcast_id = ? AND key = ? AND state = 'queued'"),
      bumpCounter: db.prepare('INSERT INTO counters (day, key, count) VALUES (?, ?, ?) ON CONFLICT (day, key) DO UPDATE SET count = count + excluded.count'),
      readCounters: db.prepare<[string, string, string, string], { day: string; key: string; count: number }>(
        "SELECT day, key, count FROM counters WHERE day >= ? AND day <= ? AND key >= ? AND key < ? ORDER BY day, key"),

      inboxAdd: db.prepare('INSERT INTO inbox (id, channel, data, at, owner) VALUES (@id, @channel, @data, @at, @owner) ON CONFLICT (id) DO NOTHING'),
      inboxDone: db.prepare('DELETE FROM inbox WHERE id = ?'),
      inboxLeft: db.prepare<[{ owner: string; own: number; stale: number }], InboxItem>(`SELECT id, channel, data, at, owner FROM inbox
        WHERE (owner = @owner AND @own = 1) OR (owner <> @owner AND at < @stale) ORDER BY at, rowid`),
      inboxOwn: db.prepare('UPDATE inbox SET owner = ? WHERE id = ?'),
      outboxAdd: db.prepare('INSERT INTO outbox (id, session_key, channel, data, at, owner, turn) VALUES (@id, @sessionKey, @channel, @data, @at, @owner, @turn)'),
      outboxDone: db.prepare('DELETE FROM outbox WHERE id = ?'),
      outboxLeft: db.prepare<[{ owner: string; own: number; stale: number }], OutboxItem>(`SELECT id, session_key AS sessionKey, channel, data, at, owner, turn
        FROM outbox WHERE (owner = @owner AND @own = 1) OR (owner <> @owner AND at < @stale) ORDER BY at, rowid`),
      outboxOwn: db.prepare('UPDATE outbox SET owner = ? WHERE id = ?'),

      purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
      purgeAuthSessions: db.prepare('DELETE FROM auth_sessions WHERE expires_at < ?'),
      purgeProcessed: db.prepare('DELETE FROM processed WHERE at < ?'),
      purgeAttempts: db.prepare('DELETE FROM attempts WHERE at < ?'),
    };
    this.savepoint = db.transaction((run: () => unknown) => run());
    this.commitOne = db.transaction((t: TurnCommit): number => {
      let n = 0;
      if (t.expectVersion !== undefined && (this.stmt.sessionVersion.get(t.sessionKey)?.version ?? 0) !== t.expectVersion) throw new SessionConflictError();
      if (t.session) this.stmt.saveSession.run(t.sessionKey, t.session.data, t.session.expiresAt);
      else n = this.stmt.deleteSession.run(t.sessionKey).changes;
      if (t.processedKey) this.stmt.markProcessed.run(t.processedKey, t.at);
      if (t.outbound) this.stmt.outboxAdd.run(t.outbound);
      if (t.inboxId) this.stmt.inboxDone.run(t.inboxId);
      return n;
    });
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
      }).immediate();
    }
  }

  // ---- cases

  async createCase(c: NewCase): Promise<{ case: CaseRecord; created: boolean }> {
    return this.db.transaction(() => {
      const existing = this.stmt.caseByKey.get(c.idempotencyKey);
      if (existing) return { case: toRecord(existing), created: false };
      const now = new Date();
      const id = randomUUID();
      try {
        this.stmt.insertCase.run({
          id, ref: c.ref, idempotency_key: c.idempotencyKey, secret_hash: c.secretHash,
          priority: c.priority, priority_rank: rankOf(c.priority),
          category: c.fields.category, province: c.fields.province, channel: c.channel, lang: c.lang,
          fields: JSON.stringify(c.fields), history: JSON.stringify(c.history ?? []),
          week: isoWeek(now), now: now.toISOString(),
        });
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /cases\.ref/.test((e as Error).message)) {
          throw new DuplicateKeyError('ref');
        }
        throw e;
      }
      return { case: toRecord(this.stmt.caseById.get(id) as CaseRow), created: true };
    }).immediate();
  }

  async getCase(id: string): Promise<CaseRecord | null> {
    const row = this.stmt.caseById.get(id);
    return row ? toRecord(row) : null;
  }

  async getCaseByRef(ref: string): Promise<(CaseRecord & { secretHash: string }) | null> {
    const row = this.stmt.caseByRef.get(ref);
    return row ? { ...toRecord(row), secretHash: row.secret_hash } : null;
  }

  async listCases(opts: { limit?: number } = {}): Promise<CaseRecord[]> {
    return this.stmt.listCases.all(opts.limit ?? DEFAULT_LIST_LIMIT).map(toRecord);
  }

  async queryCases(filter: CaseFilter, page: CasePageRequest): Promise<CasePage> {
    if (page.order !== 'queue' && page.order !== 'newest') throw new Error('invalid order');
    if (!Number.isInteger(page.limit) || page.limit < 1) throw new Error('invalid limit');
    const where = this.where(filter);
    const cursor = page.cursor !== undefined ? parseCursor(page.cursor, page.order) : null;
    if (cursor) {
      where.clauses.push(page.order === 'queue' ? '(priority_rank, created_at, id) > (?, ?, ?)' : '(created_at, id) < (?, ?)');
      where.params.push(...cursor);
      where.shape += '|cursor';
    }
    const orderBy = page.order === 'queue' ? 'priority_rank ASC, created_at ASC, id ASC' : 'created_at DESC, id DESC';
    const stmt = this.cached(`query|${page.order}|${where.shape}`, () =>
      `SELECT * FROM cases${where.clauses.length ? ` WHERE ${where.clauses.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ?`);
    const rows = stmt.all(...where.params, page.limit + 1) as CaseRow[];
    return cutPage(rows, page, (r) => ({ rank: r.priority_rank, createdAt: r.created_at, id: r.id }), toRecord);
  }

  async countCases(filter: CaseFilter, by: GroupBy): Promise<{ key: string; count: number }[]> {
    const column = groupKey(by);
    const where = this.where(filter);
    const stmt = this.cached(`count|${by}|${where.shape}`, () =>
      `SELECT ${column} AS key, COUNT(*) AS count FROM cases${where.clauses.length ? ` WHERE ${where.clauses.join(' AND ')}` : ''}
       GROUP BY ${column} ORDER BY ${column}`);
    return (stmt.all(...where.params) as { key: string | null; count: number }[])
      .filter((r): r is { key: string; count: number } => r.key !== null);
  }

  async countCasesByPair(filter: CaseFilter, by: readonly [GroupBy, GroupBy]): Promise<{ keys: [string, string]; count: number }[]> {
    const [a, b] = [groupKey(by[0]), groupKey(by[1])];
    const where = this.where(filter);
    const stmt = this.cached(`pair|${by[0]}|${by[1]}|${where.shape}`, () =>
      `SELECT ${a} AS a, ${b} AS b, COUNT(*) AS count FROM cases${where.clauses.length ? ` WHERE ${where.clauses.join(' AND ')}` : ''}
       GROUP BY ${a}, ${b} ORDER BY ${a}, ${b}`);
    return (stmt.all(...where.params) as { a: string | null; b: string | null; count: number }[])
      .filter((r) => r.a !== null && r.b !== null)
      .map((r) => ({ keys: [r.a as string, r.b as string], count: r.count }));
  }

  async triageTimes(filter: CaseFilter): Promise<TriageTime[]> {
    const where = this.where(filter);
    where.clauses.push("status <> 'new'");
    const stmt = this.cached(`triage|${where.shape}`, () =>
      `SELECT created_at AS createdAt,
         (SELECT MIN(json_extract(h.value, '$.at')) FROM json_each(cases.history) AS h
           WHERE json_extract(h.value, '$.action') IN (SELECT value FROM json_each(?))) AS triagedAt
       FROM cases WHERE ${where.clauses.join(' AND ')}`);
    return (stmt.all(JSON.stringify(TRIAGE_ACTIONS), ...where.params) as { createdAt: string; triagedAt: string | null }[])
      .filter((r): r is TriageTime => typeof r.triagedAt === 'string');
  }

  async updateCase(id: string, update: CaseUpdate): Promise<CaseRecord | null> {
    return this.db.transaction((): CaseRecord | null => {
      const row = this.stmt.caseById.get(id);
      if (!row) return null;
      const ex = update.expect;
      if (ex) {
        if (ex.version !== undefined && row.version !== ex.version) return null;
        if (ex.statusIn !== undefined && !ex.statusIn.includes(row.status as CaseStatus)) return null;
        if (ex.assignedTo !== undefined && row.assigned_to !== ex.assignedTo) return null;
      }
      const cur = toRecord(row);
      const set = update.set ?? {};
      const push = update.push ?? {};
      const priority = set.priority ?? cur.priority;
      const fields = set.fields ?? cur.fields;
      const has = <K extends keyof typeof set>(k: K) => Object.hasOwn(set, k) && set[k] !== undefined;
      this.stmt.writeCase.run({
        id,
        status: set.status ?? cur.status,
        priority, priority_rank: rankOf(priority),
        disposition: has('disposition') ? set.disposition : cur.disposition,
        assigned_to: has('assignedTo') ? set.assignedTo : cur.assignedTo,
        category: fields.category, province: fields.province, fields: JSON.stringify(fields),
        messages: JSON.stringify([...(set.messages ?? cur.messages), ...(push.messages ?? [])]),
        notes: JSON.stringify([...(set.notes ?? cur.notes), ...(push.notes ?? [])]),
        history: JSON.stringify([...cur.history, ...(push.history ?? [])]),
        related: JSON.stringify([...cur.related, ...(push.related ?? [])]),
        updated_at: new Date().toISOString(),
      });
      return toRecord(this.stmt.caseById.get(id) as CaseRow);
    }).immediate();
  }

  async appendCaseMessage(ref: string, msg: CaseMessage): Promise<boolean> {
    return this.stmt.appendMessage.run(JSON.stringify(msg), new Date().toISOString(), ref).changes === 1;
  }

  /** WHERE clauses of a filter; list filters are bound as one JSON array each, so the shape does not depend on their length. */
  private where(f: CaseFilter): { clauses: string[]; params: unknown[]; shape: string } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const shape: string[] = [];
    const list = (name: string, column: string, values: readonly string[] | undefined) => {
      if (values === undefined) return;
      // An empty list matches nothing (an officer scoped to no province sees no case), never everything.
      clauses.push(`${column} IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(values));
      shape.push(name);
    };
    list('status', 'status', f.status);
    list('priority', 'priority', f.priority);
    list('category', 'category', f.category);
    list('province', 'province', f.province);
    if (f.from !== undefined) { clauses.push('created_at >= ?'); params.push(isoBound('from', f.from)); shape.push('from'); }
    if (f.to !== undefined) { clauses.push('created_at < ?'); params.push(isoBound('to', f.to)); shape.push('to'); }
    if (f.assignedTo !== undefined) { clauses.push('assigned_to = ?'); params.push(f.assignedTo); shape.push('assignedTo'); }
    if (f.ref !== undefined) { clauses.push('ref = ?'); params.push(f.ref); shape.push('ref'); }
    return { clauses, params, shape: shape.join(',') };
  }

  private cached(shape: string, sql: () => string): Statement<unknown[]> {
    let s = this.dynamic.get(shape);
    if (!s) {
      s = this.db.prepare(sql());
      this.dynamic.set(shape, s);
    }
    return s;
  }

  // ---- conversation sessions and idempotency

  /**
   * Group commit: the writes that come in the same moment (one turn of the event loop: turns ending, inbound
   * events arriving, replies sent) are written in one transaction, so one fsync (synchronous=FULL) makes all
   * of them durable; each promise resolves only after that commit. Each write is its own savepoint: a stale
   * turn (SessionConflictError) fails alone.
   */
  commitTurn(t: TurnCommit): Promise<void> {
    return this.grouped(() => {
      if (this.commitOne(t)) this.scrubSoon();
    });
  }

  /** One turn's writes, in a savepoint of the group's transaction; the number of sessions deleted (built once). */
  private readonly commitOne: (t: TurnCommit) => number;
  private readonly batch: { run: () => unknown; resolve: (v: any) => void; reject: (e: unknown) => void }[] = [];
  /** Writes per group commit (flushes and writes so far): for the benchmark and tests. */
  readonly groupCommits = { flushes: 0, turns: 0 };

  private grouped<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batch.push({ run, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.batch.splice(0);
    if (!batch.length) return;
    const results: { ok: boolean; v: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const b of batch) {
          try {
            results.push({ ok: true, v: this.savepoint(b.run) });
          } catch (e) {
            results.push({ ok: false, v: e });
          }
        }
      })();
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    this.groupCommits.flushes++;
    this.groupCommits.turns += batch.length;
    batch.forEach((b, i) => (results[i].ok ? b.resolve(results[i].v) : b.reject(results[i].v)));
  }

  /** Runs one write in a savepoint of the current transaction (built once, in the constructor). */
  private readonly savepoint: (run: () => unknown) => unknown;

  // ---- durable edges

  inboxAdd(item: InboxItem): Promise<boolean> {
    return this.grouped(() => this.stmt.inboxAdd.run(item).changes === 1);
  }

  inboxDone(id: string): Promise<void> {
    return this.grouped(() => { this.stmt.inboxDone.run(id); });
  }

  outboxDone(id: string): Promise<void> {
    return this.grouped(() => { this.stmt.outboxDone.run(id); });
  }

  async inboxTake(take: TakeLeftovers): Promise<InboxItem[]> {
    return this.take(take, this.stmt.inboxLeft, this.stmt.inboxOwn);
  }

  async outboxTake(take: TakeLeftovers): Promise<OutboxItem[]> {
    // A reply is written in its turn's transaction: every stored one belongs to a committed turn.
    return this.take(take, this.stmt.outboxLeft, this.stmt.outboxOwn);
  }

  /** Left-over rows, claimed for `take.owner` in one immediate transaction (one host: no other instance takes them too). */
  private take<R extends { id: string; owner: string }>(take: TakeLeftovers, left: Statement<[{ owner: string; own: number; stale: number }], R>, own: Statement<[string, string]>): R[] {
    return this.db.transaction(() => {
      const rows = left.all({ owner: take.owner, own: take.own ? 1 : 0, stale: take.staleBefore });
      for (const r of rows) if (r.owner !== take.owner) own.run(take.owner, r.id);
      return rows.map((r) => ({ ...r, owner: take.owner }));
    }).immediate();
  }

  async getSession(key: string): Promise<StoredSession | null> {
    const row = this.stmt.getSession.get(key);
    return row ? { data: row.data, expiresAt: row.expires_at, version: row.version } : null;
  }

  async saveSession(key: string, data: string, expiresAt: number): Promise<void> {
    this.stmt.saveSession.run(key, data, expiresAt);
  }

  async deleteSession(key: string): Promise<void> {
    if (this.stmt.deleteSession.run(key).changes) this.scrubSoon();
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

  // ---- officers, sign-in sessions, audit

  async createOfficer(o: NewOfficer): Promise<Officer> {
    const id = randomUUID();
    try {
      this.stmt.insertOfficer.run({
        id, username: o.username, display_name: o.displayName, role: o.role, province: o.province,
        password_hash: o.passwordHash, must_change_password: o.mustChangePassword ? 1 : 0,
        created_at: new Date().toISOString(),
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /officers\.username/.test((e as Error).message)) {
        throw new DuplicateKeyError('username');
      }
      throw e;
    }
    return toOfficer(this.stmt.officerById.get(id) as OfficerRow);
  }

  async getOfficer(id: string): Promise<Officer | null> {
    const row = this.stmt.officerById.get(id);
    return row ? toOfficer(row) : null;
  }

  async getOfficerByUsername(username: string): Promise<Officer | null> {
    const row = this.stmt.officerByUsername.get(username);
    return row ? toOfficer(row) : null;
  }

  async listOfficers(): Promise<Officer[]> {
    return this.stmt.listOfficers.all().map(toOfficer);
  }

  async updateOfficer(id: string, set: Partial<Omit<Officer, 'id' | 'username' | 'createdAt'>>): Promise<Officer | null> {
    return this.db.transaction((): Officer | null => {
      const row = this.stmt.officerById.get(id);
      if (!row) return null;
      const cur = toOfficer(row);
      const pick = <K extends keyof typeof set>(k: K, fallback: Officer[K]) =>
        (Object.hasOwn(set, k) && set[k] !== undefined ? set[k] : fallback) as Officer[K];
      const disabled = pick('disabled', cur.disabled);
      const mustChange = pick('mustChangePassword', cur.mustChangePassword);
      this.stmt.writeOfficer.run({
        id,
        display_name: pick('displayName', cur.displayName),
        role: pick('role', cur.role),
        province: pick('province', cur.province),
        password_hash: pick('passwordHash', cur.passwordHash),
        disabled: disabled ? 1 : 0,
        must_change_password: mustChange ? 1 : 0,
        failed_logins: pick('failedLogins', cur.failedLogins),
        locked_until: pick('lockedUntil', cur.lockedUntil),
      });
      return toOfficer(this.stmt.officerById.get(id) as OfficerRow);
    }).immediate();
  }

  async createAuthSession(s: AuthSession): Promise<void> {
    this.stmt.insertAuthSession.run(s.id, s.officerId, s.csrf, s.createdAt, s.expiresAt);
  }

  async getAuthSession(id: string): Promise<AuthSession | null> {
    const r = this.stmt.getAuthSession.get(id);
    return r ? { id: r.id, officerId: r.officer_id, csrf: r.csrf, createdAt: r.created_at, expiresAt: r.expires_at } : null;
  }

  async touchAuthSession(id: string, expiresAt: number): Promise<void> {
    this.stmt.touchAuthSession.run(expiresAt, id);
  }

  async deleteAuthSession(id: string): Promise<void> {
    this.stmt.deleteAuthSession.run(id);
  }

  async deleteAuthSessionsOf(officerId: string): Promise<void> {
    this.stmt.deleteAuthSessionsOf.run(officerId);
  }

  async addAudit(e: AuditEvent): Promise<void> {
    this.stmt.insertAudit.run(e.at, e.officerId, e.action, e.caseId ?? null);
  }

  async listAudit(q: { caseId?: string; officerId?: string; limit?: number }): Promise<AuditEvent[]> {
    const limit = q.limit ?? DEFAULT_LIST_LIMIT;
    const rows = q.caseId !== undefined && q.officerId !== undefined ? this.stmt.auditByBoth.all(q.caseId, q.officerId, limit)
      : q.caseId !== undefined ? this.stmt.auditByCase.all(q.caseId, limit)
      : q.officerId !== undefined ? this.stmt.auditByOfficer.all(q.officerId, limit)
      : this.stmt.auditAll.all(limit);
    return rows.map(toAudit);
  }

  // ---- settings

  async getSetting(key: string): Promise<string | null> {
    return this.stmt.getSetting.get(key)?.value ?? null;
  }

  async bumpCounters(day: string, counts: { key: string; n: number }[]): Promise<void> {
    this.db.transaction(() => { for (const c of counts) this.stmt.bumpCounter.run(day, c.key, c.n); })();
  }

  async readCounters(q: { from: string; to: string; prefix: string }): Promise<{ day: string; key: string; count: number }[]> {
    // Prefix match as a range, so the primary key's index serves it.
    return this.stmt.readCounters.all(q.from, q.to, q.prefix, `${q.prefix}\uffff`);
  }

  async deleteSetting(key: string): Promise<void> {
    this.stmt.deleteSetting.run(key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.stmt.setSetting.run(key, value);
  }

  // ---- notification addresses

  async putNotification(ref: string, sealed: string): Promise<void> {
    this.stmt.putNotification.run(ref, sealed);
  }

  async getNotification(ref: string): Promise<string | null> {
    return this.stmt.getNotification.get(ref)?.data ?? null;
  }

  async deleteNotification(ref: string): Promise<void> {
    this.stmt.deleteNotification.run(ref);
  }

  // ---- campaign subscriptions and broadcasts

  async putSubscription(s: CampaignSubscription): Promise<void> {
    this.stmt.putSubscription.run({ key: s.key, channel: s.channel, sealed: s.sealed, lang: s.lang, since: s.since, expiresAt: s.expiresAt });
  }

  async getSubscription(key: string): Promise<CampaignSubscription | null> {
    const r = this.stmt.getSubscription.get(key);
    return r ? toSubscription(r) : null;
  }

  async deleteSubscription(key: string): Promise<boolean> {
    return this.stmt.deleteSubscription.run(key).changes > 0;
  }

  async listSubscriptions(q: { after: string | null; limit: number }): Promise<CampaignSubscription[]> {
    return this.stmt.listSubscriptions.all(q.after ?? '', q.limit).map(toSubscription);
  }

  async countSubscriptions(now: number): Promise<{ channel: string; count: number }[]> {
    return this.stmt.countSubscriptions.all(now);
  }

  async createBroadcast(b: { id: string; campaign: string; item: string; createdBy: string; at: string }): Promise<Broadcast> {
    this.stmt.insertBroadcast.run(b.id, b.campaign, b.item, b.createdBy, b.at, b.at);
    return (await this.getBroadcast(b.id)) as Broadcast;
  }

  async getBroadcast(id: string): Promise<Broadcast | null> {
    const r = this.stmt.getBroadcast.get(id);
    return r ? this.toBroadcast(r) : null;
  }

  async listBroadcasts(limit: number): Promise<Broadcast[]> {
    return this.stmt.listBroadcasts.all(limit).map((r) => this.toBroadcast(r));
  }

  async setBroadcastStatus(id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, at: string): Promise<Broadcast | null> {
    const ok = this.db.transaction(() => {
      const r = this.stmt.getBroadcast.get(id);
      if (!r || !from.includes(r.status as BroadcastStatus)) return false;
      this.stmt.setBroadcastStatus.run(to, at, id);
      return true;
    }).immediate();
    return ok ? this.getBroadcast(id) : null;
  }

  async markBroadcast(id: string, cursor: string | null, marks: { key: string; channel: string }[], planned: boolean): Promise<void> {
    this.db.transaction(() => {
      for (const m of marks) this.stmt.insertMark.run(id, m.key, m.channel);
      this.stmt.moveBroadcast.run(cursor, planned ? 1 : 0, id);
    }).immediate();
  }

  async queuedMarks(id: string, channel: string, limit: number): Promise<string[]> {
    return this.stmt.queuedMarks.all(id, channel, limit).map((r) => r.key);
  }

  async settleMarks(id: string, results: { key: string; state: Exclude<MarkState, 'queued'> }[]): Promise<void> {
    this.db.transaction(() => { for (const r of results) this.stmt.settleMark.run(r.state, id, r.key); })();
  }

  private toBroadcast(r: BroadcastRow): Broadcast {
    const counts: Record<MarkState, number> = { queued: 0, sent: 0, skipped: 0, failed: 0 };
    for (const c of this.stmt.broadcastCounts.all(r.id)) if (c.state in counts) counts[c.state as MarkState] = c.n;
    return {
      id: r.id, campaign: r.campaign, item: r.item, status: r.status as BroadcastStatus, createdBy: r.created_by,
      createdAt: r.created_at, updatedAt: r.updated_at, cursor: r.cursor, planned: r.planned === 1, counts,
    };
  }

  async purge(now: number): Promise<number> {
    const { sessions, total } = this.db.transaction(() => {
      const n = this.stmt.purgeSessions.run(now).changes;
      return {
        sessions: n,
        total: n + this.stmt.purgeAuthSessions.run(now).changes
          + this.stmt.purgeProcessed.run(now - PROCESSED_TTL_MS).changes
          + this.stmt.purgeAttempts.run(now - ATTEMPTS_TTL_MS).changes,
      };
    })();
    if (sessions) this.scrubSoon();
    return total;
  }

  // ---- scrubbing the WAL after deletions

  /** A session was deleted: checkpoint and truncate the WAL within scrubDelayMs, one checkpoint for every deletion meanwhile. */
  private scrubSoon(): void {
    if (this.scrubTimer || this.file === ':memory:' || !this.db.open) return;
    this.scrubTimer = setTimeout(() => {
      this.scrubTimer = undefined;
      // Another process (the CLI) reading an older snapshot keeps the WAL: try again after the same delay.
      if (!this.scrubWal()) this.scrubSoon();
    }, this.scrubDelayMs);
    this.scrubTimer.unref();
  }

  /**
   * Copies the WAL into the database and truncates it to zero bytes, so that no old frame (an earlier
   * version of a deleted session) survives in it. Never waits for another process: true when done,
   * false when a reader held the WAL (then nothing is lost, the next attempt does it).
   */
  scrubWal(): boolean {
    if (this.file === ':memory:' || !this.db.open) return true;
    let done = false;
    try {
      this.db.pragma('busy_timeout = 0');
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      done = r?.busy === 0;
    } catch {
      done = false;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    if (done) this.walScrubs.done++; else this.walScrubs.busy++;
    return done;
  }

  /** True while a deletion waits for its WAL scrub (tests). */
  get scrubPending(): boolean {
    return this.scrubTimer !== undefined;
  }

  async close(): Promise<void> {
    if (this.scrubTimer) { clearTimeout(this.scrubTimer); this.scrubTimer = undefined; }
    if (!this.db.open) return;
    this.flush();
    this.scrubWal();
    this.db.close();
  }

  /** For tests: the raw database handle. */
  get raw(): Database.Database {
    return this.db;
  }
}
