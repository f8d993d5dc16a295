/**
 * Zalo Official Account channel (see shared channels.md §1 and docs/channels/zalo.md).
 *
 * Inbound: POST /webhooks/zalo. `X-ZEvent-Signature: mac=<hex>` is checked over the raw bytes —
 * sha256(appId + rawBody + timestamp + oaSecretKey), plain SHA-256, not HMAC — in constant time, then
 * the platform gets its 200 at once (2 s deadline) and the event is normalised and handed on. A
 * delivery that fails the check also gets 200 (Zalo disables a webhook that keeps failing, so a wrong
 * key must not take the channel down): it is dropped unread, counted in `refused`, and raised as an
 * alert in the log at most once per ALERT_INTERVAL_MS (reason and counts only, never the body). Ids
 * stay strings (a bare big number is kept exact). Names, `user_id_by_app`, follow `source`, attachment
 * URLs and business cards never leave this file.
 *
 * Outbound: POST {ZALO_API_BASE}/v3.0/oa/message/cs with a bare `access_token` header. Zalo reports
 * errors inside HTTP 200 (`error`): -216/-220 refresh the single-use token pair then retry; -32 backs
 * off; window errors are final. No send is attempted more than 7 days after the user's last message.
 */
import express, { type Router, type Request, type Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../config.js';
import type { Logger } from '../../log.js';
import type { OutMessage } from '../../engine/types.js';
import { decodePayload } from '../../engine/payload.js';
import { PLATFORM_CAPABILITIES } from '../capabilities.js';
import type { ChannelAdapter, ChannelDeps, Deliver, InboundEvent, SendAttempt } from '../types.js';
import { idString, parseJsonKeepingBigInts } from './json.js';
import { renderMessages, type ZaloMessage } from './render.js';
import { ZaloTokens } from './tokens.js';

export const WEBHOOK_PATH = '/webhooks/zalo';
export const DEFAULT_API_BASE = 'https://openapi.zalo.me';
export const DEFAULT_OAUTH_BASE = 'https://oauth.zaloapp.com';
/** Customer-service messages need a user interaction within 7 days (-230); keep a little margin. */
export const WINDOW_MS = 7 * 86_400_000 - 10 * 60_000;
/** Addresses whose last interaction is remembered (in memory only), at most. */
const MAX_TRACKED = 50_000;
/** A failing signature check is logged as an alert at once, then at most this often (with the count since). */
export const ALERT_INTERVAL_MS = 15 * 60_000;

/** Why a webhook delivery was dropped unread. */
export type RefusalReason = 'no_signature' | 'unverifiable_body' | 'bad_signature';

const REQUIRED = ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_ACCESS_TOKEN', 'ZALO_REFRESH_TOKEN'] as const;

/** Token errors: refresh, then retry. */
const TOKEN_CODES = new Set([-216, -220]);
/** Window / recipient errors (Chatwoot's WINDOW_CODES): final, never retried. */
export const WINDOW_CODES = new Set([-213, -217, -227, -230, -232, -244]);
/** §5.7: the data-subject-rights event. Only its documentation slug is known; the literal is unverified. */
const DSR_EVENTS = new Set(['su-kien-nguoi-dung-zalo-thuc-hien-quyen-chu-the-du-lieu']);

const ATTACHMENT_KINDS: Record<string, NonNullable<InboundEvent['attachment']>> = {
  image: 'image', gif: 'image', sticker: 'sticker', audio: 'audio', voice: 'audio', video: 'video',
  file: 'file', location: 'location',
};

interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  apiBase: string;
  oauthBase: string;
  probeSignatures: boolean;
}

