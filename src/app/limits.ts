/**
 * Abuse limits on the anonymous side (issue #11): budgets per conversation (keyed by the session's HMAC, never a
 * platform id), per address on the web chat, for tip submissions per conversation, and globally. Kept in memory
 * (rate-limiter-flexible) by default: one process owns its budgets. With REDIS_URL the budgets live in Redis and are
 * shared by every instance behind the load balancer; each Redis limiter has an in-memory insurance limiter with the
 * same budget, so a slow or dead Redis falls back to per-process limits instead of failing or stalling turns.
 * Nothing here stores message text: keys are session HMACs and addresses only.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis, RedisOptions } from 'ioredis';

export interface LimitsConfig {
  /** Messages one conversation may send per minute. */
  messagesPerMinute: number;
  /** Requests one address may make to the web chat API per minute. */
  addressPerMinute: number;
  /** Tips one conversation may submit per hour. */
  tipsPerHour: number;
  /** Tips all conversations together may submit per minute. */
  tipsGlobalPerMinute: number;
  /** Messages all conversations together may send per second (beyond it, new messages get the "busy" answer). */
  globalPerSecond: number;
}

export interface LimitsOptions {
  /** Shared budgets in this Redis (REDIS_URL); without it, in memory. */
  redisUrl?: string;
  /** Keys are `<keyPrefix>:<scope>:<key>` (default `binhan:rl`). */
  keyPrefix?: string;
  /** Deadline of one Redis call before the in-memory insurance answers (default 200 ms). */
  commandTimeoutMs?: number;
  /** Where "Redis unreachable / answers again" goes (never the URL: it may hold a password). */
  log?: { warn(msg: string, meta?: object): unknown; info(msg: string, meta?: object): unknown };
}

export type Verdict = { ok: true } | { ok: false; retryAfterS: number; scope: 'conversation' | 'address' | 'tips' | 'global' };

/** ioredis options for the limits: a dead Redis fails fast (no offline queue, short deadlines) and is retried in the background. */
const redisOptions = (commandTimeout: number): RedisOptions => ({
  // RESP2: the limiter needs nothing newer, and it works with any Redis-compatible server (also those without HELLO).
  protocol: 2,
  commandTimeout,
  connectTimeout: 1000,
  // On close nothing is pending that is worth waiting for.
  disconnectTimeout: 200,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => Math.min(200 * times, 5000),
});

export class Limits {
  private readonly messages: RateLimiterAbstract;
  private readonly addresses: RateLimiterAbstract;
  private readonly tips: RateLimiterAbstract;
  private readonly tipsGlobal: RateLimiterAbstract;
  private readonly global: RateLimiterAbstract;
  /** The Redis client when REDIS_URL is set. */
  private readonly redis?: Redis;
  /** Counts of refusals per scope (for /metrics; no keys). */
  readonly refused = { conversation: 0, address: 0, tips: 0, global: 0 };

  /** The budgets come from the configuration (src/config.ts: RATE_* variables and their defaults; REDIS_URL). */
  constructor(readonly config: LimitsConfig, opts: LimitsOptions = {}) {
    if (opts.redisUrl) {
      // Loaded only when used: the in-memory default starts without loading the Redis client.
      const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
      const redis = new RedisClient(opts.redisUrl, redisOptions(opts.commandTimeoutMs ?? 200));
      this.redis = redis;
      // Without a listener ioredis prints every failed reconnect; one warning per outage is enough.
      let down = false;
      redis.on('error', (e: Error) => {
        if (down) return;
        down = true;
        opts.log?.warn('Redis for the abuse limits does not answer; limits are per process until it does', { error: e.message });
      });
      redis.on('ready', () => {
        if (down) opts.log?.info('Redis for the abuse limits answers again; limits are shared');
        down = false;
      });
    }
    const prefix = opts.keyPrefix ?? 'binhan:rl';
    const make = (scope: string, points: number, duration: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ points, duration });
      if (!this.redis) return memory;
      return new RateLimiterRedis({
        storeClient: this.redis, keyPrefix: `${prefix}:${scope}`, points, duration,
        // Not connected (yet, or any more): straight to the insurance, no waiting for a socket.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      });
    };
    this.messages = make('conversation', config.messagesPerMinute, 60);
    this.addresses = make('address', config.addressPerMinute, 60);
    this.tips = make('tips', config.tipsPerHour, 3600);
    this.tipsGlobal = make('tips-global', config.tipsGlobalPerMinute, 60);
    this.global = make('global', config.globalPerSecond, 1);
  }

  /** Where the budgets live: 'redis' (shared; in memory while Redis does not answer) or 'memory'. */
  get store(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Resolves true once Redis answers (false on timeout, or without Redis). Nothing waits for it: until then the insurance counts. */
  async ready(timeoutMs = 2000): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return false;
    if (redis.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => { clearTimeout(timer); redis.off('ready', onReady); resolve(ok); };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      redis.on('ready', onReady);
    });
  }

  /** One message of a conversation (its session key). */
  async message(sessionKey: string): Promise<Verdict> {
    const g = await this.take(this.global, 'all', 'global');
    if (!g.ok) return g;
    return this.take(this.messages, sessionKey, 'conversation');
  }

  /** One request from an address (the web chat API). */
  address(ip: string): Promise<Verdict> {
    return this.take(this.addresses, ip, 'address');
  }

  /** One tip submitted by a conversation. */
  async tip(sessionKey: string): Promise<Verdict> {
    const g = await this.take(this.tipsGlobal, 'all', 'tips');
    if (!g.ok) return g;
    return this.take(this.tips, sessionKey, 'tips');
  }

  /** Quits the Redis client (a no-op in memory). */
  async close(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'end') return;
    if (redis.status !== 'ready') { redis.disconnect(); return; }
    try {
      await redis.quit();
    } catch {
      redis.disconnect();
    }
  }

  private async take(limiter: RateLimiterAbstract, key: string, scope: Exclude<Verdict, { ok: true }>['scope']): Promise<Verdict> {
    try {
      await limiter.consume(key, 1);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      this.refused[scope]++;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(e.msBeforeNext / 1000)), scope };
    }
  }
}
