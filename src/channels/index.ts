/**
 * The channel registry: every channel whose variables are set is enabled; a half-configured one is a
 * start-up error naming the missing variable (each factory throws a ConfigError for that).
 */
import { Router } from 'express';
import type { App } from '../app/index.js';
import { ChannelDispatcher } from './dispatch.js';
import { Edges, SWEEP_EVERY_MS } from './edges.js';
import type { OutboxOptions } from './outbox.js';
import type { InboundQueueOptions } from './inbound.js';
import type { ChannelAdapter, ChannelDeps, ChannelName } from './types.js';
import { createZaloAdapter } from './zalo/index.js';
import { createMessengerAdapter } from './messenger/index.js';
import { createTelegramAdapter } from './telegram/index.js';
import { createBotFrameworkAdapter } from './botframework/index.js';

type Factory = (env: NodeJS.ProcessEnv, deps: ChannelDeps) => ChannelAdapter | null;
const FACTORIES: Factory[] = [createZaloAdapter, createMessengerAdapter, createTelegramAdapter, createBotFrameworkAdapter];

export interface Channels {
  router: Router;
  dispatchers: Map<ChannelName, ChannelDispatcher>;
  /** Takes over what this instance's previous run left in the durable inbox/outbox (once; `start` does it too). */
  resume(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  drain(): Promise<void>;
}

export interface ChannelsOptions {
  outbox?: OutboxOptions;
  inbound?: InboundQueueOptions;
  now?: () => number;
  /** The owner of this instance's inbox/outbox rows (default: the configured INSTANCE_ID); `false` keeps events in memory only (tests of the queues). */
  instanceId?: string | false;
}

export function createChannels(app: Pick<App, 'bot' | 'log' | 'store' | 'cases' | 'notifications' | 'bundle' | 'cipher' | 'live'> & { config?: { instanceId: string; inboundMaxWaiting?: number } }, env: NodeJS.ProcessEnv = process.env, opts: ChannelsOptions = {}): Channels {
  const deps: ChannelDeps = { log: app.log, store: app.store, cipher: app.cipher, now: opts.now };
  const router = Router();
  const dispatchers = new Map<ChannelName, ChannelDispatcher>();
  const owner = opts.instanceId ?? app.config?.instanceId ?? 'binhan';
  const edges = owner === false ? undefined : new Edges(app.store, app.cipher, owner);
  let sweep: NodeJS.Timeout | undefined;
  const resume = (left: Awaited<ReturnType<Edges['leftovers']>>): void => {
    for (const [name, d] of dispatchers) {
      d.resume({ inbox: left.inbox.filter((i) => i.channel === name), outbox: left.outbox.filter((o) => o.channel === name) });
    }
    const n = left.inbox.length + left.outbox.length;
    if (n) app.log.info('durable edges: taken over', { inbound: left.inbox.length, replies: left.outbox.length });
  };
  for (const factory of FACTORIES) {
    const adapter = factory(env, deps);
    if (!adapter) continue;
    const d = new ChannelDispatcher(adapter, app.bot, app.log, opts.outbox, { maxWaiting: app.config?.inboundMaxWaiting, ...opts.inbound }, edges);
    adapter.mount(router, d.deliver);
    dispatchers.set(adapter.name, d);
    // A counsellor's lines in a live chat go out through the same outbox as the bot's replies.
    app.live.register(adapter.name, (address, messages) => d.outbox.send(address, adapter.render(messages)));
    // "typing…" while a counsellor types, where the platform shows it (Telegram, Messenger): one call, never queued.
    if (adapter.typing) app.live.registerTyping(adapter.name, async (address) => { await adapter.typing?.(address); });
  }
  // Opt-in notifications: an officer's question → "there is news" to a reporter who asked for it,
  // through the same outbox (each adapter refuses to send outside its platform's window).
  if (dispatchers.size) {
    app.cases.on('question', (c) => {
      void (async () => {
        const sub = await app.notifications.lookup(c.ref);
        const d = sub ? dispatchers.get(sub.channel as ChannelName) : undefined;
        if (!sub || !d) return;
        const text = app.bundle.content.messages.notify_news[sub.lang === 'en' ? 'en' : 'vi'];
        await d.outbox.send(sub.address, d.adapter.render([{ text }]));
      })().catch((e: Error) => app.log.warn('notification not sent', { error: e.message }));
    });
  }
  return {
    router,
    dispatchers,
    async resume() {
      // What the previous run left (a crash): replies sent again, events run again, before anything new.
      if (edges && dispatchers.size && !sweep) {
        resume(await edges.leftovers(true));
        sweep = setInterval(() => {
          edges.leftovers(false).then(resume, (e: Error) => app.log.warn('durable edges: sweep failed', { error: e.message }));
        }, SWEEP_EVERY_MS);
        sweep.unref();
      }
    },
    async start() {
      await this.resume();
      for (const d of dispatchers.values()) await d.adapter.start?.();
      if (dispatchers.size) app.log.info('channels enabled', { channels: [...dispatchers.keys()] });
    },
    async stop() {
      if (sweep) clearInterval(sweep);
      for (const d of dispatchers.values()) await d.adapter.stop?.();
    },
    async drain() {
      for (const d of dispatchers.values()) await d.drain();
    },
  };
}
