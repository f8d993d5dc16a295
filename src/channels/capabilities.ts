/**
 * What a channel can do. Each edge declares its own (a platform adapter in its `capabilities`, the web chat
 * and the command line here) and the bot and the actions ask for a capability, never for a channel's name.
 */
export interface Capabilities {
  /** It can reach the person later, unasked: opt-in "there is news about your tip" notifications. */
  push: boolean;
  /** It can carry a counsellor's lines as they come: a live chat. */
  liveChat: boolean;
}

/** An edge that says nothing of itself can do neither. */
export const NO_CAPABILITIES: Capabilities = Object.freeze({ push: false, liveChat: false });

/** The web chat: a counsellor's lines come over the page's event stream; nothing reaches a closed page. */
export const WEB_CAPABILITIES: Capabilities = Object.freeze({ push: false, liveChat: true });

/** The command line (`binhan chat`): one person at a keyboard, nothing comes later. */
export const CLI_CAPABILITIES: Capabilities = NO_CAPABILITIES;

/** Zalo, Messenger, Telegram, Bot Framework: the platform delivers later messages (each within its own window). */
export const PLATFORM_CAPABILITIES: Capabilities = Object.freeze({ push: true, liveChat: true });
