/**
 * The live queue: GET /events is a server-sent event stream of case changes in the officer's scope (their
 * province, or every province). Each event names the case (id, reference code), its priority and status,
 * and whether it is a new tip — never its content; the dashboard reloads what it shows. An open stream does
 * not keep the sign-in alive; a signed-out or expired account loses it.
 */
import type { CaseChange } from '../cases/service.js';
import { lastEventId, openSse } from '../web/sse.js';
import { CASE_ROLES, type RouteKit } from './kit.js';
import { emptyQuery, parse } from './validation.js';

/** How often an open stream re-checks its sign-in session (without extending it). */
const SESSION_CHECK_MS = 30_000;
/** Changes kept for a reconnecting stream (Last-Event-ID), so a dropped connection misses no new tip. */
const BACKLOG = 500;

export function registerEventRoutes({ r, guard, cases, auth }: RouteKit): void {
  let seq = 0;
  const backlog: (CaseChange & { seq: number })[] = [];
  cases.onChange((c) => {
    backlog.push({ ...c, seq: ++seq });
    if (backlog.length > BACKLOG) backlog.shift();
  });
  const wire = ({ kind, id, ref, priority, status, version }: CaseChange) => ({ kind, id, ref, priority, status, version });

  r.get('/events', guard(CASE_ROLES, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const inScope = (c: CaseChange): boolean => actor.province === null || c.province === actor.province;
    const stream = openSse(req, res);
    const since = lastEventId(req);
    if (since > 0) for (const c of backlog) if (c.seq > since && inScope(c)) stream.send('case', wire(c), c.seq);
    stream.send('ready', { at: Date.now() }, seq);
    const stop = cases.onChange((c) => { if (inScope(c)) stream.send('case', wire(c), seq); });
    const check = setInterval(() => {
      auth.session(req, { slide: false }).then(
        ({ officer }) => { if (!CASE_ROLES.includes(officer.role)) stream.close(); },
        () => { stream.send('signed-out', {}); stream.close(); },
      );
    }, SESSION_CHECK_MS);
    check.unref();
    stream.onClose(() => { clearInterval(check); stop(); });
  }));
}
