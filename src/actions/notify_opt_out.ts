/** notify_opt_out: turns the notifications of a tip off; needs the grant of a successful check_case in this session. */
import { z } from 'zod';
import { checkResultArg, hasGrant, textArg } from './followup.js';
import { defineAction } from './types.js';

export const notifyOptOut = defineAction({
  name: 'notify_opt_out',
  args: z.object({ ref: textArg, result: checkResultArg }),
  async run(ctx, { ref, result }) {
    if (!ctx.notifications || !hasGrant(ctx, ref, result.grant)) return { ok: false };
    await ctx.notifications.unsubscribe(ref);
    return { ok: true };
  },
});
