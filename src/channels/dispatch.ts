/**
 * Wires channel adapters to the bot: an inbound event (already verified and acknowledged) runs one
 * turn, and the replies go out through the channel's Outbox. A redelivered event sends nothing.
 */
import type { Bot } from '../app/bot.js';
import type { Logger } from '../log.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import type { ChannelAdapter, InboundEvent } from './types.js';

export class ChannelDispatcher {
  readonly outbox: Outbox;
  private readonly inflight = new Set<Promise<void>>();

  constructor(readonly adapter: ChannelAdapter, private readonly bot: Bot, private readonly log: Logger, outbox?: OutboxOptions) {
    this.outbox = new Outbox(adapter, log, outbox);
  }

  /** Called by the adapter after it answered the platform; never throws. */
  readonly deliver = (event: InboundEvent): void => {
    const p = this.process(event).catch((e: Error) => {
      this.log.error('inbound event failed', { channel: this.adapter.name, error: e.message });
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
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
    await this.outbox.send(e.address, this.adapter.render(out.replies));
  }

  /** Waits for every accepted event to be processed and its replies sent (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.outbox.drain();
  }
}
