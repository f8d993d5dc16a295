/**
 * campaign_unsubscribe: "dừng nhận tin" — deletes this person's campaign subscription on this channel, always
 * (whether or not there was one, the answer is the same: nothing more will be sent).
 */
import { z } from 'zod';
import { subscriptionsOf } from './subscriptions.js';
import { defineAction } from './types.js';

export const campaignUnsubscribe = defineAction({
  name: 'campaign_unsubscribe',
  args: z.object({}),
  async run(ctx) {
    const subs = subscriptionsOf(ctx);
    if (!subs || !ctx.address) return { ok: true, data: { was: false } };
    return { ok: true, data: { was: await subs.unsubscribe(ctx.channel, ctx.address) } };
  },
});
