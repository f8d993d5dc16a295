/**
 * Turns what the desk says to a person into the bot's outbound messages (sentences from
 * content/messages.yaml), and hands them to the sender of the person's channel. Also: the counsellor's
 * "typing…" to channels that can show it, and the tip a person agreed to keep, built from their own words.
 */
import type { Localized, OutMessage } from '../engine/types.js';
import type { Bundle } from '../bundle/types.js';
import type { Nlu } from '../engine/types.js';
import { cmd, intentPayload, LIVE_END, LIVE_TIP_NO, LIVE_TIP_YES } from '../engine/payload.js';
import type { Logger } from '../log.js';
import type { LiveChat, LiveDesk, LiveMessage, UserNotice } from './desk.js';

/** Sentences of content/messages.yaml said during live chats. */
export const LIVE_MESSAGES = [
  'live_counsellor', 'live_joined', 'live_waiting', 'live_requeued', 'live_ended_counsellor', 'live_ended_user', 'live_unanswered',
  'live_idle', 'live_counsellor_gone', 'live_text_only', 'live_end_label', 'hotlines_label', 'tip_label', 'main_menu_label',
  'live_handed_over', 'live_tip_offer', 'live_tip_yes_label', 'live_tip_no_label', 'live_tip_saved', 'live_tip_declined', 'live_tip_stale',
  'live_tip_already', 'live_tip_failed',
] as const;
type MessageKey = (typeof LIVE_MESSAGES)[number];

export type LiveSender = (address: string, messages: OutMessage[]) => Promise<void>;
/** Shows "typing…" at an address (a platform's chat action); best effort, never retried. */
export type LiveTyper = (address: string) => Promise<void>;

const NOTICE_KEYS: Record<UserNotice, MessageKey> = {
  joined: 'live_joined', requeued: 'live_requeued', ended_counsellor: 'live_ended_counsellor', ended_user: 'live_ended_user', user_left: 'live_ended_user',
  unanswered: 'live_unanswered', idle: 'live_idle', counsellor_gone: 'live_counsellor_gone', handed_over: 'live_handed_over', tip_offer: 'live_tip_offer',
};

/** The longest description a tip holds (src/cases/tip-fields.ts `what`). */
const MAX_TIP_TEXT = 2000;

export interface RelayOptions {
  /** Reads the person's own words for the tip: their own name, phone or address taken out, place and time noted. */
  nlu?: Pick<Nlu, 'ownIdentity' | 'storyFacts'>;
  /** The tip form's category labels and the name of an unknown province come from here. */
  bundle?: Pick<Bundle, 'flows' | 'content'>;
}

/** The tip flow's category question: value -> label (vi, en). */
function categoryLabels(bundle: RelayOptions['bundle']): Map<string, Localized> {
  const out = new Map<string, Localized>();
  for (const flow of bundle?.flows.values() ?? []) {
    if (!flow.draft) continue;
    for (const n of flow.nodes.values()) if (n.type === 'choice' && n.var === 'category') for (const o of n.options) out.set(o.value, o.label);
  }
  return out;
}

export class LiveRelay {
  private readonly senders = new Map<string, LiveSender>();
  private readonly typers = new Map<string, LiveTyper>();
  private readonly categories: Map<string, Localized>;

  constructor(readonly desk: LiveDesk, private readonly messages: Record<string, Localized>, private readonly log: Logger, private readonly opts: RelayOptions = {}) {
    this.categories = categoryLabels(opts.bundle);
    desk.onUserMessage((chat, m) => this.relay(chat, m));
    desk.onTyping((chat) => this.typing(chat));
  }

  /** The channel's way to reach a person (web chat: its event stream; others: their outbox). */
  register(channel: string, send: LiveSender): void {
    this.senders.set(channel, send);
  }

  /** The channel's way to show "typing…" (Telegram, Messenger); the web chat's event stream does its own. */
  registerTyping(channel: string, typing: LiveTyper): void {
    this.typers.set(channel, typing);
  }

