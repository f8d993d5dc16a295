/**
 * Officer sign-in: scrypt-hashed passwords, limits that strangers cannot turn against an officer (a limit per
 * account and address, a short progressive delay per account, a limit per address; no lockout, and the same
 * answers for a name that does not exist),
 * and sessions held in an httpOnly SameSite=Strict cookie whose token is stored only as a SHA-256
 * hash. Sessions end 8 hours after sign-in at the latest, or after 30 idle minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AuthSession, Officer, Store } from '../store/port.js';
import { dummyVerify, verifyPassword } from './password.js';
import { HttpError } from './validation.js';

export const COOKIE = 'binhan_liaison';

export interface AuthOptions {
  /** Failures for one account from one address within `lockMs` before that address must wait for that account. */
  maxFailures: number;
  lockMs: number;
  /** Failures for one account from anywhere within `lockMs` after which each further attempt waits a delay that
   * doubles, up to `maxDelayMs`: the real officer waits at most that long, never a lockout. */
  accountFailures: number;
  maxDelayMs: number;
  /** Failed sign-ins per client address within the window before 429. */
  ipMaxFailures: number;
  ipWindowMs: number;
  absoluteMs: number;
  idleMs: number;
}

export const DEFAULT_AUTH: AuthOptions = {
  maxFailures: 5,
  lockMs: 15 * 60_000,
  accountFailures: 10,
  maxDelayMs: 60_000,
  ipMaxFailures: 20,
  ipWindowMs: 10 * 60_000,
  absoluteMs: 8 * 3_600_000,
  idleMs: 30 * 60_000,
};

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** What an officer may see about themselves. */
export function meView(o: Officer) {
  return { id: o.id, username: o.username, displayName: o.displayName, role: o.role, province: o.province, mustChangePassword: o.mustChangePassword };
}

/**
 * Failed sign-ins per client address, in memory. Only failures count: a police office behind one
 * address signs in many officers each morning, and a success does not wipe an attacker's count.
 */
export class FailureLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly max: number, private readonly windowMs: number, private readonly maxKeys = 10_000) {}

  /** The failures of a key within the window, oldest first. */
  recent(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.hits.set(key, list); else this.hits.delete(key);
    return list;
  }

  /** Seconds to wait, or 0 when allowed. */
  retryAfter(key: string, now: number): number {
    const list = this.recent(key, now);
    return list.length >= this.max ? Math.max(1, Math.ceil((list[0] + this.windowMs - now) / 1000)) : 0;
  }

  fail(key: string, now: number): void {
    const list = this.recent(key, now);
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list.slice(-this.max));
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value as string);
  }
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

