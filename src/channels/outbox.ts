/**
 * Outbound delivery for every channel, bounded and fair (issue #11, item 3).
 *
 * - One queue per address (a person): their messages go out in order, one at a time.
 * - A scheduler picks whose part goes next. The first part of a reply to a person with nothing waiting who got
 *   nothing in the last `freshAfterMs` (a new person, or one back after a while) goes first ("fresh" lane);
 *   everything else takes turns, round robin, one part per person. The fresh lane is first come, first served
 *   while it is short; when it is longer than a second's sending (many new people at once, e.g. a flood from
 *   many accounts), the newest goes first (adaptive LIFO, as in Facebook's queueing under overload): the person
 *   who just wrote is answered within seconds, and the rest of the lane still drains. A burst therefore never
 *   delays a new person's first answer by more than a few slots.
 * - The platform's rates hold: parts overall are spaced by `rate.perSecond`, one address's parts by
 *   `rate.perAddressPerSecond`; several sends may be in flight at once (to different people).
 * - Caps: at most `maxPerAddress` parts waiting for one person, `maxQueued` overall (by default the parts the
 *   channel can send in `maxWaitS` seconds). Beyond them the reply is shed: a person with nothing waiting gets
 *   one honest "too busy, try again in a few minutes" instead (the `notice`), never fifty minutes of backlog.
 * - Retries with exponential backoff on 429/5xx/timeouts and the platform's temporary errors (bounded), the
 *   platform's retry-after honoured; a retrying person waits without holding up the others. A part that finally
 *   fails is logged without content and counted, and the rest of the reply is still sent (the failed part may
 *   be the one with the reference code), unless the address cannot be reached at all any more (`unreachable`).
 */
import type { Logger } from '../log.js';
import type { ChannelAdapter, SendAttempt } from './types.js';

export interface OutboxOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Parts waiting for one person, at most (default 20). */
  maxPerAddress?: number;
  /** Parts waiting overall, at most (default: what the channel's rate sends in `maxWaitS`, else 5,000). */
  maxQueued?: number;
  /** The longest backlog worth keeping, in seconds at the channel's rate (default 60). */
  maxWaitS?: number;
  /** Sends in flight at once, to different people (default 16). */
  concurrency?: number;
  /** A person who got nothing for this long counts as new again (default 30 s). */
  freshAfterMs?: number;
  /** Of this many parts sent while both lanes wait, one goes to the round robin (default 4: fresh first, never starved). */
  freshShare?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Counts of parts: sent, failed (including those not tried because their address was unreachable), extra
 * attempts, shed (never queued: over a cap), and waiting now.
 */
export interface OutboxStats { sent: number; failed: number; retried: number; shed: number; queued: number }

/** How a reply is queued: `notice` renders the "too busy" message sent instead when the reply is shed. */
export interface SendOptions {
  notice?: () => unknown[];
  /** Told what finally became of each part (sent, or given up with the platform's answer): a broadcast settles its marks by it. */
  result?: (r: SendAttempt) => void;
  /** Bulk sending (a campaign broadcast): never in the fresh lane, so it never goes ahead of someone's answer. */
  bulk?: boolean;
}


interface Job { parts: unknown[]; next: number; done: () => void; result?: (r: SendAttempt) => void }

/** One person's queue. */
interface Person {
  address: string;
  jobs: Job[];
  /** Parts waiting (not yet sent or given up). */
  waiting: number;
  /** Not before this time (per-address spacing, a retry's backoff). */
  readyAt: number;
  /** Attempts made for the part at the head of the queue. */
  attempts: number;
  busy: boolean;
  /** In the fresh lane: the first part of an answer to someone with nothing waiting goes ahead of the round robin. */
  fresh: boolean;
  queued: boolean;
}

