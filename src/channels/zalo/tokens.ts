/**
 * Zalo OA token lifecycle. The access token lives 25 h; the refresh token 3 months and is SINGLE-USE:
 * every refresh returns a new pair, and the old refresh token is dead. So the new pair (both tokens
 * and the expiry, in one setting value, hence atomic) is persisted in the store before it is used, a
 * pair that could not be persisted is kept in memory (never lost) but not used until it is, and only
 * one refresh is in flight at a time. On start the stored pair wins over the environment's first pair,
 * unless the operator has put a new pair in the environment since (told apart by a fingerprint of the
 * environment's refresh token, never the token itself).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/port.js';
import type { ChannelDeps, SendAttempt } from '../types.js';

export const TOKENS_SETTING = 'zalo.tokens';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60 * 60_000;
/** Zalo's documented access-token life, used when expires_in is missing or unreadable. */
const DEFAULT_LIFE_MS = 90_000_000;
/** After the OAuth server refused a refresh, wait this long before asking again (no storms). */
const REFUSED_PAUSE_MS = 60_000;
const CHECK_EVERY_MS = 10 * 60_000;
/** A token refreshed less than this long ago is not refreshed again because it was refused. */
const FRESH_MS = 60_000;

export interface StoredTokens {
  v: 1;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms; absent for the environment's first pair (unknown). */
  expiresAt?: number;
  /** Fingerprint of the environment refresh token this chain started from. */
  seed: string;
}

export interface TokenOptions {
  appId: string;
  appSecret: string;
  oauthBase: string;
  envAccessToken: string;
  envRefreshToken: string;
  store: Store;
  cipher?: ChannelDeps['cipher'];
  log: Logger;
  now: () => number;
  timeoutMs?: number;
}

type Outcome = { ok: true } | { ok: false; attempt: SendAttempt };

const fingerprint = (s: string): string => createHash('sha256').update(`zalo-seed\u001f${s}`).digest('hex').slice(0, 32);

export class ZaloTokens {
  private pair?: StoredTokens;
  private loading?: Promise<void>;
  private refreshing?: Promise<Outcome>;
  private unsaved = false;
  private pausedUntil = 0;
  private refreshedAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private readonly seed: string;

  constructor(private readonly o: TokenOptions) {
    this.seed = fingerprint(o.envRefreshToken);
  }