export function createZaloAdapter(env: NodeJS.ProcessEnv, deps: ChannelDeps): ChannelAdapter | null {
  const val = (k: string): string => (env[k] ?? '').trim();
  const set = REQUIRED.filter((k) => val(k) !== '');
  if (set.length === 0) return null;
  const problems = REQUIRED.filter((k) => val(k) === '')
    .map((k) => `${k} is required when ${set[0]} is set (the Zalo OA channel needs ${REQUIRED.join(', ')})`);
  const base = (k: string, dflt: string): string => {
    const v = val(k) || dflt;
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    } catch {
      problems.push(`${k} must be an http(s) URL`);
    }
    return v.replace(/\/+$/, '');
  };
  const apiBase = base('ZALO_API_BASE', DEFAULT_API_BASE);
  const oauthBase = base('ZALO_OAUTH_BASE', DEFAULT_OAUTH_BASE);
  if (problems.length) throw new ConfigError(problems);
  const cfg: ZaloConfig = {
    appId: val('ZALO_APP_ID'), appSecret: val('ZALO_APP_SECRET'), oaSecretKey: val('ZALO_OA_SECRET_KEY'),
    apiBase, oauthBase, probeSignatures: /^(1|true|yes)$/i.test(val('ZALO_SIGNATURE_PROBE')),
  };
  return new ZaloAdapter(cfg, deps, val('ZALO_ACCESS_TOKEN'), val('ZALO_REFRESH_TOKEN'));
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ZaloAdapter implements ChannelAdapter {
  readonly name = 'zalo' as const;
  readonly capabilities = PLATFORM_CAPABILITIES;
  /** No official figures (Zalo: ~4000 requests/min per app, then -32); stay well below. */
  readonly rate = { perSecond: 40, perAddressPerSecond: 5 };
  readonly tokens: ZaloTokens;
  /** Address → epoch ms of the user's last interaction (insertion order = age, bounded). */
  private readonly lastInbound = new Map<string, number>();
  private readonly log: Logger;
  private readonly now: () => number;
  /** Deliveries dropped because they could not be verified, by reason, since start (for alerts and metrics). */
  readonly refused: Record<RefusalReason, number> = { no_signature: 0, unverifiable_body: 0, bad_signature: 0 };
  private lastAlertAt = Number.NEGATIVE_INFINITY;
  private refusedSinceAlert = 0;

  constructor(private readonly cfg: ZaloConfig, deps: ChannelDeps, accessToken: string, refreshToken: string) {
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.tokens = new ZaloTokens({
      appId: cfg.appId, appSecret: cfg.appSecret, oauthBase: cfg.oauthBase,
      envAccessToken: accessToken, envRefreshToken: refreshToken, store: deps.store, cipher: deps.cipher, log: deps.log, now: this.now,
    });
  }

  async start(): Promise<void> {
    await this.tokens.start();
  }

  async stop(): Promise<void> {
    this.tokens.stop();
  }

  mount(router: Router, deliver: Deliver): void {
    router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: '256kb' }), async (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      const m = /^mac=([0-9a-f]{64})$/i.exec((req.get('x-zevent-signature') ?? '').trim());
      let body: unknown;
      if (m && raw && raw.length) {
        try { body = parseJsonKeepingBigInts(raw.toString('utf8')); } catch { body = undefined; }
      }
      const ts = isObj(body) ? idString(body.timestamp) : undefined;
      if (!m || !raw || !ts || !isObj(body) || !this.verify(raw, ts, m[1])) {
        if (m && raw && isObj(body) && this.cfg.probeSignatures) this.probe(req, raw, body, m[1]);
        // 200, never 4xx: Zalo keeps redelivering a failed event and then disables the webhook, so a wrong
        // ZALO_OA_SECRET_KEY would take the channel down silently. The event is dropped unread instead.
        this.refuse(!m ? 'no_signature' : !isObj(body) || !ts ? 'unverifiable_body' : 'bad_signature');
        res.status(200).json({ ok: true });
        return;
      }
      // Stored first (a group commit, well within Zalo's 2 s deadline), then acknowledged.
      let events: InboundEvent[];
      try {
        events = this.normalise(body, ts);
      } catch (e) {
        this.log.error('zalo event not handled', { error: (e as Error).message });
        events = [];
      }
      try {
        await Promise.all(events.map(deliver));
      } catch {
        // Not stored (the database is out): Zalo delivers it again.
        res.status(503).json({ ok: false });
        return;
      }
      res.status(200).json({ ok: true });
    });
  }

  /** Counts a dropped delivery; the first one, and then one per ALERT_INTERVAL_MS at most, is logged as an alert. */
  private refuse(reason: RefusalReason): void {
    this.refused[reason]++;
    this.refusedSinceAlert++;
    const now = this.now();
    if (now - this.lastAlertAt < ALERT_INTERVAL_MS) return;
    this.lastAlertAt = now;
    this.log.error('zalo webhook: signature check failed, events are being dropped (answered 200 so Zalo keeps the webhook); check ZALO_OA_SECRET_KEY and ZALO_APP_ID, or set ZALO_SIGNATURE_PROBE=1', {
      channel: 'zalo', alert: 'zalo_signature', reason, dropped: this.refusedSinceAlert, refused: { ...this.refused },
    });
    this.refusedSinceAlert = 0;
  }

  /** §1.2: sha256_hex(appId + rawBody + timestamp + oaSecretKey), compared in constant time. */
  private verify(raw: Buffer, ts: string, given: string): boolean {
    const expected = createHash('sha256').update(this.cfg.appId, 'utf8').update(raw).update(ts, 'utf8').update(this.cfg.oaSecretKey, 'utf8').digest();
    return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'));
  }

  /** Bring-up aid (ZALO_SIGNATURE_PROBE=1): logs which community variant of §1.2 would match. Never accepts. */
  private probe(req: Request, raw: Buffer, body: Record<string, unknown>, given: string): void {
    const ts = idString(body.timestamp) ?? '';
    const hts = req.get('x-zevent-timestamp') ?? '';
    const oaId = idString(body.oa_id) ?? (isObj(body.recipient) ? idString(body.recipient.id) : undefined) ?? '';
    const variants: [string, string, string, string][] = [
      ['oa_id first', oaId, ts, this.cfg.oaSecretKey],
      ['app secret last', this.cfg.appId, ts, this.cfg.appSecret],
      ['header timestamp', this.cfg.appId, hts, this.cfg.oaSecretKey],
      ['oa_id first, app secret last', oaId, ts, this.cfg.appSecret],
    ];
    const want = Buffer.from(given.toLowerCase(), 'hex');
    for (const [variant, first, t, last] of variants) {
      const h = createHash('sha256').update(first).update(raw).update(t).update(last).digest();
      if (timingSafeEqual(h, want)) { this.log.warn('zalo signature probe: a variant matches (the event is still dropped)', { variant }); return; }
    }
    this.log.warn('zalo signature probe: no variant matches');
  }

  /** One verified webhook body → zero or one InboundEvent. Everything else in the body is dropped here. */
  normalise(body: Record<string, unknown>, ts: string): InboundEvent[] {
    const name = typeof body.event_name === 'string' ? body.event_name : '';
    const sender = isObj(body.sender) ? idString(body.sender.id) : undefined;
    const follower = isObj(body.follower) ? idString(body.follower.id) : undefined;
    const ignore = (reason: string): InboundEvent[] => {
      this.log.debug('zalo event ignored', { event: name.slice(0, 64) || 'none', reason });
      return [];
    };

    if (name.startsWith('user_send_') && !name.startsWith('user_send_group_')) {
      const msg = body.message;
      if (!sender || !isObj(msg)) return ignore('malformed');
      const dedupeKey = idString(msg.msg_id) ?? `t:${sender}:${ts}`;
      this.seen(sender, ts);
      if (name === 'user_send_text') {
        const text = typeof msg.text === 'string' ? msg.text : '';
        const trimmed = text.trim();
        // A Zalo button tap comes back as the text of its payload (engine/payload.ts decodes the formats).
        if (decodePayload(trimmed)) return [{ address: sender, dedupeKey, kind: 'message', payload: trimmed }];
        return [{ address: sender, dedupeKey, kind: 'message', text }];
      }
      return [{ address: sender, dedupeKey, kind: 'message', attachment: this.attachmentKind(name, msg) }];
    }
    if (name === 'follow') {
      if (!follower) return ignore('malformed');
      this.seen(follower, ts);
      return [{ address: follower, dedupeKey: `follow:${follower}:${ts}`, kind: 'start' }];
    }
    if (name === 'unfollow' || DSR_EVENTS.has(name)) {
      const address = follower ?? sender ?? idString(body.user_id);
      if (!address) return ignore('malformed');
      this.lastInbound.delete(address);
      this.log.info('zalo user left', { event: name === 'unfollow' ? 'unfollow' : 'data_subject_request' });
      return [{ address, kind: 'stop' }];
    }
    // Receipts, OA echoes, group and anonymous events, form replies (never requested): not for the bot.
    return ignore('not handled');
  }

  private attachmentKind(name: string, msg: Record<string, unknown>): NonNullable<InboundEvent['attachment']> {
    const kind = name.slice('user_send_'.length);
    const fromName = Object.hasOwn(ATTACHMENT_KINDS, kind) ? ATTACHMENT_KINDS[kind] : undefined;
    if (fromName) return fromName;
    const first = Array.isArray(msg.attachments) ? msg.attachments[0] : undefined;
    const type = isObj(first) && typeof first.type === 'string' ? first.type : '';
    return Object.hasOwn(ATTACHMENT_KINDS, type) ? ATTACHMENT_KINDS[type] : 'other';
  }

  /** Remembers the user's last interaction (the event's own time if older: a redelivery). */
  private seen(address: string, ts: string): void {
    const now = this.now();
    const t = Number(ts);
    const at = Number.isFinite(t) && t > 0 && t < now ? t : now;
    const prev = this.lastInbound.get(address);
    if (prev !== undefined && prev >= at) return;
    this.lastInbound.delete(address);
    this.lastInbound.set(address, at);
    if (this.lastInbound.size > MAX_TRACKED) this.lastInbound.delete(this.lastInbound.keys().next().value as string);
  }

  /** A message taken back from the inbox after a restart: the reply window runs from when it was sent. */
  resumed(event: InboundEvent): void {
    if (event.at !== undefined) this.seen(event.address, String(event.at));
  }

  render(messages: OutMessage[]): ZaloMessage[] {
    return renderMessages(messages);
  }

  async sendOne(address: string, rendered: unknown): Promise<SendAttempt> {
    const last = this.lastInbound.get(address);
    if (last === undefined || this.now() - last > WINDOW_MS) return { ok: false, retryable: false, unreachable: true, code: 'window' };
    const tok = await this.tokens.current();
    if ('fail' in tok) return tok.fail;
    let res: globalThis.Response;
    try {
      res = await fetch(`${this.cfg.apiBase}/v3.0/oa/message/cs`, {
        method: 'POST',
        headers: { access_token: tok.token, 'content-type': 'application/json' },
        body: JSON.stringify({ recipient: { user_id: address }, message: rendered as ZaloMessage }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      return { ok: false, retryable: true, code: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network' };
    }
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, retryable: true, code: `http_${res.status}`, retryAfterMs: Number.isFinite(ra) && ra > 0 ? Math.min(ra, 300) * 1000 : undefined };
    }
    let body: unknown;
    try { body = parseJsonKeepingBigInts(await res.text()); } catch { body = undefined; }
    if (!res.ok) return { ok: false, retryable: false, code: `http_${res.status}` };
    // A 200 without a readable answer may still have been delivered: do not risk a duplicate.
    if (!isObj(body) || body.error === undefined) return { ok: false, retryable: false, code: 'bad_response' };
    const err = Number(body.error);
    if (err === 0) return { ok: true };
    const code = String(err);
    if (TOKEN_CODES.has(err)) {
      const r = await this.tokens.refresh(tok.token);
      return r.ok ? { ok: false, retryable: true, code } : r.attempt;
    }
    if (err === -32) return { ok: false, retryable: true, retryAfterMs: 2000, code };
    if (WINDOW_CODES.has(err)) {
      this.lastInbound.delete(address);
      return { ok: false, retryable: false, unreachable: true, code };
    }
    return { ok: false, retryable: false, code };
  }
}
