/**
 * The broadcast trial's world (shared by `npm run trial:broadcast` and tests/broadcast.test.ts): a SQLite store in
 * a file, test subscribers on Telegram and Messenger, the real Telegram adapter and the Messenger marketing sender
 * pointed at a loopback stand-in, and a clock that can be moved (quiet hours without waiting a night).
 */
import { randomBytes } from 'node:crypto';
import type { Problem } from '../bundle/problems.js';
import { loadCampaigns } from '../campaigns/load.js';
import { BroadcastRunner } from '../campaigns/broadcast.js';
import { adapterSender, messengerMarketingSender, TELEGRAM_BROADCAST_PER_SECOND } from '../campaigns/senders.js';
import { SubscriptionRegistry } from '../campaigns/subscriptions.js';
import { FieldCipher } from '../cases/cipher.js';
import { Outbox, type OutboxOptions } from '../channels/outbox.js';
import { createTelegramAdapter } from '../channels/telegram/index.js';
import type { Logger } from '../log.js';
import { SqliteStore } from '../store/sqlite/index.js';

export const TRIAL_TOKEN = '123456789:AAtrial_token_for_the_broadcast_trial';

export interface WorldKeys { key: string; cipher: string }
export function newKeys(): WorldKeys {
  return { key: randomBytes(32).toString('hex'), cipher: randomBytes(32).toString('hex') };
}

/** A clock that runs with real time, plus whatever a long sleep skipped (a night waited in no time). */
export class TrialClock {
  private skipped = 0;
  private readonly t0 = Date.now();
  constructor(private readonly start: number, private readonly skipAbove = 5_000) {}
  now = (): number => this.start + (Date.now() - this.t0) + this.skipped;
  sleep = async (ms: number): Promise<void> => {
    if (ms > this.skipAbove) { this.skipped += ms; return; }
    await new Promise((r) => setTimeout(r, ms));
  };
}

export function openWorld(file: string, keys: WorldKeys) {
  const store = new SqliteStore(file);
  const cipher = new FieldCipher({ active: 'k1', keys: { k1: Buffer.from(keys.cipher, 'hex') } });
  const subs = new SubscriptionRegistry(store, cipher, Buffer.from(keys.key, 'hex'));
  const problems: Problem[] = [];
  const campaigns = loadCampaigns(process.cwd(), problems).campaigns;
  if (problems.length) throw new Error(`campaigns: ${problems.map((p) => `${p.file}: ${p.message}`).join('; ')}`);
  return { store, subs, campaigns };
}

/** n subscribers, alternately Telegram (chat "tg-<i>") and Messenger (token "tok-<i>"). */
export async function seedSubscribers(world: ReturnType<typeof openWorld>, n: number, now: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) await world.subs.subscribe({ channel: 'telegram', address: `tg-${i}`, lang: i % 4 === 0 ? 'vi' : 'en', now });
    else await world.subs.subscribe({ channel: 'messenger', address: `psid-${i}`, lang: 'vi', now, expiresAt: null, permit: { token: `tok-${i}`, frequency: 'WEEKLY' } });
  }
}

export function makeRunner(world: ReturnType<typeof openWorld>, fakeUrl: string, log: Logger, clock: TrialClock, perSecond = TELEGRAM_BROADCAST_PER_SECOND, outbox: OutboxOptions = {}): BroadcastRunner {
  const tg = createTelegramAdapter({ TELEGRAM_BOT_TOKEN: TRIAL_TOKEN, TELEGRAM_WEBHOOK_SECRET: 'trial_webhook_secret_0123456789abcdef', TELEGRAM_API_BASE: fakeUrl }, { log, store: world.store });
  if (!tg) throw new Error('telegram adapter not configured');
  const senders = new Map([
    ['telegram', adapterSender(tg, new Outbox(tg, log, outbox), perSecond)],
    ['messenger', messengerMarketingSender({ graphUrl: fakeUrl, pageToken: 'trial-page-token' }, log, perSecond, outbox)],
  ]);
  return new BroadcastRunner({ store: world.store, subscriptions: world.subs, campaigns: world.campaigns, senders, log, now: clock.now, sleep: clock.sleep });
}

/** Which subscriber a recorded request was for: "tg-<i>" or "tok-<i>" → i. */
export function recipientOf(path: string, json: unknown): { channel: string; i: number } | null {
  const j = json as { chat_id?: string; recipient?: { notification_messages_token?: string } } | undefined;
  if (path.endsWith('/sendMessage') && typeof j?.chat_id === 'string') return { channel: 'telegram', i: Number(j.chat_id.slice(3)) };
  const t = j?.recipient?.notification_messages_token;
  if (typeof t === 'string') return { channel: 'messenger', i: Number(t.slice(4)) };
  return null;
}

/** The most requests of one channel within any 1-second window. */
export function peakPerSecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}
