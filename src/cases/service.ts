/**
 * The case service: the only place that knows about encryption at rest, the case history, an
 * officer's scope and the lifecycle rules. The bot files tips and follows them up through it; the
 * liaison API reads and changes cases through it. The store below sees only sealed text.
 *
 * Lifecycle: new → triaged → assigned → forwarded → closed, forward only. Closing needs a
 * disposition and the supervisor role; a closed case cannot be claimed or changed. Every change is
 * one atomic conditional update (store.updateCase with `expect`) that also pushes its history entries.
 */
import type {
  CaseFilter, CaseMessage, CasePageRequest, CaseRecord, CaseStatus, CaseUpdate, Disposition, HistoryEntry, NewCase,
  Officer, Priority, RelatedLink, Role, Store, TipFields,
} from '../store/port.js';
import { DISPOSITIONS, decodeCursor, encodeCursor } from '../store/port.js';
import { CaseSearch } from './search.js';
import type { Logger } from '../log.js';
import { normalize } from '../text/normalize.js';
import { soundsLikeCrisis } from '../nlu/crisis.js';
import type { FieldCipher } from './cipher.js';
import { TIP_CSV_COLUMNS, tipCsvCells } from './tip-fields.js';
import { floodOf, linkRelated } from './related.js';
import { buildReport, type Report, type ReportRange } from './report.js';
import { CLAIMABLE, allowedMoves, statusRefusal, supervises, type Actor, type AllowedMoves } from './lifecycle.js';
export { OPEN_STATUSES } from './lifecycle.js';

/** What went wrong with a case request, in the domain's words; the HTTP router maps each kind to a status. */
export type CaseErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

export class CaseError extends Error {
  constructor(readonly kind: CaseErrorKind, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'CaseError';
  }
}

export type { Actor } from './lifecycle.js';

/** Queue filter as the API gives it; the service narrows it to the actor's scope. */
export interface QueueFilter extends Omit<CaseFilter, 'assignedTo'> {
  /** Only cases assigned to the actor. */
  mine?: boolean;
  /** Words to find in the tip's text, messages and notes (the list is then ordered by best match). */
  q?: string;
}

const MAX_RETRIES = 5;
export const MAX_EXPORT_ROWS = 50_000;

export interface OfficerRef { id: string; username: string; displayName: string }

export interface CaseSummary {
  id: string;
  ref: string;
  status: CaseStatus;
  priority: Priority;
  disposition: Disposition | null;
  category: TipFields['category'];
  province: string;
  place?: string;
  when?: string;
  whenDate?: string;
  inDanger: TipFields['inDanger'];
  /** The start of what happened (decrypted), for the queue. */
  excerpt: string;
  assignedTo: OfficerRef | null;
  /** Messages from the reporter (answers and additions). */
  reporterMessages: number;
  related: number;
  /** "Possible flood": how many near-identical tips (this one included) came within an hour; 0 if not a flood. */
  flood: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CaseView {
  id: string;
  ref: string;
  status: CaseStatus;
  priority: Priority;
  disposition: Disposition | null;
  assignedTo: OfficerRef | null;
  lang: string;
  fields: TipFields;
  /** The two-way conversation with the anonymous reporter: officers' questions and the reporter's answers. */
  messages: CaseMessage[];
  /** Internal notes: never shown to the reporter. */
  notes: { at: string; by: string; text: string }[];
  history: HistoryEntry[];
  related: RelatedLink[];
  /** As in CaseSummary: the size of the possible flood this tip belongs to, 0 if none. */
  flood: number;
  /** Officers named by id in assignedTo, notes and history. */
  officers: Record<string, { username: string; displayName: string }>;
  version: number;
  createdAt: string;
  updatedAt: string;
  week: string;
  /** What the reading officer may do with it now (the picker offers only these). */
  allowed: AllowedMoves;
}

export interface Stats {
  byCategory: { key: string; count: number }[];
  byProvince: { key: string; count: number }[];
  byStatus: { key: string; count: number }[];
  byWeek: { key: string; count: number }[];
}

/** One line of a case's audit trail: an officer opened or changed it. */
export interface AuditTrailEntry {
  at: string;
  action: string;
  officer: { id: string; displayName: string; role: Role | null };
}

/** What the reporter may see through the bot: a status and the officers' questions. Never names or notes. */
export interface ReporterView {
  id: string;
  ref: string;
  status: CaseStatus;
  secretHash: string;
  questions: string[];
}

/** True when the tip's own words speak of danger happening now. */
export function soundsUrgent(f: Pick<TipFields, 'what' | 'involved'>): boolean {
  return [f.what, f.involved].some((t) => typeof t === 'string' && t !== '' && soundsLikeCrisis(t));
}

export type CaseEvent = 'question' | 'closed';

/**
 * What a live queue learns of a change: which case, where, how urgent, never its content. `kind` "created" is
 * a new tip; "changed" is any later change (a claim, a status, a note, a reporter's answer).
 */
export interface CaseChange {
  kind: 'created' | 'changed';
  id: string;
  ref: string;
  province: string;
  priority: Priority;
  status: CaseStatus;
  version: number;
}

export class CaseService {
  private readonly listeners: Record<CaseEvent, ((c: CaseRecord) => void)[]> = { question: [], closed: [] };
  private readonly changeListeners: ((c: CaseChange) => void)[] = [];
  /** Full-text search over decrypted text, in memory only (search.ts). */
  private readonly finder: CaseSearch;