  /** A sentence of the content in the chat's language. */
  say(lang: string, key: MessageKey): string {
    return this.messages[key][lang === 'en' ? 'en' : 'vi'];
  }

  /** A tip category's label in a language (the tip form's own words). */
  categoryLabel(category: string, lang: string): string {
    return this.categories.get(category)?.[lang === 'en' ? 'en' : 'vi'] ?? category;
  }

  /** The categories a counsellor may choose from (the tip form's, in its order). */
  categoryList(): { value: string; label: Localized }[] {
    return [...this.categories].map(([value, label]) => ({ value, label }));
  }

  /** The yes / no buttons of a proposal to keep the chat as a tip. */
  tipChoices(lang: string): NonNullable<OutMessage['choices']> {
    return [{ id: LIVE_TIP_YES, label: this.say(lang, 'live_tip_yes_label') }, { id: LIVE_TIP_NO, label: this.say(lang, 'live_tip_no_label') }];
  }

  /** What the person sees for a desk message (a counsellor's line, or a notice with its buttons); nothing for the counsellor's own notes. */
  format(chat: Pick<LiveChat, 'lang'>, m: LiveMessage): OutMessage[] {
    const lang = chat.lang;
    if (m.from === 'counsellor') return [{ text: this.say(lang, 'live_counsellor').replace('{{text}}', () => m.text) }];
    if (m.from !== 'system' || !m.notice || !(m.notice in NOTICE_KEYS)) return [];
    const text = this.say(lang, NOTICE_KEYS[m.notice as UserNotice]);
    if (m.notice === 'joined') return [{ text, choices: [{ id: LIVE_END, label: this.say(lang, 'live_end_label') }] }];
    if (m.notice === 'tip_offer') return [{ text: text.replace('{{category}}', () => this.categoryLabel(m.category ?? 'other', lang)), choices: this.tipChoices(lang) }];
    if (m.notice === 'unanswered' || m.notice === 'counsellor_gone') {
      return [{ text, choices: [
        { id: intentPayload('hotlines'), label: this.say(lang, 'hotlines_label') },
        { id: intentPayload('report_tip'), label: this.say(lang, 'tip_label') },
        { id: cmd('menu'), label: this.say(lang, 'main_menu_label') },
      ] }];
    }
    return [{ text }];
  }

  /**
   * The create_case arguments of a tip kept from a live chat: the person's own messages in it (never the
   * counsellor's), with their own name, phone, address or ID taken out; the province and time where their words
   * say them, else unknown; no contact. Nothing of the channel or the person's identity is in it.
   */
  tipArgs(chat: Pick<LiveChat, 'messages' | 'lang'>, category: string): Record<string, unknown> {
    const story = chat.messages.filter((m) => m.from === 'user').map((m) => m.text.trim()).filter(Boolean).join('\n');
    const lang = chat.lang === 'en' ? 'en' : 'vi';
    const own = this.opts.nlu?.ownIdentity?.(story, lang);
    const told = own ? own.redacted : story;
    const facts = this.opts.nlu?.storyFacts?.(told) ?? {};
    const what = told.length > MAX_TIP_TEXT ? `${told.slice(0, MAX_TIP_TEXT - 1)}…` : told;
    return {
      category, province: facts.province ?? this.opts.bundle?.content.places.unknown.name ?? 'Không rõ', place: undefined,
      when: facts.when ?? 'unknown', when_date: undefined, what, involved: facts.involved, in_danger: 'unsure', contact: '',
    };
  }

  private relay(chat: LiveChat, m: LiveMessage): void {
    const send = this.senders.get(chat.channel);
    const out = this.format(chat, m);
    if (!send || out.length === 0 || !chat.address) return;
    send(chat.address, out).catch((e: Error) => this.log.warn('live message not delivered', { channel: chat.channel, error: e.message }));
  }

  private typing(chat: LiveChat): void {
    const typer = this.typers.get(chat.channel);
    if (!typer || !chat.address) return;
    typer(chat.address).catch((e: Error) => this.log.debug('live typing not shown', { channel: chat.channel, error: e.message }));
  }
}
