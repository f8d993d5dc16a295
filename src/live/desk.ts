/**
 * Live counsellor handoff: a person who asked for a human talks with a counsellor on duty, relayed
 * through their own channel. Everything here lives in memory only, for as long as the chat lasts:
 * the relay address is needed to answer, and the messages are for the two people talking, not for a
 * record. Counsellors see a random chat id and the channel kind, never the session key or address;
 * the person sees "counsellor", never a name.
 *
 * The desk is a state machine driven by calls and a clock (`tick(now)`); it performs no I/O. It
 * reports what must reach the person (`toUser`) and that the counsellors' view changed (`changed`).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export type LiveState = 'waiting' | 'active' | 'ended';
export type EndReason = 'user' | 'user_left' | 'counsellor' | 'unanswered' | 'counsellor_gone' | 'idle' | 'shutdown';
/** What the person is told; the runtime turns it into sentences from content/messages.yaml. */
export type UserNotice = 'joined' | 'requeued' | 'ended_counsellor' | 'ended_user' | 'user_left' | 'unanswered' | 'idle' | 'counsellor_gone'
  | 'handed_over' | 'tip_offer';
/** What only the counsellor's panel shows: the outcome of a proposal to keep the chat as a tip. */
export type CounsellorNotice = 'tip_saved' | 'tip_declined' | 'tip_expired' | 'tip_failed';
export type Notice = UserNotice | CounsellorNotice;

/**
 * A counsellor's proposal to keep what the person wrote as an anonymous tip. Only the person's yes stores it
 * (through the same path as every tip); the reference code is kept here for the counsellor's panel, the
 * person's secret never.
 */
export interface TipOffer {
  category: string;
  at: number;
  state: 'asked' | 'saved' | 'declined' | 'expired';
  /** Counts proposals in this chat: each one is its own tip run (idempotency). */
  n: number;
  ref?: string;
}

/** Counted while the process runs (never a chat, a person or a text): for /metrics. */
export interface DeskCounts { handovers: number; tipOffers: number; tipsSaved: number; tipsDeclined: number }

export interface LiveMessage {
  /** 1, 2, 3… within the chat (SSE event ids). */
  seq: number;
  from: 'user' | 'counsellor' | 'system';
  text: string;
  at: number;
  /** The person's message looked like an emergency (flagged for the counsellor). */
  urgent?: boolean;
  /** For system messages: what happened. */
  notice?: Notice;
  /** tip_offer: the category proposed; tip_saved: the tip's reference code (never its secret). */
  category?: string;
  ref?: string;
}

export interface LiveChat {
  id: string;
  /** A random capability for the person's own event stream (web chat); never shown to counsellors. */
  token: string;
  sessionKey: string;
  channel: string;
  /** The channel's address for relaying; never shown to counsellors, never stored. */
  address: string;
  lang: 'vi' | 'en';
  state: LiveState;
  counsellorId: string | null;
  createdAt: number;
  /** When it last entered the waiting list (first request, or back after the counsellor left). */
  waitingSince: number;
  lastActivity: number;
  urgent: boolean;
  messages: LiveMessage[];
  endReason?: EndReason;
  /** The person was told once, while waiting, that the counsellor will read their messages. */
  ackedWaiting: boolean;
  /** The person's own event streams open now (web chat), and since when none has been (a closed tab). */
  userStreams?: number;
  userGoneSince?: number | null;
  /** The latest proposal to keep the chat as a tip, if any. */
  tipOffer?: TipOffer;
  /** When the counsellor's typing was last passed on, and when the person last typed (web chat). */
  counsellorTypingAt?: number;
  userTypingAt?: number;
}

/** What a counsellor's browser sees of a chat: no session key, no address. */
export interface ChatView {
  id: string;
  state: LiveState;
  channel: string;
  lang: 'vi' | 'en';
  waitingSince: string;
  createdAt: string;
  urgent: boolean;
  mine: boolean;
  taken: boolean;
  messages?: { seq: number; from: LiveMessage['from']; text: string; at: string; urgent?: boolean; notice?: Notice; category?: string; ref?: string }[];
  /** Own chats: the latest tip proposal (its reference code once stored). */
  tip?: { state: TipOffer['state']; category: string; ref?: string };
  /** Own chats: the person typed this many ms ago (shown for a few seconds; web chat only). */
  userTypingMs?: number;
}

