/**
 * Opt-in campaign subscriptions (issue #13, item 2): "Nhận tin phòng chống".
 *
 * A subscription keeps only what sending needs: the channel, the address sealed (AES-256-GCM, the app's
 * FieldCipher, field "campaign-sub") together with the platform's permission data (Messenger's notification
 * messages token), the language, the opt-in time and when the permission ends. Its key is an HMAC of channel and
 * address under its own label ("campaign-sub"), so it never equals the conversation's session key: nothing links a
 * subscription to a session, a tip or a case, and the key only finds the subscription again when the same person
 * says "dừng nhận tin" (or the platform says they blocked the bot) so it can be deleted.
 *
 * Which channels can carry a subscription (checked 2026-12-01):
 * - Telegram: a bot may message anyone who started it, until they block it; broadcasts are paced at about 30
 *   messages per second overall and 1 per second per chat (Telegram Bot FAQ, "My bot is hitting limits",
 *   https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this; grammY's summary
 *   https://grammy.dev/advanced/flood).
 * - Messenger: outside the 24-hour window only with Meta's marketing-message opt-in: the person taps the opt-in
 *   request, the `messaging_optins` webhook brings a `notification_messages_token` (with frequency, expiry and a
 *   stop/resume status), and messages are sent to that token, never with a message tag
 *   (https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_optins).
 *   Meta retired the old Send-API "recurring notifications" on 2026-02-10; its successor, the Marketing Message
 *   API for Messenger, needs App Review (ads_management, pages_messaging, paid_marketing_messages), an ad account,
 *   and is paid per message (Viet Nam is among its business regions:
 *   https://developers.facebook.com/documentation/business-messaging/messenger-platform/marketing-messages-on-messenger).
 *   See src/channels/messenger/optin.ts.
 * - Zalo OA: "tin tư vấn"/reply messages only after the person wrote (8 free within 48 h of their message in
 *   Zalo's current OA rules), "tin chủ động"/"tin truyền thông" to followers only for a verified OA within its
 *   monthly quota (1,000 free a month, then paid), and Zalo's own broadcast tool in the OA admin
 *   (https://zalooa.freshdesk.com/support/solutions/articles/64000261136). This version stores Zalo subscriptions
 *   but does not send broadcasts there until a quota is configured: the dry-run shows them as "not sendable".
 * - Web chat: nothing is ever sent unasked; the subscription is not offered there.
 */
import { hmac } from '../secrets.js';
import type { FieldCipher } from '../cases/cipher.js';
import type { CampaignSubscription, SubscriptionStore } from '../store/port.js';

/** The channels a subscription can be kept for. */
export const SUBSCRIBABLE = ['telegram', 'messenger', 'zalo'] as const;
export type SubscribableChannel = (typeof SUBSCRIBABLE)[number];

/** What the platform allowed (sealed with the address). */
export interface Permit {
  /** Messenger: the notification messages token sending uses instead of the PSID. */
  token?: string;
  /** Messenger: the frequency the person chose ("DAILY", "WEEKLY", "MONTHLY"), where the platform gives one. */
  frequency?: string;
}

export interface OpenSubscription { key: string; channel: string; address: string; lang: string; since: number; expiresAt: number | null; permit: Permit }

const FIELD = 'campaign-sub';

export function isSubscribable(channel: string): channel is SubscribableChannel {
  return (SUBSCRIBABLE as readonly string[]).includes(channel);
}

export class SubscriptionRegistry {
  /** `key`: the server secret (the lookup keys); a registry that only opens subscriptions (a broadcast) needs none. */
  constructor(private readonly store: SubscriptionStore, private readonly cipher: Pick<FieldCipher, 'encrypt' | 'decrypt'>, private readonly key?: Buffer) {}

  /** The lookup key of (channel, address): a keyed one-way hash under its own label, never a session key. */
  keyOf(channel: string, address: string): string {
    if (!this.key) throw new Error('this subscription registry has no server secret');
    return hmac(this.key, FIELD, channel, address);
  }

  async subscribe(s: { channel: string; address: string; lang: string; now: number; expiresAt?: number | null; permit?: Permit }): Promise<string> {
    if (!isSubscribable(s.channel)) throw new Error(`channel ${s.channel} takes no subscription`);
    const key = this.keyOf(s.channel, s.address);
    const sealed = this.cipher.encrypt(JSON.stringify({ address: s.address, permit: s.permit ?? {} }), FIELD);
    await this.store.putSubscription({ key, channel: s.channel, sealed, lang: s.lang === 'en' ? 'en' : 'vi', since: s.now, expiresAt: s.expiresAt ?? null });
    return key;
  }

  /** Deletes the subscription of this person on this channel; true when there was one. */
  async unsubscribe(channel: string, address: string): Promise<boolean> {
    return this.store.deleteSubscription(this.keyOf(channel, address));
  }

  async isSubscribed(channel: string, address: string): Promise<boolean> {
    return (await this.store.getSubscription(this.keyOf(channel, address))) !== null;
  }

  open(s: CampaignSubscription): OpenSubscription {
    const { address, permit } = JSON.parse(this.cipher.decrypt(s.sealed, FIELD)) as { address: string; permit?: Permit };
    return { key: s.key, channel: s.channel, address, lang: s.lang, since: s.since, expiresAt: s.expiresAt, permit: permit ?? {} };
  }
}

/**
 * Applies Messenger's `messaging_optins` answer (src/channels/messenger/marketing.ts `readOptin`): a granted
 * token is kept sealed with the address (its expiry plain, so a broadcast skips it once expired); "stop" deletes
 * the subscription at once.
 */
export async function applyMessengerOptin(
  subs: SubscriptionRegistry,
  u: { kind: 'granted'; address: string; token: string; frequency?: string; expiresAt: number | null } | { kind: 'stopped'; address: string },
  lang: string, now: number,
): Promise<void> {
  if (u.kind === 'stopped') { await subs.unsubscribe('messenger', u.address); return; }
  await subs.subscribe({ channel: 'messenger', address: u.address, lang, now, expiresAt: u.expiresAt, permit: { token: u.token, ...(u.frequency ? { frequency: u.frequency } : {}) } });
}
