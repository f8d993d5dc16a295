/**
 * Engine messages → Telegram sendMessage bodies (without chat_id): plain text (no parse_mode, so no
 * entity surprises) of at most 4096 characters, split on paragraph/line/sentence/word boundaries, and
 * choices as an inline keyboard on the last chunk. callback_data is 1–64 BYTES (channels.md §3.1): a
 * choice id that fits is sent as is (it survives restarts); a longer one becomes a short key kept in a
 * bounded in-memory map and is mapped back on the tap.
 */
import { createHash } from 'node:crypto';
import type { OutMessage } from '../../engine/types.js';
import { splitText as split } from '../text.js';

/** channels.md §3.1: 1–4096 characters after entity parsing; UTF-16 units are never fewer than characters. */
export const MAX_TEXT = 4096;
export const MAX_CALLBACK_BYTES = 64;
/** Beyond this many choices the keyboard gets unwieldy: a numbered list instead (the engine accepts "1", "2"…). */
export const MAX_BUTTONS = 24;
const MAX_LABEL = 120;
/** Short keys start with this; a choice id that starts with it is always shortened, so the two never mix. */
const KEY_PREFIX = '~';

export interface InlineButton { text: string; callback_data: string }
export interface TelegramMessage {
  text: string;
  reply_markup?: { inline_keyboard: InlineButton[][] };
}


/** Splits a text into trimmed chunks of at most `limit` UTF-16 units on clean boundaries. */
export function splitText(text: string, limit = MAX_TEXT): string[] {
  return split(text, limit).filter(Boolean);
}

/** Choice id ⇄ callback_data. Long ids get a short key (hash-based, so the map stays small), LRU-bounded. */
export class CallbackKeys {
  private readonly keys = new Map<string, string>();
  constructor(private readonly max = 10_000) {}

  encode(id: string): string {
    if (id.length > 0 && Buffer.byteLength(id, 'utf8') <= MAX_CALLBACK_BYTES && !id.startsWith(KEY_PREFIX)) return id;
    const key = KEY_PREFIX + createHash('sha256').update(id, 'utf8').digest('base64url').slice(0, 16);
    this.keys.delete(key);
    this.keys.set(key, id);
    while (this.keys.size > this.max) this.keys.delete(this.keys.keys().next().value as string);
    return key;
  }

  /** The choice id for a tapped button; unknown or expired short keys come back as they are. */
  decode(data: string): string {
    if (!data.startsWith(KEY_PREFIX)) return data;
    return this.keys.get(data) ?? data;
  }

  get size(): number { return this.keys.size; }
}

function label(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  if (!t) return '…';
  return t.length > MAX_LABEL ? `${t.slice(0, MAX_LABEL - 1)}…` : t;
}

function keyboard(choices: NonNullable<OutMessage['choices']>, keys: CallbackKeys): InlineButton[][] {
  const buttons = choices.map((c) => ({ text: label(c.label), callback_data: keys.encode(c.id) }));
  // A few short labels side by side; otherwise one per row so long Vietnamese labels stay readable.
  const oneRow = buttons.length <= 3 && buttons.every((b) => b.text.length <= 14);
  return oneRow ? [buttons] : buttons.map((b) => [b]);
}

/**
 * A message's `calls` are not rendered: the Bot API has no call button (an inline keyboard button opens a URL,
 * and Telegram does not open tel: links from one), and Telegram's apps make a phone number in the text
 * tappable themselves. The adapter declares no `callButtons`, so no buttons are added for numbers named.
 */
export function renderMessages(messages: OutMessage[], keys: CallbackKeys): TelegramMessage[] {
  const out: TelegramMessage[] = [];
  for (const m of messages) {
    const choices = (m.choices ?? []).filter((c) => c.id.length > 0);
    let text = m.text ?? '';
    let markup: TelegramMessage['reply_markup'];
    if (choices.length > MAX_BUTTONS) {
      text = `${text.trimEnd()}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
    } else if (choices.length) {
      markup = { inline_keyboard: keyboard(choices, keys) };
    }
    const chunks = splitText(text);
    if (chunks.length === 0) {
      if (!markup) continue;
      chunks.push('…'); // a keyboard needs a text to hang on
    }
    chunks.forEach((t, i) => out.push(i === chunks.length - 1 && markup ? { text: t, reply_markup: markup } : { text: t }));
  }
  return out;
}
