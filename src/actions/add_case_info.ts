/** add_case_info: the reporter's answer or addition to their tip, after a successful check_case in this session. */
import { z } from 'zod';
import { checkResultArg, hasGrant, textArg } from './followup.js';
import { defineAction } from './types.js';

export const addCaseInfo = defineAction({
  name: 'add_case_info',
  args: z.object({ ref: textArg, info: textArg.transform((s) => s.trim().slice(0, 2000)), result: checkResultArg }),
  async run(ctx, { ref, info, result }) {
    if (!info || !hasGrant(ctx, ref, result.grant)) return { ok: false };
    return { ok: await ctx.cases.addReporterAnswer(ref, info) };
  },
});
