/** Engine messages → Messenger Send API `message` objects (text < 2000 chars, ≤ 13 quick replies, titles ≤ 20). */
import type { OutMessage } from '../../engine/types.js';
import { splitText as split } from '../text.js';

/** channels.md §2.1: text is "<2000 chars". Counted in UTF-16 units, which is never fewer than characters. */
export const MAX_TEXT = 1999;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;
export const MAX_PAYLOAD = 1000;

export interface MessengerQuickReply { content_type: 'text'; title: string; payload: string }
export interface MessengerMessage { text: string; quick_replies?: MessengerQuickReply[] }


/** Splits a text into chunks of at most `limit` UTF-16 units on clean boundaries; trims each chunk. */
export function splitText(text: string, limit = MAX_TEXT): string[] {
  return split(text, limit).filter(Boolean);
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
