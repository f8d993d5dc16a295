/**
 * Turns what the desk says to a person into the bot's outbound messages (sentences from
 * content/messages.yaml), and hands them to the sender of the person's channel.
 */
import type { Localized, OutMessage } from '../engine/types.js';
import { cmd, intentPayload, LIVE_END } from '../engine/payload.js';
import type { Logger } from '../log.js';
import type { LiveChat, LiveDesk, LiveMessage, UserNotice } from './desk.js';

/** Sentences of content/messages.yaml said during live chats. */
export const LIVE_MESSAGES = [
  'live_counsellor', 'live_joined', 'live_waiting', 'live_requeued', 'live_ended_counsellor', 'live_ended_user', 'live_unanswered',
  'live_idle', 'live_counsellor_gone', 'live_text_only', 'live_end_label', 'hotlines_label', 'tip_label', 'main_menu_label',
] as const;
type MessageKey = (typeof LIVE_MESSAGES)[number];

export type LiveSender = (address: string, messages: OutMessage[]) => Promise<void>;

const NOTICE_KEYS: Record<UserNotice, MessageKey> = {
  joined: 'live_joined', requeued: 'live_requeued', ended_counsellor: 'live_ended_counsellor', ended_user: 'live_ended_user', user_left: 'live_ended_user',
  unanswered: 'live_unanswered', idle: 'live_idle', counsellor_gone: 'live_counsellor_gone',
};

export class LiveRelay {
  private readonly senders = new Map<string, LiveSender>();

  constructor(readonly desk: LiveDesk, private readonly messages: Record<string, Localized>, private readonly log: Logger) {
    desk.onUserMessage((chat, m) => this.relay(chat, m));
  }

  /** The channel's way to reach a person (web chat: its event stream; others: their outbox). */
  register(channel: string, send: LiveSender): void {
    this.senders.set(channel, send);
  }

  /** A sentence of the content in the chat's language. */
  say(lang: string, key: MessageKey): string {
    return this.messages[key][lang === 'en' ? 'en' : 'vi'];
  }

  /** What the person sees for a desk message (a counsellor's line, or a notice with its buttons). */
  format(chat: Pick<LiveChat, 'lang'>, m: LiveMessage): OutMessage[] {
    const lang = chat.lang;
    if (m.from === 'counsellor') return [{ text: this.say(lang, 'live_counsellor').replace('{{text}}', () => m.text) }];
    if (m.from !== 'system' || !m.notice) return [];
    const text = this.say(lang, NOTICE_KEYS[m.notice]);
    if (m.notice === 'joined') return [{ text, choices: [{ id: LIVE_END, label: this.say(lang, 'live_end_label') }] }];
    if (m.notice === 'unanswered' || m.notice === 'counsellor_gone') {
      return [{ text, choices: [
        { id: intentPayload('hotlines'), label: this.say(lang, 'hotlines_label') },
        { id: intentPayload('report_tip'), label: this.say(lang, 'tip_label') },
        { id: cmd('menu'), label: this.say(lang, 'main_menu_label') },
      ] }];
    }
    return [{ text }];
  }

  private relay(chat: LiveChat, m: LiveMessage): void {
    const send = this.senders.get(chat.channel);
    const out = this.format(chat, m);
    if (!send || out.length === 0 || !chat.address) return;
    send(chat.address, out).catch((e: Error) => this.log.warn('live message not delivered', { channel: chat.channel, error: e.message }));
  }
}
