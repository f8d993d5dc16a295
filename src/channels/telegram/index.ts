/**
 * Telegram channel adapter (channels.md §3), Bot API over global fetch; telegraf 4.16 only for long
 * polling in development.
 *   POST <TELEGRAM_WEBHOOK_PATH>  (webhook mode) X-Telegram-Bot-Api-Secret-Token is compared in constant
 *                                 time with TELEGRAM_WEBHOOK_SECRET before the body is even read (401
 *                                 otherwise); then a 256 kb body limit (413), 200 at once, and the update
 *                                 is normalised at the edge and delivered.
 *   long polling                  (TELEGRAM_BOT_TOKEN alone) start() calls deleteWebhook (this DETACHES any
 *                                 webhook set for the same token) and polls; stop() stops it.
 * Every callback_query is answered (answerCallbackQuery), or the user's client keeps spinning.
 * Logs carry update kinds, counts and short codes only: never texts, names, ids, URLs (the token is in
 * them) or whole updates (telegraf's default error handler logs those, so a redacting bot.catch is set).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { Telegraf } from 'telegraf';
import type { OutMessage } from '../../engine/types.js';
import type { Logger } from '../../log.js';
import { TELEGRAM_CAPABILITIES } from '../capabilities.js';
import type { ChannelAdapter, ChannelDeps, Deliver, InboundEvent, SendAttempt } from '../types.js';
import { callApi } from './api.js';
import { readTelegramConfig, type TelegramConfig } from './config.js';
import { normalise } from './ingress.js';
import { CallbackKeys, renderMessages, type TelegramMessage } from './render.js';

export { readTelegramConfig } from './config.js';

/** The updates Bình An uses (setWebhook and getUpdates). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;
const BODY_LIMIT = '256kb';
const CALLBACK_TIMEOUT_MS = 5_000;

/** Constant-time equality of two strings (hashed first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** An error's name and message with any bot token (it travels in API URLs) cut out. */
export function scrub(e: unknown): string {
  const err = e as { name?: unknown; message?: unknown };
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  return `${typeof err?.name === 'string' ? err.name : 'Error'}: ${msg.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<token>').replace(/\d+:[A-Za-z0-9_-]{20,}/g, '<token>').slice(0, 200)}`;
}

export class TelegramAdapter implements ChannelAdapter {
  readonly name = 'telegram' as const;
  /** No call buttons: the Bot API has none (Telegram's apps make a number in a text tappable themselves). */
  readonly capabilities = TELEGRAM_CAPABILITIES;
  /** Bot FAQ (channels.md §3.1): about 30 messages/s overall, at most 1/s in one chat. */
  readonly rate = { perSecond: 30, perAddressPerSecond: 1 };
  readonly keys = new CallbackKeys();
  private readonly log: Logger;
  private deliver: Deliver = async () => {};
  private readonly pending = new Set<Promise<unknown>>();
  private bot?: Telegraf;
  private polling?: Promise<void>;

  constructor(readonly cfg: TelegramConfig, deps: ChannelDeps) {
    this.log = deps.log;
  }

  get mode(): TelegramConfig['mode'] { return this.cfg.mode; }

  mount(router: Router, deliver: Deliver): void {
    this.deliver = deliver;
    if (this.cfg.mode !== 'webhook') return;
    router.post(this.cfg.path,
      (req: Request, res: Response, next: NextFunction) => this.checkSecret(req, res, next),
      express.raw({ type: () => true, limit: BODY_LIMIT }),
      (req: Request, res: Response) => this.receive(req, res));
  }

  private checkSecret(req: Request, res: Response, next: NextFunction): void {
    const got = req.get('x-telegram-bot-api-secret-token');
    if (typeof got !== 'string' || !safeEqual(got, this.cfg.secret as string)) {
      this.log.warn('telegram webhook refused: bad or missing secret token', { channel: 'telegram' });
      res.status(401).type('text/plain').send('unauthorized');
      return;
    }
    next();
  }

  private async receive(req: Request, res: Response): Promise<void> {
    // Authenticated from here on. Anything we cannot use is acknowledged: a non-2xx is only retried.
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let update: unknown;
    try { update = JSON.parse(raw.toString('utf8')); } catch { update = undefined; }
    try {
      await this.ingest(update);
    } catch {
      // Not stored (the database is out): Telegram delivers the update again later.
      res.status(503).type('application/json').send('{}');
      return;
    }
    res.status(200).type('application/json').send('{}');
  }

