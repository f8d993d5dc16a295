/**
 * Campaign broadcasts (issue #13, item 3): a supervisor sends one campaign item (its opening, or a message item)
 * to the subscribers, as a durable, resumable job in the store.
 *
 * - Plan: subscribers are read in key order, a batch at a time; each batch's marks ("queued") and the cursor are
 *   written in one group commit BEFORE any of them is handed to a channel. A restart plans on from the cursor (a
 *   batch planned twice keeps its marks: a subscriber is never marked twice, never skipped).
 * - Send: per channel, queued marks in key order, paced at the broadcast's share of the channel's rate (the
 *   channel's Outbox keeps the platform's own limits for replies and broadcasts together). Just before each send
 *   the subscription is read again: someone who stopped (or whose permission ended) a second ago gets nothing.
 *   A send's outcome settles its mark (sent, failed, skipped); results are written together (group commit). A
 *   subscriber the platform says is gone (blocked the bot) loses their subscription.
 * - Never at night: from 22:00 to 07:00 Viet Nam time nothing is handed over; the job waits for 07:00.
 * - Pause and cancel are statuses in the store: the job reads its status before each batch and stops.
 * - Audience: "all" only. Poll answers are anonymous counters with no link to any person (src/app/counters.ts),
 *   so nobody can be picked by how they answered; a campaign whose audience is a poll answer is refused.
 * What a restart can repeat: a send whose platform call had finished but whose result was not yet written (the
 * write's fsync: milliseconds to tens of milliseconds); neither platform takes an idempotency key, so this cannot be
 * closed, only kept short. The trial (src/bench/broadcast.ts) counts them: one per kill at 40 messages a second.
 */
import type { OutMessage } from '../engine/types.js';
import type { Logger } from '../log.js';
import { VN_OFFSET_MS, type Broadcast, type MarkState, type Store } from '../store/port.js';
import type { Campaign } from './schema.js';
import { campaignFlowId } from './compile.js';
import type { OpenSubscription, SubscriptionRegistry } from './subscriptions.js';

/** What became of one send. */
export type SendOutcome = 'sent' | 'failed' | 'gone';

/** One channel's way out for a broadcast. */
export interface BroadcastSender {
  /** Messages per second this broadcast may use (below the platform's limit: replies share it). */
  perSecond: number;
  /** Sends in flight at once (default 8). */
  concurrency?: number;
  send(sub: OpenSubscription, message: OutMessage): Promise<SendOutcome>;
}

export const QUIET_FROM_HOUR = 22;
export const QUIET_TO_HOUR = 7;
/** Nothing is handed over in the last minute before 22:00 either: what is handed may wait its turn in the Outbox. */
export const QUIET_MARGIN_MS = 60_000;

/** True from 22:00 to 07:00 Viet Nam time. */
export function isQuiet(now: number): boolean {
  const h = new Date(now + VN_OFFSET_MS).getUTCHours();
  return h >= QUIET_FROM_HOUR || h < QUIET_TO_HOUR;
}

/** No handing over now: at night, or in the last minute before it. */
export function isClosed(now: number): boolean {
  return isQuiet(now) || isQuiet(now + QUIET_MARGIN_MS);
}

/** The next 07:00 in Viet Nam after `now` (epoch ms). */
export function quietEnds(now: number): number {
  const vn = new Date(now + VN_OFFSET_MS);
  let end = Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate(), QUIET_TO_HOUR) - VN_OFFSET_MS;
  if (end <= now) end += 86_400_000;
  return end;
}

/** The items a broadcast can send: the campaign's opening, or one of its message items. */
export function broadcastItems(c: Campaign): string[] {
  return ['opening', ...c.items.filter((i) => i.type === 'message').map((i) => i.id)];
}

/** Why a campaign cannot be broadcast, or null. */
export function cannotBroadcast(c: Campaign, item: string): string | null {
  if (c.audience !== 'all') return 'audience';
  if (!broadcastItems(c).includes(item)) return 'item';
  return null;
}

/** The message of a broadcast: the item's text, with a button that opens the campaign and one that stops the news. */
export function broadcastMessage(c: Campaign, item: string, lang: string): OutMessage {
  const l = lang === 'en' ? 'en' : 'vi';
  const it = c.items.find((i) => i.id === item && i.type === 'message');
  const text = it && it.type === 'message' ? it.text[l] : `${c.title[l]}\n${c.summary[l]}`;
  return {
    text,
    choices: [
      { id: `go:${campaignFlowId(c.id)}`, label: l === 'en' ? 'Open' : 'Xem ngay' },
      { id: 'go:unsubscribe', label: l === 'en' ? 'Stop receiving' : 'Dừng nhận tin' },
    ],
  };
}

export interface RunnerOptions {
  store: Store;
  subscriptions: SubscriptionRegistry;
  campaigns: ReadonlyMap<string, Campaign>;
  senders: ReadonlyMap<string, BroadcastSender>;
  log: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Subscribers marked per group commit (default 500). */
  batch?: number;
  /** Results written together at most this often (default 25 ms) or this many at once (default 100). */
  settleEveryMs?: number;
  settleMax?: number;
  /** Wait before the first send of a run (default 1 s). */
  startDelayMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Recipients per channel now: sendable ones (a sender exists) and the rest. */
export async function dryRun(store: Store, senders: ReadonlyMap<string, unknown>, now: number): Promise<{ channel: string; count: number; sendable: boolean }[]> {
  return (await store.countSubscriptions(now)).map((c) => ({ ...c, sendable: senders.has(c.channel) }));
}

export class BroadcastRunner {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly running = new Map<string, Promise<Broadcast | null>>();
  /** Per channel: not before this time (the pace holds across batches). */
  private readonly nextAt = new Map<string, number>();

