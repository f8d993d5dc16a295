/**
 * What a channel can do. Each edge declares its own (a platform adapter in its `capabilities`, the web chat
 * and the command line here) and the bot and the actions ask for a capability, never for a channel's name.
 */
export interface Capabilities {
  /** It can reach the person later, unasked: opt-in "there is news about your tip" notifications. */
  push: boolean;
  /** It can carry a counsellor's lines as they come: a live chat. */
  liveChat: boolean;
  /**
   * It shows call buttons (Zalo `oa.open.phone`, Messenger `phone_number`, Bot Framework `call`): an answer that
   * names a hotline's number gets that hotline's button too (src/channels/calls.ts), not only the crisis answers.
   */
  callButtons: boolean;
}

/** An edge that says nothing of itself can do none of these. */
export const NO_CAPABILITIES: Capabilities = Object.freeze({ push: false, liveChat: false, callButtons: false });

/** The web chat: a counsellor's lines come over the page's event stream; nothing reaches a closed page. Every
 * number in a text is a tel: link on the page itself, so no call buttons are added. */
export const WEB_CAPABILITIES: Capabilities = Object.freeze({ push: false, liveChat: true, callButtons: false });

/** The command line (`binhan chat`): one person at a keyboard, nothing comes later. */
export const CLI_CAPABILITIES: Capabilities = NO_CAPABILITIES;

/** Zalo, Messenger, Bot Framework: the platform delivers later messages (each within its own window), and shows call buttons. */
export const PLATFORM_CAPABILITIES: Capabilities = Object.freeze({ push: true, liveChat: true, callButtons: true });

/** Telegram: like the other platforms, but the Bot API has no call button (its apps make numbers in a text tappable themselves). */
export const TELEGRAM_CAPABILITIES: Capabilities = Object.freeze({ ...PLATFORM_CAPABILITIES, callButtons: false });
