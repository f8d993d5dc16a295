/**
 * Telegram updates → InboundEvents, at the edge. Only the private chat id (the reply address; global
 * across Telegram, so the dispatcher only ever uses it through the session HMAC and for sending), the
 * update_id (dedupe), the text, a button's callback data and an attachment *kind* leave this file.
 * first_name, last_name, username, language_code, contacts, captions, file ids and coordinates are
 * dropped here. Groups, supergroups and channels are ignored (Bình An is a one-to-one tip line).
 */
import type { InboundEvent } from '../types.js';

const MAX_TEXT = 20_000;
const MAX_DATA = 64;

export type Skip = 'not_private' | 'malformed' | 'edited' | 'member' | 'other';

export interface Normalised {
  event?: InboundEvent;
  /** A callback_query id that must be answered (even when the event itself is skipped). */
  callbackId?: string;
  /** The update's kind, for logs (message, callback_query, my_chat_member, …). */
  type: string;
  skipped?: Skip;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A private chat's id as a string; ids fit in 52 bits, so a JSON number is exact (channels.md §3.1). */
function privateChatId(chat: unknown): string | undefined {
  if (!isObj(chat) || chat.type !== 'private') return undefined;
  const id = chat.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return String(id);
  if (typeof id === 'string' && /^\d{1,20}$/.test(id)) return id;
  return undefined;
}

const ATTACHMENTS: [string, NonNullable<InboundEvent['attachment']>][] = [
  ['photo', 'image'], ['document', 'file'], ['location', 'location'], ['venue', 'location'],
  ['sticker', 'sticker'], ['voice', 'audio'], ['audio', 'audio'], ['video', 'video'],
  ['video_note', 'video'], ['animation', 'video'], ['contact', 'other'], ['poll', 'other'], ['dice', 'other'],
];

/** The first key of the update other than update_id: "message", "callback_query", … */
export function updateType(update: unknown): string {
  if (!isObj(update)) return 'malformed';
  const k = Object.keys(update).find((key) => key !== 'update_id');
  return k && /^[a-z_]{1,40}$/.test(k) ? k : 'other';
}

/** `/start`, `/start payload`, `/start@MyBot`: the deep-link payload is kept only when it is a campaign poster's ref. */
const isStart = (text: string): boolean => /^\/start(@[A-Za-z0-9_]{1,64})?(\s|$)/.test(text.trim());
const startRef = (text: string): string | undefined => /^\/start(?:@[A-Za-z0-9_]{1,64})?\s+(p[a-z0-9]{7})$/.exec(text.trim())?.[1];

export function normalise(update: unknown): Normalised {
  const type = updateType(update);
  if (!isObj(update)) return { type, skipped: 'malformed' };
  const uid = update.update_id;
  const dedupeKey = typeof uid === 'number' && Number.isSafeInteger(uid) && uid >= 0 ? String(uid) : undefined;

  if (isObj(update.callback_query)) {
    const q = update.callback_query;
    const callbackId = typeof q.id === 'string' && q.id.length > 0 && q.id.length <= 128 ? q.id : undefined;
    // Inline-mode messages carry no `message`; only buttons in our own private chat count.
    const address = isObj(q.message) ? privateChatId(q.message.chat) : undefined;
    const data = typeof q.data === 'string' && q.data.length > 0 && Buffer.byteLength(q.data, 'utf8') <= MAX_DATA ? q.data : undefined;
    if (!address) return { type, callbackId, skipped: isObj(q.message) ? 'not_private' : 'malformed' };
    if (!dedupeKey || data === undefined) return { type, callbackId, skipped: 'malformed' };
    return { type, callbackId, event: { address, dedupeKey, kind: 'message', payload: data } };
  }

  if (isObj(update.message)) {
    const m = update.message;
    const address = privateChatId(m.chat);
    if (!address) return { type, skipped: isObj(m.chat) ? 'not_private' : 'malformed' };
    if (!dedupeKey) return { type, skipped: 'malformed' };
    const base = { address, dedupeKey };
    if (typeof m.text === 'string') {
      if (isStart(m.text)) {
        const ref = startRef(m.text);
        return { type, event: { ...base, kind: 'start', ...(ref ? { ref } : {}) } };
      }
      const text = m.text.slice(0, MAX_TEXT);
      if (text.trim()) return { type, event: { ...base, kind: 'message', text } };
      return { type, skipped: 'malformed' };
    }
    for (const [key, kind] of ATTACHMENTS) {
      if (m[key] !== undefined && m[key] !== null) return { type, event: { ...base, kind: 'message', attachment: kind } };
    }
    // Service messages (pinned, new members, …) and anything new: nothing to answer.
    return { type, skipped: 'other' };
  }

  if (isObj(update.my_chat_member)) {
    const c = update.my_chat_member;
    const address = privateChatId(c.chat);
    if (!address) return { type, skipped: 'not_private' };
    const status = isObj(c.new_chat_member) ? c.new_chat_member.status : undefined;
    // "kicked" in a private chat: the user blocked the bot → forget the conversation.
    if (status === 'kicked') return { type, event: { address, ...(dedupeKey ? { dedupeKey } : {}), kind: 'stop' } };
    return { type, skipped: 'member' };
  }

  if (update.edited_message !== undefined) return { type, skipped: 'edited' };
  return { type, skipped: 'other' };
}
