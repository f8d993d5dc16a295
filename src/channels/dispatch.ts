/**
 * Wires channel adapters to the bot: an inbound event (verified) is stored in the durable inbox, then
 * acknowledged; it waits its turn in the fair inbound queue, runs one turn whose commit also keeps the replies
 * in the outbox, and they go out through the channel's Outbox. A redelivered event sends nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Bot } from '../app/bot.js';
import type { Logger } from '../log.js';
import type { InboxItem, OutboxItem } from '../store/port.js';
import type { Edges } from './edges.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { InboundQueue, type InboundQueueOptions } from './inbound.js';
import type { ChannelAdapter, InboundEvent } from './types.js';

/** An event waiting for its turn, and its inbox row (none without durable edges). */
interface Waiting { event: InboundEvent; inboxId?: string }

/** How often one address is told it is sending too fast. */
const LIMITED_NOTICE_EVERY_MS = 60_000;

export class ChannelDispatcher {
  readonly outbox: Outbox;
  private readonly toldLimited = new Map<string, number>();
  readonly inbound: InboundQueue<Waiting>;

  constructor(readonly adapter: ChannelAdapter, private readonly bot: Bot, private readonly log: Logger, outbox?: OutboxOptions, inbound?: InboundQueueOptions,
    private readonly edges?: Edges) {
    this.outbox = new Outbox(adapter, log, outbox);
    this.inbound = new InboundQueue((w) => this.process(w).catch((err: Error) => {
      // The inbox row stays: the event runs again at the next start.
      this.log.error('inbound event failed', { channel: this.adapter.name, error: err.message });
    }), inbound);
  }

  /**
   * Called by the adapter before it answers the platform: resolves once the event is stored (durable edges);
   * rejects only when the store could not keep it or the inbound queue is full (the adapter answers 503, the
   * platform sends it again).
   */
  readonly deliver = async (event: InboundEvent): Promise<void> => {
    // Bounded memory: with as many events waiting as the queue may hold, none is taken (503: delivered again later).
    if (this.inbound.full()) throw new Error('inbound queue full');
    if (!this.edges) { this.queue({ event }); return; }
    const channel = this.adapter.name;
    // Every kept event has a message id: its turn's processed key is also its inbox row's id.
    const e: InboundEvent = { ...event, dedupeKey: event.dedupeKey ?? `local:${randomUUID()}`, at: event.at ?? Date.now() };
    const item = await this.edges.accept(channel, this.bot.messageKey(channel, e.dedupeKey as string), e);
    // null: a copy is already waiting in the inbox (a redelivery while its turn has not run).
    if (item) this.queue({ event: e, inboxId: item.id });
  };

  private queue(w: Waiting): void {
    // Keyed by the platform address only in memory, for ordering; a person far over every limit is refused here.
    if (!this.inbound.push(w.event.address, w)) {
      this.log.warn('inbound event refused: too many waiting from one conversation', { channel: this.adapter.name });
      if (w.inboxId) void this.edges?.inboxDone(w.inboxId).catch(() => undefined);
    }
  }

  /** What this channel's previous run left: replies to send again, then events to run again, in order. */
  resume(left: { inbox: InboxItem[]; outbox: OutboxItem[] }): void {
    const edges = this.edges;
    if (!edges) return;
    for (const o of left.outbox) {
      const r = edges.reply(o);
      this.sendKept(r.address, this.adapter.render(r.messages), o.id);
    }
    for (const i of left.inbox) {
      const event = edges.open(i);
      this.adapter.resumed?.(event);
      this.queue({ event, inboxId: i.id });
    }
  }

  private async process(w: Waiting): Promise<void> {
    const { event: e, inboxId } = w;
    const channel = this.adapter.name;
    const edges = inboxId ? this.edges : undefined;
    if (e.kind === 'stop') {
      await this.bot.forget(channel, e.address);
      if (edges) await edges.inboxDone(inboxId as string);
      return;
    }
    const out = await this.bot.handle({
      channel, userId: e.address, messageId: e.dedupeKey, capabilities: this.adapter.capabilities,
      start: e.kind === 'start' || undefined, ...(e.ref ? { ref: e.ref } : {}),
      attachment: e.attachment !== undefined || undefined,
      payload: e.payload, text: e.payload === undefined && e.attachment === undefined ? e.text ?? '' : undefined,
      edge: edges ? { inboxId: inboxId as string, keep: (replies, sessionKey, turn) => edges.keep(channel, e.address, replies, sessionKey, turn) } : undefined,
    });
    // A turn that did not commit its edges (a redelivery, a refusal, a live chat, a store outage): its inbox
    // row goes once its reply is out.
    const settle = edges && !out.settled ? () => edges.inboxDone(inboxId as string) : undefined;
    // Someone sending faster than the limits is told so once a minute, not once per message.
    if (out.duplicate || out.replies.length === 0 || (out.limited && !this.tellLimited(e.address))) {
      await settle?.();
      return;
    }
    // Not awaited: the turn is done; the reply waits its turn in the outbox without holding an inbound slot.
    this.sendKept(e.address, this.adapter.render(out.replies), out.kept, settle, () => this.adapter.render([{ text: this.bot.say('busy', out.lang) }]));
  }

  /** Sends a reply; then its outbox row (if it has one) and its inbox row (if still there) are removed. */
  private sendKept(address: string, rendered: unknown[], kept: string | undefined, settle?: () => Promise<void>, notice?: () => unknown[]): void {
    const p = this.outbox.send(address, rendered, { notice })
      .then(async () => {
        if (kept) await this.edges?.sent(kept);
        await settle?.();
      })
      .catch((err: Error) => { this.log.warn('sent reply not cleared from the outbox', { channel: this.adapter.name, error: err.message }); });
    this.clearing.add(p);
    void p.finally(() => this.clearing.delete(p));
  }

  /** Replies sent whose outbox/inbox rows are being removed. */
  private readonly clearing = new Set<Promise<void>>();

  /** Whether to tell this address now that it is sending too fast (at most once per minute; bounded memory). */
  private tellLimited(address: string): boolean {
    const now = Date.now();
    const last = this.toldLimited.get(address);
    if (last !== undefined && now - last < LIMITED_NOTICE_EVERY_MS) return false;
    this.toldLimited.delete(address);
    if (this.toldLimited.size >= 10_000) this.toldLimited.delete(this.toldLimited.keys().next().value as string);
    this.toldLimited.set(address, now);
    return true;
  }

  /** Waits for every accepted event to be processed and its replies sent (tests, shutdown). */
  async drain(): Promise<void> {
    await this.inbound.drain();
    await this.outbox.drain();
    while (this.clearing.size) await Promise.all([...this.clearing]);
  }
}
