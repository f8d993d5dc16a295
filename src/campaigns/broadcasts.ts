/**
 * The broadcasts a supervisor runs from the dashboard (src/liaison/broadcast-routes.ts): a dry-run that counts
 * recipients per channel, start, pause, resume, cancel. The app attaches one service to its store
 * (`attachBroadcasts`) with the channels that can send; without one the API answers 503.
 */
import { randomUUID } from 'node:crypto';
import type { Broadcast, Store } from '../store/port.js';
import { BroadcastRunner, broadcastItems, cannotBroadcast, dryRun, isClosed, type BroadcastSender, type RunnerOptions } from './broadcast.js';
import type { Campaign } from './schema.js';

/** At most one broadcast a week reaches a subscriber: what the opt-in promised. */
export const MIN_GAP_MS = 7 * 86_400_000;

export type BroadcastErrorKind = 'unknown_campaign' | 'unknown_item' | 'audience_unsupported' | 'busy' | 'too_soon' | 'not_found' | 'bad_state';

export class BroadcastError extends Error {
  constructor(readonly kind: BroadcastErrorKind, message: string) { super(message); this.name = 'BroadcastError'; }
}

export interface CampaignChoice { id: string; title: { vi: string; en: string }; items: string[]; audience: 'all' | 'poll' }

export class BroadcastService {
  readonly runner: BroadcastRunner;
  private readonly now: () => number;

  constructor(private readonly o: RunnerOptions) {
    this.runner = new BroadcastRunner(o);
    this.now = o.now ?? Date.now;
  }

  get senders(): ReadonlyMap<string, BroadcastSender> { return this.o.senders; }

  campaigns(): CampaignChoice[] {
    return [...this.o.campaigns.values()].map((c) => ({ id: c.id, title: c.title, items: broadcastItems(c), audience: c.audience === 'all' ? 'all' : 'poll' }));
  }

  /** Recipients now, per channel (sendable or not), and whether it is night in Viet Nam. */
  async dryRun(campaign: string, item: string): Promise<{ channels: { channel: string; count: number; sendable: boolean }[]; total: number; night: boolean }> {
    this.check(campaign, item);
    const channels = await dryRun(this.o.store, this.o.senders, this.now());
    return { channels, total: channels.filter((c) => c.sendable).reduce((n, c) => n + c.count, 0), night: isClosed(this.now()) };
  }

  list(limit = 20): Promise<Broadcast[]> { return this.o.store.listBroadcasts(limit); }

  async start(campaign: string, item: string, officerId: string): Promise<Broadcast> {
    this.check(campaign, item);
    const recent = await this.o.store.listBroadcasts(20);
    if (recent.some((b) => b.status === 'running' || b.status === 'paused')) throw new BroadcastError('busy', 'another broadcast is running or paused: finish or cancel it first');
    const at = this.now();
    if (recent.some((b) => b.counts.sent > 0 && at - Date.parse(b.createdAt) < MIN_GAP_MS)) {
      throw new BroadcastError('too_soon', 'subscribers were promised at most one message a week: the last broadcast was less than 7 days ago');
    }
    const iso = new Date(at).toISOString();
    const b = await this.o.store.createBroadcast({ id: randomUUID(), campaign, item, createdBy: officerId, at: iso });
    const running = await this.o.store.setBroadcastStatus(b.id, ['draft'], 'running', iso);
    void this.runner.run(b.id);
    return running as Broadcast;
  }

  async setStatus(id: string, to: 'paused' | 'running' | 'cancelled'): Promise<Broadcast> {
    const from = to === 'paused' ? ['running'] as const : to === 'running' ? ['paused'] as const : ['running', 'paused', 'draft'] as const;
    const b = await this.o.store.setBroadcastStatus(id, from, to, new Date(this.now()).toISOString());
    if (!b) {
      const cur = await this.o.store.getBroadcast(id);
      if (!cur) throw new BroadcastError('not_found', 'no such broadcast');
      throw new BroadcastError('bad_state', `a ${cur.status} broadcast cannot be ${to === 'running' ? 'resumed' : to}`);
    }
    if (to === 'running') void this.runner.run(id);
    return b;
  }

  private check(campaign: string, item: string): Campaign {
    const c = this.o.campaigns.get(campaign);
    if (!c) throw new BroadcastError('unknown_campaign', `unknown campaign "${campaign}"`);
    const why = cannotBroadcast(c, item);
    if (why === 'item') throw new BroadcastError('unknown_item', `"${item}" is not the opening or a message item of ${campaign}`);
    if (why === 'audience') {
      throw new BroadcastError('audience_unsupported', 'only the audience "all" can be sent: poll answers are counted without any link to a person, so nobody can be picked by their answer');
    }
    return c;
  }
}

const attached = new WeakMap<object, BroadcastService>();
/** The app gives its store a broadcast service (with the channels that can send). */
export function attachBroadcasts(store: Store, service: BroadcastService): void { attached.set(store, service); }
export function broadcastsOf(store: Store): BroadcastService | undefined { return attached.get(store); }
