/**
 * Effects requested by the engine's action nodes. Each handler gets the flow variables and
 * answers with ok/data (kept in the session) and once (shown in this turn only, never stored).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Store, NewCase, TipFields } from '../store/port.js';
import { CATEGORIES, DuplicateKeyError } from '../store/port.js';
import { REF_ALPHABET } from '../engine/inputs.js';
import { hmac } from '../secrets.js';
import type { Logger } from '../log.js';
import type { CaseService } from '../cases/service.js';
import { NOTIFIABLE, type NotificationRegistry } from '../channels/notify.js';
import type { LiveDesk } from '../live/desk.js';

/** The actions a flow's action node may request. */
export const ACTION_NAMES = ['create_case', 'check_case', 'add_case_info', 'delete_data', 'request_human', 'notify_opt_in', 'notify_opt_out'] as const;

export interface ActionContext {
  sessionKey: string;
  channel: string;
  /** The channel's user address; used only to store an opt-in notification subscription, sealed. */
  address: string;
  lang: string;
  runId: string;
  now: number;
}

export interface ActionResult {
  ok: boolean;
  data?: Record<string, unknown>;
  once?: Record<string, unknown>;
  /** The session must be deleted instead of saved after this turn. */
  deleteSession?: boolean;
}

/** Follow-up attempt limits: per session and per reference code, within this window. */
export const ATTEMPT_WINDOW_MS = 3_600_000;
export const MAX_ATTEMPTS_PER_SESSION = 5;
export const MAX_ATTEMPTS_PER_REF = 10;

const optionalText = z.string().trim().max(2000).nullish().transform((v) => (v ? v : undefined));
const tipArgs = z.object({
  category: z.enum(CATEGORIES),
  province: z.string().trim().min(1).max(100),
  place: optionalText,
  when: z.string().max(40).nullish().transform((v) => v ?? undefined),
  when_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish().transform((v) => v ?? undefined),
  what: z.string().trim().min(1).max(2000),
  involved: optionalText,
  in_danger: z.enum(['yes', 'no', 'unsure']),
  contact: optionalText,
});

/** 6 characters from a 32-letter alphabet without look-alikes (no 0/O, 1/I). */
function refFrom(digest: Buffer): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += REF_ALPHABET[digest[i] % REF_ALPHABET.length];
  return `BA-${out}`;
}

/** 12 decimal digits, from the first 8 bytes of a digest. */
function secretFrom(digest: Buffer): string {
  return (digest.readBigUInt64BE(0) % 1_000_000_000_000n).toString().padStart(12, '0');
}

export function formatSecret(s: string): string {
  return `${s.slice(0, 4)} ${s.slice(4, 8)} ${s.slice(8, 12)}`;
}

export class Actions {
  /** Cases go through the case service (encryption, history, related tips), never to the store directly. */
  constructor(
    private readonly store: Store, private readonly key: Buffer, private readonly log: Logger, private readonly cases: CaseService,
    private readonly notifications?: NotificationRegistry,
    private readonly live?: LiveDesk,
  ) {}

  /** "Talk to a person": a live chat when a counsellor is on duty, else an honest "nobody now". */
  private requestHuman(ctx: ActionContext): ActionResult {
    // The CLI has no way to carry a counsellor's later replies.
    if (!this.live || ctx.channel === 'cli') return { ok: false, data: { reason: 'none_on_duty' } };
    const chat = this.live.request({ sessionKey: ctx.sessionKey, channel: ctx.channel, address: ctx.address, lang: ctx.lang });
    if (!chat) return { ok: false, data: { reason: 'none_on_duty' } };
    this.log.info('live chat requested', { channel: ctx.channel });
    return { ok: true };
  }

  /** "Notify me here when an officer replies": only on channels that can push, only by explicit choice. */
  private async notifyOptIn(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    const c = args.case as { ref?: unknown } | undefined;
    const ref = typeof c?.ref === 'string' ? c.ref : '';
    if (!this.notifications || !NOTIFIABLE.has(ctx.channel)) return { ok: false, data: { reason: 'unsupported' } };
    if (!ref) return { ok: false, data: { reason: 'invalid' } };
    await this.notifications.subscribe(ref, { channel: ctx.channel, address: ctx.address, lang: ctx.lang });
    return { ok: true };
  }

  /** Opting out needs the follow-up grant of a successful code + secret check in this session. */
  private async notifyOptOut(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    const ref = typeof args.ref === 'string' ? args.ref : '';
    const result = args.result as { grant?: unknown } | undefined;
    const grant = typeof result?.grant === 'string' ? result.grant : '';
    const expected = this.grant(ctx, ref);
    if (!this.notifications || grant.length !== expected.length || !timingSafeEqual(Buffer.from(grant), Buffer.from(expected))) return { ok: false };
    await this.notifications.unsubscribe(ref);
    return { ok: true };
  }

  secretHash(secret: string): string {
    return hmac(this.key, 'tip-secret', secret);
  }

