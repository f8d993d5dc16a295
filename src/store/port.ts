/**
 * The store port: the only way the application touches persistence.
 * Implementations: SQLite (embedded default, ./sqlite.ts) and MongoDB (./mongo.ts, selected by MONGODB_URI).
 * Both pass the same contract suite (tests/contract/, one file per role).
 *
 * The store never sees plaintext of a tip's free-text fields: the case service encrypts them
 * (the sealed fields of cases/tip-fields.ts, message texts, note texts) before they reach it.
 */
import type { Category, TipFields } from '../cases/tip-fields.js';

export const CASE_STATUSES = ['new', 'triaged', 'assigned', 'forwarded', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Queue order: urgent first. */
export const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
export { CATEGORIES, type Category } from '../cases/tip-fields.js';
export const DISPOSITIONS = ['actioned', 'referred', 'duplicate', 'unfounded', 'insufficient_info', 'spam'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const ROLES = ['officer', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The tip's own fields, as the reporter gave them: defined once, in cases/tip-fields.ts. */
export type { TipFields } from '../cases/tip-fields.js';

export interface NewCase {
  /** Same key, same case: a redelivered or retried submission never creates a second case. */
  idempotencyKey: string;
  ref: string;
  secretHash: string;
  priority: Priority;
  /** Channel kind only ("web", "telegram", ...), never the user's id on it. */
  channel: string;
  lang: string;
  fields: TipFields;
  /** The first history entry ("created"); more are pushed by updates. */
  history?: HistoryEntry[];
}

export interface CaseMessage {
  from: 'reporter' | 'officer';
  text: string;
  at: string;
}

/** Who did what, when, and from/to: every change to a case records one. */
export interface HistoryEntry {
  at: string;
  /** An officer id, or "reporter" / "system". */
  by: string;
  action: 'created' | 'status' | 'priority' | 'claim' | 'assign' | 'disposition' | 'note' | 'question' | 'answer' | 'related' | 'reencrypt';
  from?: string;
  to?: string;
}

/** Internal note: never shown to the reporter. */
export interface CaseNote {
  at: string;
  by: string;
  text: string;
}

/** "Possibly the same matter": never merged automatically. */
export interface RelatedLink {
  caseId: string;
  ref: string;
  score: number;
  /** ISO createdAt of the linked case (for the "possible flood" flag); absent on links made before it was stored. */
  at?: string;
  /** The linked tip is in another province (a near-identical text); such links never make a "possible flood". */
  elsewhere?: true;
}

export interface CaseRecord {
  id: string;
  ref: string;
  status: CaseStatus;
  priority: Priority;
  disposition: Disposition | null;
  assignedTo: string | null;
  channel: string;
  lang: string;
  fields: TipFields;
  messages: CaseMessage[];
  notes: CaseNote[];
  history: HistoryEntry[];
  related: RelatedLink[];
  /** Incremented by every update: optimistic concurrency for editors. */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** ISO week of creation, "2026-W48", for weekly statistics. */
  week: string;
}

export interface CaseFilter {
  status?: CaseStatus[];
  priority?: Priority[];
  category?: Category[];
  /** Only these provinces (an officer's scope, or a filter). */
  province?: string[];
  /** createdAt >= from (ISO). */
  from?: string;
  /** createdAt < to (ISO). */
  to?: string;
  assignedTo?: string;
  ref?: string;
}

export interface CasePageRequest {
  limit: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** "queue": urgent first, then priority, then oldest first. "newest": newest first. */
  order: 'queue' | 'newest';
}

export interface CasePage {
  items: CaseRecord[];
  nextCursor: string | null;
}

/** A conditional, atomic single-document update. */
export interface CaseUpdate {
  /** Apply only when all of these hold; otherwise nothing changes and updateCase returns null. */
  expect?: {
    version?: number;
    statusIn?: CaseStatus[];
    /** null: only when nobody has the case. */
    assignedTo?: string | null;
  };
  set?: {
    status?: CaseStatus;
    priority?: Priority;
    disposition?: Disposition | null;
    assignedTo?: string | null;
    /** Whole-field replacements, used by key rotation. */
    fields?: TipFields;
    messages?: CaseMessage[];
    notes?: CaseNote[];
  };
  push?: {
    history?: HistoryEntry[];
    messages?: CaseMessage[];
    notes?: CaseNote[];
    related?: RelatedLink[];
  };
}

/** `disposition`: only cases that have one (closed cases) are counted. */
export const GROUP_BY = ['category', 'province', 'status', 'priority', 'week', 'disposition'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/**
 * The stored column (SQLite) or field (MongoDB) to group by: named like the grouping in both stores.
 * Checked, because the name goes into a query.
 */
export function groupKey(by: GroupBy): string {
  if (!(GROUP_BY as readonly string[]).includes(by)) throw new Error(`invalid group ${String(by)}`);
  return by;
}

/** When a case was filed and when it first left "new" (its earliest claim, assign or status entry). Times only. */
export const TRIAGE_ACTIONS: readonly HistoryEntry['action'][] = ['claim', 'assign', 'status'];
export interface TriageTime {
  createdAt: string;
  triagedAt: string;
}

export interface Officer {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** null: all provinces. */
  province: string | null;
  passwordHash: string;
  disabled: boolean;
  mustChangePassword: boolean;
  failedLogins: number;
  /** Epoch ms until which sign-in is refused, or null. */
  lockedUntil: number | null;
  createdAt: string;
}

export type NewOfficer = Omit<Officer, 'id' | 'failedLogins' | 'lockedUntil' | 'createdAt' | 'disabled' | 'mustChangePassword'>
  & { mustChangePassword?: boolean };

export interface AuthSession {
  /** The hash of the cookie token (the token itself is never stored). */
  id: string;
  officerId: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface AuditEvent {
  at: string;
  officerId: string;
  action: string;
  caseId?: string;
}

export interface StoredSession {
  /** The sealed session; empty for a deleted conversation whose processed messages are still remembered. */
  data: string;
  expiresAt: number;
  /** Bumped by every committed turn: a turn commits only onto the version it read. */
  version: number;
}

/** The conversation was committed by someone else since this turn read it (another instance): run the turn again. */
export class SessionConflictError extends Error {
  constructor() {
    super('the conversation changed while this turn ran');
    this.name = 'SessionConflictError';
  }
}

/** One turn's end, written at once. */
export interface TurnCommit {
  sessionKey: string;
  /** The new session, or none to delete the conversation. */
  session?: { data: string; expiresAt: number };
  /** The inbound message now processed (its redelivery must not run the turn again). */
  processedKey?: string;
  at: number;
  /** The version the turn read (0: none). A different stored version throws SessionConflictError and changes nothing. */
  expectVersion?: number;
  /** The inbox row this turn answered: removed with the commit (issue #11, durable edges). */
  inboxId?: string;
  /** The turn's replies, kept until sent: written with the commit, so a committed turn never loses its answer. */
  outbound?: OutboxItem;
}

/**
 * Durable edges (issue #11, item 4). An inbound channel event is stored, sealed, before the platform gets its
 * 200, and removed when its turn has committed; a turn's replies are stored with its commit and removed when
 * sent. After a crash the owner's next start (or, for an owner that never comes back, anyone after a while)
 * takes what was left and runs or sends it again.
 */
export interface InboxItem {
  /** The processed-message key of the event (so a redelivery while it waits is not stored twice). */
  id: string;
  channel: string;
  /** The sealed event (it holds the platform address). */
  data: string;
  at: number;
  /** The instance that accepted it (INSTANCE_ID). */
  owner: string;
}

export interface OutboxItem {
  id: string;
  sessionKey: string;
  channel: string;
  /** The sealed reply: the platform address and the engine's messages. */
  data: string;
  at: number;
  owner: string;
  /** The processed-message key of the turn that produced it: a reply whose turn never committed is not sent. */
  turn: string;
}

/** Which left-over rows an instance takes: its own previous run's (at start), or anyone's older than a time. */
export interface TakeLeftovers {
  owner: string;
  /** Take this owner's rows, whatever their age (only at start: nothing of this run is in flight yet). */
  own: boolean;
  /** Take rows of other owners accepted before this time (an instance that never came back). */
  staleBefore: number;
}

/** Inbound events and outbound replies in flight, per channel (the "conversations" role's edges). */
export interface EdgeStore {
  /** Stores an inbound event; false when a row with its id is already waiting (a redelivery). */
  inboxAdd(item: InboxItem): Promise<boolean>;
  inboxDone(id: string): Promise<void>;
  /** Left-over inbound events, now owned by `take.owner`, in order of their time, then of arrival. */
  inboxTake(take: TakeLeftovers): Promise<InboxItem[]>;
  outboxDone(id: string): Promise<void>;
  /** Left-over replies whose turn committed, now owned by `take.owner`, in order (a stale uncommitted one is dropped). */
  outboxTake(take: TakeLeftovers): Promise<OutboxItem[]>;
}

/** Thrown by createOfficer for a username that exists, and by createCase for a reference code that exists. */
export class DuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`duplicate ${key}`);
    this.name = 'DuplicateKeyError';
  }
}

/**
 * The store port, split by role (issue #11, Shape): each part of the program depends on the role it uses; a
 * backend implements them all (`Store`). The contract suite has one file per role (tests/contract/).
 */

/** Cases: the tips and everything officers do with them. */
export interface CaseStore {
  /** Creates the case, or returns the existing one for the same idempotency key (`created: false`). */
  createCase(c: NewCase): Promise<{ case: CaseRecord; created: boolean }>;
  getCase(id: string): Promise<CaseRecord | null>;
  getCaseByRef(ref: string): Promise<(CaseRecord & { secretHash: string }) | null>;
  listCases(opts?: { limit?: number }): Promise<CaseRecord[]>;
  queryCases(filter: CaseFilter, page: CasePageRequest): Promise<CasePage>;
  /** Atomic conditional update of one case; increments version. Null when missing or a condition failed. */
  updateCase(id: string, update: CaseUpdate): Promise<CaseRecord | null>;
  countCases(filter: CaseFilter, by: GroupBy): Promise<{ key: string; count: number }[]>;
  /** Counts per pair of keys (e.g. week × category, for a stacked chart); pairs with a missing key are left out. */
  countCasesByPair(filter: CaseFilter, by: readonly [GroupBy, GroupBy]): Promise<{ keys: [string, string]; count: number }[]>;
  /** For each matching case that has left "new": its creation and first-triage times (no id, no text). */
  triageTimes(filter: CaseFilter): Promise<TriageTime[]>;
  appendCaseMessage(ref: string, msg: CaseMessage): Promise<boolean>;
}

/** Conversations: sessions, processed messages, follow-up attempts; their edges are `EdgeStore`. */
export interface ConversationStore extends EdgeStore {
  getSession(key: string): Promise<StoredSession | null>;
  saveSession(key: string, data: string, expiresAt: number): Promise<void>;
  deleteSession(key: string): Promise<void>;
  /**
   * Ends a turn atomically, in one conditional write: saves (or deletes) the session, bumps its version and
   * records the inbound message as processed, all or nothing.
   */
  commitTurn(t: TurnCommit): Promise<void>;
  /** Records a processed inbound message; false when it was seen before (a redelivery). */
  markProcessed(key: string, at: number): Promise<boolean>;
  wasProcessed(key: string): Promise<boolean>;

  /** Failed follow-up attempts per scope (a session key or a reference code) since a time. */
  countAttempts(scope: string, since: number): Promise<number>;
  recordAttempt(scope: string, at: number): Promise<void>;
  clearAttempts(scope: string): Promise<void>;
}

/** Officers, their sign-in sessions, and the audit trail. */
export interface OfficerStore {
  createOfficer(o: NewOfficer): Promise<Officer>;
  getOfficer(id: string): Promise<Officer | null>;
  getOfficerByUsername(username: string): Promise<Officer | null>;
  listOfficers(): Promise<Officer[]>;
  updateOfficer(id: string, set: Partial<Omit<Officer, 'id' | 'username' | 'createdAt'>>): Promise<Officer | null>;
  createAuthSession(s: AuthSession): Promise<void>;
  getAuthSession(id: string): Promise<AuthSession | null>;
  touchAuthSession(id: string, expiresAt: number): Promise<void>;
  deleteAuthSession(id: string): Promise<void>;
  deleteAuthSessionsOf(officerId: string): Promise<void>;
  addAudit(e: AuditEvent): Promise<void>;
  listAudit(q: { caseId?: string; officerId?: string; limit?: number }): Promise<AuditEvent[]>;
}

/** Anonymous aggregate counters (e.g. questions per intent per day): counts only, never text or ids. */
export interface CounterStore {
  /** Adds `n` to each (day, key) counter. Days are "YYYY-MM-DD" (Vietnam time). */
  bumpCounters(day: string, counts: { key: string; n: number }[]): Promise<void>;
  /** Counters with from <= day <= to, keys starting with `prefix`. */
  readCounters(q: { from: string; to: string; prefix: string }): Promise<{ day: string; key: string; count: number }[]>;
}

/**
 * Opt-in notification addresses, one per reference code: sealed (the reporter's channel address), in a table
 * of their own that no officer-facing code reads, deleted on opt-out or when the case closes.
 */
export interface NotificationStore {
  putNotification(ref: string, sealed: string): Promise<void>;
  getNotification(ref: string): Promise<string | null>;
  deleteNotification(ref: string): Promise<void>;
}

/**
 * Opt-in campaign subscriptions (issue #13, item 2): "Nhận tin phòng chống". Only the channel, the address sealed
 * together with the platform's permission secrets (Messenger's notification-messages token), the language, the
 * opt-in time and the permission's end; no link to any session, tip or case. `key` is an HMAC of channel and
 * address (like a session key): it finds the subscription to delete when the person says stop, nothing more.
 */
export interface CampaignSubscription {
  key: string;
  channel: string;
  /** Sealed JSON: the address and the permission data (sealed with the app's FieldCipher). */
  sealed: string;
  lang: string;
  /** Opt-in time, epoch ms. */
  since: number;
  /** When the platform's permission ends (a Messenger token's expiry), epoch ms; null: until the person stops. */
  expiresAt: number | null;
}

export const BROADCAST_STATUSES = ['draft', 'running', 'paused', 'cancelled', 'done'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];
/** What became of one subscriber in one broadcast: marked (handed), then sent, skipped (stopped, expired) or failed. */
export const MARK_STATES = ['queued', 'sent', 'skipped', 'failed'] as const;
export type MarkState = (typeof MARK_STATES)[number];

/** A broadcast of one campaign item to the subscribers: a durable, resumable job. */
export interface Broadcast {
  id: string;
  campaign: string;
  /** "opening" (the campaign's start) or the id of a message item. */
  item: string;
  status: BroadcastStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The last subscription key marked (the planner's place); null before the first batch. */
  cursor: string | null;
  /** Every subscriber has been marked. */
  planned: boolean;
  /** Marks per state, counted from the marks themselves. */
  counts: Record<MarkState, number>;
}

export interface SubscriptionStore {
  /** Creates or replaces the subscription of this key. */
  putSubscription(s: CampaignSubscription): Promise<void>;
  getSubscription(key: string): Promise<CampaignSubscription | null>;
  /** True when there was one. */
  deleteSubscription(key: string): Promise<boolean>;
  /** Subscriptions in key order after `after` (exclusive), at most `limit`. */
  listSubscriptions(q: { after: string | null; limit: number }): Promise<CampaignSubscription[]>;
  /** Subscriptions per channel whose permission has not ended at `now`. */
  countSubscriptions(now: number): Promise<{ channel: string; count: number }[]>;

  createBroadcast(b: { id: string; campaign: string; item: string; createdBy: string; at: string }): Promise<Broadcast>;
  getBroadcast(id: string): Promise<Broadcast | null>;
  /** Newest first. */
  listBroadcasts(limit: number): Promise<Broadcast[]>;
  /** Sets the status only when the current one is among `from`; null otherwise (or when missing). */
  setBroadcastStatus(id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, at: string): Promise<Broadcast | null>;
  /**
   * One group commit of the planner: marks these subscribers "queued" (a subscriber marked before keeps its
   * mark), and moves the cursor to `cursor`; `planned`: this was the last batch.
   */
  markBroadcast(id: string, cursor: string | null, marks: { key: string; channel: string }[], planned: boolean): Promise<void>;
  /** Marks still "queued" for a channel, in key order, at most `limit`. */
  queuedMarks(id: string, channel: string, limit: number): Promise<string[]>;
  /** Settles queued marks (a mark already settled is left as it is). */
  settleMarks(id: string, results: { key: string; state: Exclude<MarkState, 'queued'> }[]): Promise<void>;
}

/** Settings: a small key/value (encryption key ring metadata, channel tokens, schema markers). */
export interface KeyValueStore {
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  deleteSetting(key: string): Promise<void>;
}

export interface Store extends CaseStore, ConversationStore, OfficerStore, CounterStore, KeyValueStore, NotificationStore, SubscriptionStore {
  readonly kind: string;
  /** Removes expired sessions (conversation and sign-in), old processed-message keys and old attempts. */
  purge(now: number): Promise<number>;
  close(): Promise<void>;
}

/** Viet Nam's clock (UTC+7, no daylight saving): weeks and days of the statistics are Vietnamese ones. */
export const VN_OFFSET_MS = 7 * 3_600_000;

/** ISO-8601 week, "YYYY-Www", of the day it is in Viet Nam at that instant (a tip at 01:00 on a Monday there counts in the new week). */
export function isoWeek(d: Date): string {
  const vn = new Date(d.getTime() + VN_OFFSET_MS);
  const t = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Queue cursors, opaque to clients and the same for both stores: the keyset position after the last
 * item of a page, queue ["q", rank, createdAt, id] or newest ["n", createdAt, id].
 */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string): (string | number)[] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') ? v : null;
  } catch {
    return null;
  }
}

/** Checks a client's cursor for the page order; returns the keyset values after the tag. */
export function parseCursor(cursor: unknown, order: CasePageRequest['order']): (string | number)[] {
  const p = typeof cursor === 'string' ? decodeCursor(cursor) : null;
  const ok = p !== null && (order === 'queue'
    ? p.length === 4 && p[0] === 'q' && Number.isInteger(p[1]) && typeof p[2] === 'string' && typeof p[3] === 'string'
    : p.length === 3 && p[0] === 'n' && typeof p[1] === 'string' && typeof p[2] === 'string');
  if (!ok) throw new Error('invalid cursor');
  return (p as (string | number)[]).slice(1);
}

/** A page from `limit + 1` rows in page order: the extra row only tells that there is a next page. */
export function cutPage<R>(rows: R[], page: CasePageRequest, key: (r: R) => { rank: number; createdAt: string; id: string }, map: (r: R) => CaseRecord): CasePage {
  const items = rows.slice(0, page.limit).map(map);
  if (rows.length <= page.limit) return { items, nextCursor: null };
  const k = key(rows[page.limit - 1]);
  return { items, nextCursor: encodeCursor(page.order === 'queue' ? ['q', k.rank, k.createdAt, k.id] : ['n', k.createdAt, k.id]) };
}