export interface DeskView {
  onDuty: boolean;
  counsellorsOnDuty: number;
  chats: ChatView[];
  /** Colleagues on duty with the dashboard open, to hand a chat to (names are the officers' own, never shown to the person). */
  colleagues: { id: string; name: string }[];
}

export interface DeskOptions {
  /** A waiting chat nobody takes ends after this long, honestly. */
  waitLimitMs: number;
  /** An active chat with no message either way ends after this long. */
  idleLimitMs: number;
  /** A counsellor whose last event stream closed is off duty after this long (a reload is not leaving). */
  presenceGraceMs: number;
  /** A web chat whose person's last event stream closed (the tab was closed) ends after this long. */
  userGraceMs: number;
  /** At most this many chats at once (waiting + active); more are told nobody is free. */
  maxChats: number;
  /** A message's length limit, both ways. */
  maxText: number;
  /** A proposal to keep the chat as a tip that the person has not answered lapses after this long (nothing stored). */
  tipOfferMs: number;
  /** Typing is passed on at most once in this long per chat and side. */
  typingEveryMs: number;
  /** "Typing…" is shown for this long after the last sign of it. */
  typingShowMs: number;
}

export const DEFAULT_DESK: DeskOptions = {
  waitLimitMs: 5 * 60_000, idleLimitMs: 30 * 60_000, presenceGraceMs: 45_000, userGraceMs: 8_000, maxChats: 200, maxText: 2000,
  tipOfferMs: 10 * 60_000, typingEveryMs: 2_500, typingShowMs: 6_000,
};

export class LiveError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

interface Counsellor { onDuty: boolean; streams: number; goneSince: number | null; name?: string }

function listen<T>(list: T[], fn: T): () => void {
  list.push(fn);
  return () => { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); };
}

type UserListener = (chat: LiveChat, message: LiveMessage) => void;
type ChangeListener = () => void;
type TypingListener = (chat: LiveChat) => void;

export class LiveDesk {
  private readonly chats = new Map<string, LiveChat>();
  private readonly bySession = new Map<string, string>();
  private readonly counsellors = new Map<string, Counsellor>();
  private readonly userListeners: UserListener[] = [];
  private readonly changeListeners: ChangeListener[] = [];
  private readonly typingListeners: TypingListener[] = [];
  readonly opts: DeskOptions;
  readonly counts: DeskCounts = { handovers: 0, tipOffers: 0, tipsSaved: 0, tipsDeclined: 0 };

  constructor(opts: Partial<DeskOptions> = {}, private readonly clock: () => number = Date.now) {
    this.opts = { ...DEFAULT_DESK, ...opts };
  }

  /** A message (from the counsellor, or a notice) must reach the person through their channel. Returns "stop listening". */
  onUserMessage(fn: UserListener): () => void { return listen(this.userListeners, fn); }
  /** The counsellors' view changed (a chat came, was taken, got a message or ended; duty changed). Returns "stop listening". */
  onChange(fn: ChangeListener): () => void { return listen(this.changeListeners, fn); }
  /** The counsellor is typing in a chat (at most once per `typingEveryMs`): the person may be shown so. Returns "stop listening". */
  onTyping(fn: TypingListener): () => void { return listen(this.typingListeners, fn); }

  // ---------------------------------------------------------------- counsellors

  /** An event stream of this counsellor opened (their name is for colleagues' hand-over picker only). */
  connect(officerId: string, name?: string): void {
    const c = this.counsellor(officerId);
    c.streams++;
    c.goneSince = null;
    if (name) c.name = name;
  }

  /** An event stream closed; with none left, the counsellor goes off duty after the grace period. */
  disconnect(officerId: string): void {
    const c = this.counsellors.get(officerId);
    if (!c) return;
    c.streams = Math.max(0, c.streams - 1);
    if (c.streams === 0) c.goneSince = this.clock();
  }

  setDuty(officerId: string, on: boolean, name?: string): void {
    const c = this.counsellor(officerId);
    c.onDuty = on;
    if (name) c.name = name;
    if (!on) this.release(officerId);
    this.changed();
  }

