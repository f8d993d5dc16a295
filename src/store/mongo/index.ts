/**
 * MongoDB store (mongoose), selected by MONGODB_URI. Runs on MongoDB 5+ and on FerretDB 1.24, so it keeps to
 * what both have: single-document atomic updates (conditions in the filter, $set/$push/$inc), no
 * multi-document transactions, no $text, no $lookup, no change streams, and aggregation limited to
 * $match/$group/$sort/$project.
 *
 * Query hygiene: every value that goes into a filter is a string or number checked here, never a caller's
 * object spread into a filter; the connection also has mongoose's `sanitizeFilter`, so only the operator
 * objects built in this file (wrapped in `mongoose.trusted`) can carry `$` keys.
 *
 * Ids are strings: randomUUID for cases and officers, the caller's key for sessions, processed messages,
 * sign-in sessions and settings; Mongo's `_id` is that string.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
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

/** Without `retries`, connect keeps trying for about this long. */
const CONNECT_WINDOW_MS = 60_000;
const SERVER_SELECTION_TIMEOUT_MS = 5_000;
/** Connections (concurrent operations) to the server, at most. */
const MAX_POOL_SIZE = 20;

export interface MongoLog {
  warn(msg: string, meta?: object): void;
}

export interface MongoConnectOptions {
  /** Database name; default: the one in the URI's path, else "binhan". */
  dbName?: string;
  log?: MongoLog;
  /** Retries after the first failed attempt; default: keep trying for about a minute. */
  retries?: number;
}

// ---- documents as stored

interface CaseDoc {
  _id: string;
  ref: string;
  idempotencyKey: string;
  secretHash: string;
  status: string;
  priority: string;
  priorityRank: number;
  disposition: string | null;
  assignedTo: string | null;
  /** Copies of fields.category / fields.province, for filters and indexes. */
  category: string;
  province: string;
  channel: string;
  lang: string;
  fields: TipFields;
  messages: CaseMessage[];
  notes: CaseNote[];
  history: HistoryEntry[];
  related: RelatedLink[];
  version: number;
  week: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * A conversation: the sealed session (null once deleted), its version, and the keys of the last inbound
 * messages its turns processed (written with the session in one update: a retried message is recognised even
 * if the process died right after the turn).
 */
interface SessionDoc { _id: string; data: string | null; expiresAt: Date; v?: number; seen?: string[] }
interface ProcessedDoc { _id: string; at: number }
/** Durable edges: `n` orders rows accepted in the same millisecond by one instance. */
interface InboxDoc { _id: string; channel: string; data: string; at: number; n: number; owner: string }
interface OutboxDoc { _id: string; sessionKey: string; channel: string; data: string; at: number; n: number; owner: string; turn: string }
interface AttemptDoc { scope: string; at: number }
interface OfficerDoc {
  _id: string; username: string; displayName: string; role: string; province: string | null; passwordHash: string;
  disabled: boolean; mustChangePassword: boolean; failedLogins: number; lockedUntil: number | null; createdAt: string;
}
interface AuthSessionDoc { _id: string; officerId: string; csrf: string; createdAt: number; expiresAt: number }
interface AuditDoc { at: string; officerId: string; action: string; caseId?: string }
interface SettingDoc { _id: string; value: string }
interface NotificationDoc { _id: string; data: string }
interface CounterDoc { _id: string; day: string; key: string; count: number }

const opts = { versionKey: false, strict: 'throw', minimize: false, autoIndex: false, autoCreate: false } as const;
const Mixed = Schema.Types.Mixed;

const caseSchema = new Schema<CaseDoc>({
  _id: { type: String, required: true },
  ref: { type: String, required: true },
  idempotencyKey: { type: String, required: true },
  secretHash: { type: String, required: true },
  status: { type: String, required: true },
  priority: { type: String, required: true },
  priorityRank: { type: Number, required: true },
  disposition: { type: String, default: null },
  assignedTo: { type: String, default: null },
  category: { type: String, required: true },
  province: { type: String, required: true },
  channel: { type: String, required: true },
  lang: { type: String, required: true },
  fields: { type: Mixed, required: true },
  messages: { type: Mixed, default: () => [] },
  notes: { type: Mixed, default: () => [] },
  history: { type: Mixed, default: () => [] },
  related: { type: Mixed, default: () => [] },
  version: { type: Number, required: true },
  week: { type: String, required: true },
  createdAt: { type: String, required: true },
  updatedAt: { type: String, required: true },
}, opts);

const sessionSchema = new Schema<SessionDoc>({
  _id: { type: String, required: true },
  data: { type: String, default: null },
  expiresAt: { type: Date, required: true },
  v: { type: Number },
  seen: { type: [String], default: undefined },
}, opts);

/** Processed-message keys kept in a session document (the last turns'); older ones live in `processed`. */
const SEEN_IN_SESSION = 32;
/** A deleted conversation's document (no session in it) is kept this long for its processed keys. */
const TOMBSTONE_MS = 3_600_000;

const processedSchema = new Schema<ProcessedDoc>({
  _id: { type: String, required: true },
  at: { type: Number, required: true },
}, opts);

const attemptSchema = new Schema<AttemptDoc>({
  scope: { type: String, required: true },
  at: { type: Number, required: true },
}, opts);

const officerSchema = new Schema<OfficerDoc>({
  _id: { type: String, required: true },
  username: { type: String, required: true },
  displayName: { type: String, required: true },
  role: { type: String, required: true },
  province: { type: String, default: null },
  passwordHash: { type: String, required: true },
  disabled: { type: Boolean, required: true },
  mustChangePassword: { type: Boolean, required: true },
  failedLogins: { type: Number, required: true },
  lockedUntil: { type: Number, default: null },
  createdAt: { type: String, required: true },
}, opts);

const authSessionSchema = new Schema<AuthSessionDoc>({
  _id: { type: String, required: true },
  officerId: { type: String, required: true },
  csrf: { type: String, required: true },
  createdAt: { type: Number, required: true },
  expiresAt: { type: Number, required: true },
}, opts);

// Audit entries keep an ObjectId _id: it increases with insertion and breaks ties of equal `at`.
const auditSchema = new Schema<AuditDoc>({
  at: { type: String, required: true },
  officerId: { type: String, required: true },
  action: { type: String, required: true },
  caseId: { type: String },
}, opts);

const settingSchema = new Schema<SettingDoc>({
  _id: { type: String, required: true },
  value: { type: String, required: true },
}, opts);

const inboxSchema = new Schema<InboxDoc>({
  _id: { type: String, required: true },
  channel: { type: String, required: true },
  data: { type: String, required: true },
  at: { type: Number, required: true },
  n: { type: Number, required: true },
  owner: { type: String, required: true },
}, opts);

const outboxSchema = new Schema<OutboxDoc>({
  _id: { type: String, required: true },
  sessionKey: { type: String, required: true },
  channel: { type: String, required: true },
  data: { type: String, required: true },
  at: { type: Number, required: true },
  n: { type: Number, required: true },
  owner: { type: String, required: true },
  turn: { type: String, required: true },
}, opts);

const notificationSchema = new Schema<NotificationDoc>({
  _id: { type: String, required: true },
  data: { type: String, required: true },
}, opts);

interface SubscriptionDoc { _id: string; channel: string; sealed: string; lang: string; since: number; expiresAt: number | null }
interface BroadcastDoc {
  _id: string; campaign: string; item: string; status: string; createdBy: string; createdAt: string; updatedAt: string;
  cursor: string | null; planned: boolean;
}
/** One subscriber's mark in one broadcast: _id "<broadcast>|<subscription key>". */
interface MarkDoc { _id: string; broadcast: string; key: string; channel: string; state: string }

const subscriptionSchema = new Schema<SubscriptionDoc>({
  _id: { type: String, required: true },
  channel: { type: String, required: true },
  sealed: { type: String, required: true },
  lang: { type: String, required: true },
  since: { type: Number, required: true },
  expiresAt: { type: Number, default: null },
}, opts);

const broadcastSchema = new Schema<BroadcastDoc>({
  _id: { type: String, required: true },
  campaign: { type: String, required: true },
  item: { type: String, required: true },
  status: { type: String, required: true },
  createdBy: { type: String, required: true },
  createdAt: { type: String, required: true },
  updatedAt: { type: String, required: true },
  cursor: { type: String, default: null },
  planned: { type: Boolean, required: true },
}, opts);

const markSchema = new Schema<MarkDoc>({
  _id: { type: String, required: true },
  broadcast: { type: String, required: true },
  key: { type: String, required: true },
  channel: { type: String, required: true },
  state: { type: String, required: true },
}, opts);

const counterSchema = new Schema<CounterDoc>({
  _id: { type: String, required: true },
  day: { type: String, required: true },
  key: { type: String, required: true },
  count: { type: Number, required: true },
}, opts);

// ---- helpers

/** A caller's value that goes into a filter: a string, checked, never an object. */
function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`);
  return v;
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} must be a finite number`);
  return v;
}

