/**
 * Engine messages → Messenger Send API `message` objects (text < 2000 chars, ≤ 13 quick replies, titles ≤ 20).
 * Hotline calls become `phone_number` buttons of a button template (text ≤ 640, 1–3 buttons) on the message's
 * last part. Messenger dials only a full international number ("+84…"): a short emergency number or a
 * 1800/1900 service number gets no button there; it stays in the text, which the Messenger apps make tappable.
 */
import type { OutCall, OutMessage } from '../../engine/types.js';
import { splitText as split } from '../text.js';

/** channels.md §2.1: text is "<2000 chars". Counted in UTF-16 units, which is never fewer than characters. */
export const MAX_TEXT = 1999;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;
export const MAX_PAYLOAD = 1000;
/** The button template: its text is at most 640 characters, with 1–3 buttons (channels.md §2.1). */
export const MAX_TEMPLATE_TEXT = 640;
export const MAX_TEMPLATE_BUTTONS = 3;
export const MAX_BUTTON_TITLE = 20;
/** Viet Nam's country calling code, for a national number written 0… (a mobile or a landline with its area code). */
const VIETNAM_PREFIX = '+84';

export interface MessengerQuickReply { content_type: 'text'; title: string; payload: string }
export interface MessengerPhoneButton { type: 'phone_number'; title: string; payload: string }
export interface MessengerButtonTemplate {
  type: 'template';
  payload: { template_type: 'button'; text: string; buttons: MessengerPhoneButton[] };
}
export type MessengerMessage =
  | { text: string; attachment?: undefined; quick_replies?: MessengerQuickReply[] }
  | { text?: undefined; attachment: MessengerButtonTemplate; quick_replies?: MessengerQuickReply[] };

/** The number as Messenger dials it ("+<country><number>"), or undefined for a number it cannot (a short or a 1800/1900 one). */
export function internationalNumber(dial: string): string | undefined {
  if (/^\+\d{8,15}$/.test(dial)) return dial;
  if (/^0[1-9]\d{8,9}$/.test(dial)) return VIETNAM_PREFIX + dial.slice(1);
  return undefined;
}

/** The message's calls Messenger can dial, as buttons: the content's own first; at most three. */
export function phoneButtons(calls: readonly OutCall[]): MessengerPhoneButton[] {
  const out: MessengerPhoneButton[] = [];
  for (const c of [...calls.filter((x) => !x.named), ...calls.filter((x) => x.named)]) {
    const payload = internationalNumber(c.dial);
    if (!payload || out.some((b) => b.payload === payload)) continue;
    out.push({ type: 'phone_number', title: c.label.length <= MAX_BUTTON_TITLE ? c.label : payload, payload });
    if (out.length === MAX_TEMPLATE_BUTTONS) break;
  }
  return out;
}

/** The text of a sent message, whichever kind it is. */
export function messageText(m: MessengerMessage): string {
  return m.text ?? m.attachment.payload.text;
}


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
    const phones = phoneButtons(m.calls ?? []);
    if (chunks.length === 0) {
      if (!quick && !phones.length) continue;
      chunks.push('…'); // quick replies and buttons need a text to hang on
    }
    // The call buttons hang on the last part, which must then fit the button template's text.
    if (phones.length && (chunks.at(-1) as string).length > MAX_TEMPLATE_TEXT) chunks.push(...splitText(chunks.pop() as string, MAX_TEMPLATE_TEXT));
    chunks.forEach((t, i) => {
      const last = i === chunks.length - 1;
      const msg: MessengerMessage = last && phones.length
        ? { attachment: { type: 'template', payload: { template_type: 'button', text: t, buttons: phones } } }
        : { text: t };
      if (last && quick) msg.quick_replies = quick;
      out.push(msg);
    });
  }
  return out;
}