  isOnDuty(officerId: string): boolean {
    const c = this.counsellors.get(officerId);
    return !!c && c.onDuty && (c.streams > 0 || c.goneSince === null);
  }

  /** Counsellors on duty with the dashboard open. */
  onDutyCount(): number {
    let n = 0;
    for (const c of this.counsellors.values()) if (c.onDuty && c.streams > 0) n++;
    return n;
  }

  /** Other counsellors on duty with the dashboard open: who a chat can be handed to. */
  colleagues(officerId: string): { id: string; name: string }[] {
    const out: { id: string; name: string }[] = [];
    for (const [id, c] of this.counsellors) if (id !== officerId && c.onDuty && c.streams > 0) out.push({ id, name: c.name ?? '—' });
    return out.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }

  // ---------------------------------------------------------------- the person's side

  /**
   * The person asked for a human. Returns their chat (the same one if they ask again), or null when
   * nobody is on duty or the desk is full — the bot then says so honestly.
   */
  request(r: { sessionKey: string; channel: string; address: string; lang: string }): LiveChat | null {
    const open = this.chatOf(r.sessionKey);
    if (open) return open;
    if (this.onDutyCount() === 0 || this.openCount() >= this.opts.maxChats) return null;
    const now = this.clock();
    const chat: LiveChat = {
      id: randomUUID(), token: randomBytes(24).toString('base64url'), sessionKey: r.sessionKey, channel: r.channel, address: r.address, lang: r.lang === 'en' ? 'en' : 'vi',
      state: 'waiting', counsellorId: null, createdAt: now, waitingSince: now, lastActivity: now, urgent: false, messages: [],
      ackedWaiting: false,
    };
    this.chats.set(chat.id, chat);
    this.bySession.set(r.sessionKey, chat.id);
    this.changed();
    return chat;
  }

  /** The open (waiting or active) chat of a conversation, if any. */
  chatOf(sessionKey: string): LiveChat | undefined {
    const id = this.bySession.get(sessionKey);
    const chat = id ? this.chats.get(id) : undefined;
    return chat && chat.state !== 'ended' ? chat : undefined;
  }

  /** The person wrote: relayed to the counsellor. Returns the message. */
  fromUser(sessionKey: string, text: string, urgent = false): LiveMessage | undefined {
    const chat = this.chatOf(sessionKey);
    if (!chat) return undefined;
    const m = this.add(chat, 'user', text.slice(0, this.opts.maxText), urgent ? { urgent } : {});
    if (urgent) chat.urgent = true;
    chat.userTypingAt = undefined;
    this.changed();
    return m;
  }

  /** The person ended the chat (they are back with the bot). */
  endByUser(sessionKey: string): boolean {
    const chat = this.chatOf(sessionKey);
    if (!chat) return false;
    this.finish(chat, 'user');
    return true;
  }

  /** The person left without a word (the quick exit): the counsellor sees "left" at once. */
  leave(sessionKey: string): boolean {
    const chat = this.chatOf(sessionKey);
    if (!chat) return false;
    this.finish(chat, 'user_left');
    return true;
  }

  /** The person's event stream opened (web chat). */
  userConnect(chatId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    chat.userStreams = (chat.userStreams ?? 0) + 1;
    chat.userGoneSince = null;
  }

  /** The person's event stream closed: with none left for `userGraceMs` (not a reload), they have left. */
  userDisconnect(chatId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    chat.userStreams = Math.max(0, (chat.userStreams ?? 1) - 1);
    if (chat.userStreams === 0) chat.userGoneSince = this.clock();
  }

  /** The person is typing (web chat): their counsellor sees it for a few seconds. False when not passed on (too soon, no chat). */
  userTyping(chatId: string): boolean {
    const chat = this.chats.get(chatId);
    if (!chat || chat.state === 'ended') return false;
    const now = this.clock();
    if (chat.userTypingAt !== undefined && now - chat.userTypingAt < this.opts.typingEveryMs) return false;
    chat.userTypingAt = now;
    if (chat.counsellorId !== null) this.changed();
    return true;
  }