  constructor(
    private readonly store: Store,
    private readonly cipher: FieldCipher,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.finder = new CaseSearch(store, cipher, log, () => this.now().getTime());
  }

  /** Listens for an officer's question to a reporter, or a case being closed (opt-in notifications use it). */
  on(event: CaseEvent, fn: (c: CaseRecord) => void): void {
    this.listeners[event].push(fn);
  }

  /** Listens for every new tip and every change to a case (the live queue); returns the way to stop. */
  onChange(fn: (c: CaseChange) => void): () => void {
    this.changeListeners.push(fn);
    return () => { const i = this.changeListeners.indexOf(fn); if (i >= 0) this.changeListeners.splice(i, 1); };
  }

  /** Reads and decrypts every tip into the in-memory search index (start-up, in the background). */
  warmSearch(): Promise<void> {
    return this.finder.warm();
  }

  private emit(event: CaseEvent, c: CaseRecord): void {
    for (const fn of this.listeners[event]) {
      try { fn(c); } catch (e) { this.log.warn('case listener failed', { event, error: (e as Error).message }); }
    }
  }

  private changed(kind: CaseChange['kind'], c: CaseRecord): void {
    this.finder.update(c);
    if (this.changeListeners.length === 0) return;
    const change: CaseChange = { kind, id: c.id, ref: c.ref, province: c.fields.province, priority: c.priority, status: c.status, version: c.version };
    for (const fn of [...this.changeListeners]) {
      try { fn(change); } catch (e) { this.log.warn('case change listener failed', { error: (e as Error).message }); }
    }
  }

  // ------------------------------------------------------------------ reporter side (the bot)

  /**
   * Files a tip: seals the free text, sets priority urgent when someone is in danger now (the
   * reporter said so, or the wording says so), records "created", then links related open tips.
   * Idempotent like the store: the same idempotency key returns the same case (`created: false`).
   */
  async createTip(c: NewCase): Promise<{ case: CaseRecord; created: boolean; related: RelatedLink[] }> {
    const plain = c.fields;
    const priority: Priority = plain.inDanger === 'yes' || soundsUrgent(plain) ? 'urgent' : c.priority;
    const at = this.now().toISOString();
    const res = await this.store.createCase({
      ...c, priority, fields: this.cipher.sealFields(plain),
      history: [{ at, by: 'reporter', action: 'created', to: 'new' }],
    });
    let related: RelatedLink[] = [];
    if (res.created) {
      this.changed('created', res.case);
      try {
        related = await linkRelated(this.store, this.cipher, res.case, plain, this.now());
        if (related.length) this.log.info('related tips linked', { count: related.length });
      } catch (e) {
        // The tip itself is stored; a missing "possibly the same matter" link is not worth failing it.
        this.log.warn('related tips not linked', { error: (e as Error).message });
      }
    }
    return { ...res, related };
  }

  async getForReporter(ref: string): Promise<ReporterView | null> {
    const c = await this.store.getCaseByRef(ref);
    if (!c) return null;
    return {
      id: c.id, ref: c.ref, status: c.status, secretHash: c.secretHash,
      questions: c.messages.filter((m) => m.from === 'officer').map((m) => this.cipher.openMessage(m).text),
    };
  }

