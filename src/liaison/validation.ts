/**
 * Every body and query of the liaison API is parsed here with strict zod schemas: unknown fields
 * are refused, a query value must be a plain string (lists are comma-separated), and an object
 * where a string belongs (a NoSQL operator such as {"$gt": ""}) is a 400 before anything reaches
 * the store.
 */
import { z } from 'zod';
import { CASE_STATUSES, CATEGORIES, DISPOSITIONS, PRIORITIES, ROLES, decodeCursor } from '../store/port.js';
import type { QueueFilter } from '../cases/service.js';
import { MAX_PASSWORD_LENGTH } from './password.js';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown, readonly code?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseId(value: unknown, what = 'id'): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new HttpError(400, `malformed ${what}`, [{ path: what, message: 'expected a UUID' }], 'malformed_id');
  return value.toLowerCase();
}

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' = 'body'): z.output<T> {
  const res = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!res.success) {
    throw new HttpError(400, `invalid ${where}`, res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), 'invalid_request');
  }
  return res.data;
}

// ---------------------------------------------------------------- query

/** A comma-separated list of allowed values: "new,triaged". */
const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().max(500)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1).max(values.length));

const provinceList = z.string().max(1000)
  .transform((s) => s.split(',').map((x) => x.normalize('NFC').trim()).filter(Boolean))
  .pipe(z.array(z.string().min(1).max(100)).min(1).max(40));

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A day ("2026-11-30", a day in Viet Nam, UTC+7) or an instant with its offset. `to` is exclusive
 * for an instant and includes the whole day for a date.
 */
const dateParam = (end: boolean) => z.string().max(40).transform((s, ctx) => {
  let ms: number;
  if (DATE.test(s)) ms = Date.parse(`${s}T00:00:00+07:00`) + (end ? DAY_MS : 0);
  else if (DATETIME.test(s)) ms = Date.parse(s);
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected a date (YYYY-MM-DD) or a date-time with offset (YYYY-MM-DDTHH:MM:SSZ)' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

const filterShape = {
  status: listOf(CASE_STATUSES).optional(),
  priority: listOf(PRIORITIES).optional(),
  category: listOf(CATEGORIES).optional(),
  province: provinceList.optional(),
  from: dateParam(false).optional(),
  to: dateParam(true).optional(),
  mine: z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true').optional(),
  /** A reference code, "BA-XXXXXX" (case and dash optional). */
  ref: z.string().max(20).regex(/^BA-?[A-Za-z0-9]{6}$/i, 'expected a reference code like BA-XXXXXX')
    .transform((v) => `BA-${v.replace(/^BA-?/i, '').toUpperCase()}`).optional(),
  /** Words to find in tips (their text, messages and notes). */
  q: z.string().max(200).transform((s) => s.normalize('NFC').trim()).optional(),
};

export const filterQuery = z.strictObject(filterShape);

export const listQuery = z.strictObject({
  ...filterShape,
  limit: z.string().regex(/^\d{1,3}$/, 'expected a number from 1 to 100').transform(Number).pipe(z.number().int().min(1).max(100)).optional(),
  cursor: z.string().max(1000).regex(/^[A-Za-z0-9_-]+$/, 'malformed cursor').refine((c) => decodeCursor(c) !== null, 'malformed cursor').optional(),
  order: z.enum(['queue', 'newest']).optional(),
});

export const emptyQuery = z.strictObject({});

export function toFilter(q: z.output<typeof filterQuery>): QueueFilter {
  const f: QueueFilter = {};
  if (q.status) f.status = q.status;
  if (q.priority) f.priority = q.priority;
  if (q.category) f.category = q.category;
  if (q.province) f.province = q.province;
  if (q.from) f.from = q.from;
  if (q.to) f.to = q.to;
  if (q.mine) f.mine = true;
  if (q.ref) f.ref = q.ref;
  if (q.q) f.q = q.q;
  return f;
}

// ---------------------------------------------------------------- bodies

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const expectedVersion = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();
/** Control characters (a NUL, an escape) carry nothing in a name or a note, and some databases refuse them
 * (PostgreSQL's JSONB under FerretDB answers a NUL with an error): they are left out, as are lone surrogates. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const clean = (s: string): string => s.toWellFormed().replace(CONTROL, '').normalize('NFC').trim();
const text = (max: number) => z.string().transform(clean).pipe(z.string().min(1, 'must not be empty').max(max));

export const loginBody = z.strictObject({ username: z.string().min(1).max(64), password });
export const passwordBody = z.strictObject({ current: password, next: password });
export const statusBody = z.strictObject({ status: z.enum(CASE_STATUSES), disposition: z.enum(DISPOSITIONS).optional(), expectedVersion });
export const priorityBody = z.strictObject({ priority: z.enum(PRIORITIES), expectedVersion });
export const assignBody = z.strictObject({ officerId: z.string().regex(UUID, 'expected a UUID') });
export const noteBody = z.strictObject({ text: text(4000) });
export const questionBody = z.strictObject({ text: text(1000) });

export const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
const username = z.string().max(64).transform((s) => s.trim().toLowerCase())
  .pipe(z.string().regex(USERNAME, '3 to 32 characters: letters a-z, digits, ".", "_" or "-"'));
const province = z.string().max(100).transform(clean).pipe(z.string().min(1)).nullable();

/** Without a password the server generates a one-time one and returns it once. */
export const newOfficerBody = z.strictObject({
  username,
  displayName: text(100),
  role: z.enum(ROLES),
  province,
  password: password.optional(),
});

export const patchOfficerBody = z.strictObject({
  displayName: text(100).optional(),
  role: z.enum(ROLES).optional(),
  province: province.optional(),
  disabled: z.boolean().optional(),
  resetPassword: z.literal(true).optional(),
  /** Lifts a lockout after failed sign-ins (the password stays). */
  unlock: z.literal(true).optional(),
}).refine((b) => Object.keys(b).length > 0, 'nothing to change');

/** The assign picker: officers who may work cases in this province (their own, or all provinces). */
export const directoryQuery = z.strictObject({
  province: z.string().max(100).transform((s) => s.normalize('NFC').trim()).pipe(z.string().min(1)).optional(),
});

export const auditQuery = z.strictObject({
  limit: z.string().regex(/^\d{1,3}$/, 'expected a number from 1 to 200').transform(Number).pipe(z.number().int().min(1).max(200)).optional(),
});
