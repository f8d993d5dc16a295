/**
 * Full-text search over tips for officers, without a plaintext index on disk: the index lives in this
 * process's memory only, built from the decrypted text the first time someone searches and kept current by
 * the case service's change events (a new tip, a reporter's answer, a note). What is indexed: the reference
 * code, the tip's free-text fields, the reporter's messages and the officers' questions and notes, folded
 * (lower case, no diacritics: "ma tuy" finds "ma túy"). Scope and filters are applied to metadata kept
 * beside the index, so an officer never gets a hit outside their province.
 *
 * Scale (README "Search"): one entry per tip; measured with 50,000 tips by `npm run bench:search`.
 * Another instance's changes reach this index at its next rebuild (REBUILD_MS), not at once.
 */
import MiniSearch from 'minisearch';
import type { CaseFilter, CaseRecord, CaseStatus, Category, Priority, Store } from '../store/port.js';
import type { Logger } from '../log.js';
import { fold } from '../text/normalize.js';
import type { FieldCipher } from './cipher.js';
import { TIP_FIELD_NAMES, TIP_FIELDS } from './tip-fields.js';

/** The free-text fields of a tip (kind "text"): what the search reads. */
const TEXT_FIELDS = TIP_FIELD_NAMES.filter((n) => TIP_FIELDS[n].kind === 'text');
/** A rebuild from the store this often picks up changes made by another instance. */
const REBUILD_MS = 10 * 60_000;
const PAGE = 500;
/** fold() reads at most 1,000 characters at a time (the NLU's bound); longer text is folded in slices. */
const SLICE = 1000;

interface Meta {
  ref: string;
  status: CaseStatus;
  priority: Priority;
  category: Category;
  province: string;
  assignedTo: string | null;
  createdAt: string;
}

interface Doc { id: string; text: string }

function foldAll(text: string): string {
  if (text.length <= SLICE) return fold(text);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += SLICE) parts.push(fold(text.slice(i, i + SLICE)));
  return parts.join(' ');
}

function matches(m: Meta, f: CaseFilter): boolean {
  return (!f.status || f.status.includes(m.status))
    && (!f.priority || f.priority.includes(m.priority))
    && (!f.category || f.category.includes(m.category))
    && (!f.province || f.province.includes(m.province))
    && (!f.assignedTo || f.assignedTo === m.assignedTo)
    && (!f.ref || f.ref === m.ref)
    && (!f.from || m.createdAt >= f.from)
    && (!f.to || m.createdAt < f.to);
}

export class CaseSearch {
  private index = CaseSearch.emptyIndex();
  private readonly meta = new Map<string, Meta>();
  private built: Promise<void> | null = null;
  private builtAt = 0;
  /** Changes that arrived while a build was reading the store: applied when it ends. */
  private pending: CaseRecord[] | null = null;

  constructor(
    private readonly store: Store,
    private readonly cipher: FieldCipher,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  private static emptyIndex(): MiniSearch<Doc> {
    // Text arrives folded; terms are split on spaces only.
    return new MiniSearch<Doc>({ fields: ['text'], tokenize: (s) => s.split(' '), processTerm: (t) => (t === '' ? null : t) });
  }

  /** Builds the index now (start-up, in the background), so the first officer's search does not wait for it. */
  async warm(): Promise<void> {
    await this.ready();
  }

  /** A case changed or arrived: re-indexed at once if the index exists (it is built on first use otherwise). */
  update(c: CaseRecord): void {
    if (this.pending) { this.pending.push(c); return; }
    if (this.builtAt === 0) return;
    this.put(c);
  }

  /**
   * Ids of the cases whose text holds every word of `query` (the last one as a prefix), within `filter`
   * (already narrowed to the officer's scope), best match first.
   */
  async search(query: string, filter: CaseFilter): Promise<string[]> {
    await this.ready();
    const q = foldAll(query);
    if (q === '') return [];
    const hits = this.index.search(q, {
      combineWith: 'AND',
      prefix: (_term, i, terms) => i === terms.length - 1,
      filter: (r) => { const m = this.meta.get(r.id as string); return m !== undefined && matches(m, filter); },
    });
    return hits.map((h) => h.id as string);
  }

  /** Builds the index on first use, and again in the background when it is older than REBUILD_MS. */
  private async ready(): Promise<void> {
    if (this.builtAt === 0) {
      this.built ??= this.build();
      await this.built;
      return;
    }
    if (this.clock() - this.builtAt > REBUILD_MS && this.built === null) {
      this.built = this.build().catch((e: unknown) => { this.log.warn('search index rebuild failed', { error: (e as Error).message }); });
    }
  }

  private async build(): Promise<void> {
    const started = this.clock();
    this.pending = [];
    try {
      const index = CaseSearch.emptyIndex();
      const meta = new Map<string, Meta>();
      let cursor: string | undefined;
      const docs: Doc[] = [];
      for (;;) {
        const page = await this.store.queryCases({}, { limit: PAGE, cursor, order: 'newest' });
        for (const c of page.items) {
          docs.push(this.doc(c));
          meta.set(c.id, this.metaOf(c));
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      index.addAll(docs);
      this.index = index;
      this.meta.clear();
      for (const [k, v] of meta) this.meta.set(k, v);
      this.builtAt = this.clock();
      const late = this.pending;
      this.pending = null;
      for (const c of late) this.put(c);
      this.log.info('search index built', { cases: meta.size, ms: this.clock() - started });
    } finally {
      this.pending = null;
      this.built = null;
    }
  }

  private put(c: CaseRecord): void {
    if (this.index.has(c.id)) this.index.discard(c.id);
    this.index.add(this.doc(c));
    this.meta.set(c.id, this.metaOf(c));
  }

  private metaOf(c: CaseRecord): Meta {
    return {
      ref: c.ref, status: c.status, priority: c.priority, category: c.fields.category, province: c.fields.province,
      assignedTo: c.assignedTo, createdAt: c.createdAt,
    };
  }

  /** The folded text of a case: its code, free-text fields, messages and notes (decrypted in memory only). */
  private doc(c: CaseRecord): Doc {
    const f = this.cipher.openFields(c.fields) as Record<string, unknown>;
    const parts: string[] = [c.ref, c.ref.slice(3)];
    for (const n of TEXT_FIELDS) if (typeof f[n] === 'string') parts.push(f[n] as string);
    for (const m of c.messages) parts.push(this.cipher.openMessage(m).text);
    for (const n of c.notes) parts.push(this.cipher.openNote(n).text);
    return { id: c.id, text: foldAll(parts.join(' \n ')) };
  }
}
