/**
 * Call buttons for the hotlines an answer names. The crisis answers and some knowledge entries carry their own
 * (`call:` in the content); any other answer that writes a hotline's number (short, grouped, +84… or 0…) gets
 * that hotline's button too, on the channels that declare `callButtons`. The numbers are those of
 * content/hotlines.yaml, matched through one HotlineBook built at start-up; nothing is typed here.
 */
import { HotlineBook } from '../bundle/hotlines.js';
import type { Hotline } from '../bundle/schema.js';
import type { Lang, Localized, OutCall, OutMessage } from '../engine/types.js';

/** At most this many buttons are added to one message (the content's own call-now buttons come first anyway). */
export const MAX_NAMED_CALLS = 3;

export class HotlineCalls {
  private readonly book: HotlineBook;

  /** `label` is the call button's words (content/messages.yaml `call_label`, "Gọi {{number}}"). */
  constructor(hotlines: readonly Hotline[], private readonly label: Localized) {
    this.book = new HotlineBook(hotlines);
  }

  /** The call buttons for the hotlines a text names, in the order they appear. */
  named(text: string, lang: Lang): OutCall[] {
    return this.book.namedIn(text).map((h) => ({ label: this.label[lang].replace('{{number}}', () => h.number), dial: h.dial, named: true }));
  }

  /**
   * The turn's messages, each naming a hotline given its button; a message with call buttons of its own keeps
   * them, and a number that already has a button in this reply gets none again.
   */
  add(messages: readonly OutMessage[], lang: Lang): OutMessage[] {
    const given = new Set(messages.flatMap((m) => (m.calls ?? []).map((c) => c.dial)));
    return messages.map((m) => {
      if (m.calls?.length) return m;
      const calls = this.named(m.text, lang).filter((c) => !given.has(c.dial)).slice(0, MAX_NAMED_CALLS);
      for (const c of calls) given.add(c.dial);
      return calls.length ? { ...m, calls } : m;
    });
  }
}
