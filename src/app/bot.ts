/**
 * The runtime around the pure engine: loads the session, steps the engine, performs the
 * actions it asks for, saves the session and returns the replies. One turn per user at a time.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine.js';
import type { EngineEvent, Input, Localized, OutMessage, Session } from '../engine/types.js';
import type { Limits } from './limits.js';
import { SessionConflictError, type OutboxItem, type Store } from '../store/port.js';
import type { Logger } from '../log.js';
import { hmac } from '../secrets.js';
import { ActionRunner } from '../actions/index.js';
import type { CaseService } from '../cases/service.js';
import type { FieldCipher } from '../cases/cipher.js';
import type { NotificationRegistry } from '../channels/notify.js';
import type { LiveRelay } from '../live/relay.js';
import type { LiveChat, LiveState } from '../live/desk.js';
import { normalize } from '../text/normalize.js';
import { NO_CAPABILITIES, type Capabilities } from '../channels/capabilities.js';
import type { HotlineCalls } from '../channels/calls.js';
import { cmd, LIVE_END, LIVE_TIP_NO, LIVE_TIP_YES, resumesPaused } from '../engine/payload.js';
import { posterRefs, refCounts } from '../campaigns/refs.js';

export interface Inbound {
  /** Channel kind: "web", "cli", "telegram", ... */
  channel: string;
  /** The user's id on that channel; used only through an HMAC, never stored or logged. */
  userId: string;
  /** The platform's message id, for deduplication of redeliveries (optional for local channels). */
  messageId?: string;
  text?: string;
  /** A tapped button's payload. */
  payload?: string;
  /** A first contact (follow, conversation start). */
  start?: boolean;
  /** A campaign poster's ref the person came through (Telegram /start, Messenger referral, web chat ?ref=): see campaigns/refs.ts. */
  ref?: string;
  /** A photo, file, location... was sent (never fetched). */
  attachment?: boolean;
  /** What the person's channel can do (its edge declares it; none when not said). */
  capabilities?: Capabilities;
  /**
   * A channel event kept in the durable inbox: its row is removed with the turn's commit, and the replies are
   * written with it (`keep` seals them) so a committed turn never loses its answer.
   */
  edge?: { inboxId: string; keep(replies: OutMessage[], sessionKey: string, turn: string): OutboxItem };
}

export interface Outbound {
  replies: OutMessage[];
  duplicate: boolean;
  /** An open live chat with a counsellor: its state, and the token of the person's event stream (web chat). */
  live?: { stream: string; state: LiveState };
  /** Refused by the abuse limits (the web chat answers 429 with the replies). */
  limited?: boolean;
  /** The conversation's language after the turn (for messages the edges add, e.g. "too busy"). */
  lang?: 'vi' | 'en';
  /** Durable edges: the outbox row the replies were committed in (remove it once sent). */
  kept?: string;
  /** Durable edges: the inbox row was removed with the commit. */
  settled?: boolean;
}

/** What one turn carries from step to step (src/app/bot.ts `turn`). */
interface TurnContext {
  key: string;
  msg: Inbound;
  now: number;
  processedKey: string | undefined;
  input: Input;
  /** The replies so far (a live chat's end notice, then the engine's). */
  replies: OutMessage[];
  started: number;
}

/** The engine step's result: the new session, the version it was read at, the events, and whether the conversation was deleted. */
interface EngineOutcome { session: Session; version: number; events: EngineEvent[]; deleteSession: boolean }

/** Anonymous counters of what happened, for aggregate statistics (no ids, no text). */
export type TurnObserver = (events: readonly EngineEvent[], channel: string, ms?: number) => void;

const MAX_ACTIONS_PER_TURN = 4;
/** A turn whose commit found the conversation changed by someone else runs again, at most this many times in all. */
const MAX_TURN_ATTEMPTS = 3;
/** The action that stores a tip: it has its own, tighter budget. */
const TIP_ACTION = 'create_case';
/** Sentences the runtime itself says (content/messages.yaml). */
export const RUNTIME_MESSAGES = ['rate_limited', 'busy'] as const;
type RuntimeMessage = (typeof RUNTIME_MESSAGES)[number];
/** Sessions outlive the idle timeout by this much, so the engine can say politely that it started over. */
const SESSION_GRACE_MS = 3_600_000;

