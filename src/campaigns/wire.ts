/**
 * Broadcasts in the running app (src/main.ts): the channels that can send campaign messages get a sender —
 * Telegram through its own Outbox; Messenger only when MESSENGER_MARKETING=1 says the page has Meta's marketing
 * messages (App Review, an ad account: src/channels/messenger/marketing.ts), sent to MESSENGER_MARKETING_PATH
 * (default me/messages); Zalo and the web chat never. Broadcasts left running by a previous start go on.
 */
import { ConfigError } from '../config.js';
import type { App } from '../app/index.js';
import type { Channels } from '../channels/index.js';
import { attachBroadcasts, BroadcastService } from './broadcasts.js';
import type { BroadcastSender } from './broadcast.js';
import { adapterSender, messengerMarketingSender, TELEGRAM_BROADCAST_PER_SECOND } from './senders.js';
import { SubscriptionRegistry } from './subscriptions.js';

export function wireBroadcasts(app: Pick<App, 'store' | 'cipher' | 'log' | 'bundle'>, channels: Pick<Channels, 'dispatchers'>, env: NodeJS.ProcessEnv = process.env): BroadcastService {
  const senders = new Map<string, BroadcastSender>();
  const tg = channels.dispatchers.get('telegram');
  if (tg) senders.set('telegram', adapterSender(tg.adapter, tg.outbox, TELEGRAM_BROADCAST_PER_SECOND));
  const marketing = env.MESSENGER_MARKETING?.trim();
  if (marketing !== undefined && marketing !== '' && !/^(0|1|true|false|yes|no)$/i.test(marketing)) {
    throw new ConfigError(['MESSENGER_MARKETING must be 1 (the page has Meta\'s marketing messages) or 0']);
  }
  const path = env.MESSENGER_MARKETING_PATH?.trim() || 'me/messages';
  if (!/^[A-Za-z0-9_/.-]+$/.test(path)) throw new ConfigError(['MESSENGER_MARKETING_PATH must be a Graph path such as me/messages or act_<AD_ACCOUNT_ID>/messages']);
  if (marketing && /^(1|true|yes)$/i.test(marketing)) {
    const token = env.MESSENGER_PAGE_ACCESS_TOKEN?.trim();
    if (!token) throw new ConfigError(['MESSENGER_MARKETING=1 needs MESSENGER_PAGE_ACCESS_TOKEN']);
    const version = env.MESSENGER_GRAPH_VERSION?.trim() || 'v25.0';
    const base = (env.MESSENGER_API_BASE?.trim() || 'https://graph.facebook.com').replace(/\/+$/, '');
    senders.set('messenger', messengerMarketingSender({ graphUrl: `${base}/${version}`, pageToken: token, path }, app.log));
  }
  const service = new BroadcastService({
    store: app.store, subscriptions: new SubscriptionRegistry(app.store, app.cipher), campaigns: app.bundle.campaigns, senders, log: app.log,
  });
  attachBroadcasts(app.store, service);
  void service.runner.resumeAll().catch((e: Error) => app.log.error('broadcasts not resumed', { error: e.message }));
  return service;
}