  /** Appends the reporter's answer or addition to the case (sealed) with an 'answer' history entry. */
  async addReporterAnswer(ref: string, text: string): Promise<boolean> {
    const c = await this.store.getCaseByRef(ref);
    if (!c) return false;
    const at = this.now().toISOString();
    const updated = await this.store.updateCase(c.id, {
      push: { messages: [this.cipher.sealMessage({ from: 'reporter', text, at })], history: [{ at, by: 'reporter', action: 'answer' }] },
    });
    if (updated) this.changed('changed', updated);
    return updated !== null;
  }

  // ------------------------------------------------------------------ officer side (the liaison API)

  async list(actor: Actor, filter: QueueFilter, page: CasePageRequest): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
    this.caseRole(actor);
    const f = this.scoped(actor, filter);
    await this.audit(actor, 'list');
    if (!f) return { items: [], nextCursor: null };
    const res = filter.q ? await this.searchPage(filter.q, f, page) : await this.store.queryCases(f, page);
    const names = await this.officerNames(res.items.map((c) => c.assignedTo));
    return { items: res.items.map((c) => this.summary(c, names)), nextCursor: res.nextCursor };
  }

  /** One case, decrypted; the read is audited before anything is returned. */
  async get(actor: Actor, id: string): Promise<CaseView> {
    this.caseRole(actor);
    const c = await this.load(actor, id);
    await this.audit(actor, 'read', c.id);
    return this.view(c, actor);
  }

