/**
 * create_case: stores the tip durably before the bot may say "received". The reference code and secret
 * are derived from the session and the flow run, so a retried or redelivered submission gets the same
 * case, the same code and the same secret, and never a second case.
 */
import { createHmac } from 'node:crypto';
import { DuplicateKeyError, type NewCase } from '../store/port.js';
import { REF_ALPHABET } from '../engine/inputs.js';
import { hmac } from '../secrets.js';
import { tipArgs, tipFieldsFromArgs } from '../cases/tip-fields.js';
import { secretHash } from './followup.js';
import { defineAction } from './types.js';

/** 6 characters from a 32-letter alphabet without look-alikes (no 0/O, 1/I). */
function refFrom(digest: Buffer): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += REF_ALPHABET[digest[i] % REF_ALPHABET.length];
  return `BA-${out}`;
}

/** 12 decimal digits, from the first 8 bytes of a digest. */
function secretFrom(digest: Buffer): string {
  return (digest.readBigUInt64BE(0) % 1_000_000_000_000n).toString().padStart(12, '0');
}

export function formatSecret(s: string): string {
  return `${s.slice(0, 4)} ${s.slice(4, 8)} ${s.slice(8, 12)}`;
}

export const createCase = defineAction({
  name: 'create_case',
  /** The tip flow's variables (cases/tip-fields.ts). */
  args: tipArgs,
  async run(ctx, args) {
    const fields = tipFieldsFromArgs(args);
    const material = `${ctx.sessionKey}:${ctx.runId}`;
    const secret = secretFrom(createHmac('sha256', ctx.key).update(`tip-secret-seed:${material}`).digest());
    for (let attempt = 0; attempt < 5; attempt++) {
      const c: NewCase = {
        idempotencyKey: hmac(ctx.key, 'case', material),
        ref: refFrom(createHmac('sha256', ctx.key).update(`ref:${material}:${attempt}`).digest()),
        secretHash: secretHash(ctx.key, secret),
        // The service raises it to urgent when someone is in danger now (answer or wording).
        priority: 'normal', channel: ctx.channel, lang: ctx.lang, fields,
      };
      try {
        const res = await ctx.cases.createTip(c);
        ctx.log.info('tip stored', { created: res.created, category: fields.category, priority: res.case.priority, related: res.related.length });
        return { ok: true, data: { ref: res.case.ref }, once: { ref: res.case.ref, secret: formatSecret(secret) } };
      } catch (e) {
        if (!(e instanceof DuplicateKeyError) && !/unique|duplicate/i.test((e as Error).message)) throw e;
        // A different case already has this reference code: derive the next one.
      }
    }
    return { ok: false, data: { reason: 'unavailable' } };
  },
});
