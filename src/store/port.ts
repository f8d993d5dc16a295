/**
 * The store port: the only way the application touches persistence.
 * Implementations: SQLite (embedded default, ./sqlite.ts) and MongoDB (selected by MONGODB_URI).
 */

export const CASE_STATUSES = ['new', 'triaged', 'assigned', 'forwarded', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CATEGORIES = ['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The tip's own fields, as the reporter gave them. Never the reporter's channel identity. */
export interface TipFields {
  category: Category;
  province: string;
  place?: string;
  when?: string;
  whenDate?: string;
  what: string;
  involved?: string;
  inDanger: 'yes' | 'no' | 'unsure';
  contact?: string;
}

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
}

export interface CaseMessage {
  from: 'reporter' | 'officer';
  text: string;
  at: string;
  /** For officer questions: whether the reporter has seen it. */
  seen?: boolean;
}

export interface CaseRecord {
  id: string;
  ref: string;
  status: CaseStatus;
  priority: Priority;
  channel: string;
  lang: string;
  fields: TipFields;
  messages: CaseMessage[];
  createdAt: string;
  updatedAt: string;
}

export interface StoredSession {
  data: string;
  expiresAt: number;
}

export interface Store {
  readonly kind: string;
  /** Creates the case, or returns the existing one for the same idempotency key (`created: false`). */
  createCase(c: NewCase): Promise<{ case: CaseRecord; created: boolean }>;
  getCaseByRef(ref: string): Promise<(CaseRecord & { secretHash: string }) | null>;
  listCases(opts?: { limit?: number }): Promise<CaseRecord[]>;
  appendCaseMessage(ref: string, msg: CaseMessage): Promise<boolean>;

  getSession(key: string): Promise<StoredSession | null>;
  saveSession(key: string, data: string, expiresAt: number): Promise<void>;
  deleteSession(key: string): Promise<void>;

  /**
   * Ends a turn atomically: saves (or deletes) the session and records the inbound message as
   * processed, both or neither.
   */
  commitTurn(t: { sessionKey: string; session?: { data: string; expiresAt: number }; processedKey?: string; at: number }): Promise<void>;

  /** Records a processed inbound message; false when it was seen before (a redelivery). */
  markProcessed(key: string, at: number): Promise<boolean>;
  wasProcessed(key: string): Promise<boolean>;

  /** Failed follow-up attempts per scope (a session key or a reference code) since a time. */
  countAttempts(scope: string, since: number): Promise<number>;
  recordAttempt(scope: string, at: number): Promise<void>;
  clearAttempts(scope: string): Promise<void>;

  /** Removes expired sessions, old processed-message keys and old attempts. Returns rows removed. */
  purge(now: number): Promise<number>;
  /** Small key-value settings (e.g. the schema version, channel tokens later). */
  close(): Promise<void>;
}