  /** Atomic: of officers claiming at once, exactly one wins; the others get 409. */
  async claim(actor: Actor, id: string): Promise<CaseView> {
    this.caseRole(actor);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const c = await this.load(actor, id);
      if (c.status === 'closed') throw closed();
      if (c.assignedTo === actor.id) return this.view(c, actor);
      if (c.assignedTo !== null) throw new CaseError('conflict', 'already_claimed', 'another officer has already claimed this case');
      if (!CLAIMABLE.includes(c.status)) throw new CaseError('conflict', 'not_claimable', `a case with status "${c.status}" cannot be claimed; ask a supervisor to assign it`);
      const at = this.now().toISOString();
      const updated = await this.store.updateCase(c.id, {
        expect: { assignedTo: null, statusIn: [c.status] },
        set: { assignedTo: actor.id, status: 'assigned' },
        push: { history: [{ at, by: actor.id, action: 'claim', to: actor.id }, { at, by: actor.id, action: 'status', from: c.status, to: 'assigned' }] },
      });
      if (updated) {
        this.changed('changed', updated);
        await this.audit(actor, 'claim', c.id);
        return this.view(updated, actor);
      }
      // Lost a race, or the status moved meanwhile: read again to tell which.
    }
    throw changed();
  }

  async changeStatus(actor: Actor, id: string, req: { status: CaseStatus; disposition?: Disposition; expectedVersion?: number }): Promise<CaseView> {
    this.caseRole(actor);
    const closing = req.status === 'closed';
    if (closing && !supervises(actor)) throw new CaseError('forbidden', 'supervisor_only', 'only a supervisor can close a case');
    if (closing && !req.disposition) throw new CaseError('invalid', 'disposition_required', 'closing a case needs a disposition', { dispositions: DISPOSITIONS });
    if (!closing && req.disposition) throw new CaseError('invalid', 'disposition_only_when_closing', 'a disposition is given only when closing a case');
    const updated = await this.mutate(actor, id, req.expectedVersion, (c, at) => {
      this.open(c);
      const refused = statusRefusal(c, actor, req.status);
      if (refused) throw new CaseError(refused.kind, refused.code, STATUS_REFUSALS[refused.code]?.(c.status, req.status) ?? refused.code, { allowed: allowedMoves(c, actor).status });
      const history: HistoryEntry[] = [{ at, by: actor.id, action: 'status', from: c.status, to: req.status }];
      if (closing) history.push({ at, by: actor.id, action: 'disposition', to: req.disposition });
      return { set: closing ? { status: req.status, disposition: req.disposition } : { status: req.status }, push: { history } };
    });
    await this.audit(actor, 'status', updated.id);
    if (updated.status === 'closed') this.emit('closed', updated);
    return this.view(updated, actor);
  }

  async changePriority(actor: Actor, id: string, req: { priority: Priority; expectedVersion?: number }): Promise<CaseView> {
    this.caseRole(actor);
    const updated = await this.mutate(actor, id, req.expectedVersion, (c, at) => {
      this.open(c);
      if (c.priority === req.priority) return null;
      return { set: { priority: req.priority }, push: { history: [{ at, by: actor.id, action: 'priority', from: c.priority, to: req.priority }] } };
    });
    await this.audit(actor, 'priority', updated.id);
    return this.view(updated, actor);
  }

  /** Supervisor: gives the case to an active officer whose scope covers its province. */
  async assign(actor: Actor, id: string, officerId: string): Promise<CaseView> {
    this.caseRole(actor);
    if (!supervises(actor)) throw new CaseError('forbidden', 'supervisor_only', 'only a supervisor can assign a case');
    const target = await this.store.getOfficer(officerId);
    if (!target || target.disabled || target.role === 'admin') throw new CaseError('invalid', 'invalid_officer', 'no active officer or supervisor has this id');
    const updated = await this.mutate(actor, id, undefined, (c, at) => {
      this.open(c);
      if (target.province !== null && target.province !== c.fields.province) {
        throw new CaseError('invalid', 'officer_out_of_scope', `this officer works in ${target.province}, the case is in ${c.fields.province}`);
      }
      if (c.assignedTo === target.id) return null;
      const status: CaseStatus = CLAIMABLE.includes(c.status) ? 'assigned' : c.status;
      const history: HistoryEntry[] = [{ at, by: actor.id, action: 'assign', from: c.assignedTo ?? undefined, to: target.id }];
      if (status !== c.status) history.push({ at, by: actor.id, action: 'status', from: c.status, to: status });
      return { set: { assignedTo: target.id, status }, push: { history } };
    });
    await this.audit(actor, 'assign', updated.id);
    return this.view(updated, actor);
  }

  /** Internal note: officers only, never shown to the reporter. */
  async addNote(actor: Actor, id: string, text: string): Promise<CaseView> {
    this.caseRole(actor);
    const updated = await this.mutate(actor, id, undefined, (c, at) => {
      this.open(c);
      return { push: { notes: [this.cipher.sealNote({ at, by: actor.id, text })], history: [{ at, by: actor.id, action: 'note' }] } };
    });
    await this.audit(actor, 'note', updated.id);
    return this.view(updated, actor);
  }

  /** A question the anonymous reporter sees when following the tip up (code + secret), on any channel. */
  async askReporter(actor: Actor, id: string, text: string): Promise<CaseView> {
    this.caseRole(actor);
    const updated = await this.mutate(actor, id, undefined, (c, at) => {
      this.open(c);
      return { push: { messages: [this.cipher.sealMessage({ from: 'officer', text, at })], history: [{ at, by: actor.id, action: 'question' }] } };
    });
    await this.audit(actor, 'question', updated.id);
    this.emit('question', updated);
    return this.view(updated, actor);
  }

  /** Supervisor: the filtered queue as a table (header and rows of cells) for an export; the HTTP layer writes the CSV. Audited. */
  async exportTable(actor: Actor, filter: QueueFilter): Promise<{ header: string[]; rows: unknown[][] }> {
    this.caseRole(actor);
    if (!supervises(actor)) throw new CaseError('forbidden', 'supervisor_only', 'only a supervisor can export cases');
    const f = this.scoped(actor, filter);
    await this.audit(actor, 'export');
    const cases: CaseRecord[] = [];
    let cursor: string | undefined;
    // With search words, exactly the hits the officer sees (best match first).
    if (f && filter.q) {
      const ids = (await this.finder.search(filter.q, f)).slice(0, MAX_EXPORT_ROWS);
      cases.push(...(await Promise.all(ids.map((id) => this.store.getCase(id)))).filter((c): c is CaseRecord => c !== null));
    }
    while (f && !filter.q && cases.length < MAX_EXPORT_ROWS) {
      const page = await this.store.queryCases(f, { limit: 100, cursor, order: 'newest' });
      cases.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const names = await this.officerNames(cases.map((c) => c.assignedTo));
    const header = ['ref', 'created', 'status', 'priority', ...TIP_CSV_COLUMNS, 'assigned', 'disposition'];
    const rows = cases.slice(0, MAX_EXPORT_ROWS).map((c) => [
      c.ref, c.createdAt, c.status, c.priority, ...tipCsvCells(this.cipher.openFields(c.fields)),
      c.assignedTo ? names.get(c.assignedTo)?.username ?? c.assignedTo : '', c.disposition,
    ]);
    return { header, rows };
  }

  /**
   * Supervisor: who opened or changed a case and when, newest first (display names resolved). The
   * look itself is audited first, so it is part of the trail it returns.
   */
  async auditTrail(actor: Actor, id: string, limit = 100): Promise<AuditTrailEntry[]> {
    this.caseRole(actor);
    if (!supervises(actor)) throw new CaseError('forbidden', 'supervisor_only', 'only a supervisor can see the audit trail of a case');
    const c = await this.load(actor, id);
    await this.audit(actor, 'audit', c.id);
    const events = await this.store.listAudit({ caseId: c.id, limit });
    const names = await this.officerNames(events.map((e) => e.officerId));
    return events.map((e) => ({
      at: e.at, action: e.action,
      officer: { id: e.officerId, displayName: names.get(e.officerId)?.displayName ?? '', role: names.get(e.officerId)?.role ?? null },
    }));
  }

  /** Counts for charts, within the actor's scope. */
  async stats(actor: Actor, filter: QueueFilter): Promise<Stats> {
    this.caseRole(actor);
    const f = this.scoped(actor, filter);
    if (!f) return { byCategory: [], byProvince: [], byStatus: [], byWeek: [] };
    const [byCategory, byProvince, byStatus, byWeek] = await Promise.all(
      (['category', 'province', 'status', 'week'] as const).map((by) => this.store.countCases(f, by)),
    );
    const byCount = (a: { key: string; count: number }, b: { key: string; count: number }) => b.count - a.count || a.key.localeCompare(b.key);
    return {
      byCategory: byCategory.sort(byCount), byProvince: byProvince.sort(byCount), byStatus: byStatus.sort(byCount),
      byWeek: byWeek.sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  /** The statistics report (aggregates only, nothing decrypted) within the actor's scope; see report.ts. */
  async report(actor: Actor, range: ReportRange, intentLabels?: Parameters<typeof buildReport>[4]): Promise<Report> {
    this.caseRole(actor);
    return buildReport(this.store, this.scoped(actor, {}), range, actor.province, intentLabels);
  }

  // ------------------------------------------------------------------ internals

  /** One page of search hits, best first; the cursor is the offset into the hits, tagged "q". */
  private async searchPage(q: string, f: CaseFilter, page: CasePageRequest): Promise<{ items: CaseRecord[]; nextCursor: string | null }> {
    const ids = await this.finder.search(q, f);
    const at = page.cursor ? decodeCursor(page.cursor) : null;
    const offset = at && at[0] === 'q' && typeof at[1] === 'number' && Number.isSafeInteger(at[1]) && at[1] >= 0 ? at[1] : 0;
    const slice = ids.slice(offset, offset + page.limit);
    const items = (await Promise.all(slice.map((id) => this.store.getCase(id)))).filter((c): c is CaseRecord => c !== null);
    return { items, nextCursor: offset + page.limit < ids.length ? encodeCursor(['q', offset + page.limit]) : null };
  }

  private caseRole(actor: Actor): void {
    if (actor.role !== 'officer' && !supervises(actor)) {
      throw new CaseError('forbidden', 'no_case_access', 'this role has no access to cases');
    }
  }

  private inScope(actor: Actor, c: CaseRecord): boolean {
    return actor.province === null || c.fields.province === actor.province;
  }

  /** The filter narrowed to the actor's scope; null when nothing can match. */
  private scoped(actor: Actor, filter: QueueFilter): CaseFilter | null {
    const { mine, q: _words, ...rest } = filter;
    const f: CaseFilter = { ...rest };
    if (mine) f.assignedTo = actor.id;
    if (actor.province !== null) {
      if (f.province && !f.province.includes(actor.province)) return null;
      f.province = [actor.province];
    }
    for (const k of ['status', 'priority', 'category', 'province'] as const) if (f[k]?.length === 0) delete f[k];
    return f;
  }

  /** A case in the actor's scope; 404 otherwise (a case outside it is not even confirmed to exist). */
  private async load(actor: Actor, id: string): Promise<CaseRecord> {
    const c = await this.store.getCase(id);
    if (!c || !this.inScope(actor, c)) throw new CaseError('not_found', 'not_found', 'no such case');
    return c;
  }

  private open(c: CaseRecord): void {
    if (c.status === 'closed') throw closed();
  }

  /**
   * Reads, checks and applies one conditional update, guarded by the version read. With an
   * expectedVersion from the client, any difference is a 409; without, a concurrent change is
   * retried on a fresh read (the checks run again). `build` returning null is a no-op.
   */
  private async mutate(actor: Actor, id: string, expectedVersion: number | undefined, build: (c: CaseRecord, at: string) => CaseUpdate | null): Promise<CaseRecord> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const c = await this.load(actor, id);
      if (expectedVersion !== undefined && c.version !== expectedVersion) throw changed({ version: c.version });
      const u = build(c, this.now().toISOString());
      if (!u) return c;
      const updated = await this.store.updateCase(c.id, { ...u, expect: { ...u.expect, version: c.version } });
      if (updated) {
        this.changed('changed', updated);
        return updated;
      }
      if (expectedVersion !== undefined) throw changed();
    }
    throw changed();
  }

  private async audit(actor: Actor, action: string, caseId?: string): Promise<void> {
    await this.store.addAudit({ at: this.now().toISOString(), officerId: actor.id, action, ...(caseId ? { caseId } : {}) });
  }

  private async officerNames(ids: (string | null | undefined)[]): Promise<Map<string, Officer>> {
    const unique = [...new Set(ids.filter((x): x is string => typeof x === 'string' && x !== '' && x !== 'reporter' && x !== 'system'))];
    const found = await Promise.all(unique.map((id) => this.store.getOfficer(id)));
    const out = new Map<string, Officer>();
    for (const o of found) if (o) out.set(o.id, o);
    return out;
  }

  private ref(id: string | null, names: Map<string, Officer>): OfficerRef | null {
    if (!id) return null;
    const o = names.get(id);
    return { id, username: o?.username ?? '', displayName: o?.displayName ?? '' };
  }

  private summary(c: CaseRecord, names: Map<string, Officer>): CaseSummary {
    const p = this.cipher.openFields(c.fields);
    return {
      id: c.id, ref: c.ref, status: c.status, priority: c.priority, disposition: c.disposition,
      category: p.category, province: p.province, place: p.place, when: p.when, whenDate: p.whenDate, inDanger: p.inDanger,
      excerpt: p.what.length > 160 ? `${p.what.slice(0, 157)}…` : p.what,
      assignedTo: this.ref(c.assignedTo, names),
      reporterMessages: c.messages.filter((m) => m.from === 'reporter').length,
      related: c.related.length, flood: floodOf(c)?.size ?? 0, version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt,
    };
  }

  private async view(c: CaseRecord, actor: Actor): Promise<CaseView> {
    const ids = [c.assignedTo, ...c.notes.map((n) => n.by), ...c.history.flatMap((h) => [h.by, ...(h.action === 'assign' || h.action === 'claim' ? [h.from, h.to] : [])])];
    const names = await this.officerNames(ids);
    return {
      id: c.id, ref: c.ref, status: c.status, priority: c.priority, disposition: c.disposition,
      assignedTo: this.ref(c.assignedTo, names), lang: c.lang,
      fields: this.cipher.openFields(c.fields),
      messages: c.messages.map((m) => this.cipher.openMessage(m)),
      notes: c.notes.map((n) => this.cipher.openNote(n)),
      history: c.history, related: c.related, flood: floodOf(c)?.size ?? 0,
      officers: Object.fromEntries([...names.values()].map((o) => [o.id, { username: o.username, displayName: o.displayName }])),
      version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, week: c.week,
      allowed: allowedMoves(c, actor),
    };
  }
}

/** The server's own words for a refused status change (the dashboard shows its own text for each code). */
const STATUS_REFUSALS: Record<string, (from: CaseStatus, to: CaseStatus) => string> = {
  closed: () => 'the case is closed; it can no longer be claimed or changed',
  supervisor_only: () => 'only a supervisor can close a case',
  not_yours: () => 'this case is assigned to another officer',
  invalid_transition: (from, to) => `a case cannot go from "${from}" to "${to}": statuses only move forward (new, triaged, assigned, forwarded, closed)`,
  not_assigned: () => 'claim or assign the case first',
};

function closed(): CaseError {
  return new CaseError('conflict', 'closed', 'the case is closed; it can no longer be claimed or changed');
}

function changed(details?: Record<string, unknown>): CaseError {
  return new CaseError('conflict', 'version_conflict', 'the case was changed by someone else; reload it and try again', details);
}
