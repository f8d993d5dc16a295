/**
 * Live chats for counsellors on duty: an event stream of their view (waiting chats, their own chats
 * with messages), going on and off duty, taking a chat, replying and ending it. Counsellors see a
 * random chat id and the channel kind only; the person sees "counsellor", never a name.
 */
import { z } from 'zod';
import { LiveError } from '../live/desk.js';
import { openSse } from '../web/sse.js';
import { LIVE_ROLES, type RouteKit } from './kit.js';
import { HttpError, emptyQuery, parse, parseId } from './validation.js';

const dutyBody = z.strictObject({ on: z.boolean() });
const replyBody = z.strictObject({ text: z.string().max(20_000) });
const noBody = z.strictObject({}).optional();

/** How often an open stream re-checks its sign-in session (without extending it). */
const SESSION_CHECK_MS = 30_000;

export function registerLiveRoutes({ r, guard, app, auth, log }: RouteKit): void {
  const { desk } = app.live;

  /** POST /live/chats/:id/<verb>: runs the desk call for the signed-in counsellor and answers with their view. */
  const chatAction = <S extends z.ZodType>(verb: string, body: S, act: (chatId: string, officerId: string, body: z.output<S>) => unknown): void => {
    r.post(`/live/chats/:id/${verb}`, guard(LIVE_ROLES, async ({ officer }, req, res) => {
      const id = parseId(req.params.id, 'chat id');
      const b = parse(body, req.body);
      try {
        act(id, officer.id, b);
      } catch (e) {
        if (e instanceof LiveError) throw new HttpError(e.status, e.message, undefined, e.code);
        throw e;
      }
      res.json(desk.view(officer.id));
    }));
  };

  r.get('/live', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    res.json(desk.view(officer.id));
  }));

  /** The counsellor's view, pushed again on every change. An open stream is what "present" means. */
  r.get('/live/events', guard(LIVE_ROLES, async ({ officer }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const stream = openSse(req, res);
    desk.connect(officer.id);
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
    desk.setDuty(officer.id, on);
    log.info('counsellor duty', { on });
    res.json(desk.view(officer.id));
  }));

  chatAction('take', noBody, (id, officerId) => desk.take(id, officerId));
  chatAction('messages', replyBody, (id, officerId, b) => desk.reply(id, officerId, b.text));
  chatAction('end', noBody, (id, officerId) => desk.endByCounsellor(id, officerId));
  chatAction('dismiss', noBody, (id, officerId) => desk.dismiss(id, officerId));
}
