/**
 * Rendering for Zalo OA customer-service messages: texts of at most 2000 characters (NFC) split on
 * paragraph, line or sentence boundaries; choices as at most 5 `oa.query.hide` buttons (title ≤100,
 * payload ≤1000). When the choices do not fit, the current question's options become a numbered list
 * in the text (the engine accepts "1", "2"...), and the other choices (resume, skip, menu) stay buttons.
 * Hotline calls are `oa.open.phone` buttons (the content's own first; a number the text names where there is room).
 */
import type { OutCall, OutChoice, OutMessage } from '../../engine/types.js';
import { splitText as split } from '../text.js';

export const TEXT_LIMIT = 2000;
export const MAX_BUTTONS = 5;
export const TITLE_LIMIT = 100;
export const PAYLOAD_LIMIT = 1000;

/** A flow question's option, as the engine writes it: `flow.node:value`. */
const OPTION = /^[a-z0-9_]+\.[a-z0-9_]+:[a-z0-9_]+$/;

export type ZaloButton =
  | { title: string; type: 'oa.query.hide'; payload: string }
  | { title: string; type: 'oa.open.phone'; payload: { phone_code: string } };
export interface ZaloMessage {
  text: string;
  attachment?: { type: 'template'; payload: { buttons: ZaloButton[] } };
}

const fits = (c: OutChoice): boolean => c.label.normalize('NFC').length <= TITLE_LIMIT && c.id.length <= PAYLOAD_LIMIT && c.label.trim() !== '';

function buttons(choices: OutChoice[]): ZaloButton[] {
  return choices.map((c) => ({ title: c.label.normalize('NFC'), type: 'oa.query.hide', payload: c.id }));
}

function phoneButtons(calls: readonly OutCall[]): ZaloButton[] {
  return calls.map((c) => ({ title: c.label.normalize('NFC'), type: 'oa.open.phone', payload: { phone_code: c.dial } }));
}

export function renderMessages(messages: OutMessage[]): ZaloMessage[] {
  const out: ZaloMessage[] = [];
  for (const m of messages) {
    let text = m.text.normalize('NFC');
    // The content's own call buttons (a crisis answer's) come first: in an emergency they matter most. A number
    // the text merely names gets its button only where the choices leave room.
    const phones = phoneButtons((m.calls ?? []).filter((c) => !c.named).slice(0, MAX_BUTTONS));
    const room = MAX_BUTTONS - phones.length;
    let btns: ZaloButton[] = [];
    const choices = m.choices ?? [];
    if (choices.length && choices.length <= room && choices.every(fits)) {
      btns = buttons(choices);
    } else if (choices.length) {
      const options = choices.filter((c) => OPTION.test(c.id));
      const others = choices.filter((c) => !OPTION.test(c.id));
      const list = options.map((c, i) => `${i + 1}. ${c.label.normalize('NFC')}`);
      if (others.length <= room && others.every(fits)) btns = buttons(others);
      else list.push(...others.map((c) => `• ${c.label.normalize('NFC')}`));
      if (list.length) text = `${text}\n\n${list.join('\n')}`;
    }
    const named = phoneButtons((m.calls ?? []).filter((c) => c.named).slice(0, Math.max(0, room - btns.length)));
    btns = [...phones, ...named, ...btns];
    const parts = splitText(text, TEXT_LIMIT);
    parts.forEach((p, i) => {
      const msg: ZaloMessage = { text: p };
      if (i === parts.length - 1 && btns.length) msg.attachment = { type: 'template', payload: { buttons: btns } };
      out.push(msg);
    });
  }
  return out;
}

/** Splits on the last paragraph, line, sentence or word boundary within the limit (never inside a surrogate pair). */
export function splitText(text: string, limit: number): string[] {
  return split(text, limit);
}
