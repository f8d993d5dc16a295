/**
 * Messenger webhook payloads → InboundEvents. Only the PSID (as the reply address), the message id
 * (dedupe), the text, a quick-reply/postback payload and an attachment *kind* leave this file; names,
 * titles, attachment URLs, reply_to and the Page id are dropped here; of a referral only an m.me `ref` that is a
 * campaign poster's ref is kept (a place, never a person; ads' ids and sources are dropped).
 */
import type { InboundEvent } from '../types.js';

/** The Get Started button's payload (set by `binhan channels setup messenger`). */
export const START_PAYLOAD = 'start';
/** Also accepted as "start", for a Page whose Get Started button was set by hand with the common default. */
const START_ALIASES = new Set([START_PAYLOAD, 'GET_STARTED']);

const MAX_ID = 128;
const MAX_TEXT = 20_000;
const MAX_PAYLOAD = 1000;

export type Skip = 'echo' | 'delivery' | 'read' | 'reaction' | 'malformed' | 'other';

export interface Normalised {
  event?: InboundEvent;
  /** The user's message time (epoch ms), for the 24-hour window. */
  at?: number;
  skipped?: Skip;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A campaign poster's ref from a `referral` object (m.me/<page>?ref=<ref>). */
const posterRef = (v: unknown): string | undefined => (isObj(v) && typeof v.ref === 'string' && /^p[a-z0-9]{7}$/.test(v.ref) ? v.ref : undefined);
const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

const ATTACHMENT_KINDS: Record<string, NonNullable<InboundEvent['attachment']>> = {
  image: 'image', video: 'video', audio: 'audio', file: 'file', location: 'location',
};

/** All messaging items of a `page` webhook body (several entries, several items each). */
export function messagingItems(body: unknown): unknown[] {
  if (!isObj(body) || body.object !== 'page' || !Array.isArray(body.entry)) return [];
  const items: unknown[] = [];
  for (const entry of body.entry) {
    if (isObj(entry) && Array.isArray(entry.messaging)) items.push(...entry.messaging);
  }
  return items;
}

export function normalise(item: unknown): Normalised {
  if (!isObj(item)) return { skipped: 'malformed' };
  const sender = isObj(item.sender) ? str(item.sender.id, MAX_ID) : undefined;
  // PSIDs are digit strings beyond 2^53: a number here has already lost digits, so it is refused.
  if (!sender || !/^\d+$/.test(sender)) return { skipped: 'malformed' };
  const at = typeof item.timestamp === 'number' && Number.isFinite(item.timestamp) ? item.timestamp : undefined;

  if (isObj(item.message)) {
    const m = item.message;
    if (m.is_echo === true) return { skipped: 'echo' };
    const mid = str(m.mid, MAX_ID);
    if (!mid) return { skipped: 'malformed' };
    const base = { address: sender, dedupeKey: mid, kind: 'message' as const };
    const qr = isObj(m.quick_reply) ? str(m.quick_reply.payload, MAX_PAYLOAD) : undefined;
    if (qr !== undefined) return { event: { ...base, payload: qr }, at };
    const text = typeof m.text === 'string' ? m.text.slice(0, MAX_TEXT) : '';
    if (text.trim()) return { event: { ...base, text }, at };
    if (m.sticker_id !== undefined) return { event: { ...base, attachment: 'sticker' }, at };
    if (Array.isArray(m.attachments) && m.attachments.length) {
      const first = m.attachments[0];
      const type = isObj(first) && typeof first.type === 'string' ? first.type : '';
      return { event: { ...base, attachment: Object.hasOwn(ATTACHMENT_KINDS, type) ? ATTACHMENT_KINDS[type] : 'other' }, at };
    }
    return { skipped: 'malformed' };
  }

  if (isObj(item.postback)) {
    const p = item.postback;
    const payload = str(p.payload, MAX_PAYLOAD);
    if (payload === undefined) return { skipped: 'malformed' };
    // Older postbacks carry no mid: fall back to (sender, time, payload), which a redelivery repeats.
    const mid = str(p.mid, MAX_ID) ?? (at !== undefined ? `pb:${sender}:${at}:${payload}` : undefined);
    const base = { address: sender, ...(mid ? { dedupeKey: mid } : {}) };
    const ref = posterRef(p.referral);
    if (START_ALIASES.has(payload)) return { event: { ...base, kind: 'start', ...(ref ? { ref } : {}) }, at };
    return { event: { ...base, kind: 'message', payload }, at };
  }

  // An m.me link opened in an existing thread (messaging_referrals): only a poster's ref starts something.
  if (isObj(item.referral)) {
    const ref = posterRef(item.referral);
    if (!ref || at === undefined) return { skipped: 'other' };
    return { event: { address: sender, dedupeKey: `ref:${sender}:${at}`, kind: 'start', ref }, at };
  }
  if (isObj(item.delivery)) return { skipped: 'delivery' };
  if (isObj(item.read)) return { skipped: 'read' };
  if (isObj(item.reaction)) return { skipped: 'reaction' };
  return { skipped: 'other' };
}