  /** One update (webhook or polling) → at most one event; rejects only when the event could not be stored. */
  async ingest(update: unknown): Promise<void> {
    let n;
    try { n = normalise(update); } catch { n = { type: 'malformed', skipped: 'malformed' as const }; }
    if (n.callbackId) this.answerCallback(n.callbackId);
    const event = n.event;
    if (event?.payload !== undefined) event.payload = this.keys.decode(event.payload);
    this.log.debug('telegram update', {
      channel: 'telegram', type: n.type,
      kind: event ? (event.attachment ? 'attachment' : event.payload !== undefined ? 'payload' : event.kind) : undefined,
      skipped: n.skipped,
    });
    if (event) await this.deliver(event);
  }

  /** Stops the client's spinner; the answer's outcome does not matter beyond a debug code. */
  private answerCallback(id: string): void {
    const p = callApi(this.cfg.apiBase, this.cfg.token, 'answerCallbackQuery', { callback_query_id: id }, CALLBACK_TIMEOUT_MS)
      .then((r) => { if (!r.ok) this.log.debug('telegram answerCallbackQuery failed', { channel: 'telegram', code: r.code }); });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Waits for outstanding callback answers (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  render(messages: OutMessage[]): TelegramMessage[] {
    return renderMessages(messages, this.keys);
  }

  async sendOne(address: string, rendered: unknown): Promise<SendAttempt> {
    const m = rendered as TelegramMessage;
    const r = await callApi(this.cfg.apiBase, this.cfg.token, 'sendMessage', {
      chat_id: address,
      text: m.text,
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
      link_preview_options: { is_disabled: true },
    });
    return r.ok ? { ok: true } : { ok: false, retryable: r.retryable, retryAfterMs: r.retryAfterMs, unreachable: r.unreachable, code: r.code };
  }

  /** A counsellor is typing in a live chat: Telegram shows "typing…" for about 5 s (sendChatAction). */
  async typing(address: string): Promise<SendAttempt> {
    const r = await callApi(this.cfg.apiBase, this.cfg.token, 'sendChatAction', { chat_id: address, action: 'typing' }, CALLBACK_TIMEOUT_MS);
    return r.ok ? { ok: true } : { ok: false, retryable: false, code: r.code };
  }

  /** Long polling (development): deleteWebhook, then getUpdates in a loop, through telegraf. */
  async start(): Promise<void> {
    if (this.cfg.mode !== 'polling' || this.polling) return;
    const bot = new Telegraf(this.cfg.token, { telegram: { apiRoot: this.cfg.apiBase, webhookReply: false }, handlerTimeout: 10_000 });
    // Awaited: telegraf confirms an update (the next offset) only after its handler, so one not stored comes again.
    bot.use((ctx) => this.ingest(ctx.update));
    // Replaces telegraf's default, which logs the whole update (names, text) and rethrows (crashing Node 20).
    bot.catch((err, ctx) => {
      this.log.error('telegram update failed', { channel: 'telegram', type: ctx.updateType, error: scrub(err) });
    });
    this.bot = bot;
    await new Promise<void>((resolve) => {
      // start() must not hang the boot when Telegram is unreachable: polling goes on retrying by itself.
      setTimeout(resolve, 15_000).unref();
      this.polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES], dropPendingUpdates: false }, () => {
        this.log.warn('telegram long polling: the webhook of this bot token is being removed (deleteWebhook); use a separate development bot', { channel: 'telegram' });
        resolve();
      }).catch((e: unknown) => {
        const code = (e as { code?: unknown }).code;
        this.log.error('telegram long polling stopped', { channel: 'telegram', code: typeof code === 'number' ? code : undefined, error: scrub(e) });
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const bot = this.bot;
    const polling = this.polling;
    this.bot = undefined;
    this.polling = undefined;
    if (bot) {
      try { bot.stop('shutdown'); } catch { /* not running (launch failed) */ }
    }
    await polling;
    await this.idle();
  }
}

export function createTelegramAdapter(env: NodeJS.ProcessEnv, deps: ChannelDeps): TelegramAdapter | null {
  const cfg = readTelegramConfig(env);
  return cfg ? new TelegramAdapter(cfg, deps) : null;
}
