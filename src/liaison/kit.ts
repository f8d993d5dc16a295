/** What the liaison API's route modules share: the router, the role guard and the app's parts. */
import type { Request, Response, Router } from 'express';
import type { App } from '../app/index.js';
import type { Actor } from '../cases/service.js';
import type { AuthSession, Officer, Role } from '../store/port.js';
import type { Auth } from './auth.js';

export type LiaisonApp = Pick<App, 'store' | 'cases' | 'log' | 'bundle' | 'live'>;
export interface Ctx { officer: Officer; session: AuthSession; actor: Actor }
export type Handler = (ctx: Ctx, req: Request, res: Response) => Promise<void>;
export type Guard = (roles: readonly Role[] | 'any', fn: Handler, o?: { allowMustChange?: boolean }) => (req: Request, res: Response) => Promise<void>;

/** Admins manage accounts and can do all a supervisor does (a newcomer's first admin account can triage). */
export const CASE_ROLES: readonly Role[] = ['officer', 'supervisor', 'admin'];
export const SUPERVISOR: readonly Role[] = ['supervisor', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];
/** Who can be a counsellor on duty for live chats. */
export const LIVE_ROLES: readonly Role[] = ['officer', 'supervisor', 'admin'];

export interface RouteKit {
  r: Router;
  guard: Guard;
  app: LiaisonApp;
  store: LiaisonApp['store'];
  cases: LiaisonApp['cases'];
  log: LiaisonApp['log'];
  /** Sign-in sessions (e.g. to re-check a long-lived event stream's session without extending it). */
  auth: Auth;
  /** The clock (epoch ms). */
  now: () => number;
  /** A known province's canonical name (null stays null); 400 unknown_province otherwise. */
  canonicalProvince: (p: string | null) => string | null;
}
