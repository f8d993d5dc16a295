/**
 * The runtime around the pure engine: loads the session, steps the engine, performs the
 * actions it asks for, saves the session and returns the replies. One turn per user at a time.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine.js';
import type { EngineEvent, Input, OutMessage, Session } from '../engine/types.js';
import type { Store } from '../store/port.js';
import type { Logger } from '../log.js';
import { hmac } from '../secrets.js';
import { Actions } from './actions.js';

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
}

export interface Outbound {
  replies: OutMessage[];
  duplicate: boolean;
}

/** Anonymous counters of what happened, for aggregate statistics (no ids, no text). */
export type TurnObserver = (events: readonly EngineEvent[], channel: string) => void;

const MAX_ACTIONS_PER_TURN = 4;
/** Sessions outlive the idle timeout by this much, so the engine can say politely that it started over. */
const SESSION_GRACE_MS = 3_600_000;

export class Bot {
  private readonly actions: Actions;
  private readonly locks = new Map<string, Promise<unknown>>();
  private observers: TurnObserver[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly store: Store,
    private readonly key: Buffer,
    private readonly log: Logger,
    private readonly opts: { sessionTimeoutMs: number; now?: () => number },
  ) {
    this.actions = new Actions(store, key, log);
  }

  onTurn(observer: TurnObserver): void {
    this.observers.push(observer);
  }

  /** The session key: a keyed one-way hash of (channel, user id). */
  sessionKey(channel: string, userId: string): string {
    return hmac(this.key, 'session', channel, userId);
  }

  async handle(msg: Inbound): Promise<Outbound> {
    const key = this.sessionKey(msg.channel, msg.userId);
    // Serialise turns of one conversation; different conversations run concurrently.
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.turn(key, msg), () => this.turn(key, msg));
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  private async turn(key: string, msg: Inbound): Promise<Outbound> {
    const started = performance.now();
    const now = this.opts.now?.() ?? Date.now();
    const processedKey = msg.messageId ? hmac(this.key, 'msg', msg.channel, msg.messageId) : undefined;
    const session = await this.loadSession(key, now);
    if (processedKey && !(await this.isNew(processedKey))) {
      this.log.info('duplicate delivery ignored', { channel: msg.channel });
      return { replies: this.engine.prompt(session), duplicate: true };
    }
    const id = msg.messageId ? processedKey as string : randomUUID();
    const input: Input = msg.start ? { kind: 'start', id, now }
      : msg.payload !== undefined ? { kind: 'choice', payload: msg.payload, id, now }
        : { kind: 'text', text: msg.text ?? '', id, now };

    let res = this.engine.step(session, input);
    const replies = [...res.messages];
    const events = [...res.events];
    let deleteSession = false;
    for (let i = 0; i < MAX_ACTIONS_PER_TURN; i++) {
      const action = res.events.find((e): e is Extract<EngineEvent, { type: 'action' }> => e.type === 'action');
      if (!action) break;
      const out = await this.actions.run(action.action, action.args, {
        sessionKey: key, channel: msg.channel, lang: res.session.lang, runId: action.runId, now,
      });
      if (out.deleteSession) deleteSession = true;
      res = this.engine.step(res.session, { kind: 'action_result', action: action.action, ok: out.ok, data: out.data, once: out.once, id, now });
      replies.push(...res.messages);
      events.push(...res.events);
    }
    try {
      await this.store.commitTurn({
        sessionKey: key,
        session: deleteSession ? undefined : { data: JSON.stringify(res.session), expiresAt: now + this.opts.sessionTimeoutMs + SESSION_GRACE_MS },
        processedKey,
        at: now,
      });
    } catch (e) {
      // The replies were computed (and any tip already stored); losing the session only restarts the chat.
      this.log.error('session not saved', { error: (e as Error).message });
    }
    for (const o of this.observers) o(events, msg.channel);
    this.log.info('turn', {
      channel: msg.channel, input: input.kind, replies: replies.length,
      intents: events.filter((e) => e.type === 'intent').map((e) => (e as { intent: string }).intent),
      actions: events.filter((e) => e.type === 'action').map((e) => (e as { action: string }).action),
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
    return { replies, duplicate: false };
  }

  private async isNew(processedKey: string): Promise<boolean> {
    // Peek without claiming: the key is claimed only after the turn completes, so a crash
    // mid-turn lets the platform's redelivery run the turn again (actions are idempotent).
    return !(await this.store.wasProcessed(processedKey));
  }

  private async loadSession(key: string, now: number): Promise<Session | undefined> {
    try {
      const row = await this.store.getSession(key);
      if (!row || row.expiresAt < now) return undefined;
      const s = JSON.parse(row.data) as Session;
      return s && s.v === 1 ? s : undefined;
    } catch (e) {
      this.log.warn('session not loaded; starting fresh', { error: (e as Error).message });
      return undefined;
    }
  }
}