  /** The chat a person's stream token belongs to (ended chats stay readable until dismissed). */
  byToken(token: string): LiveChat | undefined {
    for (const c of this.chats.values()) if (c.token === token) return c;
    return undefined;
  }

  // ---------------------------------------------------------------- the counsellor's side

  /** Takes a waiting chat; exactly one counsellor wins. */
  take(chatId: string, officerId: string): LiveChat {
    const chat = this.mustGet(chatId);
    if (!this.isOnDuty(officerId)) throw new LiveError(409, 'not_on_duty', 'go on duty to take chats');
    if (chat.state === 'ended') throw new LiveError(410, 'chat_ended', 'this chat has ended');
    if (chat.state === 'active') {
      if (chat.counsellorId === officerId) return chat;
      throw new LiveError(409, 'already_taken', 'another counsellor has taken this chat');
    }
    chat.state = 'active';
    chat.counsellorId = officerId;
    chat.lastActivity = this.clock();
    this.notify(chat, 'joined');
    this.changed();
    return chat;
  }

  /** The counsellor's reply, relayed to the person. */
  reply(chatId: string, officerId: string, text: string): LiveMessage {
    const chat = this.held(chatId, officerId);
    const clean = text.trim();
    if (!clean) throw new LiveError(400, 'empty', 'the message is empty');
    if (clean.length > this.opts.maxText) throw new LiveError(400, 'too_long', `a message holds at most ${this.opts.maxText} characters`);
    const m = this.add(chat, 'counsellor', clean);
    for (const fn of this.userListeners) fn(chat, m);
    this.changed();
    return m;
  }

  /** The counsellor is typing: passed on to the person at most once per `typingEveryMs`. False when not passed on. */
  typing(chatId: string, officerId: string): boolean {
    const chat = this.held(chatId, officerId);
    const now = this.clock();
    if (chat.state !== 'active' || (chat.counsellorTypingAt !== undefined && now - chat.counsellorTypingAt < this.opts.typingEveryMs)) return false;
    chat.counsellorTypingAt = now;
    for (const fn of this.typingListeners) fn(chat);
    return true;
  }

  /**
   * Hands an open chat to a colleague on duty with the dashboard open: they get the whole chat so far (in
   * memory, as before); the person is told only that another counsellor takes over (no names).
   */
  handOver(chatId: string, officerId: string, toId: string): LiveChat {
    const chat = this.held(chatId, officerId);
    if (toId === officerId) throw new LiveError(400, 'same_counsellor', 'choose a colleague, not yourself');
    const to = this.counsellors.get(toId);
    if (!to || !to.onDuty || to.streams === 0) throw new LiveError(409, 'colleague_not_on_duty', 'that colleague is not on duty now');
    chat.counsellorId = toId;
    chat.state = 'active';
    chat.counsellorTypingAt = undefined;
    this.counts.handovers++;
    this.notify(chat, 'handed_over');
    this.changed();
    return chat;
  }

  /**
   * The counsellor proposes to keep what the person wrote as an anonymous tip of a category: the person is
   * asked (yes / no); nothing is stored unless they say yes. A new proposal replaces one not yet answered.
   */
  proposeTip(chatId: string, officerId: string, category: string): TipOffer {
    const chat = this.held(chatId, officerId);
    if (chat.state !== 'active') throw new LiveError(409, 'not_active', 'take the chat first');
    if (chat.tipOffer?.state === 'saved') throw new LiveError(409, 'tip_saved', `this chat is already kept as tip ${chat.tipOffer.ref}`);
    if (!chat.messages.some((m) => m.from === 'user' && m.text.trim())) throw new LiveError(409, 'nothing_to_keep', 'the person has not written anything yet');
    const offer: TipOffer = { category, at: this.clock(), state: 'asked', n: (chat.tipOffer?.n ?? 0) + 1 };
    chat.tipOffer = offer;
    this.counts.tipOffers++;
    this.notify(chat, 'tip_offer', { category });
    this.changed();
    return offer;
  }

  /** The proposal waiting for the person's answer in their open chat, if any. */
  tipAsked(sessionKey: string): { chat: LiveChat; offer: TipOffer } | undefined {
    const chat = this.chatOf(sessionKey);
    return chat?.tipOffer?.state === 'asked' ? { chat, offer: chat.tipOffer } : undefined;
  }

