/**
 * Facebook Messenger channel adapter (channels.md §2).
 *   GET  /webhooks/messenger  Meta's subscription check (hub.verify_token, constant time) → hub.challenge
 *   POST /webhooks/messenger  X-Hub-Signature-256 = HMAC-SHA256(App Secret, raw body bytes), then 200 at
 *                             once; each entry[].messaging[] item is normalised and delivered.
 * Sends with the Send API (messaging_type RESPONSE) only inside the 24-hour window after the user's
 * last message, tracked in a bounded in-memory map; no message tags.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { OutMessage } from '../../engine/types.js';
import type { Logger } from '../../log.js';
import { PLATFORM_CAPABILITIES } from '../capabilities.js';
import type { ChannelAdapter, ChannelDeps, Deliver, InboundEvent, SendAttempt } from '../types.js';
import { readMessengerConfig, type MessengerConfig } from './config.js';
import { graphPost } from './graph.js';
import { messagingItems, normalise, type Skip } from './ingress.js';
import { renderMessages, type MessengerMessage } from './render.js';

export { readMessengerConfig } from './config.js';
export { START_PAYLOAD } from './ingress.js';

export const WEBHOOK_PATH = '/webhooks/messenger';
export const WINDOW_MS = 24 * 3_600_000;
const BODY_LIMIT = '256kb';

/** Constant-time equality of two strings (hashed first, so lengths do not leak either). */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Checks `sha256=<hex>` against HMAC-SHA256(secret, raw bytes). */
export function verifySignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(m[1], 'hex'));
}

/**
 * When each address last wrote (epoch ms), newest last, at most `max` addresses. In memory only: after
 * a restart nothing may be sent until the user writes again (the safe side of Meta's rule).
 */
export class ReplyWindow {
  private readonly last = new Map<string, number>();
  constructor(private readonly max = 50_000, private readonly windowMs = WINDOW_MS) {}

  note(address: string, at: number): void {
    const prev = this.last.get(address);
    this.last.delete(address);
    this.last.set(address, Math.max(prev ?? 0, at));
    while (this.last.size > this.max) this.last.delete(this.last.keys().next().value as string);
  }

  open(address: string, now: number): boolean {
    const at = this.last.get(address);
    if (at === undefined) return false;
    if (now - at >= this.windowMs) {
      this.last.delete(address);
      return false;
    }
    return true;
  }

  get size(): number { return this.last.size; }
}

export class MessengerAdapter implements ChannelAdapter {
  readonly name = 'messenger' as const;
  readonly capabilities = PLATFORM_CAPABILITIES;
  /** Send API: 300 calls/s per Page for text (channels.md §2.1); stay well under it, and pace each thread. */
  readonly rate = { perSecond: 100, perAddressPerSecond: 5 };
  readonly window = new ReplyWindow();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly cfg: MessengerConfig, deps: ChannelDeps) {
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
  }

  mount(router: Router, deliver: Deliver): void {
    router.get(WEBHOOK_PATH, (req: Request, res: Response) => this.verifyGet(req, res));
    router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: BODY_LIMIT }), (req: Request, res: Response) => this.receive(req, res, deliver));
  }

  private verifyGet(req: Request, res: Response): void {
    const q = req.query as Record<string, unknown>;
    const mode = q['hub.mode'];
    const token = q['hub.verify_token'];
    const challenge = q['hub.challenge'];
    const ok = mode === 'subscribe' && typeof token === 'string' && safeEqual(token, this.cfg.verifyToken)
      && typeof challenge === 'string' && /^[A-Za-z0-9_.-]{1,256}$/.test(challenge);
    if (!ok) {
      this.log.warn('messenger webhook verification refused', { channel: 'messenger' });
      res.status(403).type('text/plain').send('forbidden');
      return;
    }
    this.log.info('messenger webhook verified', { channel: 'messenger' });
    res.status(200).type('text/plain').send(challenge);
  }

  private async receive(req: Request, res: Response, deliver: Deliver): Promise<void> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(this.cfg.appSecret, raw, req.get('x-hub-signature-256'))) {
      this.log.warn('messenger webhook refused: bad or missing signature', { channel: 'messenger' });
      res.status(401).type('text/plain').send('invalid signature');
      return;
    }
    // Signed by Meta from here on. Anything we cannot use is acknowledged (a 4xx would only be retried).
    let body: unknown;
    try { body = JSON.parse(raw.toString('utf8')); } catch { body = undefined; }
    const events: InboundEvent[] = [];
    const skipped: Partial<Record<Skip, number>> = {};
    const now = this.now();
    for (const item of messagingItems(body)) {
      let n;
      try { n = normalise(item); } catch { n = { skipped: 'malformed' as const }; }
      if (n.event) {
        // The window runs from the user's message, not from its (re)delivery.
        const at = n.at !== undefined && n.at <= now ? n.at : now;
        this.window.note(n.event.address, at);
        events.push({ ...n.event, at });
      } else if (n.skipped) skipped[n.skipped] = (skipped[n.skipped] ?? 0) + 1;
    }
    try {
      await Promise.all(events.map(deliver));
    } catch {
      // Not stored (the database is out): Meta delivers the batch again (the stored ones are recognised).
      res.status(503).type('text/plain').send('try again');
      return;
    }
    res.status(200).type('text/plain').send('EVENT_RECEIVED');
    const kinds: Record<string, number> = {};
    for (const e of events) {
      const k = e.attachment ? 'attachment' : e.payload !== undefined ? 'payload' : e.kind;
      kinds[k] = (kinds[k] ?? 0) + 1;
    }
    this.log.debug('messenger webhook', { channel: 'messenger', events: events.length, kinds, skipped });
  }

  /** A message taken back from the inbox after a restart: its reply window runs from when it was sent. */
  resumed(event: InboundEvent): void {
    if (event.at !== undefined) this.window.note(event.address, Math.min(event.at, this.now()));
  }

  render(messages: OutMessage[]): MessengerMessage[] {
    return renderMessages(messages);
  }

  async sendOne(address: string, rendered: unknown): Promise<SendAttempt> {
    if (!this.window.open(address, this.now())) return { ok: false, retryable: false, unreachable: true, code: 'window' };
    return graphPost(this.cfg.graphUrl, 'me/messages', this.cfg.pageAccessToken, {
      recipient: { id: address },
      messaging_type: 'RESPONSE',
      message: rendered as MessengerMessage,
    });
  }

  /** A counsellor is typing in a live chat: the typing_on sender action, inside the reply window only. */
  async typing(address: string): Promise<SendAttempt> {
    if (!this.window.open(address, this.now())) return { ok: false, retryable: false, unreachable: true, code: 'window' };
    return graphPost(this.cfg.graphUrl, 'me/messages', this.cfg.pageAccessToken, { recipient: { id: address }, sender_action: 'typing_on' });
  }
}

export function createMessengerAdapter(env: NodeJS.ProcessEnv, deps: ChannelDeps): MessengerAdapter | null {
  const cfg = readMessengerConfig(env);
  return cfg ? new MessengerAdapter(cfg, deps) : null;
}
