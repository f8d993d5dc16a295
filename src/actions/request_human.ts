/** request_human: "talk to a person": a live chat when a counsellor is on duty, else an honest "nobody now". */
import { z } from 'zod';
import { defineAction } from './types.js';

export const requestHuman = defineAction({
  name: 'request_human',
  args: z.object({}),
  run(ctx) {
    // A channel that cannot carry a counsellor's later lines (the command line) offers none.
    if (!ctx.live || !ctx.capabilities.liveChat) return { ok: false, data: { reason: 'none_on_duty' } };
    const chat = ctx.live.request({ sessionKey: ctx.sessionKey, channel: ctx.channel, address: ctx.address, lang: ctx.lang });
    if (!chat) return { ok: false, data: { reason: 'none_on_duty' } };
    ctx.log.info('live chat requested', { channel: ctx.channel });
    return { ok: true };
  },
});
