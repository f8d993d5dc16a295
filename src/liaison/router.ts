/**
 * The liaison API (JSON under /api/liaison): officers, supervisors and admins of the Women's Union
 * and police-liaison units sign in, work the case queue, talk to anonymous reporters, export and
 * chart. Roles:
 *   officer    – cases in scope (own province, or all when none is set): list, read, claim, move
 *                status forward (not close), priority, notes, questions to the reporter, stats
 *   supervisor – everything on cases in scope, plus assign, close (with a disposition), export
 *   admin      – officer accounts, and everything a supervisor can do (a newcomer's first account can triage)
 * Anonymous requests get 401 everywhere except POST /login. Every state-changing request needs the
 * session's CSRF token in X-CSRF-Token. Every response is Cache-Control: no-store; errors are
 * {error, code?, details?}.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';

import { CaseError, type CaseErrorKind } from '../cases/service.js';
import { registerExportRoutes } from './export-routes.js';

/** The HTTP status of each kind of case error (the domain knows no HTTP). */
const CASE_ERROR_STATUS: Readonly<Record<CaseErrorKind, 400 | 403 | 404 | 409>> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };
import { normalize } from '../text/normalize.js';
import type { Officer, Role } from '../store/port.js';
import { Auth, DEFAULT_AUTH, meView, type AuthOptions } from './auth.js';
import { checkCsrf } from './csrf.js';
import { CASE_ROLES, SUPERVISOR, type Handler, type LiaisonApp, type RouteKit } from './kit.js';
import { registerOfficerRoutes } from './officer-routes.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import { registerStatsRoutes } from './stats-routes.js';
import { registerLiveRoutes } from './live-routes.js';
import { registerEventRoutes } from './event-routes.js';
import { registerBulkRoutes } from './bulk-routes.js';
import { registerCampaignRoutes } from './campaign-routes.js';
import { registerBroadcastRoutes } from './broadcast-routes.js';
import { lastVisit, recordVisit } from './visits.js';
import {
  HttpError, assignBody, auditQuery, emptyQuery, filterQuery, listQuery, loginBody, noteBody, parse, parseId,
  passwordBody, priorityBody, questionBody, statusBody, toFilter,
} from './validation.js';

export interface LiaisonOptions {
  /** The clock (epoch ms), for sessions and lockouts; tests move it. */
  now?: () => number;
  auth?: Partial<AuthOptions>;
}

const noBody = z.strictObject({}).optional();