/** Recent sessions kept in memory for a store outage, at most this many. */
const MAX_REMEMBERED_SESSIONS = 10_000;

export class Bot {
  private readonly actions: ActionRunner;
  private readonly locks = new Map<string, Promise<unknown>>();
  /**
   * The latest session of recent conversations, bounded. The store stays the truth while it answers;
   * when it does not (an outage), this copy lets the conversation go on, and a session whose save
   * failed (`unsaved`) wins over the store's older copy, so no answer a reporter typed is lost.
   */
  private readonly remembered = new Map<string, { data: string; expiresAt: number; version: number; unsaved: boolean }>();
  private observers: TurnObserver[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly store: Store,
    private readonly key: Buffer,
    private readonly log: Logger,
    private readonly opts: {
      sessionTimeoutMs: number; draftKeepMs?: number; limits?: Limits; messages?: Readonly<Record<string, Localized>>; cases: CaseService; cipher: FieldCipher; notifications?: NotificationRegistry; now?: () => number;
      /** Live chats with counsellors, and the phrases that end one (normalised once here). */
      live?: LiveRelay; liveEndPhrases?: readonly string[];
      /** Call buttons for the hotlines an answer names, on channels that show them (capabilities.callButtons). */
      calls?: HotlineCalls;
    },
  ) {
    this.actions = new ActionRunner({ store, key, log, cases: opts.cases, notifications: opts.notifications, live: opts.live?.desk });
    this.liveEnd = new Set((opts.liveEndPhrases ?? []).map(normalize));
  }

  private readonly liveEnd: Set<string>;


  onTurn(observer: TurnObserver): void {
    this.observers.push(observer);
  }

  offTurn(observer: TurnObserver): void {
    this.observers = this.observers.filter((o) => o !== observer);
  }

  /** Forgets a conversation (unfollow, a platform's data-deletion event). */
  async forget(channel: string, userId: string): Promise<void> {
    const key = this.sessionKey(channel, userId);
    this.remembered.delete(key);
    await this.store.deleteSession(key);
  }

  /** The processed-message key of a platform message id (also the id of its durable inbox row). */
  messageKey(channel: string, messageId: string): string {
    return hmac(this.key, 'msg', channel, messageId);
  }

  /** The session key: a keyed one-way hash of (channel, user id). */
  sessionKey(channel: string, userId: string): string {
    return hmac(this.key, 'session', channel, userId);
  }

