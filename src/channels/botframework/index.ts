/**
 * Microsoft Bot Framework channel (Emulator, Web Chat / Direct Line, Azure Bot) at POST /api/messages,
 * on botbuilder 4.23.3's CloudAdapter (the SDK is archived: see docs/channels/botframework.md).
 *
 * Ingress: CloudAdapter checks the `Authorization: Bearer <JWT>` when MicrosoftAppId is set; with an
 * empty id (Emulator mode) it accepts requests without the header, which production refuses unless
 * BOTFRAMEWORK_ALLOW_UNAUTHENTICATED=true. Each turn is normalised to an InboundEvent and handed to
 * `deliver`; the replies go out later through the Outbox: `sendOne` continues the conversation from a
 * stored (name-stripped) ConversationReference, which posts over REST to the activity's serviceUrl.
 * Nothing identifying is logged, and CloudAdapter's 500 bodies (`err.message`) never reach a client.
 *
 * Responses: every activity type the bot does not use (typing, event, messageReaction, any unknown
 * type) gets 200 with an empty body. An `invoke` expects an InvokeResponse as the HTTP answer; the bot
 * handles none, so each one gets 501 Not Implemented with an empty body — what botbuilder's own
 * ActivityHandler answers for an invoke nobody handles — set by our code, never a 500. A body whose
 * routing fields have the wrong JSON type (serviceUrl not a string...) gets 400 before the SDK sees it.
 */
import express, { type Request, type Response, type Router } from 'express';
import {
  ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, INVOKE_RESPONSE_KEY, StatusCodes, TurnContext,
  type Activity, type ConversationReference, type InvokeResponse, type SuggestedActions,
} from 'botbuilder';
import { ConfigError } from '../../config.js';
import type { OutMessage } from '../../engine/types.js';
import { PLATFORM_CAPABILITIES } from '../capabilities.js';
import type { ChannelAdapter, ChannelDeps, Deliver, InboundEvent, SendAttempt } from '../types.js';
import { splitText as split } from '../text.js';

/** No limit is documented for Bot Framework texts (channels.md §0); long ones are split anyway, for readability. */
export const TEXT_LIMIT = 4000;
/** Conversation references (and offered choice ids) kept in memory, at most this many. */
const MAX_CONVERSATIONS = 10_000;
const MAX_ID_LENGTH = 512;
/** Activity types logged by name (anything else is logged as "other": never log caller-chosen strings). */
const KNOWN_TYPES = new Set(['message', 'conversationUpdate', 'endOfConversation', 'event', 'invoke', 'typing', 'messageReaction', 'installationUpdate']);
/** One HTTP request to the connector; the whole send (token + request) is bounded by SEND_TIMEOUT_MS. */
const REQUEST_TIMEOUT_MS = 10_000;
const SEND_TIMEOUT_MS = 30_000;

/** A hero card holding only buttons: the hotline call buttons under a text. */
export interface CallCard {
  contentType: 'application/vnd.microsoft.card.hero';
  content: { buttons: { type: 'call'; title: string; value: string }[] };
}
/** One rendered outgoing activity. */
export type BotFrameworkMessage = Pick<Activity, 'type' | 'text' | 'textFormat'> & {
  suggestedActions?: Omit<SuggestedActions, 'to'> & { to?: string[] };
  attachments?: CallCard[];
};
/** Call buttons on one card, at most this many (the content's own first). */
export const MAX_CALL_BUTTONS = 3;

const APP_TYPES = new Map([['multitenant', 'MultiTenant'], ['singletenant', 'SingleTenant'], ['userassignedmsi', 'UserAssignedMSI']]);
/** Extra keys ConfigurationBotFrameworkAuthentication understands (sovereign clouds, certificates): passed through when set. */
const PASS_THROUGH = ['ChannelService', 'ValidateAuthority', 'ToChannelFromBotLoginUrl', 'ToChannelFromBotOAuthScope',
  'ToBotFromChannelTokenIssuer', 'OAuthUrl', 'ToBotFromChannelOpenIdMetadataUrl', 'ToBotFromEmulatorOpenIdMetadataUrl', 'CallerId'];

