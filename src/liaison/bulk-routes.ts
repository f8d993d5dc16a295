/**
 * Bulk work for supervisors: POST /cases/bulk assigns, sets the priority of, or closes up to 100 cases in one
 * request. Each case goes through the same service call (and the same checks and audit) as one at a time; the
 * answer says, per case, whether it was done or why not (a domain error code), so one refusal stops nothing else.
 */
import { z } from 'zod';
import { CaseError } from '../cases/service.js';
import { DISPOSITIONS, PRIORITIES } from '../store/port.js';
import { SUPERVISOR, type RouteKit } from './kit.js';
import { UUID, emptyQuery, parse } from './validation.js';

export const MAX_BULK = 100;

const ids = z.array(z.string().regex(UUID, 'expected a UUID').transform((s) => s.toLowerCase())).min(1).max(MAX_BULK)
  .refine((a) => new Set(a).size === a.length, 'ids must not repeat');
const bulkBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('assign'), ids, officerId: z.string().regex(UUID, 'expected a UUID') }),
  z.strictObject({ action: z.literal('priority'), ids, priority: z.enum(PRIORITIES) }),
  z.strictObject({ action: z.literal('close'), ids, disposition: z.enum(DISPOSITIONS) }),
]);

export interface BulkResult { id: string; ok: boolean; ref?: string; code?: string }

export function registerBulkRoutes({ r, guard, cases, log }: RouteKit): void {
  r.post('/cases/bulk', guard(SUPERVISOR, async ({ actor }, req, res) => {
    parse(emptyQuery, req.query, 'query');
    const body = parse(bulkBody, req.body);
    const results: BulkResult[] = [];
    // One after another: each is a conditional update with its own retries; order keeps the audit readable.
    for (const id of body.ids) {
      try {
        const c = body.action === 'assign' ? await cases.assign(actor, id, body.officerId.toLowerCase())
          : body.action === 'priority' ? await cases.changePriority(actor, id, { priority: body.priority })
            : await cases.changeStatus(actor, id, { status: 'closed', disposition: body.disposition });
        results.push({ id, ok: true, ref: c.ref });
      } catch (e) {
        if (!(e instanceof CaseError)) throw e;
        results.push({ id, ok: false, code: e.code });
      }
    }
    log.info('bulk case action', { action: body.action, count: results.length, done: results.filter((x) => x.ok).length });
    res.json({ results });
  }));
}
