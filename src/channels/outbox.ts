/**
 * Outbound delivery for every channel: one address's messages in order, retries with exponential
 * backoff on 429/5xx/timeouts and the platform's temporary errors (bounded), the platform's
 * retry-after honoured, per-channel rate limits (overall and per address). A part that finally fails
 * is logged without content and counted, and the rest of the reply is still sent (the part that
 * failed may be the one with the reference code), unless the address cannot be reached at all any
 * more (`unreachable`: window closed, blocked, token refused).
 */
import type { Logger } from '../log.js';
import type { ChannelAdapter, SendAttempt } from './types.js';

export interface OutboxOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Counts of parts: sent, failed (including those not tried because their address was unreachable), and extra attempts. */
export interface OutboxStats { sent: number; failed: number; retried: number }

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A minimal spacing limiter: the next slot is at least 1/rate after the previous one. */
class Spacer {
  private next = 0;
  constructor(private readonly intervalMs: number) {}
  reserve(now: number): number {
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    return at - now;
  }
}

export class Outbox {
  readonly stats: OutboxStats = { sent: 0, failed: 0, retried: 0 };
  private readonly chains = new Map<string, Promise<void>>();
  private readonly global: Spacer | undefined;
  private readonly perAddress = new Map<string, Spacer>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly adapter: ChannelAdapter, private readonly log: Logger, opts: OutboxOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? Date.now;
    this.global = adapter.rate ? new Spacer(1000 / adapter.rate.perSecond) : undefined;
  }

  /** Queues rendered messages for one address; resolves when they were sent or finally failed. */
  send(address: string, rendered: unknown[]): Promise<void> {
    const prev = this.chains.get(address) ?? Promise.resolve();
    const run = prev.then(() => this.deliverAll(address, rendered));
    this.chains.set(address, run);
    void run.finally(() => { if (this.chains.get(address) === run) this.chains.delete(address); });
    return run;
  }

  private async deliverAll(address: string, rendered: unknown[]): Promise<void> {
    for (let i = 0; i < rendered.length; i++) {
      const res = await this.deliver(address, rendered[i]);
      if (res.ok || !res.unreachable) continue; // a failed part never drops the parts after it
      const rest = rendered.length - i - 1;
      if (rest > 0) {
        this.stats.failed += rest;
        this.log.warn('send skipped', { channel: this.adapter.name, code: res.code ?? 'unknown', parts: rest });
      }
      return;
    }
  }

  private async wait(address: string): Promise<void> {
    const now = this.now();
    let delay = this.global?.reserve(now) ?? 0;
    const per = this.adapter.rate?.perAddressPerSecond;
    if (per) {
      let s = this.perAddress.get(address);
      if (!s) { s = new Spacer(1000 / per); this.perAddress.set(address, s); }
      delay = Math.max(delay, s.reserve(now));
      if (this.perAddress.size > 10_000) this.perAddress.clear();
    }
    if (delay > 0) await this.sleep(delay);
  }

  /** One part, with retries; resolves to the last attempt's result. */
  private async deliver(address: string, msg: unknown): Promise<SendAttempt> {
    let res: SendAttempt = { ok: false, code: 'no_attempt' };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      await this.wait(address);
      try {
        res = await this.adapter.sendOne(address, msg);
      } catch (e) {
        res = { ok: false, retryable: true, code: (e as { code?: string }).code ?? 'exception' };
      }
      if (res.ok) { this.stats.sent++; return res; }
      if (!res.retryable || attempt === this.maxAttempts) {
        this.stats.failed++;
        this.log.warn('send failed', { channel: this.adapter.name, code: res.code ?? 'unknown', attempts: attempt });
        return res;
      }
      this.stats.retried++;
      const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      await this.sleep(Math.max(backoff, res.retryAfterMs ?? 0));
    }
    return res;
  }

  /** Waits until everything queued so far has been delivered or given up (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }
}
