/**
 * Live chats for counsellors on duty: an event stream of their view (waiting chats, their own chats
 * with messages), going on and off duty, taking a chat, replying (ready-made replies to start from),
 * "typing…", handing a chat to a colleague on duty, proposing to keep it as a tip, and ending it.
 * Counsellors see a random chat id and the channel kind only; the person sees "counsellor", never a name.
 * Hand-overs and tip proposals are audited (who and what kind, never the chat or its words).
 */
import { z } from 'zod';
import { CATEGORIES } from '../cases/tip-fields.js';
import { LiveError } from '../live/desk.js';
import { openSse } from '../web/sse.js';
import { LIVE_ROLES, type RouteKit } from './kit.js';
import { HttpError, emptyQuery, parse, parseId } from './validation.js';

const dutyBody = z.strictObject({ on: z.boolean() });
const replyBody = z.strictObject({ text: z.string().max(20_000) });
const noBody = z.strictObject({}).optional();
const handOverBody = z.strictObject({ to: z.string().min(1).max(100) });
const tipBody = z.strictObject({ category: z.enum(CATEGORIES) });

/** How often an open stream re-checks its sign-in session (without extending it). */
const SESSION_CHECK_MS = 30_000;

export function registerLiveRoutes({ r, guard, app, auth, log, store, now }: RouteKit): void {
  const { desk } = app.live;
  const nameOf = (o: { displayName: string; username: string }): string => o.displayName || o.username;

  /**
   * POST /live/chats/:id/<verb>: runs the desk call for the signed-in counsellor and answers with their view
   * (`audit`: the action is written to the audit trail, without the chat or its words).
   */
  const chatAction = <S extends z.ZodType>(verb: string, body: S, act: (chatId: string, officerId: string, body: z.output<S>) => unknown, audit?: string): void => {
    r.post(`/live/chats/:id/${verb}`, guard(LIVE_ROLES, async ({ officer }, req, res) => {
      const id = parseId(req.params.id, 'chat id');
      const b = parse(body, req.body);
      try {
        act(id, officer.id, b);
      } catch (e) {
        if (e instanceof LiveError) throw new HttpError(e.status, e.message, undefined, e.code);
        throw e;
      }
      if (audit) {
        await store.addAudit({ at: new Date(now()).toISOString(), officerId: officer.id, action: audit })
          .catch((e: Error) => log.warn('live chat action not audited', { action: audit, error: e.message }));
      }
      res.json(desk.view(officer.id));
    }));
  };

  /** What the counsellor's panel offers: ready-made replies (content/canned.yaml) and the tip categories. */
  r.get('/live/tools', guard(LIVE_ROLES, async (_ctx, req, res) => {
    parse(emptyQuery, req.query, 'query');
    res.json({
      canned: app.bundle.content.canned.map((c) => ({ id: c.id, title: c.title, text: c.text })),
      categories: CATEGORIES.map((value) => ({ value, label: { vi: app.live.categoryLabel(value, 'vi'), en: app.live.categoryLabel(value, 'en') } })),
    });
  }));

  r.get('/live', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    res.json(desk.view(officer.id));
  }));

  /** The counsellor's view, pushed again on every change. An open stream is what "present" means. */
  r.get('/live/events', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const stream = openSse(req, res);
    desk.connect(officer.id, nameOf(officer));
    let queued = false;
    const push = (): void => {
      if (queued || stream.closed) return;
      queued = true;
      setImmediate(() => { queued = false; if (!stream.closed) stream.send('state', desk.view(officer.id)); });
    };
    push();
    const stop = desk.onChange(push);
    // A signed-out, disabled or expired account loses its stream (checked without extending the session).
    const check = setInterval(() => {
      auth.session(req, { slide: false }).then(
        ({ officer: o }) => { if (!LIVE_ROLES.includes(o.role)) stream.close(); },
        () => { stream.send('signed-out', {}); stream.close(); },
      );
    }, SESSION_CHECK_MS);
    check.unref();
    stream.onClose(() => { clearInterval(check); stop(); desk.disconnect(officer.id); });
  }));

  r.post('/live/duty', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    const { on } = parse(dutyBody, req.body);
    desk.setDuty(officer.id, on, nameOf(officer));
    log.info('counsellor duty', { on });
    res.json(desk.view(officer.id));
  }));

  chatAction('take', noBody, (id, officerId) => desk.take(id, officerId));
  chatAction('messages', replyBody, (id, officerId, b) => desk.reply(id, officerId, b.text));
  chatAction('end', noBody, (id, officerId) => desk.endByCounsellor(id, officerId));
  chatAction('dismiss', noBody, (id, officerId) => desk.dismiss(id, officerId));
  chatAction('handover', handOverBody, (id, officerId, b) => desk.handOver(id, officerId, b.to), 'live.handover');
  chatAction('tip', tipBody, (id, officerId, b) => desk.proposeTip(id, officerId, b.category), 'live.tip_proposed');

  /** The counsellor is typing (the page sends it at most every few seconds): passed on to the person, throttled here too. */
  r.post('/live/chats/:id/typing', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    const id = parseId(req.params.id, 'chat id');
    parse(noBody, req.body);
    try {
      desk.typing(id, officer.id);
    } catch (e) {
      if (e instanceof LiveError) throw new HttpError(e.status, e.message, undefined, e.code);
      throw e;
    }
    res.status(204).end();
  }));
}
