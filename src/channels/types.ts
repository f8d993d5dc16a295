/**
 * READ docs/channels/ADAPTERS.md FIRST: the rules every adapter follows (files you own, factory and
 * ConfigError, verification, normalisation, rendering, SendAttempt, tests with FakePlatform, docs).
 *
 * The channel adapter contract. Inbound: verify → parse → normalise to an InboundEvent → the
 * dispatcher dedupes and runs the bot. Outbound: render the engine's messages within the platform's
 * limits → send through the Outbox (retry with backoff, rate limits). Adding a channel means adding
 * one folder under src/channels, nothing in the engine.
 */
import type { Router } from 'express';
import type { OutMessage } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/port.js';
import type { Capabilities } from './capabilities.js';

export type ChannelName = 'zalo' | 'messenger' | 'telegram' | 'botframework';

/** One inbound user event, normalised at the adapter edge. Names, usernames and profiles are dropped there. */
export interface InboundEvent {
  /** The platform's user id (PSID, Zalo sender id, Telegram chat id...). Used only for the session HMAC and for replying. */
  address: string;
  /** The platform's message/update id: redeliveries carry the same one. */
  dedupeKey?: string;
  kind: 'message' | 'start' | 'stop';
  text?: string;
  /** A tapped button's payload (as the engine gave it). */
  payload?: string;
  /** Something other than text was sent (photo, file, location, sticker...): acknowledged, never fetched. */
  attachment?: 'image' | 'file' | 'location' | 'sticker' | 'audio' | 'video' | 'other';
  /** A campaign poster's ref (Telegram `/start <ref>`, a Messenger m.me `ref`): a place, never a person. */
  ref?: string;
  /** When the person sent it (the platform's time, epoch ms), where the platform says. */
  at?: number;
}

/** Hands one inbound event to the bot; resolves once it is stored (durable inbox). */
export type Deliver = (event: InboundEvent) => Promise<void>;

/** What a platform answered to one send call. */
export interface SendAttempt {
  ok: boolean;
  /** Worth trying again (429, 5xx, timeout, token refresh). */
  retryable?: boolean;
  /** Wait at least this long before trying again (Telegram retry_after, Retry-After). */
  retryAfterMs?: number;
  /** Short platform error code for logs and metrics (never content). */
  code?: string;
  /**
   * Nothing more can reach this address for now (reply window closed, user blocked the bot, no
   * conversation reference, token refused): the rest of the reply is not attempted. Any other final
   * failure drops only its own part; the following parts are still sent.
   */
  unreachable?: boolean;
}

export interface ChannelAdapter {
  readonly name: ChannelName;
  /**
   * Mounts the webhook route(s). Handlers hand each event to `deliver` and answer the platform when every
   * `deliver` has resolved (the event is stored then); if one rejects, the store could not keep it: answer
   * 503 so the platform delivers it again.
   */
  mount(router: Router, deliver: Deliver): void;
  /** An event taken back from the durable inbox after a restart (e.g. Messenger reopens its reply window). */
  resumed?(event: InboundEvent): void;
  /** Renders the engine's messages into this platform's send calls (split, buttons, numbered lists). */
  render(messages: OutMessage[]): unknown[];
  /** Sends one rendered message to an address. Must not throw for platform errors: report them. */
  sendOne(address: string, rendered: unknown): Promise<SendAttempt>;
  /**
   * Shows "typing…" at an address (a counsellor typing in a live chat), where the platform has it. Best effort:
   * one call, not queued or retried; inside the reply window only. Must not throw.
   */
  typing?(address: string): Promise<SendAttempt>;
  /** What this channel can do (opt-in notifications, live chats): asked for instead of its name. */
  readonly capabilities: Capabilities;
  /** Per-channel rate limits: messages per second overall and per address (Telegram: 30 and 1). */
  readonly rate?: { perSecond: number; perAddressPerSecond: number };
  /** Long polling or other background work, started after mount (optional). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface ChannelDeps {
  log: Logger;
  store: Store;
  /** Seals secrets an adapter keeps in the store (e.g. Zalo's token pair) like the tips are sealed. */
  cipher?: { encrypt(plain: string, field: string): string; decrypt(value: string, field: string): string };
  /** Test hook: the clock, epoch ms. */
  now?: () => number;
}