interface BotFrameworkSettings {
  appId: string;
  auth: Record<string, string>;
  authenticated: boolean;
}

function readSettings(env: NodeJS.ProcessEnv): BotFrameworkSettings | null {
  const enabled = (env.BOTFRAMEWORK_ENABLED ?? '').trim().toLowerCase();
  if (enabled === '' || enabled === 'false') return null;
  if (enabled !== 'true') throw new ConfigError(['BOTFRAMEWORK_ENABLED must be true or false']);
  const get = (k: string): string => (env[k] ?? '').trim();
  const appId = get('MicrosoftAppId');
  const password = get('MicrosoftAppPassword');
  const tenant = get('MicrosoftAppTenantId');
  const rawType = get('MicrosoftAppType');
  const type = rawType ? APP_TYPES.get(rawType.toLowerCase()) : 'MultiTenant';
  const problems: string[] = [];
  if (!type) problems.push('MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI');
  if (type === 'UserAssignedMSI') {
    if (!appId) problems.push('MicrosoftAppId is required when MicrosoftAppType is UserAssignedMSI');
    if (!tenant) problems.push('MicrosoftAppTenantId is required when MicrosoftAppType is UserAssignedMSI');
    if (password) problems.push('MicrosoftAppPassword must be empty when MicrosoftAppType is UserAssignedMSI');
  } else {
    if (appId && !password) problems.push('MicrosoftAppPassword is required when MicrosoftAppId is set');
    if (!appId && password) problems.push('MicrosoftAppId is required when MicrosoftAppPassword is set');
    if (type === 'SingleTenant' && !tenant) problems.push('MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant');
    if (type === 'SingleTenant' && !appId) problems.push('MicrosoftAppId is required when MicrosoftAppType is SingleTenant');
  }
  if (problems.length) throw new ConfigError(problems);
  if (!appId && env.NODE_ENV === 'production' && get('BOTFRAMEWORK_ALLOW_UNAUTHENTICATED').toLowerCase() !== 'true') {
    throw new ConfigError([
      'BOTFRAMEWORK_ALLOW_UNAUTHENTICATED=true is required to run the Bot Framework channel without MicrosoftAppId and MicrosoftAppPassword '
      + 'when NODE_ENV=production (anyone could then post to /api/messages); set the Azure Bot\'s credentials instead',
    ]);
  }
  const auth: Record<string, string> = { MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppType: type as string };
  if (tenant) auth.MicrosoftAppTenantId = tenant;
  for (const k of PASS_THROUGH) if (get(k)) auth[k] = get(k);
  return { appId, auth, authenticated: appId !== '' };
}

// ---------------------------------------------------------------------------------------------
// Inbound normalisation

/** Fields the SDK reads while routing a turn: when present (not null), each must be a string. */
const STRING_FIELDS = ['id', 'serviceUrl', 'channelId', 'locale', 'replyToId', 'name', 'callerId', 'deliveryMode'] as const;
/** Fields that, when present, must be objects (not arrays). */
const OBJECT_FIELDS = ['conversation', 'from', 'recipient'] as const;

/** Why an activity body is refused with 400 before the SDK sees it; undefined when it may go on. */
export function malformedActivity(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not an object';
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string' || b.type === '') return 'no type';
  for (const k of STRING_FIELDS) if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') return k;
  for (const k of OBJECT_FIELDS) if (b[k] !== undefined && b[k] !== null && (typeof b[k] !== 'object' || Array.isArray(b[k]))) return k;
  return undefined;
}

const str = (v: unknown, max = MAX_ID_LENGTH): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;

function attachmentKind(contentType: unknown): NonNullable<InboundEvent['attachment']> {
  const t = typeof contentType === 'string' ? contentType.toLowerCase() : '';
  if (t.startsWith('image/')) return t === 'image/gif' || t.includes('sticker') ? 'sticker' : 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('video/')) return 'video';
  if (t.includes('location') || t.includes('geo')) return 'location';
  if (t.startsWith('application/vnd.microsoft.card')) return 'other';
  return t ? 'file' : 'other';
}