  async run(action: string, args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    try {
      switch (action) {
        case 'create_case': return await this.createCase(args, ctx);
        case 'check_case': return await this.checkCase(args, ctx);
        case 'add_case_info': return await this.addCaseInfo(args, ctx);
        case 'delete_data': return await this.deleteData(ctx);
        case 'request_human': return this.requestHuman(ctx);
        case 'notify_opt_in': return await this.notifyOptIn(args, ctx);
        case 'notify_opt_out': return await this.notifyOptOut(args, ctx);
        default: return { ok: false };
      }
    } catch (e) {
      this.log.error('action failed', { action, error: (e as Error).message });
      return { ok: false, data: { reason: 'unavailable' } };
    }
  }

  /**
   * Stores the tip durably before the bot may say "received". The reference code and secret are
   * derived from the session and the flow run, so a retried or redelivered submission gets the
   * same case, the same code and the same secret, and never a second case.
   */
  private async createCase(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    const parsed = tipArgs.safeParse(args);
    if (!parsed.success) {
      this.log.warn('tip rejected: invalid fields', { fields: parsed.error.issues.map((i) => i.path.join('.')) });
      return { ok: false, data: { reason: 'invalid' } };
    }
    const a = parsed.data;
    const fields: TipFields = {
      category: a.category, province: a.province, place: a.place, when: a.when, whenDate: a.when_date,
      what: a.what, involved: a.involved, inDanger: a.in_danger, contact: a.contact,
    };
    const material = `${ctx.sessionKey}:${ctx.runId}`;
    const secret = secretFrom(createHmac('sha256', this.key).update(`tip-secret-seed:${material}`).digest());
    for (let attempt = 0; attempt < 5; attempt++) {
      const c: NewCase = {
        idempotencyKey: hmac(this.key, 'case', material),
        ref: refFrom(createHmac('sha256', this.key).update(`ref:${material}:${attempt}`).digest()),
        secretHash: this.secretHash(secret),
        // The service raises it to urgent when someone is in danger now (answer or wording).
        priority: 'normal', channel: ctx.channel, lang: ctx.lang, fields,
      };
      try {
        const res = await this.cases.createTip(c);
        this.log.info('tip stored', { created: res.created, category: fields.category, priority: res.case.priority, related: res.related.length });
        return { ok: true, data: { ref: res.case.ref }, once: { ref: res.case.ref, secret: formatSecret(secret) } };
      } catch (e) {
        if (!(e instanceof DuplicateKeyError) && !/unique|duplicate/i.test((e as Error).message)) throw e;
        // A different case already has this reference code: derive the next one.
      }
    }
    return { ok: false, data: { reason: 'unavailable' } };
  }

  private grant(ctx: ActionContext, ref: string): string {
    return hmac(this.key, 'followup-grant', ctx.sessionKey, ref);
  }

  private async checkCase(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    const ref = typeof args.ref === 'string' ? args.ref : '';
    const secret = typeof args.secret === 'string' ? args.secret : '';
    const since = ctx.now - ATTEMPT_WINDOW_MS;
    const sScope = `s:${ctx.sessionKey}`;
    const rScope = `r:${hmac(this.key, 'ref-scope', ref)}`;
    if (await this.store.countAttempts(sScope, since) >= MAX_ATTEMPTS_PER_SESSION
      || await this.store.countAttempts(rScope, since) >= MAX_ATTEMPTS_PER_REF) {
      return { ok: false, data: { reason: 'locked' } };
    }
    const c = await this.cases.getForReporter(ref);
    const given = Buffer.from(this.secretHash(secret), 'hex');
    const expected = Buffer.from(c?.secretHash ?? this.secretHash('no such case'), 'hex');
    const match = timingSafeEqual(given, expected) && c !== null;
    if (!match || !c) {
      await this.store.recordAttempt(sScope, ctx.now);
      await this.store.recordAttempt(rScope, ctx.now);
      // Unknown code and wrong secret get the same answer.
      return { ok: false, data: { reason: 'not_found' } };
    }
    // A plain-language status and the officers' questions: never officer names or internal notes.
    const questions = c.questions.map((q) => `• ${q}`).join('\n');
    return { ok: true, data: { status: c.status, questions: questions || undefined, grant: this.grant(ctx, c.ref) } };
  }

  private async addCaseInfo(args: Record<string, unknown>, ctx: ActionContext): Promise<ActionResult> {
    const ref = typeof args.ref === 'string' ? args.ref : '';
    const info = typeof args.info === 'string' ? args.info.trim().slice(0, 2000) : '';
    const result = args.result as { grant?: unknown } | undefined;
    const grant = typeof result?.grant === 'string' ? result.grant : '';
    const expected = this.grant(ctx, ref);
    if (!info || grant.length !== expected.length || !timingSafeEqual(Buffer.from(grant), Buffer.from(expected))) return { ok: false };
    const ok = await this.cases.addReporterAnswer(ref, info);
    return { ok };
  }

  private async deleteData(ctx: ActionContext): Promise<ActionResult> {
    await this.store.deleteSession(ctx.sessionKey);
    await this.store.clearAttempts(`s:${ctx.sessionKey}`);
    return { ok: true, deleteSession: true };
  }
}
