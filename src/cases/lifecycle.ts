/**
 * The case lifecycle in one place: new → triaged → assigned → forwarded → closed, forward only.
 * Closing needs a supervisor (or an admin) and a disposition; a case assigned to one officer is moved by
 * that officer or a supervisor; "assigned" needs an assignee. The service enforces these rules and the
 * dashboard offers only what they allow (`allowedMoves`), so a picker never offers a step the server refuses.
 */
import type { CaseRecord, CaseStatus, Role } from '../store/port.js';

export const STATUS_STEP: Readonly<Record<CaseStatus, number>> = { new: 0, triaged: 1, assigned: 2, forwarded: 3, closed: 4 };
export const OPEN_STATUSES: readonly CaseStatus[] = ['new', 'triaged', 'assigned', 'forwarded'];
/** An officer may claim a case only while nobody has it and it is not yet further along. */
export const CLAIMABLE: readonly CaseStatus[] = ['new', 'triaged'];

/** Who acts on the officer side. `province` null: every province. */
export interface Actor {
  id: string;
  role: Role;
  province: string | null;
}

/** Supervisors, and admins (who manage accounts and can do all a supervisor does). */
export function supervises(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'supervisor' || actor.role === 'admin';
}

/** What the actor may do with the case now: the statuses the picker offers, claiming, assigning, priority. */
export interface AllowedMoves {
  /** Statuses the case may move to now (forward only; "closed" for supervisors). Empty: no picker. */
  status: CaseStatus[];
  claim: boolean;
  assign: boolean;
  priority: boolean;
}

type CaseState = Pick<CaseRecord, 'status' | 'assignedTo'>;

/** Why the actor may not move this case to `to`, in the domain's words (null: allowed). */
export function statusRefusal(c: CaseState, actor: Actor, to: CaseStatus): { kind: 'forbidden' | 'conflict'; code: string } | null {
  if (c.status === 'closed') return { kind: 'conflict', code: 'closed' };
  if (to === 'closed' && !supervises(actor)) return { kind: 'forbidden', code: 'supervisor_only' };
  if (actor.role === 'officer' && c.assignedTo !== null && c.assignedTo !== actor.id) return { kind: 'forbidden', code: 'not_yours' };
  if (STATUS_STEP[to] <= STATUS_STEP[c.status]) return { kind: 'conflict', code: 'invalid_transition' };
  if (to === 'assigned' && c.assignedTo === null) return { kind: 'conflict', code: 'not_assigned' };
  return null;
}

export function allowedMoves(c: CaseState, actor: Actor): AllowedMoves {
  const open = c.status !== 'closed';
  return {
    status: (Object.keys(STATUS_STEP) as CaseStatus[]).filter((s) => statusRefusal(c, actor, s) === null),
    claim: open && c.assignedTo === null && CLAIMABLE.includes(c.status),
    assign: open && supervises(actor),
    priority: open,
  };
}
