/**
 * What the follow-up actions share: the secret's hash, and the grant a successful code + secret check
 * gives the session (check_case), which adding information and opting out of notifications require.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { hmac } from '../secrets.js';
import type { ActionContext } from './types.js';

/** A text argument; anything else (missing, a number...) is the empty text. */
export const textArg = z.string().catch('');

/** The result of check_case kept in the session (`var: result`): its grant, or none. */
export const checkResultArg = z.object({ grant: textArg }).catch({ grant: '' });

export function secretHash(key: Buffer, secret: string): string {
  return hmac(key, 'tip-secret', secret);
}

export function followUpGrant(ctx: Pick<ActionContext, 'key' | 'sessionKey'>, ref: string): string {
  return hmac(ctx.key, 'followup-grant', ctx.sessionKey, ref);
}

/** True when this session checked this reference code with its secret (constant time). */
export function hasGrant(ctx: Pick<ActionContext, 'key' | 'sessionKey'>, ref: string, grant: string): boolean {
  const expected = followUpGrant(ctx, ref);
  return grant.length === expected.length && timingSafeEqual(Buffer.from(grant), Buffer.from(expected));
}