  constructor(private readonly o: RunnerOptions) {
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
  }

  /** Runs a broadcast whose status is "running" until it is done, paused or cancelled (one run per id at a time). */
  run(id: string): Promise<Broadcast | null> {
    let p = this.running.get(id);
    if (!p) {
      p = this.loop(id).finally(() => this.running.delete(id));
      this.running.set(id, p);
    }
    return p;
  }

  /** After a restart: every broadcast left "running" goes on. */
  async resumeAll(): Promise<void> {
    for (const b of await this.o.store.listBroadcasts(100)) if (b.status === 'running') void this.run(b.id);
  }

  /** Waits for the runs in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  private async loop(id: string): Promise<Broadcast | null> {
    const { store, log } = this.o;
    const batch = this.o.batch ?? 500;
    // A job taken up again (after a restart) starts a second later: it never adds to the last second of the run
    // that died, whose pace it cannot know.
    await this.sleep(this.o.startDelayMs ?? 1_000);
    for (;;) {
      const b = await store.getBroadcast(id);
      if (!b || b.status !== 'running') return b;
      const campaign = this.o.campaigns.get(b.campaign);
      if (!campaign) { log.error('broadcast: campaign not found', { broadcast: id }); return b; }
      const now = this.now();
      if (isClosed(now)) {
        // Never at night: wait for 07:00 (in steps, so a pause or a cancel is seen).
        await this.sleep(Math.min(60_000, Math.max(1_000, quietEnds(now + QUIET_MARGIN_MS) - now)));
        continue;
      }
      if (!b.planned) {
        const subs = await store.listSubscriptions({ after: b.cursor, limit: batch });
        const marks = subs.filter((s) => this.o.senders.has(s.channel) && (s.expiresAt === null || s.expiresAt > now)).map((s) => ({ key: s.key, channel: s.channel }));
        await store.markBroadcast(id, subs.length ? subs[subs.length - 1].key : b.cursor, marks, subs.length < batch);
      }
      let left = 0;
      await Promise.all([...this.o.senders].map(async ([channel, sender]) => { left += await this.sendChannel(b, campaign, channel, sender, batch); }));
      const after = await store.getBroadcast(id);
      if (after && after.status === 'running' && after.planned && after.counts.queued === 0 && left === 0) {
        const done = await store.setBroadcastStatus(id, ['running'], 'done', new Date(this.now()).toISOString());
        log.info('broadcast done', { broadcast: id, sent: after.counts.sent, failed: after.counts.failed, skipped: after.counts.skipped });
        return done;
      }
    }
  }

  /**
   * Sends up to one batch of this channel's queued marks; returns how many were queued when it began (0: nothing
   * left here). Stops early at night or when the broadcast is no longer running.
   */
  private async sendChannel(b: Broadcast, campaign: Campaign, channel: string, sender: BroadcastSender, batch: number): Promise<number> {
    const { store, subscriptions, log } = this.o;
    const keys = await store.queuedMarks(b.id, channel, batch);
    if (!keys.length) return 0;
    const gap = 1000 / sender.perSecond;
    const concurrency = sender.concurrency ?? 8;
    const settleEvery = this.o.settleEveryMs ?? 25;
    const settleMax = this.o.settleMax ?? 100;
    let pending: { key: string; state: Exclude<MarkState, 'queued'> }[] = [];
    let lastFlush = this.now();
    const flush = async (): Promise<void> => {
      if (!pending.length) return;
      const rows = pending;
      pending = [];
      lastFlush = this.now();
      await store.settleMarks(b.id, rows);
    };
    const inflight = new Set<Promise<void>>();
    let nextAt = Math.max(this.nextAt.get(channel) ?? 0, this.now());
    let checked = this.now();
    for (const key of keys) {
      // Every second: is it still running, still day?
      if (this.now() - checked >= 1000) {
        checked = this.now();
        const cur = await store.getBroadcast(b.id);
        if (!cur || cur.status !== 'running') break;
      }
      if (isClosed(this.now())) break;
      while (inflight.size >= concurrency) await Promise.race(inflight);
      const wait = nextAt - this.now();
      if (wait > 0) await this.sleep(wait);
      nextAt = Math.max(nextAt + gap, this.now());
      this.nextAt.set(channel, nextAt);
      // Opt-outs are honoured up to this moment.
      const stored = await store.getSubscription(key);
      if (!stored || (stored.expiresAt !== null && stored.expiresAt <= this.now())) {
        pending.push({ key, state: 'skipped' });
        continue;
      }
      const sub = subscriptions.open(stored);
      const p = sender.send(sub, broadcastMessage(campaign, b.item, sub.lang)).catch((): SendOutcome => 'failed').then(async (outcome) => {
        pending.push({ key, state: outcome === 'sent' ? 'sent' : outcome === 'gone' ? 'skipped' : 'failed' });
        // The platform says this person cannot be reached any more (they blocked the bot): stop keeping them.
        if (outcome === 'gone') await store.deleteSubscription(key);
        if (pending.length >= settleMax || this.now() - lastFlush >= settleEvery) await flush();
      }).catch((e: Error) => { log.error('broadcast: a result was not written', { broadcast: b.id, error: e.message }); throw e; });
      const tracked: Promise<void> = p.finally(() => inflight.delete(tracked));
      // Awaited below (a failed write stops this run: its marks stay queued for the next one); never unhandled.
      tracked.catch(() => undefined);
      inflight.add(tracked);
    }
    await Promise.all(inflight);
    await flush().catch((e: Error) => { log.error('broadcast: results not written', { broadcast: b.id, error: e.message }); throw e; });
    return keys.length;
  }
}
