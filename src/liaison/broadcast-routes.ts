/**
 * Campaign broadcasts from the dashboard (issue #13, item 3): supervisors and admins only. A dry-run counts the
 * recipients per channel; start, pause, resume and cancel change the job in the store; every action is audited
 * ("broadcast.<action>:<id>"). Nothing here reads an address: counts and statuses only.
 */
import { z } from 'zod';
import { BroadcastError, broadcastsOf, type BroadcastErrorKind, type BroadcastService } from '../campaigns/broadcasts.js';
import { SUPERVISOR, type RouteKit } from './kit.js';
import { HttpError, parse, parseId } from './validation.js';

const id = z.string().trim().min(1).max(64).regex(/^[a-z0-9_-]+$/, 'letters, digits, _ or -');
const startBody = z.strictObject({ campaign: id, item: id });
const STATUS: Record<BroadcastErrorKind, 400 | 404 | 409> = {
  unknown_campaign: 400, unknown_item: 400, audience_unsupported: 409, busy: 409, too_soon: 409, not_found: 404, bad_state: 409,
};

export function registerBroadcastRoutes({ r, guard, store, now }: RouteKit): void {
  const service = (): BroadcastService => {
    const s = broadcastsOf(store);
    if (!s) throw new HttpError(503, 'broadcasts are not set up on this server (no channel can send campaign messages)', undefined, 'broadcast_unavailable');
    return s;
  };
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof BroadcastError) throw new HttpError(STATUS[e.kind], e.message, undefined, e.kind);
      throw e;
    }
  };
  const audit = (officerId: string, action: string, bid: string) => store.addAudit({ at: new Date(now()).toISOString(), officerId, action: `broadcast.${action}:${bid}` });

  r.get('/broadcasts', guard(SUPERVISOR, async (_ctx, _req, res) => {
    const s = service();
    res.json({ campaigns: s.campaigns(), broadcasts: await s.list(), channels: [...s.senders.keys()] });
  }));

  r.post('/broadcasts/dry-run', guard(SUPERVISOR, async ({ officer }, req, res) => {
    const b = parse(startBody, req.body, 'body');
    const out = await run(() => service().dryRun(b.campaign, b.item));
    await audit(officer.id, 'dry_run', `${b.campaign}.${b.item}`);
    res.json(out);
  }));

  r.post('/broadcasts', guard(SUPERVISOR, async ({ officer }, req, res) => {
    const b = parse(startBody, req.body, 'body');
    const started = await run(() => service().start(b.campaign, b.item, officer.id));
    await audit(officer.id, 'start', started.id);
    res.status(201).json(started);
  }));

  for (const [action, to] of [['pause', 'paused'], ['resume', 'running'], ['cancel', 'cancelled']] as const) {
    r.post(`/broadcasts/:id/${action}`, guard(SUPERVISOR, async ({ officer }, req, res) => {
      const bid = parseId(req.params.id, 'broadcast id');
      const b = await run(() => service().setStatus(bid, to));
      await audit(officer.id, action, bid);
      res.json(b);
    }));
  }
}