/** The tapped choice, if this message is a button tap: value.payload, a string value, or the text of an offered choice id. */
function tappedPayload(a: Partial<Activity>, offered: Set<string> | undefined): string | undefined {
  const v = a.value as unknown;
  if (v && typeof v === 'object' && typeof (v as { payload?: unknown }).payload === 'string') return str((v as { payload: string }).payload, 200);
  if (typeof v === 'string' && (offered?.has(v) ?? false)) return v;
  if (typeof v === 'string' && v.length <= 200 && !a.text) return v;
  const text = typeof a.text === 'string' ? a.text.trim() : '';
  if (text && offered?.has(text)) return text;
  return undefined;
}

/** Activity → InboundEvent (no names, no profile). Returns undefined for what the bot ignores. */
export function toInboundEvent(a: Partial<Activity>, offered?: Set<string>): InboundEvent | undefined {
  const address = str(a.conversation?.id);
  if (!address) return undefined;
  const dedupeKey = str(a.id);
  switch (a.type) {
    case 'message': {
      const payload = tappedPayload(a, offered);
      if (payload !== undefined) return { address, dedupeKey, kind: 'message', payload };
      const text = typeof a.text === 'string' ? a.text : '';
      const attachments = Array.isArray(a.attachments) ? a.attachments : [];
      if (!text.trim() && attachments.length) return { address, dedupeKey, kind: 'message', attachment: attachmentKind(attachments[0]?.contentType) };
      if (!text.trim()) return undefined;
      return { address, dedupeKey, kind: 'message', text };
    }
    case 'conversationUpdate': {
      const bot = a.recipient?.id;
      const added = Array.isArray(a.membersAdded) ? a.membersAdded : [];
      if (!added.some((m) => m && typeof m === 'object' && m.id !== bot)) return undefined;
      return { address, dedupeKey, kind: 'start' };
    }
    case 'endOfConversation':
      return { address, dedupeKey, kind: 'stop' };
    default:
      return undefined;
  }
}

