/** delete_data: forgets this conversation (its session and its failed follow-up attempts). */
import { z } from 'zod';
import { defineAction } from './types.js';

export const deleteData = defineAction({
  name: 'delete_data',
  args: z.object({}),
  async run(ctx) {
    await ctx.store.deleteSession(ctx.sessionKey);
    await ctx.store.clearAttempts(`s:${ctx.sessionKey}`);
    return { ok: true, deleteSession: true };
  },
});
