/**
 * Wires channel adapters to the bot: an inbound event (already verified and acknowledged) waits its turn in the
 * fair inbound queue, runs one turn, and the replies go out through the channel's Outbox. A redelivered event
 * sends nothing.
 */
import type { Bot } from '../app/bot.js';
import type { Logger } from '../log.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import { InboundQueue, type InboundQueueOptions } from './inbound.js';
import type { ChannelAdapter, InboundEvent } from './types.js';

/** How often one address is told it is sending too fast. */
const LIMITED_NOTICE_EVERY_MS = 60_000;

export class ChannelDispatcher {
  readonly outbox: Outbox;
  private readonly toldLimited = new Map<string, number>();
  readonly inbound: InboundQueue<InboundEvent>;

  constructor(readonly adapter: ChannelAdapter, private readonly bot: Bot, private readonly log: Logger, outbox?: OutboxOptions, inbound?: InboundQueueOptions) {
    this.outbox = new Outbox(adapter, log, outbox);
    this.inbound = new InboundQueue((e) => this.process(e).catch((err: Error) => {
      this.log.error('inbound event failed', { channel: this.adapter.name, error: err.message });
    }), inbound);
  }

  /** Called by the adapter after it answered the platform; never throws. */
  readonly deliver = (event: InboundEvent): void => {
    // Keyed by the platform address only in memory, for ordering; a person far over every limit is refused here.
    if (!this.inbound.push(event.address, event)) this.log.warn('inbound event refused: too many waiting from one conversation', { channel: this.adapter.name });
  };

  private async process(e: InboundEvent): Promise<void> {
    const channel = this.adapter.name;
    if (e.kind === 'stop') {
      await this.bot.forget(channel, e.address);
      return;
    }
    const out = await this.bot.handle({
      channel, userId: e.address, messageId: e.dedupeKey,
      start: e.kind === 'start' || undefined,
      attachment: e.attachment !== undefined || undefined,
      payload: e.payload, text: e.payload === undefined && e.attachment === undefined ? e.text ?? '' : undefined,
    });
    if (out.duplicate || out.replies.length === 0) return;
    // Someone sending faster than the limits is told so once a minute, not once per message.
    if (out.limited && !this.tellLimited(e.address)) return;
    // Not awaited: the turn is done; the reply waits its turn in the outbox without holding an inbound slot.
    void this.outbox.send(e.address, this.adapter.render(out.replies), {
      notice: () => this.adapter.render([{ text: this.bot.say('busy', out.lang) }]),
    });
  }

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
  }
}