function cookieAttrs(req: Request, maxAgeSec: number): string {
  const secure = req.secure || process.env.NODE_ENV === 'production';
  return `HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

export class Auth {
  readonly limiter: FailureLimiter;
  /** Failures per (account name, address): one stranger guessing one account. */
  private readonly pairs: FailureLimiter;
  /** Failures per account name from anywhere (names that do not exist too, so that answers reveal nothing). */
  private readonly accounts: FailureLimiter;

  constructor(private readonly store: Store, readonly opts: AuthOptions, private readonly now: () => number) {
    this.limiter = new FailureLimiter(opts.ipMaxFailures, opts.ipWindowMs);
    this.pairs = new FailureLimiter(opts.maxFailures, opts.lockMs);
    this.accounts = new FailureLimiter(opts.accountFailures + 16, opts.lockMs);
  }

  /**
   * Seconds this address must wait before trying this account again (0: go ahead): after `maxFailures` from this
   * address, until the window passes; after `accountFailures` from anywhere, a delay since the last failure that
   * doubles with each one, capped at `maxDelayMs`. Never more: a stranger cannot lock the officer out.
   */
  retryAfter(username: string, ip: string): number {
    const now = this.now();
    const pair = this.pairs.retryAfter(`${ip}\u0000${username}`, now);
    if (pair > 0) return pair;
    const recent = this.accounts.recent(username, now);
    const over = recent.length - this.opts.accountFailures;
    if (over < 0) return 0;
    const delay = Math.min(this.opts.maxDelayMs, 1000 * 2 ** over);
    const wait = recent[recent.length - 1] + delay - now;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /**
   * Checks a username and password: 401 for a wrong pair (the same for an unknown user, after the same work),
   * 403 for a disabled account. Failures count towards the limits above (callers check `retryAfter` first).
   */
  async verify(username: string, password: string, ip: string): Promise<Officer> {
    const officer = await this.store.getOfficerByUsername(username);
    const ok = officer ? await verifyPassword(password, officer.passwordHash) : await dummyVerify(password);
    if (!ok || !officer) {
      this.fail(username, ip);
      throw new HttpError(401, 'wrong username or password', undefined, 'bad_credentials');
    }
    if (officer.disabled) throw new HttpError(403, 'this account is disabled', undefined, 'disabled');
    // An account locked by an earlier version of Bình An is unlocked by a right password.
    if (officer.failedLogins !== 0 || officer.lockedUntil !== null) await this.store.updateOfficer(officer.id, { failedLogins: 0, lockedUntil: null });
    return officer;
  }

  /** One more failure of this account from this address. */
  fail(username: string, ip: string): void {
    const now = this.now();
    this.limiter.fail(ip, now);
    this.pairs.fail(`${ip}\u0000${username}`, now);
    this.accounts.fail(username, now);
  }

  /** Starts a session: sets the cookie, stores only the token's hash. Returns the CSRF token. */
  async start(req: Request, res: Response, officer: Officer): Promise<string> {
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const session: AuthSession = { id: sha256(token), officerId: officer.id, csrf, createdAt: now, expiresAt: Math.min(now + this.opts.idleMs, now + this.opts.absoluteMs) };
    await this.store.createAuthSession(session);
    res.append('Set-Cookie', `${COOKIE}=${token}; ${cookieAttrs(req, Math.floor(this.opts.absoluteMs / 1000))}`);
    return csrf;
  }

  async end(req: Request, res: Response, session: AuthSession | null): Promise<void> {
    if (session) await this.store.deleteAuthSession(session.id);
    res.append('Set-Cookie', `${COOKIE}=; ${cookieAttrs(req, 0)}`);
  }

  /** The session and officer of a request, or a 401 (no cookie, unknown, expired, account gone or disabled). */
  /** The request's session and officer; 401 when absent, expired or disabled. `slide: false` checks without extending it. */
  async session(req: Request, o: { slide?: boolean } = {}): Promise<{ session: AuthSession; officer: Officer }> {
    const token = readCookie(req, COOKIE);
    if (!token) throw new HttpError(401, 'sign in first', undefined, 'unauthenticated');
    const now = this.now();
    const session = await this.store.getAuthSession(sha256(token));
    if (!session) throw new HttpError(401, 'sign in first', undefined, 'unauthenticated');
    if (now >= session.expiresAt || now >= session.createdAt + this.opts.absoluteMs) {
      await this.store.deleteAuthSession(session.id);
      throw new HttpError(401, 'your session has expired; sign in again', undefined, 'session_expired');
    }
    const officer = await this.store.getOfficer(session.officerId);
    if (!officer || officer.disabled) {
      await this.store.deleteAuthSession(session.id);
      throw new HttpError(401, 'sign in first', undefined, 'unauthenticated');
    }
    // Idle expiry slides with use (written at most once a minute), never past the absolute limit.
    const next = Math.min(now + this.opts.idleMs, session.createdAt + this.opts.absoluteMs);
    if (o.slide !== false && next - session.expiresAt >= 60_000) {
      await this.store.touchAuthSession(session.id, next);
      session.expiresAt = next;
    }
    return { session, officer };
  }
}