  async handle(msg: Inbound): Promise<Outbound> {
    const key = this.sessionKey(msg.channel, msg.userId);
    // Serialise turns of one conversation; different conversations run concurrently.
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.turnOnce(key, msg), () => this.turnOnce(key, msg));
    this.locks.set(key, run);
    try {
      const out = await run;
      // In a live chat with a counsellor, the web chat opens the chat's event stream with this token.
      const chat = this.opts.live?.desk.chatOf(key);
      return chat ? { ...out, live: { stream: chat.token, state: chat.state } } : out;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  /**
   * A turn commits only onto the session version it read: if another instance committed this conversation in
   * the meantime, the turn runs again on the new session (its actions are idempotent; a message the other
   * instance already processed is then recognised as a redelivery).
   */
  private async turnOnce(key: string, msg: Inbound): Promise<Outbound> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.turn(key, msg);
      } catch (e) {
        if (!(e instanceof SessionConflictError) || attempt >= MAX_TURN_ATTEMPTS) throw e;
        this.log.info('turn ran again: the conversation changed meanwhile', { channel: msg.channel, attempt });
      }
    }
  }

  /**
   * One turn, as a pipeline of named steps; each of the first three may end the turn with its own answer:
   *   dedupe → limits → live chat → engine turn (the crisis router, the flows, the actions) → commit.
   */
  private async turn(key: string, msg: Inbound): Promise<Outbound> {
    const t = this.begin(key, msg);
    return (await this.dedupe(t))
      ?? (await this.limit(t))
      ?? (await this.liveChat(t))
      ?? this.commitStep(t, await this.engineTurn(t));
  }

  /** The turn's context: its clock, the message's processed key and the engine's input. */
  private begin(key: string, msg: Inbound): TurnContext {
    const now = this.opts.now?.() ?? Date.now();
    const processedKey = msg.messageId ? this.messageKey(msg.channel, msg.messageId) : undefined;
    const id = processedKey ?? randomUUID();
    const input: Input = msg.start ? { kind: 'start', id, now }
      : msg.attachment ? { kind: 'attachment', id, now }
      : msg.payload !== undefined ? { kind: 'choice', payload: msg.payload, id, now }
        : { kind: 'text', text: msg.text ?? '', id, now };
    return { key, msg, now, processedKey, input, replies: [], started: performance.now() };
  }

  /** A redelivered message: nothing runs again; the question waiting is shown again. */
  private async dedupe(t: TurnContext): Promise<Outbound | undefined> {
    if (!t.processedKey || (await this.isNew(t.processedKey))) return undefined;
    this.log.info('duplicate delivery ignored', { channel: t.msg.channel });
    return { replies: this.engine.prompt(await this.loadSession(t.key, t.now)), duplicate: true };
  }

  /**
   * Abuse limits: a conversation sending too fast, or everyone at once, gets an honest "wait a little" (and a
   * crisis still gets its first answer); nothing is stored for the refused message.
   */
  private async limit(t: TurnContext): Promise<Outbound | undefined> {
    const verdict = this.opts.limits ? await this.opts.limits.message(t.key) : { ok: true as const };
    return verdict.ok ? undefined : this.limited(t.key, t.msg, t.now, verdict.scope === 'global' ? 'busy' : 'rate_limited');
  }

  /**
   * In a live chat with a counsellor, the person's words go to the counsellor, not to the bot, until either
   * side ends it ("kết thúc", "menu", "hủy", or the end button): then back to the menu.
   */
  private async liveChat(t: TurnContext): Promise<Outbound | undefined> {
    const relay = this.opts.live;
    const live = relay?.desk.chatOf(t.key);
    if (!relay || !live) return undefined;
    if (!this.endsLive(t.msg)) return this.liveTurn(relay, live, t);
    relay.desk.endByUser(t.key);
    t.replies.push({ text: relay.say(live.lang, 'live_ended_user') });
    t.input = { kind: 'choice', payload: cmd('menu'), id: t.input.id, now: t.now };
    return undefined;
  }

  /** The engine's step on the stored session (the crisis router runs first inside it), then the actions it asks for. */
  private async engineTurn(t: TurnContext): Promise<EngineOutcome> {
    const { session, version } = await this.loadTurn(t.key, t.now);
    // A poster's ref starts its campaign; the ref stays in the session for its life only (a place, not a person).
    const poster = t.msg.ref ? await posterRefs(this.store).get(t.msg.ref) : undefined;
    if (poster) t.input = { kind: 'choice', payload: `go:campaign_${poster.campaign}`, id: t.input.id, now: t.now };
    let res = this.engine.step(session, t.input);
    if (poster) res.session.origin = poster.ref;
    t.replies.push(...res.messages);
    const events: EngineEvent[] = [...res.events, ...(poster ? [{ type: 'count' as const, key: `ref.${poster.ref}.start` }] : [])];
    let tipSent = false;
    let deleteSession = false;
    for (let i = 0; i < MAX_ACTIONS_PER_TURN; i++) {
      const action = res.events.find((e): e is Extract<EngineEvent, { type: 'action' }> => e.type === 'action');
      if (!action) break;
      // A tight budget for tips: beyond it the tip is not stored yet, and the reporter is told so (answers kept).
      const tipVerdict = action.action === TIP_ACTION && this.opts.limits ? await this.opts.limits.tip(t.key) : { ok: true as const };
      const out = !tipVerdict.ok ? { ok: false, data: { reason: 'limited' } } : await this.actions.run(action.action, action.args, {
        sessionKey: t.key, channel: t.msg.channel, address: t.msg.userId, lang: res.session.lang, runId: action.runId, now: t.now,
        capabilities: t.msg.capabilities ?? NO_CAPABILITIES,
      });
      if (out.deleteSession) deleteSession = true;
      if (action.action === TIP_ACTION && out.ok) tipSent = true;
      res = this.engine.step(res.session, { kind: 'action_result', action: action.action, ok: out.ok, data: out.data, once: out.once, id: t.input.id, now: t.now });
      t.replies.push(...res.messages);
      events.push(...res.events);
    }
    // The conversation was deleted: nothing of it can be continued (no "Tiếp tục tin báo" under the receipt).
    if (deleteSession) {
      for (const m of t.replies) {
        if (!m.choices) continue;
        m.choices = m.choices.filter((c) => !resumesPaused(c.id));
        if (!m.choices.length) delete m.choices;
      }
    }
    events.push(...refCounts(res.session.origin, events, tipSent));
    return { session: res.session, version, events, deleteSession };
  }

  /** Saves the turn (session, processed mark, durable edges) in one write; then observers and the log line. */
  private async commitStep(t: TurnContext, o: EngineOutcome): Promise<Outbound> {
    const { key, msg } = t;
    const replies = msg.capabilities?.callButtons && this.opts.calls ? this.opts.calls.add(t.replies, o.session.lang) : t.replies;
    const outbound = msg.edge && t.processedKey && replies.length ? msg.edge.keep(replies, key, t.processedKey) : undefined;
    const saved = await this.commit(key, o.session, t.processedKey, t.now, o.deleteSession, o.version, { inboxId: msg.edge?.inboxId, outbound });
    const ms = performance.now() - t.started;
    for (const obs of this.observers) obs(o.events, msg.channel, ms);
    this.log.info('turn', {
      channel: msg.channel, input: t.input.kind, replies: replies.length,
      intents: o.events.filter((e) => e.type === 'intent').map((e) => (e as { intent: string }).intent),
      actions: o.events.filter((e) => e.type === 'action').map((e) => (e as { action: string }).action),
      ms: Math.round(ms * 10) / 10,
    });
    return { replies, duplicate: false, lang: o.session.lang, ...(saved && msg.edge ? { settled: true, kept: outbound?.id } : {}) };
  }

  /**
   * A message during a live chat: relayed to the counsellor (flagged if it sounds like a crisis). The bot
   * answers only with the crisis router's first answer when the message speaks of one (the right number
   * first, whether or not a counsellor has taken the chat yet), to say a file cannot be passed on, or once,
   * while waiting, that the counsellor will read it; a tapped yes or no answers a counsellor's proposal to keep
   * the chat as a tip. The session is not touched; the message is marked processed so a redelivery is not
   * relayed twice.
   */
  private async liveTurn(relay: LiveRelay, live: LiveChat, t: TurnContext): Promise<Outbound> {
    const { input, processedKey, now } = t;
    const channel = t.msg.channel;
    const replies: OutMessage[] = [];
    if (input.kind === 'attachment') replies.push({ text: relay.say(live.lang, 'live_text_only') });
    else if (input.kind === 'choice' && (input.payload === LIVE_TIP_YES || input.payload === LIVE_TIP_NO)) replies.push(...await this.liveTip(relay, live, input.payload === LIVE_TIP_YES, t));
    else if (input.kind === 'text' && input.text.trim()) {
      const crisis = this.engine.crisisAnswer(input.text, live.lang === 'en' ? 'en' : 'vi', now);
      relay.desk.fromUser(live.sessionKey, input.text, crisis !== undefined);
      if (crisis) replies.push(...crisis.messages);
      if (live.state === 'waiting' && (!live.ackedWaiting || crisis)) {
        live.ackedWaiting = true;
        replies.push({ text: relay.say(live.lang, 'live_waiting') });
      }
    }
    if (processedKey) await this.store.markProcessed(processedKey, now).catch((e: Error) => this.log.warn('message not marked processed', { error: e.message }));
    this.log.info('turn', { channel, input: input.kind, live: live.state, replies: replies.length });
    return { replies, duplicate: false };
  }

  /**
   * The person's answer to a counsellor's proposal to keep the chat as a tip. Yes stores it through the same
   * action as every tip (sealed, a reference code and a secret derived from the run, no reporter identity, the
   * tip budget), built from the person's own messages; the code and secret reach the person in this turn only,
   * the reference code the counsellor's panel. No, or no answer, stores nothing.
   */
  private async liveTip(relay: LiveRelay, live: LiveChat, yes: boolean, t: TurnContext): Promise<OutMessage[]> {
    const lang = live.lang;
    const offer = live.tipOffer;
    if (offer?.state === 'saved') return [{ text: relay.say(lang, 'live_tip_already').replace('{{ref}}', () => offer.ref ?? '') }];
    if (!offer || offer.state !== 'asked') return [{ text: relay.say(lang, 'live_tip_stale') }];
    if (!yes) {
      relay.desk.tipAnswered(live.id, 'declined');
      this.log.info('live chat tip', { channel: live.channel, outcome: 'declined' });
      return [{ text: relay.say(lang, 'live_tip_declined') }];
    }
    const verdict = this.opts.limits ? await this.opts.limits.tip(t.key) : { ok: true as const };
    const out = !verdict.ok ? { ok: false } : await this.actions.run(TIP_ACTION, relay.tipArgs(live, offer.category), {
      sessionKey: t.key, channel: live.channel, address: '', lang, runId: `live-tip:${live.id}:${offer.n}`, now: t.now, capabilities: NO_CAPABILITIES,
    });
    const ref = out.ok && 'once' in out ? out.once?.ref : undefined;
    const secret = out.ok && 'once' in out ? out.once?.secret : undefined;
    if (typeof ref !== 'string' || typeof secret !== 'string') {
      relay.desk.tipAnswered(live.id, 'failed');
      this.log.warn('live chat tip not stored', { channel: live.channel, limited: !verdict.ok });
      return [{ text: relay.say(lang, 'live_tip_failed'), choices: relay.tipChoices(lang) }];
    }
    relay.desk.tipAnswered(live.id, 'saved', ref);
    this.log.info('live chat tip', { channel: live.channel, outcome: 'saved' });
    return [{ text: relay.say(lang, 'live_tip_saved').replace('{{ref}}', () => ref).replace('{{secret}}', () => secret) }];
  }

  /** Saves the session (sealed), marks the message processed and settles the edges, in one write; false if the store failed. */
  private async commit(key: string, session: Session, processedKey: string | undefined, now: number, deleteSession: boolean, version: number,
    edges: { inboxId?: string; outbound?: OutboxItem }): Promise<boolean> {
    // A session may hold a tip's unsent answers: it is sealed at rest like the cases.
    // A session holding an unsent tip (a draft) is kept longer: the reporter may come back to it tomorrow.
    const keep = Math.max(this.opts.sessionTimeoutMs + SESSION_GRACE_MS, this.engine.holdsDraft(session) ? this.opts.draftKeepMs ?? 0 : 0);
    const saved = deleteSession ? undefined : { data: this.opts.cipher.encrypt(JSON.stringify(session), 'session'), expiresAt: now + keep };
    try {
      // A deletion needs no version (the delete_data action may already have removed the session; deleting is final).
      await this.store.commitTurn({ sessionKey: key, session: saved, processedKey, at: now, expectVersion: deleteSession ? undefined : version, ...edges });
      this.remember(key, saved, version + 1, false);
      return true;
    } catch (e) {
      if (e instanceof SessionConflictError) throw e;
      // The replies were computed (and any tip already stored). Keep the session in memory until the
      // store is back, so nothing the reporter typed is lost; the message stays unmarked, so a
      // redelivery is processed again (actions are idempotent).
      this.log.error('session not saved; kept in memory', { error: (e as Error).message });
      this.remember(key, saved, version, true);
      return false;
    }
  }

  /** The person's message ends their live chat: the end button, "kết thúc", "menu", "hủy"… */
  private endsLive(msg: Inbound): boolean {
    if (msg.payload !== undefined) return msg.payload === LIVE_END || msg.payload === cmd('menu') || msg.payload === cmd('cancel');
    return msg.text !== undefined && this.liveEnd.has(normalize(msg.text));
  }

  private async isNew(processedKey: string): Promise<boolean> {
    // Peek without claiming: the key is claimed only after the turn completes, so a crash
    // mid-turn lets the platform's redelivery run the turn again (actions are idempotent).
    try {
      return !(await this.store.wasProcessed(processedKey));
    } catch {
      // Store down: process it (a redelivery at worst repeats a turn; actions are idempotent).
      return true;
    }
  }

  private remember(key: string, s: { data: string; expiresAt: number } | undefined, version: number, unsaved: boolean): void {
    this.remembered.delete(key);
    if (!s) return;
    if (this.remembered.size >= MAX_REMEMBERED_SESSIONS) this.remembered.delete(this.remembered.keys().next().value as string);
    this.remembered.set(key, { ...s, version, unsaved });
  }

  /** The answer to a message refused by the limits: the crisis's first answer if it speaks of one, else
   * "you are sending too fast" / "the service is busy", in the conversation's language. */
  private async limited(key: string, msg: Inbound, now: number, say: RuntimeMessage): Promise<Outbound> {
    this.log.warn('message refused by the abuse limits', { channel: msg.channel, reason: say });
    const session = await this.loadSession(key, now).catch(() => undefined);
    const lang = session?.lang ?? 'vi';
    if (msg.text) {
      const crisis = this.engine.crisisAnswer(msg.text, lang, now);
      if (crisis) return { replies: crisis.messages, duplicate: false };
    }
    return { replies: [{ text: this.say(say, lang) }], duplicate: false, limited: true, lang };
  }

  /** The person left the page (the quick exit): a live chat of theirs ends for the counsellor ("left"). */
  leave(channel: string, userId: string): boolean {
    return this.opts.live?.desk.leave(this.sessionKey(channel, userId)) ?? false;
  }

  /** A sentence the runtime itself says ("too fast", "too busy"), in a language. */
  say(what: RuntimeMessage, lang: 'vi' | 'en' = 'vi'): string {
    return this.opts.messages?.[what]?.[lang] ?? 'Bình An đang quá tải, bạn thử lại sau ít phút nhé.';
  }

  /** Whether a conversation holds an unsent tip (being written or parked), as its stored session says:
   * for tools and property tests that check no draft is ever lost. */
  async holdsDraft(channel: string, userId: string, now = Date.now()): Promise<boolean> {
    const s = await this.loadSession(this.sessionKey(channel, userId), now);
    return s !== undefined && this.engine.holdsDraft(s);
  }

  private async loadSession(key: string, now: number): Promise<Session | undefined> {
    return (await this.loadTurn(key, now)).session;
  }

  /** The conversation's session (none if new, expired or unreadable) and the stored version it was read at. */
  private async loadTurn(key: string, now: number): Promise<{ session: Session | undefined; version: number }> {
    const mem = this.remembered.get(key);
    let row: { data: string; expiresAt: number; version: number } | null | undefined = mem?.unsaved ? mem : undefined;
    if (!row) {
      try {
        row = await this.store.getSession(key);
      } catch (e) {
        this.log.warn('session not loaded from the store; using the copy in memory', { error: (e as Error).message, inMemory: mem !== undefined });
        row = mem;
      }
    }
    const version = row?.version ?? 0;
    if (!row || !row.data || row.expiresAt < now) return { session: undefined, version };
    try {
      const s = JSON.parse(this.opts.cipher.decrypt(row.data, 'session')) as Session;
      return { session: s && s.v === 1 ? s : undefined, version };
    } catch (e) {
      this.log.warn('session unreadable; starting fresh', { error: (e as Error).message });
      return { session: undefined, version };
    }
  }
}
