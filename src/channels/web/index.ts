/**
 * The anonymous web chat as a channel edge: its JSON API (`POST /api/chat`: one message in, the bot's replies
 * in the response, a retried message id answered once) and the event stream of a live chat with a counsellor.
 * It declares what it can do like the platform adapters (no push notifications; live chats over the stream).
 * The client id is a random per-tab id of the page, used only through the session HMAC.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { WEB_CAPABILITIES } from '../capabilities.js';
import { webLiveStream, webLiveTyping } from './live.js';

export const WEB_CHANNEL = { name: 'web', capabilities: WEB_CAPABILITIES } as const;

const chatBody = z.object({
  /** A random id the page makes per browser tab (not identifying; cleared by "thoát nhanh"). */
  client: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  /** A random id per message, so a retried request is not processed twice. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  text: z.string().max(20_000).optional(),
  payload: z.string().max(200).optional(),
  start: z.literal(true).optional(),
  /** A campaign poster's ref from the page's address (`?ref=`), sent with the start: a place, never a person. */
  ref: z.string().regex(/^p[a-z0-9]{7}$/).optional(),
}).strict().refine((b) => [b.text !== undefined, b.payload !== undefined, b.start !== undefined].filter(Boolean).length === 1, {
  message: 'exactly one of text, payload or start',
});

const leaveBody = z.object({ client: chatBody.shape.client }).strict();

/** The web chat's routes. */
export function webChatRouter(app: Pick<App, 'bot' | 'limits' | 'bundle' | 'live'>): Router {
  const router = Router();
  router.post('/api/chat', express.json({ limit: '64kb', strict: true }), async (req: Request, res: Response, next: NextFunction) => {
    const parsed = chatBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid request', details: parsed.error.issues.map((i) => i.message) });
      return;
    }
    const b = parsed.data;
    try {
      // One address sending faster than people type: an honest answer, in both languages (no session is read).
      const verdict = await app.limits.address(req.ip ?? 'unknown');
      if (!verdict.ok) {
        const m = app.bundle.content.messages.rate_limited;
        res.status(429).set({ 'Retry-After': String(verdict.retryAfterS), 'Cache-Control': 'no-store' }).json({ replies: [{ text: `${m.vi}\n${m.en}` }], duplicate: false });
        return;
      }
      const out = await app.bot.handle({ channel: WEB_CHANNEL.name, userId: b.client, messageId: b.id, text: b.text, payload: b.payload, start: b.start, ...(b.start && b.ref ? { ref: b.ref } : {}), capabilities: WEB_CHANNEL.capabilities });
      if (out.limited) {
        res.status(429).set({ 'Cache-Control': 'no-store' }).json({ replies: out.replies, duplicate: false });
        return;
      }
      // In a live chat with a counsellor, the page opens the chat's event stream with out.live.stream.
      // The conversation's language (it may change with what the person writes): the page's own words follow it.
      res.set('Cache-Control', 'no-store').json({ replies: out.replies, duplicate: out.duplicate, ...(out.lang ? { lang: out.lang } : {}), ...(out.live ? { live: out.live } : {}) });
    } catch (e) {
      next(e);
    }
  });

  router.get('/api/chat/live/:token', webLiveStream(app.live));
  // The person is typing (at most every few seconds): their counsellor sees it briefly. No body, nothing kept.
  router.post('/api/chat/live/:token/typing', webLiveTyping(app.live));

  // The quick exit: the page tells the server the person has gone (a keepalive request as it leaves), so a
  // counsellor's chat ends at once with "left". Nothing else happens, nothing is stored; 204 either way.
  router.post('/api/chat/leave', express.json({ limit: '1kb', strict: true }), async (req: Request, res: Response, next: NextFunction) => {
    const parsed = leaveBody.safeParse(req.body);
    if (!parsed.success) { res.status(400).json({ error: 'invalid request' }); return; }
    try {
      const verdict = await app.limits.address(req.ip ?? 'unknown');
      if (verdict.ok) app.bot.leave(WEB_CHANNEL.name, parsed.data.client);
      res.status(204).set('Cache-Control', 'no-store').end();
    } catch (e) {
      next(e);
    }
  });
  return router;
}