export function createLiaisonRouter(app: LiaisonApp, opts: LiaisonOptions = {}): Router {
  const now = opts.now ?? Date.now;
  const auth = new Auth(app.store, { ...DEFAULT_AUTH, ...opts.auth }, now);
  const { store, cases, log } = app;
  const places = app.bundle.content.places;
  const knownPlaces = new Map([...places.provinces, ...places.abroad, places.unknown].map((p) => [normalize(p.name), p.name]));
  const canonicalProvince = (p: string | null): string | null => {
    if (p === null) return null;
    const name = knownPlaces.get(normalize(p));
    if (!name) throw new HttpError(400, `unknown province "${p}"`, { known: [...knownPlaces.values()] }, 'unknown_province');
    return name;
  };

  /** What the page needs to warn before an idle sign-out (any request through `api` counts as activity). */
  const sessionInfo = { idleMs: auth.opts.idleMs };

  const r = express.Router();
  r.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('Pragma', 'no-cache');
    next();
  });
  r.use(express.json({ limit: '32kb', strict: true }));

  /** Authenticates, checks CSRF, the password-change requirement and the role, then runs the handler. */
  const guard = (roles: readonly Role[] | 'any', fn: Handler, o: { allowMustChange?: boolean } = {}) =>
    async (req: Request, res: Response): Promise<void> => {
      const { session, officer } = await auth.session(req);
      checkCsrf(req, session);
      if (officer.mustChangePassword && !o.allowMustChange) {
        throw new HttpError(403, 'change your password first (POST /api/liaison/me/password)', undefined, 'password_change_required');
      }
      if (roles !== 'any' && !roles.includes(officer.role)) throw new HttpError(403, `not allowed for the ${officer.role} role`, undefined, 'forbidden_role');
      await fn({ session, officer, actor: { id: officer.id, role: officer.role, province: officer.province } }, req, res);
    };

  // ---------------------------------------------------------------- sign-in

  r.post('/login', async (req, res) => {
    // The client's address as the trusted proxy (TRUST_PROXY) reports it.
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = auth.limiter.retryAfter(ip, now());
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      throw new HttpError(429, 'too many failed sign-ins from this address; try again later', { retryAfterSeconds: wait }, 'rate_limited');
    }
    parse(emptyQuery, req.query, 'query');
    const body = parse(loginBody, req.body);
    const username = body.username.trim().toLowerCase();
    // The same answer whether the name exists or not: a short wait, never a lockout.
    const pause = auth.retryAfter(username, ip);
    if (pause > 0) {
      res.set('Retry-After', String(pause));
      throw new HttpError(429, 'too many failed sign-ins; wait a moment and try again', { retryAfterSeconds: pause }, 'rate_limited');
    }
    let officer: Officer;
    try {
      officer = await auth.verify(username, body.password, ip);
    } catch (e) {
      log.info('liaison sign-in refused', { status: (e as HttpError).status });
      throw e;
    }
    const csrfToken = await auth.start(req, res, officer);
    log.info('liaison sign-in', { role: officer.role });
    const lastVisitAt = await recordVisit(store, officer.id, now());
    res.json({ officer: { ...meView(officer), lastVisitAt }, csrfToken, session: sessionInfo });
  });

  r.post('/logout', guard('any', async ({ session }, req, res) => {
    parse(noBody, req.body);
    await auth.end(req, res, session);
    res.json({ ok: true });
  }, { allowMustChange: true }));

  r.get('/me', guard('any', async ({ officer, session }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    res.json({ officer: { ...meView(officer), lastVisitAt: await lastVisit(store, officer.id) }, csrfToken: session.csrf, session: sessionInfo });
  }, { allowMustChange: true }));

  r.post('/me/password', guard('any', async ({ officer }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const body = parse(passwordBody, req.body);
    if (!(await verifyPassword(body.current, officer.passwordHash))) {
      auth.fail(officer.username, req.ip ?? req.socket.remoteAddress ?? 'unknown');
      throw new HttpError(400, 'the current password is wrong', undefined, 'bad_credentials');
    }
    const problem = passwordProblem(body.next) ?? (body.next === body.current ? 'the new password must differ from the current one' : null);
    if (problem) throw new HttpError(400, problem, undefined, 'weak_password');
    const updated = await store.updateOfficer(officer.id, { passwordHash: await hashPassword(body.next), mustChangePassword: false, failedLogins: 0, lockedUntil: null });
    // A new password ends every session of the account, this one too; a fresh one starts here.
    await store.deleteAuthSessionsOf(officer.id);
    const csrfToken = await auth.start(req, res, updated ?? officer);
    res.json({ officer: { ...meView(updated ?? officer), lastVisitAt: await lastVisit(store, officer.id) }, csrfToken, session: sessionInfo });
  }, { allowMustChange: true }));

  // ---------------------------------------------------------------- cases

  r.get('/cases', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const page = await cases.list(actor, toFilter(q), { limit: q.limit ?? 50, cursor: q.cursor, order: q.order ?? 'queue' });
    res.json(page);
  }));

  r.get('/cases/:id', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    res.json({ case: await cases.get(actor, id) });
  }));

  r.post('/cases/:id/claim', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    parse(noBody, req.body);
    res.json({ case: await cases.claim(actor, id) });
  }));

  r.post('/cases/:id/status', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    res.json({ case: await cases.changeStatus(actor, id, parse(statusBody, req.body)) });
  }));

  r.post('/cases/:id/priority', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    res.json({ case: await cases.changePriority(actor, id, parse(priorityBody, req.body)) });
  }));

  r.post('/cases/:id/assign', guard(SUPERVISOR, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    const body = parse(assignBody, req.body);
    res.json({ case: await cases.assign(actor, id, body.officerId.toLowerCase()) });
  }));

  r.post('/cases/:id/notes', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    res.json({ case: await cases.addNote(actor, id, parse(noteBody, req.body).text) });
  }));

  r.post('/cases/:id/questions', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    parse(emptyQuery, req.query, 'query');
    res.json({ case: await cases.askReporter(actor, id, parse(questionBody, req.body).text) });
  }));

  r.get('/cases/:id/audit', guard(SUPERVISOR, async ({ actor }, req, res) => {
    const id = parseId(req.params.id);
    const q = parse(auditQuery, req.query, 'query');
    res.json({ audit: await cases.auditTrail(actor, id, q.limit ?? 100) });
  }));

  // Exports, CSV and XLSX, Vietnamese (English with ?lang=en), audited: the queue (GET /export.csv, /export.xlsx;
  // supervisors) and one tip (GET /cases/:id/export.csv, .xlsx; whoever may read it). See liaison/export-routes.ts.
  registerExportRoutes({ r, guard, store, cases, now });

  r.get('/stats', guard(CASE_ROLES, async ({ actor }, req, res) => {
    const q = parse(filterQuery, req.query, 'query');
    res.json(await cases.stats(actor, toFilter(q)));
  }));

  const kit: RouteKit = { r, guard, app, auth, store, cases, log, now, canonicalProvince };
  registerStatsRoutes(kit);
  registerLiveRoutes(kit);
  registerEventRoutes(kit);
  registerBulkRoutes(kit);
  registerCampaignRoutes(kit);
  registerBroadcastRoutes(kit);
  registerOfficerRoutes(kit);

  // ---------------------------------------------------------------- the rest

  r.use((_req, _res) => {
    throw new HttpError(404, 'no such endpoint', undefined, 'not_found');
  });

  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    if (err instanceof CaseError) {
      res.status(CASE_ERROR_STATUS[err.kind]).json({ error: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) });
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message, ...(err.code ? { code: err.code } : {}), ...(err.details !== undefined ? { details: err.details } : {}) });
      return;
    }
    const e = err as Error & { status?: number; type?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'request too large', code: 'too_large', details: { limit: '32kb' } });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed JSON', code: 'invalid_request' });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: 'invalid request', code: 'invalid_request' });
      return;
    }
    log.error('liaison request failed', { error: e.message });
    res.status(500).json({ error: 'internal error' });
  });
  return r;
}
