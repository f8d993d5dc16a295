/**
 * The ways out of a broadcast, per channel, through the channels' Outboxes (retries with backoff, the platform's
 * rates shared with the replies; `bulk` parts never go ahead of someone's answer).
 *
 * - Telegram: the bot's own Outbox, at most 20 broadcast messages a second (of Telegram's ~30 overall), 1 per chat.
 * - Messenger: an Outbox of its own over the marketing-message endpoint, to the person's notification messages
 *   token (src/channels/messenger/marketing.ts), never to the PSID with a tag.
 * - Zalo: none (see src/campaigns/subscriptions.ts): the dry-run shows Zalo subscribers as not sendable.
 */
import type { OutMessage } from '../engine/types.js';
import type { Logger } from '../log.js';
import { Outbox, type OutboxOptions } from '../channels/outbox.js';
import { marketingBody, marketingSendOne, type MarketingConfig } from '../channels/messenger/marketing.js';
import type { ChannelAdapter, SendAttempt } from '../channels/types.js';
import type { BroadcastSender, SendOutcome } from './broadcast.js';
import type { OpenSubscription } from './subscriptions.js';

/** Telegram's documented pace for bulk notifications is about 30 a second; a broadcast takes 20 of them. */
export const TELEGRAM_BROADCAST_PER_SECOND = 20;
/** Messenger marketing messages: a conservative pace (Meta meters per page; 429/613 answers are retried). */
export const MESSENGER_BROADCAST_PER_SECOND = 20;

function outcomeOf(results: SendAttempt[]): SendOutcome {
  if (!results.length) return 'failed';
  const bad = results.find((r) => !r.ok);
  if (!bad) return 'sent';
  return bad.code === 'blocked' ? 'gone' : 'failed';
}

/** Hands one rendered message to an Outbox and tells what became of it. */
function through(outbox: Outbox, address: string, rendered: unknown[]): Promise<SendOutcome> {
  const results: SendAttempt[] = [];
  return outbox.send(address, rendered, { bulk: true, result: (r) => { results.push(r); } }).then(() => outcomeOf(results));
}

/** A channel adapter's own Outbox (the one its replies use). */
export function adapterSender(adapter: Pick<ChannelAdapter, 'render'>, outbox: Outbox, perSecond: number, concurrency = 8): BroadcastSender {
  return { perSecond, concurrency, send: (sub: OpenSubscription, m: OutMessage) => through(outbox, sub.address, adapter.render([m])) };
}

/** Messenger marketing messages, to the subscription's token, through an Outbox of their own. */
export function messengerMarketingSender(cfg: MarketingConfig, log: Logger, perSecond = MESSENGER_BROADCAST_PER_SECOND, opts: OutboxOptions = {}): BroadcastSender {
  const sendOne = marketingSendOne(cfg);
  const adapter = { name: 'messenger', rate: { perSecond, perAddressPerSecond: 1 }, sendOne } as unknown as ChannelAdapter;
  const outbox = new Outbox(adapter, log, opts);
  return {
    perSecond,
    send: async (sub, m) => {
      const token = sub.permit.token;
      if (!token) return 'failed';
      return through(outbox, token, [marketingBody(token, m)]);
    },
  };
}