  /**
   * The person answered the proposal: stored (with its reference code), declined, or not stored because of a
   * fault (it stays asked: they may say yes again). Only the counsellor's panel shows it.
   */
  tipAnswered(chatId: string, outcome: 'saved' | 'declined' | 'failed', ref?: string): void {
    const chat = this.chats.get(chatId);
    const offer = chat?.tipOffer;
    if (!chat || !offer || offer.state !== 'asked') return;
    if (outcome === 'saved') { offer.state = 'saved'; offer.ref = ref; this.counts.tipsSaved++; }
    if (outcome === 'declined') { offer.state = 'declined'; this.counts.tipsDeclined++; }
    this.add(chat, 'system', '', { notice: `tip_${outcome}`, ...(ref ? { ref } : {}) });
    this.changed();
  }

  /** The counsellor ends the chat; the person goes back to the bot. */
  endByCounsellor(chatId: string, officerId: string): void {
    this.finish(this.held(chatId, officerId), 'counsellor');
  }

  /** What this counsellor's browser shows: waiting chats, and the messages of their own chats. */
  view(officerId: string): DeskView {
    const chats: ChatView[] = [];
    const now = this.clock();
    for (const c of this.chats.values()) {
      const mine = c.counsellorId === officerId;
      if (c.state === 'ended' && !mine) continue;
      if (c.state === 'active' && !mine) continue;
      chats.push({
        id: c.id, state: c.state, channel: c.channel, lang: c.lang, urgent: c.urgent, mine, taken: c.counsellorId !== null,
        waitingSince: new Date(c.waitingSince).toISOString(), createdAt: new Date(c.createdAt).toISOString(),
        ...(mine ? {
          messages: c.messages.map((m) => ({
            seq: m.seq, from: m.from, text: m.text, at: new Date(m.at).toISOString(), ...(m.urgent ? { urgent: true } : {}), ...(m.notice ? { notice: m.notice } : {}),
            ...(m.category ? { category: m.category } : {}), ...(m.ref ? { ref: m.ref } : {}),
          })),
          ...(c.tipOffer ? { tip: { state: c.tipOffer.state, category: c.tipOffer.category, ...(c.tipOffer.ref ? { ref: c.tipOffer.ref } : {}) } } : {}),
          ...(c.state !== 'ended' && c.userTypingAt !== undefined && now - c.userTypingAt < this.opts.typingShowMs ? { userTypingMs: now - c.userTypingAt } : {}),
        } : {}),
      });
    }
    chats.sort((a, b) => Number(b.mine) - Number(a.mine) || Number(b.urgent) - Number(a.urgent) || a.waitingSince.localeCompare(b.waitingSince));
    return { onDuty: this.isOnDuty(officerId), counsellorsOnDuty: this.onDutyCount(), chats, colleagues: this.isOnDuty(officerId) ? this.colleagues(officerId) : [] };
  }

