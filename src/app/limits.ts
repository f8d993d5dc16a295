/**
 * Abuse limits on the anonymous side (issue #11): budgets per conversation (keyed by the session's HMAC, never a
 * platform id), per address on the web chat, for tip submissions per conversation, and globally. Kept in memory
 * (rate-limiter-flexible); one process owns its budgets. Nothing here stores message text.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

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

export type Verdict = { ok: true } | { ok: false; retryAfterS: number; scope: 'conversation' | 'address' | 'tips' | 'global' };

export class Limits {
  private readonly messages: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;
  private readonly tips: RateLimiterMemory;
  private readonly tipsGlobal: RateLimiterMemory;
  private readonly global: RateLimiterMemory;
  /** Counts of refusals per scope (for /metrics; no keys). */
  readonly refused = { conversation: 0, address: 0, tips: 0, global: 0 };

  /** The budgets come from the configuration (src/config.ts: RATE_* variables and their defaults). */
  constructor(readonly config: LimitsConfig) {
    this.messages = new RateLimiterMemory({ points: config.messagesPerMinute, duration: 60 });
    this.addresses = new RateLimiterMemory({ points: config.addressPerMinute, duration: 60 });
    this.tips = new RateLimiterMemory({ points: config.tipsPerHour, duration: 3600 });
    this.tipsGlobal = new RateLimiterMemory({ points: config.tipsGlobalPerMinute, duration: 60 });
    this.global = new RateLimiterMemory({ points: config.globalPerSecond, duration: 1 });
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

  private async take(limiter: RateLimiterMemory, key: string, scope: Exclude<Verdict, { ok: true }>['scope']): Promise<Verdict> {
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