function strList(v: unknown, name: string): string[] {
  if (!Array.isArray(v)) throw new TypeError(`${name} must be a list`);
  return v.map((x) => str(x, name));
}

/** A value stored as given, as JSON: the same as the SQLite store keeps (no undefined, no class instances). */
function json<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Operator objects built here; everything else in a filter is wrapped in $eq by sanitizeFilter. */
const op = <T extends object>(o: T): T => mongoose.trusted(o);

function rankOf(p: Priority): number {
  const rank = Object.hasOwn(PRIORITY_RANK, p) ? PRIORITY_RANK[p] : undefined;
  if (rank === undefined) throw new Error(`unknown priority ${String(p)}`);
  return rank;
}

/** A filter's ISO bound, normalised so that it compares correctly with the stored `toISOString()` text. */
function isoBound(name: string, v: unknown): string {
  const d = new Date(str(v, name));
  if (Number.isNaN(d.getTime())) throw new Error(`invalid ${name} date`);
  return d.toISOString();
}


function isDuplicateKey(e: unknown): boolean {
  return (e as { code?: unknown }).code === 11000;
}

function toRecord(d: CaseDoc): CaseRecord {
  return {
    id: d._id, ref: d.ref, status: d.status as CaseStatus, priority: d.priority as Priority,
    disposition: (d.disposition ?? null) as Disposition | null, assignedTo: d.assignedTo ?? null,
    channel: d.channel, lang: d.lang, fields: d.fields,
    messages: d.messages ?? [], notes: d.notes ?? [], history: d.history ?? [], related: d.related ?? [],
    version: d.version, createdAt: d.createdAt, updatedAt: d.updatedAt, week: d.week,
  };
}

function toSubscription(d: SubscriptionDoc): CampaignSubscription {
  return { key: d._id, channel: d.channel, sealed: d.sealed, lang: d.lang, since: d.since, expiresAt: d.expiresAt ?? null };
}

function toOfficer(d: OfficerDoc): Officer {
  return {
    id: d._id, username: d.username, displayName: d.displayName, role: d.role as Role, province: d.province ?? null,
    passwordHash: d.passwordHash, disabled: d.disabled, mustChangePassword: d.mustChangePassword,
    failedLogins: d.failedLogins, lockedUntil: d.lockedUntil ?? null, createdAt: d.createdAt,
  };
}

function toAudit(d: AuditDoc): AuditEvent {
  const e: AuditEvent = { at: d.at, officerId: d.officerId, action: d.action };
  if (d.caseId !== undefined && d.caseId !== null) e.caseId = d.caseId;
  return e;
}

/** The host list of a MongoDB URI, without credentials, path or options. */
export function mongoHost(uri: string): string {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const authority = rest.split(/[/?]/, 1)[0];
  const at = authority.lastIndexOf('@');
  return (at >= 0 ? authority.slice(at + 1) : authority) || '(no host)';
}

/** The database named in the URI's path, if any. */
function mongoDbName(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(uri);
  return m ? safeDecode(m[1]) : undefined;
}

