/**
 * CSRF protection for the liaison API. Besides the SameSite=Strict cookie, every state-changing
 * request (anything but GET and HEAD) must carry the session's CSRF token in X-CSRF-Token; the
 * token is returned by sign-in and GET /me, and a page on another site cannot read it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AuthSession } from '../store/port.js';
import { HttpError } from './validation.js';

export const CSRF_HEADER = 'x-csrf-token';

export function needsCsrf(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export function checkCsrf(req: Request, session: AuthSession): void {
  if (!needsCsrf(req.method)) return;
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || given === '') throw new HttpError(403, 'CSRF token missing: send the X-CSRF-Token header from sign-in or GET /me', undefined, 'csrf');
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(session.csrf, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'CSRF token wrong: send the X-CSRF-Token header from sign-in or GET /me', undefined, 'csrf');
}