  /** Loads the pair (store first) and checks for refreshes periodically, so the refresh token never lapses. */
  async start(): Promise<void> {
    await this.load().catch(() => undefined);
    this.timer = setInterval(() => { void this.check(); }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The access token to use now, refreshing first when it is about to expire. */
  async current(): Promise<{ token: string } | { fail: SendAttempt }> {
    try {
      await this.load();
    } catch {
      return { fail: { ok: false, retryable: true, code: 'token_store' } };
    }
    if (this.unsaved && !(await this.persist())) return { fail: { ok: false, retryable: true, code: 'token_store' } };
    const p = this.pair as StoredTokens;
    if (p.expiresAt !== undefined && this.o.now() >= p.expiresAt - REFRESH_MARGIN_MS) {
      const r = await this.refresh(p.accessToken);
      if (!r.ok && this.o.now() >= p.expiresAt) return { fail: r.attempt };
      if (this.unsaved) return { fail: { ok: false, retryable: true, code: 'token_store' } };
    }
    return { token: (this.pair as StoredTokens).accessToken };
  }

  /**
   * Refreshes the pair unless someone already did since `stale` was handed out; concurrent callers
   * share the one refresh in flight.
   */
  refresh(stale: string): Promise<Outcome> {
    if (this.refreshing) return this.refreshing;
    if (!this.pair) return Promise.resolve(storeFail());
    if (this.pair.accessToken !== stale) return Promise.resolve(this.unsaved ? storeFail() : { ok: true });
    if (this.o.now() < this.pausedUntil) return Promise.resolve({ ok: false, attempt: { ok: false, retryable: false, code: 'token_refresh_refused' } });
    // A token refreshed moments ago and already refused: refreshing again would only burn pairs.
    if (this.o.now() - this.refreshedAt < FRESH_MS) {
      this.o.log.error('zalo: a freshly refreshed access token was refused; check ZALO_APP_ID and the OA authorisation');
      return Promise.resolve({ ok: false, attempt: { ok: false, retryable: false, code: 'token_rejected' } });
    }
    const run = this.doRefresh().finally(() => { this.refreshing = undefined; });
    this.refreshing = run;
    return run;
  }

  /** For tests and diagnostics: the pair in use (never log it). */
  snapshot(): Readonly<StoredTokens> | undefined {
    return this.pair;
  }

  private async check(): Promise<void> {
    try {
      await this.load();
      const p = this.pair as StoredTokens;
      if (this.unsaved) { await this.persist(); return; }
      if (p.expiresAt === undefined || this.o.now() >= p.expiresAt - REFRESH_MARGIN_MS) await this.refresh(p.accessToken);
    } catch (e) {
      this.o.log.warn('zalo token check failed', { error: (e as Error).message });
    }
  }

  private load(): Promise<void> {
    if (this.pair) return Promise.resolve();
    // A failed read is not cached: the next call tries again (never fall back to a possibly spent env pair).
    this.loading ??= this.readStored().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async readStored(): Promise<void> {
    const sealed = await this.o.store.getSetting(TOKENS_SETTING);
    let raw: string | null = sealed;
    try {
      if (sealed && this.o.cipher) raw = this.o.cipher.decrypt(sealed, TOKENS_SETTING);
    } catch { raw = null; }
    let stored: StoredTokens | undefined;
    if (raw) {
      try {
        const v = JSON.parse(raw) as StoredTokens;
        if (v && v.v === 1 && typeof v.accessToken === 'string' && typeof v.refreshToken === 'string' && typeof v.seed === 'string') stored = v;
      } catch { /* unreadable: ignored below */ }
      if (!stored) this.o.log.error('zalo: stored token pair unreadable; using the environment pair');
    }
    if (this.pair) return;
    if (stored && stored.seed === this.seed) {
      this.pair = stored;
      this.o.log.info('zalo: using the stored token pair');
    } else {
      if (stored) this.o.log.warn('zalo: the environment holds a new token pair; it replaces the stored one');
      this.pair = { v: 1, accessToken: this.o.envAccessToken, refreshToken: this.o.envRefreshToken, seed: this.seed };
    }
  }

  private async persist(): Promise<boolean> {
    try {
      const json = JSON.stringify(this.pair);
      // The pair can read the OA's message history: sealed at rest like the tips.
      await this.o.store.setSetting(TOKENS_SETTING, this.o.cipher ? this.o.cipher.encrypt(json, TOKENS_SETTING) : json);
      this.unsaved = false;
      return true;
    } catch (e) {
      this.o.log.error('zalo: new token pair NOT saved; kept in memory, not used until saved', { error: (e as Error).message });
      return false;
    }
  }

  private async doRefresh(): Promise<Outcome> {
    const used = this.pair as StoredTokens;
    const form = new URLSearchParams({ refresh_token: used.refreshToken, app_id: this.o.appId, grant_type: 'refresh_token' });
    let res: Response;
    try {
      res = await fetch(`${this.o.oauthBase}/v4/oa/access_token`, {
        method: 'POST',
        headers: { secret_key: this.o.appSecret, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (e) {
      this.o.log.warn('zalo token refresh failed', { code: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network' });
      return { ok: false, attempt: { ok: false, retryable: true, code: 'token_network' } };
    }
    if (res.status === 429 || res.status >= 500) {
      this.o.log.warn('zalo token refresh failed', { code: `http_${res.status}` });
      return { ok: false, attempt: { ok: false, retryable: true, code: `token_http_${res.status}` } };
    }
    let body: Record<string, unknown> = {};
    try { body = (await res.json()) as Record<string, unknown>; } catch { /* handled below */ }
    const access = body.access_token;
    const refresh = body.refresh_token;
    if (!res.ok || typeof access !== 'string' || typeof refresh !== 'string' || !access || !refresh) {
      const code = body.error !== undefined ? String(body.error) : `http_${res.status}`;
      this.pausedUntil = this.o.now() + REFUSED_PAUSE_MS;
      this.o.log.error('zalo token refresh refused; if it persists an OA admin must grant a new token pair (ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN)', { code });
      return { ok: false, attempt: { ok: false, retryable: false, code: 'token_refresh_refused' } };
    }
    const lifeS = Number(body.expires_in);
    const life = Number.isFinite(lifeS) && lifeS > 0 ? lifeS * 1000 : DEFAULT_LIFE_MS;
    // The old refresh token is spent: adopt the new pair in memory at once (so it is never lost), but
    // mark it unsaved so nothing uses it before it is in the store.
    this.pair = { v: 1, accessToken: access, refreshToken: refresh, expiresAt: this.o.now() + life, seed: used.seed };
    this.unsaved = true;
    this.refreshedAt = this.o.now();
    if (!(await this.persist())) return storeFail();
    this.o.log.info('zalo access token refreshed', { expiresInS: Math.round(life / 1000) });
    return { ok: true };
  }
}

const storeFail = (): Outcome => ({ ok: false, attempt: { ok: false, retryable: true, code: 'token_store' } });
