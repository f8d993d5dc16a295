/**
 * Messenger outside the 24-hour window, the only allowed way: Meta's marketing-message opt-in, never a message tag
 * (checked 2026-12-01; sources in src/campaigns/subscriptions.ts).
 *
 * - The opt-in request is a `notification_messages` template sent inside the window (`optInRequest`); one per
 *   person per week with the same title, and only inside the 24-hour window.
 * - The person's answer arrives as a `messaging_optins` webhook: `optin.type = "notification_messages"` with a
 *   `notification_messages_token`, `notification_messages_frequency`, `token_expiry_timestamp` and
 *   `notification_messages_status` ("STOP_NOTIFICATIONS" / "RESUME_NOTIFICATIONS"): `readOptin` reads it into what
 *   the subscription keeps (the token sealed with the address, the expiry plain so a broadcast can skip it).
 * - Sends go to `recipient: { notification_messages_token }` (`MarketingSender`); an expired or stopped token gets
 *   nothing. The new Marketing Message API for Messenger needs App Review and an ad account, and Meta charges per
 *   message: MESSENGER_MARKETING_PATH sets where sends are posted (default `me/messages`).
 */
import { graphPost } from './graph.js';
import type { OutMessage } from '../../engine/types.js';
import type { SendAttempt } from '../types.js';

/** What a `messaging_optins` event says about a person's marketing-message permission. */
export type OptinUpdate =
  | { kind: 'granted'; address: string; token: string; frequency?: string; expiresAt: number | null }
  | { kind: 'stopped'; address: string };

/** Reads one `messaging` item of the webhook; null when it is not a notification-messages opt-in. */
export function readOptin(item: unknown): OptinUpdate | null {
  if (!item || typeof item !== 'object') return null;
  const m = item as { sender?: { id?: unknown }; optin?: Record<string, unknown> };
  const o = m.optin;
  const address = m.sender?.id;
  if (!o || o.type !== 'notification_messages' || typeof address !== 'string' || !address) return null;
  if (o.notification_messages_status === 'STOP_NOTIFICATIONS') return { kind: 'stopped', address };
  const token = o.notification_messages_token;
  if (typeof token !== 'string' || !token) return null;
  const exp = Number(o.token_expiry_timestamp);
  return {
    kind: 'granted', address, token,
    ...(typeof o.notification_messages_frequency === 'string' ? { frequency: o.notification_messages_frequency } : {}),
    expiresAt: Number.isFinite(exp) && exp > 0 ? exp : null,
  };
}

/** The opt-in request template (sent inside the 24-hour window, at most once a week per person). */
export function optInRequest(address: string, lang: string, payload = 'campaign_news'): unknown {
  return {
    recipient: { id: address },
    message: {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'notification_messages',
          title: lang === 'en' ? 'Prevention news, at most weekly' : 'Tin phòng chống, tối đa 1 tin/tuần',
          payload,
          notification_messages_frequency: 'WEEKLY',
          notification_messages_reoptin: 'ENABLED',
          notification_messages_timezone: 'Asia/Ho_Chi_Minh',
        },
      },
    },
  };
}

/** A campaign message for a token: its text and up to 3 postback buttons (a button template). */
export function marketingBody(token: string, m: OutMessage): unknown {
  const buttons = (m.choices ?? []).slice(0, 3).map((c) => ({ type: 'postback', title: c.label.slice(0, 20), payload: c.id }));
  return {
    recipient: { notification_messages_token: token },
    message: buttons.length
      ? { attachment: { type: 'template', payload: { template_type: 'button', text: m.text.slice(0, 640), buttons } } }
      : { text: m.text.slice(0, 2000) },
  };
}

export interface MarketingConfig { graphUrl: string; pageToken: string; path?: string }

/** Sends one rendered marketing body (the Outbox's `sendOne`): the address is the token. */
export function marketingSendOne(cfg: MarketingConfig): (address: string, rendered: unknown) => Promise<SendAttempt> {
  return (_address, rendered) => graphPost(cfg.graphUrl, cfg.path ?? 'me/messages', cfg.pageToken, rendered);
}
