/**
 * Durable edges (issue #11, item 4): nothing a person sent and nothing the bot answered lives only in memory.
 *
 *   webhook → `accept` stores the event, sealed, under its processed-message key → 200 → the turn runs → the
 *   turn's commit removes the inbox row and writes the replies to the outbox (one write) → sent → `sent`.
 *
 * A kill -9 anywhere leaves either the inbox row (the turn runs again at the next start; a turn that had
 * committed is recognised as a redelivery) or the outbox row (the reply is sent again: at most once more).
 * Rows carry their instance's name: an instance takes its own previous run's rows at start, and anyone's that
 * an instance left for longer than `STALE_AFTER_MS` (one that never came back).
 */
import { randomUUID } from 'node:crypto';
import type { OutMessage } from '../engine/types.js';
import type { EdgeStore, InboxItem, OutboxItem } from '../store/port.js';
import type { InboundEvent } from './types.js';

/** Rows another instance left this long ago are taken over (its replies would have gone out long before). */
export const STALE_AFTER_MS = 5 * 60_000;
/** How often an instance looks for rows an instance that never came back left. */
export const SWEEP_EVERY_MS = 60_000;

interface Sealer { encrypt(plain: string, field: string): string; decrypt(value: string, field: string): string }

/** A reply as kept in the outbox: where it goes and the engine's messages (rendered at send time). */
export interface KeptReply { address: string; messages: OutMessage[] }

export class Edges {
  constructor(private readonly store: EdgeStore, private readonly cipher: Sealer, readonly owner: string, private readonly now: () => number = Date.now) {}

  /**
   * Stores an inbound event before its webhook is answered; null when a copy is already waiting (a redelivery).
   * Throws when the store cannot take it: the adapter answers 503 and the platform delivers it again.
   */
  async accept(channel: string, id: string, event: InboundEvent): Promise<InboxItem | null> {
    const item: InboxItem = { id, channel, data: this.cipher.encrypt(JSON.stringify(event), 'inbox'), at: this.now(), owner: this.owner };
    return (await this.store.inboxAdd(item)) ? item : null;
  }

  /** The event of an inbox row. */
  open(item: InboxItem): InboundEvent {
    return JSON.parse(this.cipher.decrypt(item.data, 'inbox')) as InboundEvent;
  }

  /** A turn's replies as an outbox row, written with the turn's commit. */
  keep(channel: string, address: string, replies: OutMessage[], sessionKey: string, turn: string): OutboxItem {
    const kept: KeptReply = { address, messages: replies };
    return { id: randomUUID(), sessionKey, channel, data: this.cipher.encrypt(JSON.stringify(kept), 'outbox'), at: this.now(), owner: this.owner, turn };
  }

  /** The reply of an outbox row. */
  reply(item: OutboxItem): KeptReply {
    return JSON.parse(this.cipher.decrypt(item.data, 'outbox')) as KeptReply;
  }

  /**
   * Left-over rows, replies first (they answer turns that committed, before anything runs again): at start
   * (`own`) this instance's previous run's and anyone's stale ones; in a sweep only other instances' stale ones
   * (some of this instance's own are in flight).
   */
  async leftovers(own: boolean): Promise<{ inbox: InboxItem[]; outbox: OutboxItem[] }> {
    const take = { owner: this.owner, own, staleBefore: this.now() - STALE_AFTER_MS };
    const outbox = await this.store.outboxTake(take);
    return { inbox: await this.store.inboxTake(take), outbox };
  }

  inboxDone(id: string): Promise<void> {
    return this.store.inboxDone(id);
  }

  sent(id: string): Promise<void> {
    return this.store.outboxDone(id);
  }
}
