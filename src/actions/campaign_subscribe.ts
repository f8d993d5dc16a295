/**
 * campaign_subscribe: "Nhận tin phòng chống" — keeps this channel's address, sealed, to send campaign messages
 * later (src/campaigns/subscriptions.ts says what is kept and each platform's rules). Only on a channel that can
 * reach the person later and whose platform allows it without a further permission: Telegram. Messenger needs
 * Meta's marketing-message opt-in (the token comes from the `messaging_optins` webhook, not from a turn) and Zalo
 * a verified OA's quota: `reason: 'platform'`. The web chat never sends unasked: `reason: 'unsupported'`.
 */
import { z } from 'zod';
import { subscriptionsOf } from './subscriptions.js';
import { defineAction } from './types.js';

/** Channels where a tap in the conversation is the whole opt-in. */
const DIRECT = new Set(['telegram']);

export const campaignSubscribe = defineAction({
  name: 'campaign_subscribe',
  args: z.object({}),
  async run(ctx) {
    const subs = subscriptionsOf(ctx);
    if (!subs || !ctx.capabilities.push || !ctx.address) return { ok: false, data: { reason: 'unsupported' } };
    if (!DIRECT.has(ctx.channel)) return { ok: false, data: { reason: 'platform' } };
    await subs.subscribe({ channel: ctx.channel, address: ctx.address, lang: ctx.lang, now: ctx.now });
    return { ok: true, data: { reason: 'subscribed' } };
  },
});
