/** The campaign subscription registry an action uses: the one the app gave, else one over the store with the notifications' cipher. */
import { SubscriptionRegistry } from '../campaigns/subscriptions.js';
import type { ActionContext } from './types.js';

export function subscriptionsOf(ctx: ActionContext): SubscriptionRegistry | undefined {
  if (ctx.subscriptions) return ctx.subscriptions;
  return ctx.notifications ? new SubscriptionRegistry(ctx.store, ctx.notifications.cipher, ctx.key) : undefined;
}
