/** notify_opt_in: "notify me here when an officer replies", only on channels that can push, only by explicit choice. */
import { z } from 'zod';
import { textArg } from './followup.js';
import { defineAction } from './types.js';

export const notifyOptIn = defineAction({
  name: 'notify_opt_in',
  /** `case`: what create_case kept in the session (its reference code). */
  args: z.object({ case: z.object({ ref: textArg }).catch({ ref: '' }) }),
  async run(ctx, args) {
    const { ref } = args.case;
    if (!ctx.notifications || !ctx.capabilities.push) return { ok: false, data: { reason: 'unsupported' } };
    if (!ref) return { ok: false, data: { reason: 'invalid' } };
    await ctx.notifications.subscribe(ref, { channel: ctx.channel, address: ctx.address, lang: ctx.lang });
    return { ok: true };
  },
});