  /** Counsellor dismisses an ended chat from their list (its messages are dropped). */
  dismiss(chatId: string, officerId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat || chat.counsellorId !== officerId || chat.state !== 'ended') return;
    this.chats.delete(chatId);
    this.changed();
  }

  // ---------------------------------------------------------------- time

  /** Ends chats nobody took in time or that went quiet; lets counsellors who left go off duty. */
  tick(now = this.clock()): void {
    for (const [id, c] of this.counsellors) {
      if (c.streams === 0 && c.goneSince !== null && now - c.goneSince >= this.opts.presenceGraceMs) {
        c.goneSince = null;
        c.onDuty = false;
        this.release(id);
        this.changed();
      }
    }
    for (const chat of this.chats.values()) {
      if (chat.state !== 'ended' && chat.tipOffer?.state === 'asked' && now - chat.tipOffer.at >= this.opts.tipOfferMs) {
        chat.tipOffer.state = 'expired';
        const last = chat.lastActivity; // a lapsed question is not activity
        this.add(chat, 'system', '', { notice: 'tip_expired' });
        chat.lastActivity = last;
        this.changed();
      }
      if (chat.state !== 'ended' && chat.userStreams === 0 && chat.userGoneSince != null && now - chat.userGoneSince >= this.opts.userGraceMs) this.finish(chat, 'user_left');
      else if (chat.state === 'waiting' && now - chat.waitingSince >= this.opts.waitLimitMs) this.finish(chat, 'unanswered');
      else if (chat.state === 'waiting' && this.onDutyCount() === 0 && now - chat.waitingSince >= this.opts.presenceGraceMs) this.finish(chat, 'unanswered');
      else if (chat.state === 'active' && now - chat.lastActivity >= this.opts.idleLimitMs) this.finish(chat, 'idle');
      // Ended chats stay listed for their counsellor a while (to read the last lines), then go.
      else if (chat.state === 'ended' && now - chat.lastActivity >= this.opts.idleLimitMs) this.chats.delete(chat.id);
    }
  }

  /** Ends every open chat (server shutdown), telling each person. */
  shutdown(): void {
    for (const chat of this.chats.values()) if (chat.state !== 'ended') this.finish(chat, 'shutdown');
  }

  openCount(): number {
    let n = 0;
    for (const c of this.chats.values()) if (c.state !== 'ended') n++;
    return n;
  }

  // ---------------------------------------------------------------- internals

  private counsellor(id: string): Counsellor {
    let c = this.counsellors.get(id);
    if (!c) { c = { onDuty: false, streams: 0, goneSince: null }; this.counsellors.set(id, c); }
    return c;
  }

  private mustGet(chatId: string): LiveChat {
    const chat = this.chats.get(chatId);
    if (!chat) throw new LiveError(404, 'not_found', 'no such chat (it may have ended)');
    return chat;
  }

  private held(chatId: string, officerId: string): LiveChat {
    const chat = this.mustGet(chatId);
    if (chat.state === 'ended') throw new LiveError(410, 'chat_ended', 'this chat has ended');
    if (chat.counsellorId !== officerId) throw new LiveError(403, 'not_yours', 'this chat is not yours');
    return chat;
  }

  /** A counsellor left duty: their chats go back to the waiting list, or end if nobody else is on duty. */
  private release(officerId: string): void {
    for (const chat of this.chats.values()) {
      if (chat.state !== 'active' || chat.counsellorId !== officerId) continue;
      if (this.onDutyCount() > 0) {
        chat.state = 'waiting';
        chat.counsellorId = null;
        chat.waitingSince = this.clock();
        this.notify(chat, 'requeued');
      } else {
        this.finish(chat, 'counsellor_gone');
      }
    }
  }

  private add(chat: LiveChat, from: LiveMessage['from'], text: string, extra: Partial<LiveMessage> = {}): LiveMessage {
    const at = this.clock();
    const m: LiveMessage = { seq: chat.messages.length + 1, from, text, at, ...extra };
    chat.messages.push(m);
    chat.lastActivity = at;
    return m;
  }

  private notify(chat: LiveChat, notice: UserNotice, extra: Partial<LiveMessage> = {}): void {
    const m = this.add(chat, 'system', '', { notice, ...extra });
    for (const fn of this.userListeners) fn(chat, m);
  }

  private finish(chat: LiveChat, reason: EndReason): void {
    if (chat.state === 'ended') return;
    chat.state = 'ended';
    chat.endReason = reason;
    // A question about keeping the chat as a tip that was not answered lapses with it: nothing is stored.
    if (chat.tipOffer?.state === 'asked') chat.tipOffer.state = 'expired';
    this.bySession.delete(chat.sessionKey);
    // The person is told why, unless they ended it themselves (the bot answers that turn).
    const notice: UserNotice | null = reason === 'counsellor' ? 'ended_counsellor' : reason === 'unanswered' ? 'unanswered'
      : reason === 'idle' ? 'idle' : reason === 'counsellor_gone' || reason === 'shutdown' ? 'counsellor_gone' : null;
    if (notice) this.notify(chat, notice);
    else this.add(chat, 'system', '', { notice: reason === 'user_left' ? 'user_left' : 'ended_user' });
    // Nobody needs the relay address any more; the messages stay only for the counsellor's screen.
    chat.address = '';
    if (chat.counsellorId === null) this.chats.delete(chat.id);
    this.changed();
  }

  private changed(): void {
    for (const fn of this.changeListeners) fn();
  }
}
