/**
 * check_case: the reporter's follow-up with the reference code and secret. A plain-language status and
 * the officers' questions, never officer names or internal notes; a match grants this session the right
 * to add information or opt out of notifications. Attempts are limited per session, and a code guessed at
 * (from anywhere) makes each further try wait a delay that doubles, up to 10 minutes: guessing a 12-digit
 * secret stays hopeless, and the real reporter is never locked out (the right secret works after the wait).
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { hmac } from '../secrets.js';
import { followUpGrant, secretHash, textArg } from './followup.js';
import { defineAction } from './types.js';

/** Follow-up attempt limits: per session and per reference code, within this window. */
export const ATTEMPT_WINDOW_MS = 3_600_000;
export const MAX_ATTEMPTS_PER_SESSION = 5;
/** Wrong tries of one code (from any session) before each further try must wait. */
export const FREE_ATTEMPTS_PER_REF = 5;
const REF_BASE_DELAY_MS = 30_000;
export const REF_MAX_DELAY_MS = 10 * 60_000;

export const checkCase = defineAction({
  name: 'check_case',
  args: z.object({ ref: textArg, secret: textArg }),
  async run(ctx, { ref, secret }) {
    const since = ctx.now - ATTEMPT_WINDOW_MS;
    const sScope = `s:${ctx.sessionKey}`;
    const rScope = `r:${hmac(ctx.key, 'ref-scope', ref)}`;
    if (await ctx.store.countAttempts(sScope, since) >= MAX_ATTEMPTS_PER_SESSION) return { ok: false, data: { reason: 'locked' } };
    const refFailures = await ctx.store.countAttempts(rScope, since);
    if (refFailures >= FREE_ATTEMPTS_PER_REF) {
      const delay = Math.min(REF_MAX_DELAY_MS, REF_BASE_DELAY_MS * 2 ** (refFailures - FREE_ATTEMPTS_PER_REF));
      if (await ctx.store.countAttempts(rScope, ctx.now - delay) > 0) return { ok: false, data: { reason: 'wait' } };
    }
    const c = await ctx.cases.getForReporter(ref);
    const given = Buffer.from(secretHash(ctx.key, secret), 'hex');
    const expected = Buffer.from(c?.secretHash ?? secretHash(ctx.key, 'no such case'), 'hex');
    const match = timingSafeEqual(given, expected) && c !== null;
    if (!match || !c) {
      await ctx.store.recordAttempt(sScope, ctx.now);
      await ctx.store.recordAttempt(rScope, ctx.now);
      // Unknown code and wrong secret get the same answer.
      return { ok: false, data: { reason: 'not_found' } };
    }
    const questions = c.questions.map((q) => `• ${q}`).join('\n');
    return { ok: true, data: { status: c.status, questions: questions || undefined, grant: followUpGrant(ctx, c.ref) } };
  },
});
