/** Engine messages → Messenger Send API `message` objects (text < 2000 chars, ≤ 13 quick replies, titles ≤ 20). */
import type { OutMessage } from '../../engine/types.js';

/** channels.md §2.1: text is "<2000 chars". Counted in UTF-16 units, which is never fewer than characters. */
export const MAX_TEXT = 1999;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;
export const MAX_PAYLOAD = 1000;

export interface MessengerQuickReply { content_type: 'text'; title: string; payload: string }
export interface MessengerMessage { text: string; quick_replies?: MessengerQuickReply[] }

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** Where to cut `s` (length > limit): the last paragraph, line, sentence or word boundary within the limit. */
function cutPoint(s: string, limit: number): number {
  const head = s.slice(0, limit + 1);
  const min = Math.floor(limit / 4); // avoid slivers: a boundary in the first quarter is not worth it
  for (const sep of ['\n\n', '\n']) {
    const i = head.lastIndexOf(sep, limit);
    if (i >= min) return i;
  }
  let sentence = -1;
  for (const m of head.slice(0, limit).matchAll(/[.!?…](?=\s)/g)) sentence = m.index + 1;
  if (sentence >= min) return sentence;
  const space = head.lastIndexOf(' ', limit);
  if (space >= min) return space;
  return isHighSurrogate(s.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

/** Splits a text into chunks of at most `limit` UTF-16 units on clean boundaries; trims each chunk. */
export function splitText(text: string, limit = MAX_TEXT): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    const chunk = rest.slice(0, at).trimEnd();
    if (chunk) out.push(chunk);
    rest = rest.slice(at).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/** Whether the choices fit as quick replies; otherwise they become a numbered list. */
export function fitsQuickReplies(choices: NonNullable<OutMessage['choices']>): boolean {
  return choices.length <= MAX_QUICK_REPLIES
    && choices.every((c) => c.label.trim().length > 0 && c.label.length <= MAX_QUICK_REPLY_TITLE && c.id.length > 0 && c.id.length <= MAX_PAYLOAD);
}

export function renderMessages(messages: OutMessage[]): MessengerMessage[] {
  const out: MessengerMessage[] = [];
  for (const m of messages) {
    const choices = m.choices ?? [];
    let text = m.text ?? '';
    let quick: MessengerQuickReply[] | undefined;
    if (choices.length) {
      if (fitsQuickReplies(choices)) {
        quick = choices.map((c) => ({ content_type: 'text', title: c.label, payload: c.id }));
      } else {
        // The engine accepts a typed number for the n-th choice.
        text = `${text.trimEnd()}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
      }
    }
    const chunks = splitText(text);
    if (chunks.length === 0) {
      if (!quick) continue;
      chunks.push('…'); // quick replies need a text to hang on
    }
    chunks.forEach((t, i) => out.push(i === chunks.length - 1 && quick ? { text: t, quick_replies: quick } : { text: t }));
  }
  return out;
}