/** The reference needed to reply later, without names (user.name, aadObjectId, conversation.name). */
export function strippedReference(a: Partial<Activity>): Partial<ConversationReference> | undefined {
  const serviceUrl = str(a.serviceUrl, 2048);
  const conversationId = str(a.conversation?.id);
  if (!serviceUrl || !/^https?:\/\//i.test(serviceUrl) || !conversationId) return undefined;
  const ref = TurnContext.getConversationReference(a);
  const conv = a.conversation!;
  return {
    channelId: str(a.channelId, 100),
    serviceUrl,
    locale: str(a.locale, 35),
    conversation: { id: conversationId, isGroup: conv.isGroup === true, conversationType: str(conv.conversationType, 50) as string, tenantId: str(conv.tenantId, 100), name: undefined as unknown as string },
    user: ref.user?.id ? { id: ref.user.id, name: undefined as unknown as string, role: ref.user.role } : undefined,
    bot: ref.bot?.id ? { id: ref.bot.id, name: ref.bot.name, role: ref.bot.role } : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Splits a text within `limit` characters on paragraph, line, sentence or word boundaries. */
export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  return split(text.normalize('NFC'), limit);
}

export function renderMessages(messages: OutMessage[]): BotFrameworkMessage[] {
  const out: BotFrameworkMessage[] = [];
  let choices: OutMessage['choices'];
  for (const m of messages) {
    const first = out.length;
    for (const part of splitText(m.text)) out.push({ type: 'message', text: part, textFormat: 'plain' });
    // Hotline calls: a card of `call` actions (tel:) on the message's last part; it stays when later messages
    // come, unlike suggested actions. A client that cannot place calls shows the number in the text anyway.
    const calls = [...(m.calls ?? []).filter((c) => !c.named), ...(m.calls ?? []).filter((c) => c.named)].slice(0, MAX_CALL_BUTTONS);
    if (calls.length && out.length > first) {
      out[out.length - 1].attachments = [{
        contentType: 'application/vnd.microsoft.card.hero',
        content: { buttons: calls.map((c) => ({ type: 'call', title: c.label, value: `tel:${c.dial}` })) },
      }];
    }
    if (m.choices?.length) choices = m.choices;
  }
  // Web Chat shows suggested actions only under the latest activity: put the buttons on the last one.
  if (choices?.length && out.length) {
    out[out.length - 1].suggestedActions = {
      actions: choices.map((c) => ({ type: 'postBack', title: c.label, value: c.id })),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outbound result mapping

function classify(err: unknown): SendAttempt {
  const e = err as { statusCode?: number; code?: string; name?: string; response?: { headers?: { get?(k: string): string | undefined } } };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) {
    return { ok: false, retryable: true, code: e?.name === 'TimeoutError' ? 'timeout' : (typeof e?.code === 'string' ? e.code.slice(0, 40) : 'network') };
  }
  const ra = Number(e.response?.headers?.get?.('retry-after'));
  const retryAfterMs = Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined;
  const retryable = status === 429 || status >= 500;
  return { ok: false, retryable, retryAfterMs, code: `http_${status}` };
}

interface PipelineLike {
  removePolicy(o: { phase?: string; name?: string }): unknown;
  addPolicy(p: { name: string; sendRequest(req: { abortSignal?: AbortSignal }, next: (req: unknown) => Promise<unknown>): Promise<unknown> }): void;
}

/**
 * The connector client (a fresh one per send) retries 5xx/429 on its own (@azure/core-rest-pipeline's
 * retry phase: 3 more tries, Retry-After honoured) and has no request timeout. The Outbox owns
 * retries, so drop the SDK's and bound each request; a send then is exactly one HTTP attempt.
 */
function ownRetries(connectorClient: unknown): void {
  const pipeline = (connectorClient as { client?: { pipeline?: PipelineLike } } | undefined)?.client?.pipeline;
  if (!pipeline || typeof pipeline.removePolicy !== 'function') return;
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy({
    name: 'binhanRequestTimeout',
    // An unref'd AbortSignal, not `req.timeout` (whose timer the http client leaves pending after a network error).
    sendRequest: (req, next) => {
      const t = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      req.abortSignal = req.abortSignal ? AbortSignal.any([req.abortSignal, t]) : t;
      return next(req);
    },
  });
}

class Bounded<V> extends Map<string, V> {
  constructor(private readonly max: number) { super(); }
  override set(key: string, value: V): this {
    super.delete(key);
    if (this.size >= this.max) super.delete(this.keys().next().value as string);
    return super.set(key, value);
  }
}

// ---------------------------------------------------------------------------------------------

export function createBotFrameworkAdapter(env: NodeJS.ProcessEnv, deps: ChannelDeps): ChannelAdapter | null {
  const settings = readSettings(env);
  if (!settings) return null;
  let auth: ConfigurationBotFrameworkAuthentication;
  try {
    auth = new ConfigurationBotFrameworkAuthentication(settings.auth);
  } catch (e) {
    throw new ConfigError([`Bot Framework credentials refused by the SDK: ${(e as Error).message.split('\n')[0]}`]);
  }
  const adapter = new CloudAdapter(auth);
  const log = deps.log;
  // Redacting turn error handler: the message only, never the activity (CloudAdapter would rethrow → 500 + err.message).
  adapter.onTurnError = async (_ctx, err) => {
    log.error('botframework turn failed', { channel: 'botframework', error: err?.message ?? 'unknown' });
  };
  if (!settings.authenticated) {
    log.warn('botframework: authentication disabled (no MicrosoftAppId): for the Bot Framework Emulator only', { channel: 'botframework' });
  }

  const references = new Bounded<Partial<ConversationReference>>(MAX_CONVERSATIONS);
  const offered = new Bounded<Set<string>>(MAX_CONVERSATIONS);

  const reply = (res: Response, status: number, invoke?: InvokeResponse): void => {
    // An invoke's answer is the InvokeResponse our logic set (CloudAdapter passes its status through).
    if (invoke && status === invoke.status) {
      if (invoke.body === undefined) res.status(status).end(); else res.status(status).json(invoke.body);
      return;
    }
    if (status >= 500) { res.status(500).json({ error: 'internal error' }); return; }
    if (status === 401 || status === 403) { res.status(status).json({ error: 'unauthorized' }); return; }
    if (status >= 400) { res.status(status).json({ error: 'invalid request' }); return; }
    res.status(status).end();
  };

  return {
    name: 'botframework',
    capabilities: PLATFORM_CAPABILITIES,
    // No send limit is documented for Bot Framework; a conservative guess (the Outbox honours 429 + Retry-After).
    rate: { perSecond: 50, perAddressPerSecond: 5 },

    mount(router: Router, deliver: Deliver): void {
      router.post('/api/messages', express.json({ limit: '256kb', strict: true }), async (req: Request, res: Response) => {
        const body = req.body as unknown;
        // CloudAdapter throws (no response) on a body without a string `type`, and answers 500 to a
        // non-string serviceUrl: answer 400 ourselves (the field name only is logged, never its value).
        const malformed = malformedActivity(body);
        if (malformed) {
          log.debug('botframework activity refused', { channel: 'botframework', field: malformed });
          reply(res, 400);
          return;
        }
        // A response stand-in: CloudAdapter writes `err.message` into 500/401 bodies; we answer blandly instead.
        let status = 200;
        let invoke: InvokeResponse | undefined;
        const shim = {
          status(code: number) { status = code; return shim; },
          send() { return shim; },
          header() { return shim; },
          end() { return shim; },
        };
        try {
          await adapter.process(req as never, shim as never, async (ctx) => {
            const a = ctx.activity;
            if (a.type === ActivityTypes.Invoke) {
              // Our answer to every invoke (adaptive card actions, sign-in, Teams task modules...): the bot
              // offers none of them, so 501 Not Implemented, as botbuilder's ActivityHandler answers.
              invoke = { status: StatusCodes.NOT_IMPLEMENTED };
              ctx.turnState.set(INVOKE_RESPONSE_KEY, { type: ActivityTypes.InvokeResponse, value: invoke });
              log.debug('botframework activity', { channel: 'botframework', type: 'invoke', handled: false });
              return;
            }
            const address = str(a.conversation?.id);
            const event = toInboundEvent(a, address ? offered.get(address) : undefined);
            log.debug('botframework activity', { channel: 'botframework', type: KNOWN_TYPES.has(a.type) ? a.type : 'other', handled: event !== undefined });
            if (!event) return;
            if (event.kind === 'stop') {
              references.delete(event.address);
              offered.delete(event.address);
            } else {
              const ref = strippedReference(a);
              if (!ref) { log.warn('botframework activity without a usable serviceUrl; ignored', { channel: 'botframework' }); return; }
              references.set(event.address, ref);
            }
            try {
              await deliver(event);
            } catch {
              // Not stored (the database is out): the connector may send it again.
              status = 503;
            }
          });
        } catch (e) {
          log.warn('botframework request failed', { channel: 'botframework', error: (e as Error)?.message?.slice(0, 200) ?? 'unknown' });
          status = 500;
        }
        reply(res, status, invoke);
      });
    },

    render(messages: OutMessage[]): unknown[] {
      return renderMessages(messages);
    },

    async sendOne(address: string, rendered: unknown): Promise<SendAttempt> {
      const ref = references.get(address);
      if (!ref) return { ok: false, retryable: false, unreachable: true, code: 'no_reference' };
      const activity = rendered as BotFrameworkMessage;
      let failure: unknown;
      let timer: NodeJS.Timeout | undefined;
      try {
        const send = adapter.continueConversationAsync(settings.appId, ref, async (ctx) => {
          ownRetries(ctx.turnState.get(adapter.ConnectorClientKey));
          // A plain send to the conversation (POST /v3/conversations/{id}/activities), not a reply to the continuation id.
          ctx.onSendActivities(async (_c, acts, next) => {
            for (const x of acts) delete x.replyToId;
            return next();
          });
          try {
            await ctx.sendActivity({ ...activity } as Partial<Activity>);
          } catch (e) {
            failure = e; // caught here: onTurnError would otherwise swallow it
          }
        });
        const timeout = new Promise<never>((_r, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), SEND_TIMEOUT_MS);
          timer.unref();
        });
        await Promise.race([send, timeout]);
      } catch (e) {
        failure = e;
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (failure !== undefined) return classify(failure);
      const ids = activity.suggestedActions?.actions.map((x) => String(x.value));
      if (ids?.length) offered.set(address, new Set(ids));
      return { ok: true };
    },
  };
}