/** The first line of an error's message, with the URI's credentials removed. */
function describe(e: unknown, uri: string): string {
  let msg = String((e as Error)?.message ?? e).split('\n', 1)[0];
  const authority = uri.replace(/^mongodb(\+srv)?:\/\//, '').split(/[/?]/, 1)[0];
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      const pass = userinfo.slice(colon + 1);
      for (const p of new Set([pass, safeDecode(pass)])) if (p) msg = msg.split(p).join('***');
    }
  }
  return msg;
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Errors that another attempt cannot fix: a malformed URI or options, refused credentials. */
function isPermanent(e: unknown): boolean {
  const err = e as { name?: string; code?: unknown };
  return err.name === 'MongoParseError' || err.name === 'MongoAPIError' || err.name === 'MongoInvalidArgumentError'
    || err.code === 18 /* AuthenticationFailed */ || err.code === 13 /* Unauthorized */;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class MongoStore implements Store {
  readonly kind = 'mongodb';
  /** Whether the server accepted the TTL index on sessions.expiresAt (FerretDB 1.24 does not). */
  ttlIndex = false;
  /** The FerretDB version when the server is FerretDB (buildInfo.ferretdbVersion), else null. */
  ferretdb: string | null = null;
  private closing = false;
  /** Tails of the in-process write queues, per document (used on FerretDB only, see `serial`). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly cases: Model<CaseDoc>;
  private readonly sessions: Model<SessionDoc>;
  private readonly processed: Model<ProcessedDoc>;
  private readonly attempts: Model<AttemptDoc>;
  private readonly officers: Model<OfficerDoc>;
  private readonly authSessions: Model<AuthSessionDoc>;
  private readonly audit: Model<AuditDoc>;
  private readonly settings: Model<SettingDoc>;
  private readonly counters: Model<CounterDoc>;
  private readonly inbox: Model<InboxDoc>;
  private readonly notifications: Model<NotificationDoc>;
  private readonly outbox: Model<OutboxDoc>;
  private readonly subscriptions: Model<SubscriptionDoc>;
  private readonly broadcasts: Model<BroadcastDoc>;
  private readonly marks: Model<MarkDoc>;
  /** Orders the edge rows this instance writes within one millisecond. */
  private edgeSeq = 0;

  private constructor(readonly connection: Connection) {
    const c = connection;
    this.cases = c.model<CaseDoc>('Case', caseSchema, 'cases');
    this.sessions = c.model<SessionDoc>('Session', sessionSchema, 'sessions');
    this.processed = c.model<ProcessedDoc>('Processed', processedSchema, 'processed');
    this.attempts = c.model<AttemptDoc>('Attempt', attemptSchema, 'attempts');
    this.officers = c.model<OfficerDoc>('Officer', officerSchema, 'officers');
    this.authSessions = c.model<AuthSessionDoc>('AuthSession', authSessionSchema, 'authsessions');
    this.audit = c.model<AuditDoc>('Audit', auditSchema, 'audit');
    this.settings = c.model<SettingDoc>('Setting', settingSchema, 'settings');
    this.counters = c.model<CounterDoc>('Counter', counterSchema, 'counters');
    this.inbox = c.model<InboxDoc>('Inbox', inboxSchema, 'inbox');
    this.notifications = c.model<NotificationDoc>('Notification', notificationSchema, 'notifications');
    this.outbox = c.model<OutboxDoc>('Outbox', outboxSchema, 'outbox');
    this.subscriptions = c.model<SubscriptionDoc>('Subscription', subscriptionSchema, 'subscriptions');
    this.broadcasts = c.model<BroadcastDoc>('Broadcast', broadcastSchema, 'broadcasts');
    this.marks = c.model<MarkDoc>('BroadcastMark', markSchema, 'broadcastmarks');
  }

  /**
   * Connects with retries and exponential backoff (0.5 s, 1 s, 2 s ... 8 s), one warning line per failed
   * attempt. Gives up after `retries` retries (default: after about a minute) with
   * "MongoDB at <host> is unreachable"; the password in the URI is never printed.
   */
  static async connect(uri: string, opts: MongoConnectOptions = {}): Promise<MongoStore> {
    const host = mongoHost(uri);
    const dbName = opts.dbName ?? mongoDbName(uri) ?? 'binhan';
    const warn = (msg: string, meta?: object) => (opts.log ? opts.log.warn(msg, meta) : console.warn(msg));
    const maxAttempts = opts.retries === undefined ? Infinity : Math.max(0, Math.floor(opts.retries)) + 1;
    const deadline = opts.retries === undefined ? Date.now() + CONNECT_WINDOW_MS : Infinity;
    let delay = 500;
    let conn: Connection;
    for (let attempt = 1; ; attempt++) {
      conn = mongoose.createConnection(uri, {
        dbName,
        sanitizeFilter: true,
        autoIndex: false,
        autoCreate: false,
        // Fail fast instead of queueing operations while the server is away: the caller reports the failure.
        bufferCommands: false,
        ignoreUndefined: true,
        serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
        // At most this many operations at once: FerretDB 1.24 on PostgreSQL wedged its own connection pool when
        // 200+ reporters wrote at once through the driver's default of 100 (every later call hung); beyond this the
        // driver queues operations, and the store's deadline still bounds each call.
        maxPoolSize: MAX_POOL_SIZE,
      });
      try {
        await conn.asPromise();
        break;
      } catch (e) {
        await conn.close(true).catch(() => undefined);
        const why = describe(e, uri);
        if (isPermanent(e)) {
          const auth = (e as { code?: unknown }).code === 18 || (e as { code?: unknown }).code === 13;
          throw new Error(auth ? `MongoDB at ${host} refused the credentials: ${why}` : `invalid MongoDB URI or options for ${host}: ${why}`);
        }
        const last = attempt >= maxAttempts || Date.now() + delay >= deadline;
        warn(`MongoDB at ${host} is unreachable (attempt ${attempt}): ${why}${last ? '' : `; retrying in ${delay / 1000} s`}`,
          { attempt, retryInMs: last ? null : delay });
        if (last) throw new Error(`MongoDB at ${host} is unreachable (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}): ${why}`);
        await sleep(delay);
        delay = Math.min(delay * 2, 8_000);
      }
    }
    const store = new MongoStore(conn);
    try {
      const info = await conn.db!.admin().command({ buildInfo: 1 });
      if (typeof info.ferretdbVersion === 'string') {
        store.ferretdb = info.ferretdbVersion;
        opts.log?.warn(`MongoDB at ${host} is FerretDB ${info.ferretdbVersion}: its updates are not atomic, so writes to one document are queued in this process; run a single app instance against it`);
      }
    } catch {
      // buildInfo is informative only.
    }
    conn.on('disconnected', () => { if (!store.closing) warn(`MongoDB at ${host}: connection lost, reconnecting`); });
    conn.on('reconnected', () => warn(`MongoDB at ${host}: reconnected`));
    conn.on('error', (e: unknown) => { if (!store.closing) warn(`MongoDB at ${host}: ${describe(e, uri)}`); });
    try {
      await store.init();
    } catch (e) {
      store.closing = true;
      await conn.close(true).catch(() => undefined);
      throw new Error(`MongoDB at ${host}: could not prepare the collections: ${describe(e, uri)}`);
    }
    return store;
  }

  /**
   * Runs a single-document write after the previous one on the same document has finished — on FerretDB only.
   * FerretDB 1.24 executes update and findAndModify as read, modify in memory, write back by _id, with no
   * lock (FerretDB issue #2168): two concurrent conditional updates of one case both "win", and concurrent
   * $inc/$push lose writes. On MongoDB the filter conditions are atomic and this is a pass-through.
   */
  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.ferretdb === null) return fn();
    const prev = this.queues.get(key) ?? Promise.resolve();
    const run = prev.then(() => fn());
    const tail = run.then(() => undefined, () => undefined);
    this.queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }

  /**
   * Creates the missing indexes, one per command: FerretDB 1.24 crashes the connection ("slice bounds out of
   * range") when one createIndexes command names two or more indexes that exist already, as on every restart.
   * The TTL index on sessions is a bonus where the server has TTL indexes (FerretDB 1.24 does not): purge(now)
   * is what the app relies on.
   */
  private async init(): Promise<void> {
    type Ix = { key: Record<string, 1 | -1>; name: string; unique?: boolean; expireAfterSeconds?: number };
    const ensure = async (m: Model<any>, list: Ix[]): Promise<void> => {
      let names: Set<string>;
      try {
        names = new Set((await m.collection.listIndexes().toArray()).map((i) => String(i.name)));
      } catch (e) {
        if ((e as { code?: unknown }).code !== 26 /* NamespaceNotFound */) throw e;
        names = new Set();
      }
      for (const { key, ...o } of list) if (!names.has(o.name)) await m.collection.createIndex(key, o);
    };
    await ensure(this.cases, [
      { key: { status: 1, priorityRank: 1, createdAt: 1 }, name: 'queue' },
      { key: { priorityRank: 1, createdAt: 1, _id: 1 }, name: 'rank' },
      { key: { createdAt: 1, _id: 1 }, name: 'created' },
      { key: { ref: 1 }, name: 'ref', unique: true },
      { key: { idempotencyKey: 1 }, name: 'idempotencyKey', unique: true },
      { key: { category: 1 }, name: 'category' },
      { key: { province: 1 }, name: 'province' },
      { key: { assignedTo: 1 }, name: 'assignedTo' },
    ]);
    try {
      await ensure(this.sessions, [{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }]);
      this.ttlIndex = true;
    } catch {
      await ensure(this.sessions, [{ key: { expiresAt: 1 }, name: 'expiresAt' }]);
    }
    // A retried message is looked up among the keys the conversations' last turns recorded.
    await ensure(this.sessions, [{ key: { seen: 1 }, name: 'seen' }]);
    // processed: the message key is the _id, unique by construction.
    await ensure(this.processed, [{ key: { at: 1 }, name: 'at' }]);
    await ensure(this.attempts, [{ key: { scope: 1, at: 1 }, name: 'scope_at' }, { key: { at: 1 }, name: 'at' }]);
    await ensure(this.officers, [{ key: { username: 1 }, name: 'username', unique: true }]);
    await ensure(this.authSessions, [{ key: { officerId: 1 }, name: 'officerId' }, { key: { expiresAt: 1 }, name: 'expiresAt' }]);
    await ensure(this.audit, [
      { key: { caseId: 1, at: 1 }, name: 'case_at' },
      { key: { officerId: 1, at: 1 }, name: 'officer_at' },
      { key: { at: 1 }, name: 'at' },
    ]);
    await ensure(this.counters, [{ key: { day: 1, key: 1 }, name: 'day_key' }]);
    await ensure(this.inbox, [{ key: { owner: 1, at: 1, n: 1 }, name: 'owner_at' }, { key: { at: 1 }, name: 'at' }]);
    await ensure(this.outbox, [{ key: { owner: 1, at: 1, n: 1 }, name: 'owner_at' }, { key: { at: 1 }, name: 'at' }]);
    await ensure(this.broadcasts, [{ key: { createdAt: -1 }, name: 'createdAt' }]);
    await ensure(this.marks, [{ key: { broadcast: 1, state: 1, channel: 1, key: 1 }, name: 'broadcast_state' }]);
    await this.migrateWeeksToVietnam();
    await this.migrateNotifications();
  }

  /** Once per database: opt-in notification addresses move from settings ("notify:<ref>") to their own collection. */
  private async migrateNotifications(): Promise<void> {
    const done = 'schema:notifications-collection';
    if (await this.getSetting(done)) return;
    const docs = await this.settings.find({ _id: op({ $regex: '^notify:' }) }).lean<SettingDoc[]>().exec();
    for (const d of docs) {
      await this.putNotification(d._id.slice('notify:'.length), d.value);
      await this.settings.deleteOne({ _id: d._id });
    }
    await this.setSetting(done, new Date().toISOString());
  }

  /**
   * Once per database: a case's week became the ISO week of its day in Viet Nam (it was the UTC day's).
   * Only cases created late on a Sunday (UTC) change; the others are read and left as they are.
   */
  private async migrateWeeksToVietnam(): Promise<void> {
    const done = 'schema:weeks-in-vietnam';
    if (await this.getSetting(done)) return;
    const docs = await this.cases.find({}, { _id: 1, createdAt: 1, week: 1 }).lean<{ _id: string; createdAt: string; week: string }[]>().exec();
    for (const d of docs) {
      const week = isoWeek(new Date(d.createdAt));
      if (week !== d.week) await this.serial(`case:${d._id}`, () => this.cases.updateOne({ _id: d._id }, { $set: { week } }).exec());
    }
    await this.setSetting(done, new Date().toISOString());
  }

  // ---- cases

  async createCase(c: NewCase): Promise<{ case: CaseRecord; created: boolean }> {
    const idempotencyKey = str(c.idempotencyKey, 'idempotencyKey');
    const now = new Date();
    const fields = json(c.fields);
    const doc: CaseDoc = {
      _id: randomUUID(),
      ref: str(c.ref, 'ref'),
      idempotencyKey,
      secretHash: str(c.secretHash, 'secretHash'),
      status: 'new',
      priority: c.priority,
      priorityRank: rankOf(c.priority),
      disposition: null,
      assignedTo: null,
      category: str(fields.category, 'fields.category'),
      province: str(fields.province, 'fields.province'),
      channel: str(c.channel, 'channel'),
      lang: str(c.lang, 'lang'),
      fields,
      messages: [], notes: [],
      history: json(c.history ?? []),
      related: [],
      version: 1,
      week: isoWeek(now),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      await this.cases.collection.insertOne(doc as never);
      return { case: toRecord(doc), created: true };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // Same idempotency key: the case exists already (a redelivery or a retry). Otherwise the ref is taken.
      const existing = await this.cases.findOne({ idempotencyKey }).lean<CaseDoc>();
      if (existing) return { case: toRecord(existing), created: false };
      throw new DuplicateKeyError('ref');
    }
  }

  async getCase(id: string): Promise<CaseRecord | null> {
    const d = await this.cases.findOne({ _id: str(id, 'id') }).lean<CaseDoc>();
    return d ? toRecord(d) : null;
  }

  async getCaseByRef(ref: string): Promise<(CaseRecord & { secretHash: string }) | null> {
    const d = await this.cases.findOne({ ref: str(ref, 'ref') }).lean<CaseDoc>();
    return d ? { ...toRecord(d), secretHash: d.secretHash } : null;
  }

  async listCases(opts: { limit?: number } = {}): Promise<CaseRecord[]> {
    const limit = opts.limit ?? DEFAULT_LIST_LIMIT;
    const docs = await this.cases.find({}).sort({ createdAt: -1, _id: -1 }).limit(num(limit, 'limit')).lean<CaseDoc[]>();
    return docs.map(toRecord);
  }

  async queryCases(filter: CaseFilter, page: CasePageRequest): Promise<CasePage> {
    if (page.order !== 'queue' && page.order !== 'newest') throw new Error('invalid order');
    if (!Number.isInteger(page.limit) || page.limit < 1) throw new Error('invalid limit');
    const and = this.where(filter);
    if (page.cursor !== undefined) {
      const p = parseCursor(page.cursor, page.order);
      if (page.order === 'queue') {
        const [rank, createdAt, id] = p as [number, string, string];
        and.push({ $or: [
          { priorityRank: op({ $gt: rank }) },
          { priorityRank: rank, createdAt: op({ $gt: createdAt }) },
          { priorityRank: rank, createdAt, _id: op({ $gt: id }) },
        ] });
      } else {
        const [createdAt, id] = p as [string, string];
        and.push({ $or: [
          { createdAt: op({ $lt: createdAt }) },
          { createdAt, _id: op({ $lt: id }) },
        ] });
      }
    }
    const sort: Record<string, 1 | -1> = page.order === 'queue'
      ? { priorityRank: 1, createdAt: 1, _id: 1 }
      : { createdAt: -1, _id: -1 };
    const docs = await this.cases.find(and.length ? { $and: and } : {}).sort(sort).limit(page.limit + 1).lean<CaseDoc[]>();
    return cutPage(docs, page, (d) => ({ rank: d.priorityRank, createdAt: d.createdAt, id: d._id }), toRecord);
  }

  async countCases(filter: CaseFilter, by: GroupBy): Promise<{ key: string; count: number }[]> {
    const field = groupKey(by);
    const and = this.where(filter);
    const rows = await this.cases.aggregate<{ _id: string | null; count: number }>([
      { $match: and.length ? { $and: and } : {} },
      { $group: { _id: `$${field}`, count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    return rows.filter((r) => typeof r._id === 'string').map((r) => ({ key: r._id as string, count: Number(r.count) }));
  }

  async countCasesByPair(filter: CaseFilter, by: readonly [GroupBy, GroupBy]): Promise<{ keys: [string, string]; count: number }[]> {
    const [a, b] = [groupKey(by[0]), groupKey(by[1])];
    const and = this.where(filter);
    const rows = await this.cases.aggregate<{ _id: { a?: string | null; b?: string | null }; count: number }>([
      { $match: and.length ? { $and: and } : {} },
      { $group: { _id: { a: `$${a}`, b: `$${b}` }, count: { $sum: 1 } } },
    ]);
    const out: { keys: [string, string]; count: number }[] = [];
    for (const r of rows) {
      if (typeof r._id?.a === 'string' && typeof r._id.b === 'string') out.push({ keys: [r._id.a, r._id.b], count: Number(r.count) });
    }
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return out.sort((x, y) => cmp(x.keys[0], y.keys[0]) || cmp(x.keys[1], y.keys[1]));
  }

  /** Reads only the creation time and the history (times and actions, never text) of each case that left "new". */
  async triageTimes(filter: CaseFilter): Promise<TriageTime[]> {
    const and = this.where(filter);
    and.push({ status: op({ $ne: 'new' }) });
    const docs = await this.cases.find({ $and: and }, { _id: 0, createdAt: 1, history: 1 }).lean<Pick<CaseDoc, 'createdAt' | 'history'>[]>();
    const out: TriageTime[] = [];
    for (const d of docs) {
      let first: string | null = null;
      for (const h of Array.isArray(d.history) ? d.history : []) {
        if (TRIAGE_ACTIONS.includes(h.action) && typeof h.at === 'string' && (first === null || h.at < first)) first = h.at;
      }
      if (first !== null) out.push({ createdAt: d.createdAt, triagedAt: first });
    }
    return out;
  }

  async updateCase(id: string, update: CaseUpdate): Promise<CaseRecord | null> {
    const filter: Record<string, unknown> = { _id: str(id, 'id') };
    const ex = update.expect;
    if (ex) {
      if (ex.version !== undefined) filter.version = num(ex.version, 'expect.version');
      if (ex.statusIn !== undefined) filter.status = op({ $in: strList(ex.statusIn, 'expect.statusIn') });
      if (ex.assignedTo !== undefined) filter.assignedTo = ex.assignedTo === null ? null : str(ex.assignedTo, 'expect.assignedTo');
    }
    const set = update.set ?? {};
    const push = update.push ?? {};
    const has = (k: keyof typeof set) => Object.hasOwn(set, k) && set[k] !== undefined;
    const $set: Record<string, unknown> = { updatedAt: new Date().toISOString() };
    const $push: Record<string, { $each: unknown[] }> = {};
    if (has('status')) $set.status = str(set.status, 'status');
    if (has('priority')) {
      $set.priority = set.priority;
      $set.priorityRank = rankOf(set.priority as Priority);
    }
    if (has('disposition')) $set.disposition = set.disposition === null ? null : str(set.disposition, 'disposition');
    if (has('assignedTo')) $set.assignedTo = set.assignedTo === null ? null : str(set.assignedTo, 'assignedTo');
    if (has('fields')) {
      const fields = json(set.fields as TipFields);
      $set.fields = fields;
      $set.category = str(fields.category, 'fields.category');
      $set.province = str(fields.province, 'fields.province');
    }
    // A whole-list replacement and an append to the same list become one $set (Mongo refuses both on one path).
    for (const k of ['messages', 'notes'] as const) {
      const added = push[k] ?? [];
      if (has(k)) $set[k] = json([...(set[k] as unknown[]), ...added]);
      else if (added.length) $push[k] = { $each: json(added) };
    }
    for (const k of ['history', 'related'] as const) {
      const added = push[k] ?? [];
      if (added.length) $push[k] = { $each: json(added) };
    }
    const doc = await this.serial(`case:${filter._id as string}`, () => this.cases.findOneAndUpdate(
      filter,
      { $set, $inc: { version: 1 }, ...(Object.keys($push).length ? { $push } : {}) },
      { returnDocument: 'after' },
    ).lean<CaseDoc>().exec());
    return doc ? toRecord(doc) : null;
  }

  async appendCaseMessage(ref: string, msg: CaseMessage): Promise<boolean> {
    const update = { $push: { messages: json(msg) }, $inc: { version: 1 }, $set: { updatedAt: new Date().toISOString() } };
    if (this.ferretdb === null) return (await this.cases.updateOne({ ref: str(ref, 'ref') }, update)).matchedCount === 1;
    // FerretDB: queue behind other writes to the same case, which are keyed by id (a ref never changes).
    const found = await this.cases.findOne({ ref: str(ref, 'ref') }, { _id: 1 }).lean<{ _id: string }>();
    if (!found) return false;
    const res = await this.serial(`case:${found._id}`, () => this.cases.updateOne({ _id: found._id }, update).exec());
    return res.matchedCount === 1;
  }

  /** The filter's conditions, ANDed. An empty list matches nothing, never everything. */
  private where(f: CaseFilter): Record<string, unknown>[] {
    const and: Record<string, unknown>[] = [];
    const list = (field: string, values: unknown, name: string) => {
      if (values === undefined) return;
      and.push({ [field]: op({ $in: strList(values, name) }) });
    };
    list('status', f.status, 'status');
    list('priority', f.priority, 'priority');
    list('category', f.category, 'category');
    list('province', f.province, 'province');
    if (f.from !== undefined) and.push({ createdAt: op({ $gte: isoBound('from', f.from) }) });
    if (f.to !== undefined) and.push({ createdAt: op({ $lt: isoBound('to', f.to) }) });
    if (f.assignedTo !== undefined) and.push({ assignedTo: str(f.assignedTo, 'assignedTo') });
    if (f.ref !== undefined) and.push({ ref: str(f.ref, 'ref') });
    return and;
  }

  // ---- conversation sessions and idempotency

  /**
   * One conditional update of the conversation's document (no multi-document transaction: none on FerretDB):
   * the session (or, for a deletion, none), the version + 1 and the processed-message key, only if the version is
   * still the one the turn read; a different version changes nothing and throws SessionConflictError. The key is
   * then also recorded in `processed` (kept 7 days, past the session's life); a crash in between loses nothing,
   * as the session document already holds it.
   */
  async commitTurn(t: TurnCommit): Promise<void> {
    const id = str(t.sessionKey, 'key');
    const expect = t.expectVersion === undefined ? undefined : num(t.expectVersion, 'expectVersion');
    const at = num(t.at, 'at');
    // A deletion keeps the document, without a session and at version 0 (as if new), for its processed keys.
    const update: Record<string, unknown> = t.session
      ? { $set: { data: str(t.session.data, 'data'), expiresAt: new Date(num(t.session.expiresAt, 'expiresAt')) }, $inc: { v: 1 } }
      : { $set: { data: null, expiresAt: new Date(at + TOMBSTONE_MS), v: 0 } };
    if (t.processedKey !== undefined) update.$push = { seen: { $each: [str(t.processedKey, 'processedKey')], $slice: -SEEN_IN_SESSION } };
    const filter: Record<string, unknown> = { _id: id };
    if (expect !== undefined) filter.$or = expect === 0 ? [{ v: 0 }, { v: op({ $exists: false }) }] : [{ v: expect }];
    // The reply is stored first; it counts only once its turn's processed key is in the session (outboxTake
    // drops a left-over whose turn never committed), so the session update stays the turn's one atomic write.
    const out = t.outbound;
    if (out) await this.outbox.collection.insertOne(this.outboxDoc(out) as never);
    try {
      await this.commitSession(id, filter, update, expect);
    } catch (e) {
      if (out) await this.outbox.deleteOne({ _id: out.id }).catch(() => undefined);
      throw e;
    }
    if (t.processedKey !== undefined) await this.markProcessed(t.processedKey, at);
    if (t.inboxId !== undefined) await this.inboxDone(t.inboxId);
  }

  private outboxDoc(o: OutboxItem): OutboxDoc {
    return {
      _id: str(o.id, 'id'), sessionKey: str(o.sessionKey, 'sessionKey'), channel: str(o.channel, 'channel'), data: str(o.data, 'data'),
      at: num(o.at, 'at'), n: this.edgeSeq++, owner: str(o.owner, 'owner'), turn: str(o.turn, 'turn'),
    };
  }

  private async commitSession(id: string, filter: Record<string, unknown>, update: Record<string, unknown>, expect: number | undefined): Promise<void> {
    await this.serial(`session:${id}`, async () => {
      try {
        const res = await this.sessions.updateOne(filter, update, { upsert: true });
        if (expect !== undefined && res.matchedCount === 0 && res.upsertedCount === 0) throw new SessionConflictError();
      } catch (e) {
        // The document exists with another version: the upsert's insert collides with it.
        if (isDuplicateKey(e)) {
          if (expect !== undefined) throw new SessionConflictError();
          await this.sessions.updateOne({ _id: id }, update);
        } else throw e;
      }
    });
  }

  // ---- durable edges

  async inboxAdd(item: InboxItem): Promise<boolean> {
    try {
      await this.inbox.collection.insertOne({
        _id: str(item.id, 'id'), channel: str(item.channel, 'channel'), data: str(item.data, 'data'), at: num(item.at, 'at'),
        n: this.edgeSeq++, owner: str(item.owner, 'owner'),
      } as never);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async inboxDone(id: string): Promise<void> {
    await this.inbox.deleteOne({ _id: str(id, 'id') });
  }

  async outboxDone(id: string): Promise<void> {
    await this.outbox.deleteOne({ _id: str(id, 'id') });
  }

  /** The rows to take, then each claimed by a conditional update on its owner (one instance wins a row). */
  private async take<D extends { _id: string; owner: string }>(model: Model<D>, t: TakeLeftovers): Promise<D[]> {
    const owner = str(t.owner, 'owner');
    const stale = { owner: op({ $ne: owner }), at: op({ $lt: num(t.staleBefore, 'staleBefore') }) };
    const filter = t.own ? { $or: [{ owner }, stale] } : stale;
    const rows = await model.find(filter as never).sort({ at: 1, n: 1 }).lean<D[]>();
    const mine: D[] = [];
    for (const r of rows) {
      if (r.owner !== owner && (await model.updateOne({ _id: r._id, owner: r.owner } as never, { $set: { owner } } as never)).modifiedCount !== 1) continue;
      mine.push({ ...r, owner });
    }
    return mine;
  }

  async inboxTake(t: TakeLeftovers): Promise<InboxItem[]> {
    return (await this.take(this.inbox, t)).map((d) => ({ id: d._id, channel: d.channel, data: d.data, at: d.at, owner: d.owner }));
  }

  async outboxTake(t: TakeLeftovers): Promise<OutboxItem[]> {
    const out: OutboxItem[] = [];
    for (const d of await this.take(this.outbox, t)) {
      // Stored before its turn's session write: a reply whose turn never committed is not sent (the inbound
      // event is still in the inbox and runs again).
      if (!(await this.wasProcessed(d.turn))) {
        await this.outbox.deleteOne({ _id: d._id });
        continue;
      }
      out.push({ id: d._id, sessionKey: d.sessionKey, channel: d.channel, data: d.data, at: d.at, owner: d.owner, turn: d.turn });
    }
    return out;
  }

  async getSession(key: string): Promise<StoredSession | null> {
    const d = await this.sessions.findOne({ _id: str(key, 'key') }, { seen: 0 }).lean<SessionDoc>();
    // A deleted conversation's document (kept for its processed keys) holds no session.
    return d && d.data !== null ? { data: d.data, expiresAt: new Date(d.expiresAt).getTime(), version: d.v ?? 0 } : null;
  }

  async saveSession(key: string, data: string, expiresAt: number): Promise<void> {
    await this.commitTurn({ sessionKey: key, session: { data, expiresAt }, at: Date.now() });
  }

  /** Upsert by _id; two racing upserts of a new _id can make one fail with a duplicate key: it then updates. */
  private async upsert(model: Model<any>, id: string, $set: Record<string, unknown>): Promise<void> {
    try {
      await model.updateOne({ _id: id }, { $set }, { upsert: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await model.updateOne({ _id: id }, { $set });
    }
  }

  async deleteSession(key: string): Promise<void> {
    await this.sessions.deleteOne({ _id: str(key, 'key') });
  }

  async markProcessed(key: string, at: number): Promise<boolean> {
    try {
      await this.processed.collection.insertOne({ _id: str(key, 'key'), at: num(at, 'at') } as never);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async wasProcessed(key: string): Promise<boolean> {
    const k = str(key, 'key');
    // The session document records it first (in the turn's one write); `processed` right after.
    const [inProcessed, inSession] = await Promise.all([this.processed.exists({ _id: k }), this.sessions.exists({ seen: k })]);
    return inProcessed !== null || inSession !== null;
  }

  async countAttempts(scope: string, since: number): Promise<number> {
    return this.attempts.countDocuments({ scope: str(scope, 'scope'), at: op({ $gte: num(since, 'since') }) });
  }

  async recordAttempt(scope: string, at: number): Promise<void> {
    await this.attempts.collection.insertOne({ scope: str(scope, 'scope'), at: num(at, 'at') } as never);
  }

  async clearAttempts(scope: string): Promise<void> {
    await this.attempts.deleteMany({ scope: str(scope, 'scope') });
  }

  // ---- officers, sign-in sessions, audit

  async createOfficer(o: NewOfficer): Promise<Officer> {
    const doc: OfficerDoc = {
      _id: randomUUID(),
      username: str(o.username, 'username'),
      displayName: str(o.displayName, 'displayName'),
      role: str(o.role, 'role'),
      province: o.province === null || o.province === undefined ? null : str(o.province, 'province'),
      passwordHash: str(o.passwordHash, 'passwordHash'),
      disabled: false,
      mustChangePassword: o.mustChangePassword === true,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: new Date().toISOString(),
    };
    try {
      await this.officers.collection.insertOne(doc as never);
    } catch (e) {
      if (isDuplicateKey(e)) throw new DuplicateKeyError('username');
      throw e;
    }
    return toOfficer(doc);
  }

  async getOfficer(id: string): Promise<Officer | null> {
    const d = await this.officers.findOne({ _id: str(id, 'id') }).lean<OfficerDoc>();
    return d ? toOfficer(d) : null;
  }

  async getOfficerByUsername(username: string): Promise<Officer | null> {
    const d = await this.officers.findOne({ username: str(username, 'username') }).lean<OfficerDoc>();
    return d ? toOfficer(d) : null;
  }

  async listOfficers(): Promise<Officer[]> {
    return (await this.officers.find({}).sort({ username: 1 }).lean<OfficerDoc[]>()).map(toOfficer);
  }

  async updateOfficer(id: string, set: Partial<Omit<Officer, 'id' | 'username' | 'createdAt'>>): Promise<Officer | null> {
    const $set: Record<string, unknown> = {};
    const take = (k: keyof typeof set, check: (v: unknown) => unknown) => {
      if (Object.hasOwn(set, k) && set[k] !== undefined) $set[k] = check(set[k]);
    };
    const bool = (k: string) => (v: unknown) => {
      if (typeof v !== 'boolean') throw new TypeError(`${k} must be a boolean`);
      return v;
    };
    take('displayName', (v) => str(v, 'displayName'));
    take('role', (v) => str(v, 'role'));
    take('province', (v) => (v === null ? null : str(v, 'province')));
    take('passwordHash', (v) => str(v, 'passwordHash'));
    take('disabled', bool('disabled'));
    take('mustChangePassword', bool('mustChangePassword'));
    take('failedLogins', (v) => num(v, 'failedLogins'));
    take('lockedUntil', (v) => (v === null ? null : num(v, 'lockedUntil')));
    const filter = { _id: str(id, 'id') };
    const d = Object.keys($set).length
      ? await this.serial(`officer:${filter._id}`, () =>
        this.officers.findOneAndUpdate(filter, { $set }, { returnDocument: 'after' }).lean<OfficerDoc>().exec())
      : await this.officers.findOne(filter).lean<OfficerDoc>();
    return d ? toOfficer(d) : null;
  }

  async createAuthSession(s: AuthSession): Promise<void> {
    await this.authSessions.collection.insertOne({
      _id: str(s.id, 'id'), officerId: str(s.officerId, 'officerId'), csrf: str(s.csrf, 'csrf'),
      createdAt: num(s.createdAt, 'createdAt'), expiresAt: num(s.expiresAt, 'expiresAt'),
    } as never);
  }

  async getAuthSession(id: string): Promise<AuthSession | null> {
    const d = await this.authSessions.findOne({ _id: str(id, 'id') }).lean<AuthSessionDoc>();
    return d ? { id: d._id, officerId: d.officerId, csrf: d.csrf, createdAt: d.createdAt, expiresAt: d.expiresAt } : null;
  }

  async touchAuthSession(id: string, expiresAt: number): Promise<void> {
    const key = str(id, 'id');
    const $set = { expiresAt: num(expiresAt, 'expiresAt') };
    await this.serial(`auth:${key}`, () => this.authSessions.updateOne({ _id: key }, { $set }).exec());
  }

  async deleteAuthSession(id: string): Promise<void> {
    await this.authSessions.deleteOne({ _id: str(id, 'id') });
  }

  async deleteAuthSessionsOf(officerId: string): Promise<void> {
    await this.authSessions.deleteMany({ officerId: str(officerId, 'officerId') });
  }

  async addAudit(e: AuditEvent): Promise<void> {
    const doc: Record<string, unknown> = { at: str(e.at, 'at'), officerId: str(e.officerId, 'officerId'), action: str(e.action, 'action') };
    if (e.caseId !== undefined) doc.caseId = str(e.caseId, 'caseId');
    await this.audit.collection.insertOne(doc as never);
  }

  async listAudit(q: { caseId?: string; officerId?: string; limit?: number }): Promise<AuditEvent[]> {
    const filter: Record<string, string> = {};
    if (q.caseId !== undefined) filter.caseId = str(q.caseId, 'caseId');
    if (q.officerId !== undefined) filter.officerId = str(q.officerId, 'officerId');
    const docs = await this.audit.find(filter).sort({ at: -1, _id: -1 }).limit(num(q.limit ?? DEFAULT_LIST_LIMIT, 'limit')).lean<AuditDoc[]>();
    return docs.map(toAudit);
  }

  // ---- settings

  async getSetting(key: string): Promise<string | null> {
    const d = await this.settings.findOne({ _id: str(key, 'key') }).lean<SettingDoc>();
    return d ? d.value : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    const id = str(key, 'key');
    const $set = { value: str(value, 'value') };
    await this.serial(`setting:${id}`, () => this.upsert(this.settings, id, $set));
  }

  async bumpCounters(day: string, counts: { key: string; n: number }[]): Promise<void> {
    const d = str(day, 'day');
    for (const c of counts) {
      const key = str(c.key, 'key');
      const id = `${d}|${key}`;
      // $inc with upsert; on FerretDB writes to one document are queued in this process (see serial()).
      await this.serial(`counter:${id}`, async () => {
        try {
          await this.counters.updateOne({ _id: id }, { $inc: { count: num(c.n, 'n') }, $setOnInsert: { day: d, key } }, { upsert: true });
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          await this.counters.updateOne({ _id: id }, { $inc: { count: c.n } });
        }
      });
    }
  }

  async readCounters(q: { from: string; to: string; prefix: string }): Promise<{ day: string; key: string; count: number }[]> {
    const docs = await this.counters.find({
      day: op({ $gte: str(q.from, 'from'), $lte: str(q.to, 'to') }),
      key: op({ $gte: str(q.prefix, 'prefix'), $lt: `${q.prefix}\uffff` }),
    }).sort({ day: 1, key: 1 }).lean<CounterDoc[]>();
    return docs.map((d) => ({ day: d.day, key: d.key, count: d.count }));
  }

  async deleteSetting(key: string): Promise<void> {
    const id = str(key, 'key');
    await this.serial(`setting:${id}`, () => this.settings.deleteOne({ _id: id }).then(() => undefined));
  }

  // ---- notification addresses

  async putNotification(ref: string, sealed: string): Promise<void> {
    const id = str(ref, 'ref');
    await this.serial(`notification:${id}`, () => this.upsert(this.notifications, id, { data: str(sealed, 'data') }));
  }

  async getNotification(ref: string): Promise<string | null> {
    const d = await this.notifications.findOne({ _id: str(ref, 'ref') }).lean<NotificationDoc>();
    return d ? d.data : null;
  }

  async deleteNotification(ref: string): Promise<void> {
    await this.notifications.deleteOne({ _id: str(ref, 'ref') });
  }

  // ---- campaign subscriptions and broadcasts

  async putSubscription(s: CampaignSubscription): Promise<void> {
    const id = str(s.key, 'key');
    const $set = { channel: str(s.channel, 'channel'), sealed: str(s.sealed, 'sealed'), lang: str(s.lang, 'lang'), since: num(s.since, 'since'),
      expiresAt: s.expiresAt === null ? null : num(s.expiresAt, 'expiresAt') };
    await this.serial(`subscription:${id}`, () => this.upsert(this.subscriptions, id, $set));
  }

  async getSubscription(key: string): Promise<CampaignSubscription | null> {
    const d = await this.subscriptions.findOne({ _id: str(key, 'key') }).lean<SubscriptionDoc>();
    return d ? toSubscription(d) : null;
  }

  async deleteSubscription(key: string): Promise<boolean> {
    const id = str(key, 'key');
    return this.serial(`subscription:${id}`, async () => (await this.subscriptions.deleteOne({ _id: id })).deletedCount > 0);
  }

  async listSubscriptions(q: { after: string | null; limit: number }): Promise<CampaignSubscription[]> {
    const filter = q.after === null ? {} : { _id: op({ $gt: str(q.after, 'after') }) };
    const docs = await this.subscriptions.find(filter).sort({ _id: 1 }).limit(num(q.limit, 'limit')).lean<SubscriptionDoc[]>();
    return docs.map(toSubscription);
  }

  async countSubscriptions(now: number): Promise<{ channel: string; count: number }[]> {
    const rows = await this.subscriptions.aggregate<{ _id: string; count: number }>([
      { $match: op({ $or: [{ expiresAt: null }, { expiresAt: { $gt: num(now, 'now') } }] }) },
      { $group: { _id: '$channel', count: { $sum: 1 } } },
    ]);
    return rows.map((r) => ({ channel: r._id, count: r.count })).sort((a, b) => (a.channel < b.channel ? -1 : 1));
  }

  async createBroadcast(b: { id: string; campaign: string; item: string; createdBy: string; at: string }): Promise<Broadcast> {
    await this.broadcasts.collection.insertOne({
      _id: str(b.id, 'id'), campaign: str(b.campaign, 'campaign'), item: str(b.item, 'item'), status: 'draft',
      createdBy: str(b.createdBy, 'createdBy'), createdAt: str(b.at, 'at'), updatedAt: b.at, cursor: null, planned: false,
    } as never);
    return (await this.getBroadcast(b.id)) as Broadcast;
  }

  async getBroadcast(id: string): Promise<Broadcast | null> {
    const d = await this.broadcasts.findOne({ _id: str(id, 'id') }).lean<BroadcastDoc>();
    return d ? this.toBroadcast(d) : null;
  }

  async listBroadcasts(limit: number): Promise<Broadcast[]> {
    const docs = await this.broadcasts.find({}).sort({ createdAt: -1, _id: -1 }).limit(num(limit, 'limit')).lean<BroadcastDoc[]>();
    return Promise.all(docs.map((d) => this.toBroadcast(d)));
  }

  async setBroadcastStatus(id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, at: string): Promise<Broadcast | null> {
    const bid = str(id, 'id');
    const r = await this.serial(`broadcast:${bid}`, () => this.broadcasts.updateOne(
      { _id: bid, status: op({ $in: strList(from, 'from') }) }, { $set: { status: str(to, 'to'), updatedAt: str(at, 'at') } }));
    return r.modifiedCount > 0 ? this.getBroadcast(bid) : null;
  }

  async markBroadcast(id: string, cursor: string | null, marks: { key: string; channel: string }[], planned: boolean): Promise<void> {
    const bid = str(id, 'id');
    // Marks first, then the cursor: after a crash between them the batch is marked again, and a mark kept its state.
    if (marks.length) {
      try {
        await this.marks.collection.insertMany(marks.map((m) => ({
          _id: `${bid}|${str(m.key, 'key')}`, broadcast: bid, key: m.key, channel: str(m.channel, 'channel'), state: 'queued',
        })) as never[], { ordered: false });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    await this.serial(`broadcast:${bid}`, () => this.broadcasts.updateOne({ _id: bid }, { $set: { cursor: cursor === null ? null : str(cursor, 'cursor'), planned } }));
  }

  async queuedMarks(id: string, channel: string, limit: number): Promise<string[]> {
    const docs = await this.marks.find({ broadcast: str(id, 'id'), state: 'queued', channel: str(channel, 'channel') })
      .sort({ key: 1 }).limit(num(limit, 'limit')).lean<MarkDoc[]>();
    return docs.map((d) => d.key);
  }

  async settleMarks(id: string, results: { key: string; state: Exclude<MarkState, 'queued'> }[]): Promise<void> {
    const bid = str(id, 'id');
    for (const state of ['sent', 'skipped', 'failed'] as const) {
      const ids = results.filter((r) => r.state === state).map((r) => `${bid}|${str(r.key, 'key')}`);
      if (ids.length) await this.marks.updateMany({ _id: op({ $in: ids }), state: 'queued' }, { $set: { state } });
    }
  }

  private async toBroadcast(d: BroadcastDoc): Promise<Broadcast> {
    const counts: Record<MarkState, number> = { queued: 0, sent: 0, skipped: 0, failed: 0 };
    const rows = await this.marks.aggregate<{ _id: string; n: number }>([
      { $match: { broadcast: d._id } }, { $group: { _id: '$state', n: { $sum: 1 } } },
    ]);
    for (const r of rows) if (r._id in counts) counts[r._id as MarkState] = r.n;
    return {
      id: d._id, campaign: d.campaign, item: d.item, status: d.status as BroadcastStatus, createdBy: d.createdBy,
      createdAt: d.createdAt, updatedAt: d.updatedAt, cursor: d.cursor ?? null, planned: d.planned, counts,
    };
  }

  /** Expired conversation and sign-in sessions, processed keys older than 7 days, attempts older than a day. */
  async purge(now: number): Promise<number> {
    num(now, 'now');
    const counts = await Promise.all([
      this.sessions.deleteMany({ expiresAt: op({ $lt: new Date(now) }) }),
      this.authSessions.deleteMany({ expiresAt: op({ $lt: now }) }),
      this.processed.deleteMany({ at: op({ $lt: now - PROCESSED_TTL_MS }) }),
      this.attempts.deleteMany({ at: op({ $lt: now - ATTEMPTS_TTL_MS }) }),
    ]);
    return counts.reduce((n, r) => n + r.deletedCount, 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.connection.close();
  }
}
