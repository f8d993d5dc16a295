/**
 * `/metrics` in the Prometheus text format (prom-client): turn latency, turns, refusals by the abuse limits,
 * channel sends and failures, live-chat queue sizes. Counts and timings only: never text, ids or keys.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Bot } from './bot.js';
import type { Limits } from './limits.js';
import type { LiveRelay } from '../live/relay.js';

export interface SendStats { sent: number; failed: number; retried?: number; shed?: number; queued?: number; inboundWaiting?: number; inboundOverloaded?: number }

export function createMetrics(bot: Bot, limits: Limits, live: LiveRelay, sends: () => Record<string, SendStats>): Registry {
  const registry = new Registry();
  const turns = new Counter({ name: 'binhan_turns_total', help: 'Turns processed, by channel', labelNames: ['channel'], registers: [registry] });
  const latency = new Histogram({
    name: 'binhan_turn_seconds', help: 'Time to answer a message (store writes included), by channel', labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  bot.onTurn((_events, channel, ms) => {
    turns.inc({ channel });
    if (ms !== undefined) latency.observe({ channel }, ms / 1000);
  });
  new Gauge({
    name: 'binhan_rate_limited_total', help: 'Messages refused by the abuse limits, by scope', labelNames: ['scope'], registers: [registry],
    collect() { for (const [scope, n] of Object.entries(limits.refused)) this.set({ scope }, n); },
  });
  new Gauge({
    name: 'binhan_channel_sends_total', help: 'Replies sent to the platforms, by channel and outcome', labelNames: ['channel', 'outcome'], registers: [registry],
    collect() {
      for (const [channel, s] of Object.entries(sends())) {
        this.set({ channel, outcome: 'sent' }, s.sent);
        this.set({ channel, outcome: 'failed' }, s.failed);
        this.set({ channel, outcome: 'shed' }, s.shed ?? 0);
      }
    },
  });
  new Gauge({
    name: 'binhan_inbound_overloaded_total', help: 'Webhook events not taken (503) because the inbound queue was full, by channel', labelNames: ['channel'], registers: [registry],
    collect() {
      for (const [channel, s] of Object.entries(sends())) this.set({ channel }, s.inboundOverloaded ?? 0);
    },
  });
  new Gauge({
    name: 'binhan_channel_queue', help: 'Waiting now: reply parts in the outbox, events in the inbound queue, by channel', labelNames: ['channel', 'queue'], registers: [registry],
    collect() {
      for (const [channel, s] of Object.entries(sends())) {
        this.set({ channel, queue: 'outbound' }, s.queued ?? 0);
        this.set({ channel, queue: 'inbound' }, s.inboundWaiting ?? 0);
      }
    },
  });
  new Gauge({
    name: 'binhan_live_chats', help: 'Live chats with counsellors: open, and counsellors on duty', labelNames: ['what'], registers: [registry],
    collect() {
      this.set({ what: 'open' }, live.desk.openCount());
      this.set({ what: 'counsellors_on_duty' }, live.desk.onDutyCount());
    },
  });
  new Gauge({
    name: 'binhan_live_events_total', help: 'Live chats since start: hand-overs to a colleague, proposals to keep a chat as a tip and their answers', labelNames: ['what'], registers: [registry],
    collect() {
      const c = live.desk.counts;
      this.set({ what: 'handovers' }, c.handovers);
      this.set({ what: 'tip_offers' }, c.tipOffers);
      this.set({ what: 'tips_saved' }, c.tipsSaved);
      this.set({ what: 'tips_declined' }, c.tipsDeclined);
    },
  });
  return registry;
}