export class Outbox {
  readonly stats: OutboxStats = { sent: 0, failed: 0, retried: 0, shed: 0, queued: 0 };
  private readonly people = new Map<string, Person>();
  private readonly freshLane: Person[] = [];
  private readonly ring: Person[] = [];
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxPerAddress: number;
  private readonly maxQueued: number;
  private readonly concurrency: number;
  private readonly freshShare: number;
  private readonly freshAfterMs: number;
  /** The fresh lane turns LIFO when longer than this (a second's sending at the channel's rate). */
  private readonly lifoAbove: number;
  /** When each recent address was last sent a part (bounded; in memory only). */
  private readonly lastServed = new Map<string, number>();
  private readonly globalGapMs: number;
  private readonly addressGapMs: number;
  /** An injected sleep (tests); without one, a timer that a wake cancels. */
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly now: () => number;
  /** The scheduler's clock: never behind a time it slept until (an injected sleep may not advance `now`). */
  private clock = 0;
  private globalReadyAt = 0;
  private inflight = 0;
  private sinceRing = 0;
  private running = false;
  private wake: (() => void) | undefined;
  private idle: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly adapter: ChannelAdapter, private readonly log: Logger, opts: OutboxOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.maxPerAddress = opts.maxPerAddress ?? 20;
    this.maxQueued = opts.maxQueued ?? (adapter.rate ? Math.ceil(adapter.rate.perSecond * (opts.maxWaitS ?? 60)) : 5_000);
    this.concurrency = opts.concurrency ?? 16;
    this.freshShare = opts.freshShare ?? 4;
    this.freshAfterMs = opts.freshAfterMs ?? 30_000;
    this.lifoAbove = Math.max(1, Math.ceil(adapter.rate?.perSecond ?? 30));
    this.globalGapMs = adapter.rate ? 1000 / adapter.rate.perSecond : 0;
    this.addressGapMs = adapter.rate?.perAddressPerSecond ? 1000 / adapter.rate.perAddressPerSecond : 0;
    this.sleep = opts.sleep;
    this.now = opts.now ?? Date.now;
  }

  /** Queues rendered messages for one address; resolves when they were sent, finally failed, or shed. */
  send(address: string, rendered: unknown[], opts: SendOptions = {}): Promise<void> {
    if (!rendered.length) return Promise.resolve();
    let person = this.people.get(address);
    const waiting = person?.waiting ?? 0;
    let parts = rendered;
    if (waiting + parts.length > this.maxPerAddress || this.stats.queued + parts.length > this.maxQueued) {
      // Over a cap: a person already waiting for parts gets nothing more now (their queue still ends in
      // answers); a person with nothing waiting gets the one-line "too busy" instead, if there is room for it.
      this.stats.shed += parts.length;
      const notice = waiting === 0 ? opts.notice?.() : undefined;
      this.log.warn('reply shed: outbound queue full', { channel: this.adapter.name, parts: parts.length, queued: this.stats.queued, notice: notice !== undefined });
      if (!notice?.length || this.stats.queued + notice.length > this.maxQueued + this.maxPerAddress) return Promise.resolve();
      parts = notice;
    }
    if (!person) {
      person = { address, jobs: [], waiting: 0, readyAt: 0, attempts: 0, busy: false, fresh: false, queued: false };
      this.people.set(address, person);
    }
    let done!: () => void;
    const finished = new Promise<void>((r) => { done = r; });
    person.jobs.push({ parts, next: 0, done, result: opts.result });
    person.waiting += parts.length;
    this.stats.queued += parts.length;
    if (!opts.bulk && waiting === 0 && !person.busy && this.time() - (this.lastServed.get(address) ?? -Infinity) >= this.freshAfterMs) {
      // A new person (nothing waiting, nothing sent lately): their answer goes ahead of the backlog.
      person.fresh = true;
    }
    if (!person.busy) this.enqueue(person);
    this.kick();
    return finished;
  }

  /** Waits until everything queued so far has been delivered or given up (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.stats.queued > 0 || this.inflight > 0) {
      if (!this.idle) {
        let resolve!: () => void;
        this.idle = { promise: new Promise<void>((r) => { resolve = r; }), resolve };
      }
      await this.idle.promise;
    }
  }

  private enqueue(p: Person): void {
    if (p.queued || p.waiting === 0) return;
    p.queued = true;
    (p.fresh ? this.freshLane : this.ring).push(p);
  }

  private kick(): void {
    if (this.wake) { const w = this.wake; this.wake = undefined; w(); }
    if (!this.running) { this.running = true; void this.loop(); }
  }

  private time(): number {
    this.clock = Math.max(this.clock, this.now());
    return this.clock;
  }

  /** The scheduler: while parts wait, start the next send when the platform's rates and the in-flight cap allow. */
  private async loop(): Promise<void> {
    try {
      while (this.stats.queued > 0) {
        if (this.inflight >= this.concurrency) { await this.nap(undefined); continue; }
        const now = this.time();
        if (this.globalReadyAt > now) { await this.nap(this.globalReadyAt - now); continue; }
        const pick = this.pick(now);
        if (pick.person) { this.start(pick.person, now); continue; }
        await this.nap(pick.waitMs);
      }
    } finally {
      this.running = false;
      if (this.stats.queued > 0) this.kick();
      else this.settleIdle();
    }
  }

  /** Waits for a time (if any) or for something to happen (a send finished, a reply queued). */
  private async nap(ms: number | undefined): Promise<void> {
    const woken = new Promise<void>((r) => { this.wake = r; });
    if (ms === undefined) { await woken; return; }
    const target = this.time() + ms;
    let timer: NodeJS.Timeout | undefined;
    const slept = this.sleep ? this.sleep(ms) : new Promise<void>((r) => { timer = setTimeout(r, ms); });
    await Promise.race([slept.then(() => { this.clock = Math.max(this.clock, target); }), woken]);
    if (timer) clearTimeout(timer);
    this.wake = undefined;
  }

  /**
   * The next person to serve: the fresh lane first (but one in `freshShare` parts to the round robin when both
   * wait), skipping people who are not ready yet; otherwise how long until someone is.
   */
  private pick(now: number): { person?: Person; waitMs?: number } {
    let soonest = Infinity;
    const lanes = this.sinceRing >= this.freshShare - 1 ? [this.ring, this.freshLane] : [this.freshLane, this.ring];
    for (const lane of lanes) {
      const lifo = lane === this.freshLane && lane.length > this.lifoAbove;
      for (let n = lane.length; n > 0; n--) {
        const p = (lifo ? lane.pop() : lane.shift()) as Person;
        p.queued = false;
        if (p.waiting === 0) continue;
        if (p.busy) continue; // re-queued when its send finishes
        if (p.readyAt > now) {
          soonest = Math.min(soonest, p.readyAt);
          p.queued = true;
          if (lifo) lane.unshift(p);
          else lane.push(p);
          continue;
        }
        this.sinceRing = lane === this.ring ? 0 : this.sinceRing + 1;
        return { person: p };
      }
    }
    return { waitMs: soonest === Infinity ? undefined : soonest - now };
  }

  private start(p: Person, now: number): void {
    const job = p.jobs[0];
    const part = job.parts[job.next];
    p.busy = true;
    this.inflight++;
    if (this.globalGapMs) this.globalReadyAt = Math.max(this.globalReadyAt, now) + this.globalGapMs;
    void this.attempt(p, part).then((res) => {
      this.inflight--;
      p.busy = false;
      this.settle(p, res);
      this.enqueue(p);
      this.kick();
      this.settleIdle();
    });
  }

  /** Wakes `drain` once nothing waits or is in flight. */
  private settleIdle(): void {
    if (this.stats.queued > 0 || this.inflight > 0 || !this.idle) return;
    const i = this.idle;
    this.idle = undefined;
    i.resolve();
  }

  private async attempt(p: Person, part: unknown): Promise<SendAttempt> {
    try {
      return await this.adapter.sendOne(p.address, part);
    } catch (e) {
      return { ok: false, retryable: true, code: (e as { code?: string }).code ?? 'exception' };
    }
  }

  /** What one attempt means for the person's queue: next part, a retry later, or the rest given up. */
  private settle(p: Person, res: SendAttempt): void {
    const now = this.time();
    p.attempts++;
    p.readyAt = now + this.addressGapMs;
    if (!res.ok && res.retryable && p.attempts < this.maxAttempts) {
      this.stats.retried++;
      const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (p.attempts - 1));
      p.readyAt = now + Math.max(backoff, res.retryAfterMs ?? 0, this.addressGapMs);
      return;
    }
    if (res.ok) {
      this.stats.sent++;
      this.lastServed.delete(p.address);
      if (this.lastServed.size >= 50_000) this.lastServed.delete(this.lastServed.keys().next().value as string);
      this.lastServed.set(p.address, now);
    } else {
      this.stats.failed++;
      this.log.warn('send failed', { channel: this.adapter.name, code: res.code ?? 'unknown', attempts: p.attempts });
    }
    p.attempts = 0;
    p.jobs[0]?.result?.(res);
    // The first part is out (or given up): the rest takes turns with everyone else.
    p.fresh = false;
    this.advance(p, 1);
    if (!res.ok && res.unreachable) {
      // Nothing more can reach this person now: the rest of this reply is not tried (a later reply may be).
      const job = p.jobs[0];
      const rest = job && job.next > 0 ? job.parts.length - job.next : 0;
      if (rest > 0) {
        this.stats.failed += rest;
        this.log.warn('send skipped', { channel: this.adapter.name, code: res.code ?? 'unknown', parts: rest });
        this.advance(p, rest);
      }
    }
  }

  /** Moves the head of the person's queue on by `n` parts, finishing replies that are done. */
  private advance(p: Person, n: number): void {
    for (let i = 0; i < n; i++) {
      const job = p.jobs[0];
      job.next++;
      p.waiting--;
      this.stats.queued--;
      if (job.next >= job.parts.length) {
        p.jobs.shift();
        job.done();
      }
    }
    if (p.waiting === 0 && !p.busy) this.people.delete(p.address);
  }
}
