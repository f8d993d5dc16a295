/**
 * The Store port's contract: every implementation (SQLite always, MongoDB when MONGODB_URI is set)
 * must pass the same suite. Each test gets a fresh, empty store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  SessionConflictError,
  DuplicateKeyError, PRIORITIES, PRIORITY_RANK, isoWeek,
  type CaseRecord, type CaseFilter, type CasePageRequest, type GroupBy, type HistoryEntry, type NewCase,
  type NewOfficer, type Store, type TipFields,
} from '../src/store/port';
import { MIGRATIONS, SqliteStore } from '../src/store/sqlite';
import { storeFactories } from './helpers/stores';
import { tmpDir } from './helpers/tmp';

// ---- helpers

/** Runs fn with only Date frozen at `iso` (timers, nextTick and hrtime stay real, so drivers keep working). */
async function at<T>(iso: string, fn: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: new Date(iso),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
      'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
      'setTimeout', 'clearTimeout'],
  });
  try {
    return await fn();
  } finally {
    jest.useRealTimers();
  }
}

const REF_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';
let seq = 0;
function newRef(): string {
  let out = '';
  for (const b of randomBytes(6)) out += REF_ALPHABET[b % REF_ALPHABET.length];
  return `BA-${out}`;
}

function tip(over: Omit<Partial<NewCase>, 'fields'> & { fields?: Partial<TipFields> } = {}): NewCase {
  const n = ++seq;
  const { fields, ...rest } = over;
  return {
    idempotencyKey: createHash('sha256').update(`case:${n}:${randomBytes(8).toString('hex')}`).digest('hex'),
    ref: newRef(),
    secretHash: createHash('sha256').update(`secret:${n}`).digest('hex'),
    priority: 'normal',
    channel: 'web',
    lang: 'vi',
    fields: {
      category: 'drugs',
      province: 'Nghệ An',
      place: 'Quán karaoke gần chợ Vinh, phường Trường Thi',
      when: 'ongoing',
      what: 'Có người bán ma túy đá cho học sinh vào buổi tối, khoảng 8 giờ',
      inDanger: 'no',
      ...fields,
    },
    history: [{ at: '2026-11-28T02:00:00.000Z', by: 'reporter', action: 'created' }],
    ...rest,
  };
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const queueOrder = (a: CaseRecord, b: CaseRecord) =>
  PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || byId(a.createdAt, b.createdAt) || byId(a.id, b.id);
const newestOrder = (a: CaseRecord, b: CaseRecord) => byId(b.createdAt, a.createdAt) || byId(b.id, a.id);
const sortByKey = (rows: { key: string; count: number }[]) => [...rows].sort((a, b) => byId(a.key, b.key));

function officer(over: Partial<NewOfficer> = {}): NewOfficer {
  return {
    username: `lan.nguyen.${++seq}`,
    displayName: 'Nguyễn Thị Lan',
    role: 'officer',
    province: 'Nghệ An',
    passwordHash: '$scrypt$N=16384,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    ...over,
  };
}

async function allPages(store: Store, filter: CaseFilter, page: Omit<CasePageRequest, 'cursor'>): Promise<{ ids: string[]; sizes: number[]; cursors: (string | null)[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const res = await store.queryCases(filter, { ...page, cursor });
    ids.push(...res.items.map((c) => c.id));
    sizes.push(res.items.length);
    cursors.push(res.nextCursor);
    if (res.nextCursor === null) return { ids, sizes, cursors };
    cursor = res.nextCursor;
  }
  throw new Error('pagination does not end');
}

/**
 * Seven cases over three ISO weeks of November 2026, with some triage applied:
 * a new · b assigned to officer-lan · c triaged · d closed · e assigned to officer-minh · f new · g new.
 */
const SEED = {
  a: { at: '2026-11-02T01:00:00.000Z', category: 'drugs', province: 'Nghệ An', priority: 'normal' },
  b: { at: '2026-11-03T02:00:00.000Z', category: 'trafficking', province: 'An Giang', priority: 'urgent' },
  c: { at: '2026-11-04T03:00:00.000Z', category: 'scam', province: 'Hà Nội', priority: 'high' },
  d: { at: '2026-11-09T04:00:00.000Z', category: 'drugs', province: 'Hà Nội', priority: 'low' },
  e: { at: '2026-11-10T05:00:00.000Z', category: 'child_abuse', province: 'Nghệ An', priority: 'urgent' },
  f: { at: '2026-11-16T06:00:00.000Z', category: 'prostitution', province: 'Quảng Ninh', priority: 'normal' },
  g: { at: '2026-11-17T07:00:00.000Z', category: 'drugs', province: 'Nghệ An', priority: 'normal' },
} as const;
type SeedName = keyof typeof SEED;

async function seed(store: Store): Promise<{ cases: Record<SeedName, CaseRecord>; names: (items: CaseRecord[]) => string[] }> {
  const cases = {} as Record<SeedName, CaseRecord>;
  for (const [name, s] of Object.entries(SEED) as [SeedName, (typeof SEED)[SeedName]][]) {
    const res = await at(s.at, () => store.createCase(tip({ priority: s.priority, fields: { category: s.category, province: s.province } })));
    cases[name] = res.case;
  }
  const upd = async (name: SeedName, set: NonNullable<Parameters<Store['updateCase']>[1]['set']>) => {
    const r = await store.updateCase(cases[name].id, { set });
    if (!r) throw new Error(`seed update of ${name} failed`);
    cases[name] = r;
  };
  await upd('b', { status: 'assigned', assignedTo: 'officer-lan' });
  await upd('c', { status: 'triaged' });
  await upd('d', { status: 'closed', disposition: 'unfounded' });
  await upd('e', { status: 'assigned', assignedTo: 'officer-minh' });
  const nameOf = new Map(Object.entries(cases).map(([n, c]) => [c.id, n]));
  return { cases, names: (items) => items.map((c) => nameOf.get(c.id) ?? `?${c.id}`) };
}

// ---- the contract

describe.each(storeFactories)('Store contract: $name', (factory) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => { ({ store, cleanup } = await factory.open()); });
  afterEach(async () => { await cleanup(); });

  describe('creating and reading cases', () => {
    it('creates a new case with lifecycle defaults and returns it exactly as stored', async () => {
      const input = tip({ priority: 'urgent', fields: { inDanger: 'yes', involved: 'Hai người đàn ông, khoảng 30 tuổi', whenDate: '2026-11-27' } });
      const res = await at('2026-11-28T09:15:30.123Z', () => store.createCase(input));
      expect(res.created).toBe(true);
      const c = res.case;
      expect(c).toEqual({
        id: expect.any(String),
        ref: input.ref,
        status: 'new',
        priority: 'urgent',
        disposition: null,
        assignedTo: null,
        channel: 'web',
        lang: 'vi',
        fields: input.fields,
        messages: [],
        notes: [],
        history: input.history,
        related: [],
        version: 1,
        createdAt: '2026-11-28T09:15:30.123Z',
        updatedAt: '2026-11-28T09:15:30.123Z',
        week: '2026-W48',
      });
      expect(c.id.length).toBeGreaterThan(0);
      // Neither the secret's hash nor the idempotency key leaves the store with an ordinary read.
      expect(c).not.toHaveProperty('secretHash');
      expect(JSON.stringify(c)).not.toContain(input.idempotencyKey);
      expect(JSON.stringify(c)).not.toContain(input.secretHash);
      expect(await store.getCase(c.id)).toEqual(c);
    });

    it('defaults history to an empty list when none is given', async () => {
      const input = tip();
      delete input.history;
      const { case: c } = await store.createCase(input);
      expect(c.history).toEqual([]);
    });

    it('computes the ISO week of creation, across a year boundary', async () => {
      const a = await at('2027-01-01T03:00:00.000Z', () => store.createCase(tip()));
      const b = await at('2025-12-29T03:00:00.000Z', () => store.createCase(tip()));
      expect(a.case.week).toBe('2026-W53');
      expect(b.case.week).toBe('2026-W01');
      expect(a.case.week).toBe(isoWeek(new Date(a.case.createdAt)));
      // 01:00 on Monday 23 November in Viet Nam is still Sunday in UTC: the Vietnamese week counts.
      const monday = await at('2026-11-22T18:00:00.000Z', () => store.createCase(tip()));
      expect(monday.case.week).toBe('2026-W48');
      const sunday = await at('2026-11-22T16:59:00.000Z', () => store.createCase(tip()));
      expect(sunday.case.week).toBe('2026-W47');
    });

    it('returns the existing case for the same idempotency key, even with a different ref or fields', async () => {
      const first = tip();
      const one = await store.createCase(first);
      const again = await store.createCase({ ...first, ref: newRef(), fields: { ...first.fields, province: 'Hà Nội' } });
      expect(one.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.case).toEqual(one.case);
      expect(again.case.ref).toBe(first.ref);
      expect(await store.listCases()).toHaveLength(1);
    });

    it('creates exactly one case from 5 identical submissions in parallel', async () => {
      const input = tip();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.createCase({ ...input })));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.case.id)).size).toBe(1);
      expect(results.every((r) => r.case.ref === input.ref)).toBe(true);
      const all = await store.listCases();
      expect(all).toHaveLength(1);
      expect(all[0].id).toBe(results[0].case.id);
    });

    it('refuses a second case with a ref that exists, with DuplicateKeyError("ref")', async () => {
      const first = await store.createCase(tip());
      const clash = tip({ ref: first.case.ref });
      const err = await store.createCase(clash).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('ref');
      expect((err as Error).message).toMatch(/duplicate/i);
      expect(await store.listCases()).toHaveLength(1);
      // The failed attempt did not claim its idempotency key: the next ref for the same submission works.
      const retry = await store.createCase({ ...clash, ref: newRef() });
      expect(retry.created).toBe(true);
      expect(await store.listCases()).toHaveLength(2);
    });

    it('reads a case by id (without the secret hash) and by ref (with it)', async () => {
      const input = tip({ fields: { category: 'trafficking', province: 'An Giang', what: 'Bị hứa việc làm lương cao ở Campuchia, giữ hộ chiếu' } });
      const { case: c } = await store.createCase(input);
      const byIdRead = await store.getCase(c.id);
      expect(byIdRead).toEqual(c);
      expect(byIdRead).not.toHaveProperty('secretHash');
      const byRef = await store.getCaseByRef(c.ref);
      expect(byRef).toEqual({ ...c, secretHash: input.secretHash });
      expect(await store.getCase('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await store.getCase('không-có')).toBeNull();
      expect(await store.getCaseByRef('BA-XXXXXX')).toBeNull();
    });

    it('lists cases newest first, honouring the limit, never with the secret hash', async () => {
      const c1 = await at('2026-11-20T01:00:00.000Z', () => store.createCase(tip()));
      const c3 = await at('2026-11-22T01:00:00.000Z', () => store.createCase(tip()));
      const c2 = await at('2026-11-21T01:00:00.000Z', () => store.createCase(tip()));
      const all = await store.listCases();
      expect(all.map((c) => c.id)).toEqual([c3.case.id, c2.case.id, c1.case.id]);
      expect(all.some((c) => 'secretHash' in c)).toBe(false);
      expect((await store.listCases({ limit: 2 })).map((c) => c.id)).toEqual([c3.case.id, c2.case.id]);
    });
  });

  describe('queryCases', () => {
    const q = (filter: CaseFilter, order: CasePageRequest['order'] = 'newest', limit = 50) => store.queryCases(filter, { order, limit });

    it('orders the whole queue urgent first then oldest first, and "newest" by creation', async () => {
      const { names } = await seed(store);
      expect(names((await q({}, 'queue')).items)).toEqual(['b', 'e', 'c', 'a', 'f', 'g', 'd']);
      expect(names((await q({}, 'newest')).items)).toEqual(['g', 'f', 'e', 'd', 'c', 'b', 'a']);
      expect((await q({}, 'queue')).nextCursor).toBeNull();
    });

    it('filters by status, priority, category, province, dates, assignee and ref', async () => {
      const { cases, names } = await seed(store);
      expect(names((await q({ status: ['new'] }, 'queue')).items)).toEqual(['a', 'f', 'g']);
      expect(names((await q({ status: ['assigned', 'triaged'] }, 'queue')).items)).toEqual(['b', 'e', 'c']);
      expect(names((await q({ status: ['closed'] })).items)).toEqual(['d']);
      expect(names((await q({ priority: ['urgent'] })).items)).toEqual(['e', 'b']);
      expect(names((await q({ priority: ['high', 'low'] }, 'queue')).items)).toEqual(['c', 'd']);
      expect(names((await q({ category: ['drugs'] })).items)).toEqual(['g', 'd', 'a']);
      expect(names((await q({ category: ['scam', 'child_abuse'] })).items)).toEqual(['e', 'c']);
      expect(names((await q({ province: ['Nghệ An'] })).items)).toEqual(['g', 'e', 'a']);
      expect(names((await q({ province: ['Hà Nội', 'Quảng Ninh'] })).items)).toEqual(['f', 'd', 'c']);
      // from is inclusive, to exclusive.
      expect(names((await q({ from: SEED.d.at, to: SEED.f.at })).items)).toEqual(['e', 'd']);
      expect(names((await q({ from: SEED.f.at })).items)).toEqual(['g', 'f']);
      expect(names((await q({ to: SEED.b.at })).items)).toEqual(['a']);
      expect(names((await q({ assignedTo: 'officer-lan' })).items)).toEqual(['b']);
      expect(names((await q({ assignedTo: 'officer-không-có' })).items)).toEqual([]);
      expect(names((await q({ ref: cases.c.ref })).items)).toEqual(['c']);
      expect(names((await q({ ref: 'BA-XXXXXX' })).items)).toEqual([]);
    });

    it('combines filters with AND', async () => {
      const { cases, names } = await seed(store);
      expect(names((await q({ province: ['Hà Nội'], category: ['drugs'] })).items)).toEqual(['d']);
      expect(names((await q({ status: ['new'], province: ['Nghệ An'], priority: ['normal'] })).items)).toEqual(['g', 'a']);
      expect(names((await q({ category: ['drugs'], from: '2026-11-05T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' }, 'queue')).items)).toEqual(['g', 'd']);
      expect(names((await q({ status: ['assigned'], assignedTo: 'officer-minh', province: ['Nghệ An'] })).items)).toEqual(['e']);
      expect(names((await q({ status: ['assigned'], assignedTo: 'officer-minh', province: ['An Giang'] })).items)).toEqual([]);
      expect(names((await q({ ref: cases.a.ref, status: ['closed'] })).items)).toEqual([]);
    });

    it('matches nothing for an empty list (an officer scoped to no province sees no case)', async () => {
      await seed(store);
      expect((await q({ province: [] })).items).toEqual([]);
      expect((await q({ status: [] }, 'queue')).items).toEqual([]);
      expect(await store.countCases({ category: [] }, 'province')).toEqual([]);
    });

    it('returns full records', async () => {
      const { cases } = await seed(store);
      const page = await q({ ref: cases.d.ref });
      expect(page.items).toEqual([cases.d]);
      expect(page.items[0]).not.toHaveProperty('secretHash');
    });

    it('pages through 25 cases with limit 10, each exactly once, in both orders', async () => {
      const created: CaseRecord[] = [];
      for (let i = 0; i < 25; i++) {
        // Five cases share each instant and priority, so ties are broken by id.
        const when = new Date(Date.UTC(2026, 10, 20, 8, 10 - Math.floor(i / 5))).toISOString();
        const res = await at(when, () => store.createCase(tip({
          priority: PRIORITIES[Math.floor(i / 5) % 4],
          fields: { province: i % 2 ? 'Nghệ An' : 'Thanh Hóa' },
        })));
        created.push(res.case);
      }
      const queue = await allPages(store, {}, { order: 'queue', limit: 10 });
      expect(queue.sizes).toEqual([10, 10, 5]);
      expect(queue.ids).toEqual([...created].sort(queueOrder).map((c) => c.id));
      expect(new Set(queue.ids).size).toBe(25);
      expect(queue.cursors.slice(0, 2).every((c) => typeof c === 'string' && c.length > 0)).toBe(true);

      const newest = await allPages(store, {}, { order: 'newest', limit: 10 });
      expect(newest.sizes).toEqual([10, 10, 5]);
      expect(newest.ids).toEqual([...created].sort(newestOrder).map((c) => c.id));

      // A last page that is exactly full has no next cursor.
      const fives = await allPages(store, {}, { order: 'queue', limit: 5 });
      expect(fives.sizes).toEqual([5, 5, 5, 5, 5]);
      expect(fives.ids).toEqual(queue.ids);

      // Filters hold on every page.
      const nghean = await allPages(store, { province: ['Nghệ An'] }, { order: 'newest', limit: 4 });
      expect(nghean.sizes).toEqual([4, 4, 4]);
      expect(nghean.ids).toEqual(created.filter((c) => c.fields.province === 'Nghệ An').sort(newestOrder).map((c) => c.id));
      const ngheanQueue = await allPages(store, { province: ['Nghệ An'], status: ['new'] }, { order: 'queue', limit: 5 });
      expect(ngheanQueue.sizes).toEqual([5, 5, 2]);
      expect(ngheanQueue.ids).toEqual(created.filter((c) => c.fields.province === 'Nghệ An').sort(queueOrder).map((c) => c.id));

      const one = await store.queryCases({}, { order: 'newest', limit: 25 });
      expect(one.items).toHaveLength(25);
      expect(one.nextCursor).toBeNull();
    });

    it('honours the limit', async () => {
      await seed(store);
      const page = await store.queryCases({}, { order: 'queue', limit: 3 });
      expect(page.items).toHaveLength(3);
      expect(page.nextCursor).toEqual(expect.any(String));
      const rest = await store.queryCases({}, { order: 'queue', limit: 3, cursor: page.nextCursor! });
      expect(rest.items.map((c) => c.id)).not.toContain(page.items[0].id);
      expect(rest.items).toHaveLength(3);
    });

    it('rejects an invalid cursor instead of starting over', async () => {
      await seed(store);
      for (const cursor of ['không-phải-con-trỏ', '%%%', 'e30', Buffer.from('[{"a":1}]').toString('base64url'), Buffer.from('["x"]').toString('base64url')]) {
        await expect(store.queryCases({}, { order: 'queue', limit: 10, cursor })).rejects.toThrow(/invalid cursor/);
        await expect(store.queryCases({}, { order: 'newest', limit: 10, cursor })).rejects.toThrow(/invalid cursor/);
      }
    });
  });

  describe('countCases', () => {
    const count = (filter: CaseFilter, by: GroupBy) => store.countCases(filter, by).then(sortByKey);

    it('counts by every grouping', async () => {
      await seed(store);
      expect(await count({}, 'category')).toEqual([
        { key: 'child_abuse', count: 1 }, { key: 'drugs', count: 3 }, { key: 'prostitution', count: 1 },
        { key: 'scam', count: 1 }, { key: 'trafficking', count: 1 },
      ]);
      expect(await count({}, 'province')).toEqual(sortByKey([
        { key: 'An Giang', count: 1 }, { key: 'Hà Nội', count: 2 }, { key: 'Nghệ An', count: 3 }, { key: 'Quảng Ninh', count: 1 },
      ]));
      expect(await count({}, 'status')).toEqual([
        { key: 'assigned', count: 2 }, { key: 'closed', count: 1 }, { key: 'new', count: 3 }, { key: 'triaged', count: 1 },
      ]);
      expect(await count({}, 'priority')).toEqual([
        { key: 'high', count: 1 }, { key: 'low', count: 1 }, { key: 'normal', count: 3 }, { key: 'urgent', count: 2 },
      ]);
      expect(await count({}, 'week')).toEqual([
        { key: '2026-W45', count: 3 }, { key: '2026-W46', count: 2 }, { key: '2026-W47', count: 2 },
      ]);
    });

    it('applies filters', async () => {
      await seed(store);
      expect(await count({ category: ['drugs'] }, 'province')).toEqual(sortByKey([{ key: 'Hà Nội', count: 1 }, { key: 'Nghệ An', count: 2 }]));
      expect(await count({ status: ['new'] }, 'week')).toEqual([{ key: '2026-W45', count: 1 }, { key: '2026-W47', count: 2 }]);
      expect(await count({ province: ['Nghệ An'] }, 'status')).toEqual([{ key: 'assigned', count: 1 }, { key: 'new', count: 2 }]);
      expect(await count({ from: SEED.c.at, to: SEED.g.at }, 'priority')).toEqual([
        { key: 'high', count: 1 }, { key: 'low', count: 1 }, { key: 'normal', count: 1 }, { key: 'urgent', count: 1 },
      ]);
      expect(await count({ assignedTo: 'officer-lan' }, 'category')).toEqual([{ key: 'trafficking', count: 1 }]);
      expect(await count({ priority: ['urgent'], category: ['scam'] }, 'week')).toEqual([]);
    });

    it('returns an empty list for an empty store', async () => {
      expect(await store.countCases({}, 'category')).toEqual([]);
    });
  });

  describe('statistics aggregates', () => {
    it('counts closed cases by disposition, leaving out cases without one', async () => {
      await seed(store);
      expect(await store.countCases({}, 'disposition')).toEqual([{ key: 'unfounded', count: 1 }]);
      expect(await store.countCases({ status: ['new'] }, 'disposition')).toEqual([]);
    });

    it('counts per pair of keys (week × category), sorted by both, with filters', async () => {
      await seed(store);
      const pairs = (f: CaseFilter) => store.countCasesByPair(f, ['week', 'category']);
      expect(await pairs({})).toEqual([
        { keys: ['2026-W45', 'drugs'], count: 1 }, { keys: ['2026-W45', 'scam'], count: 1 }, { keys: ['2026-W45', 'trafficking'], count: 1 },
        { keys: ['2026-W46', 'child_abuse'], count: 1 }, { keys: ['2026-W46', 'drugs'], count: 1 },
        { keys: ['2026-W47', 'drugs'], count: 1 }, { keys: ['2026-W47', 'prostitution'], count: 1 },
      ]);
      expect(await pairs({ province: ['Nghệ An'] })).toEqual([
        { keys: ['2026-W45', 'drugs'], count: 1 }, { keys: ['2026-W46', 'child_abuse'], count: 1 }, { keys: ['2026-W47', 'drugs'], count: 1 },
      ]);
      expect(await pairs({ from: SEED.d.at, to: SEED.f.at })).toEqual([
        { keys: ['2026-W46', 'child_abuse'], count: 1 }, { keys: ['2026-W46', 'drugs'], count: 1 },
      ]);
      expect(await pairs({ province: [] })).toEqual([]);
      expect(await store.countCasesByPair({}, ['status', 'disposition'])).toEqual([{ keys: ['closed', 'unfounded'], count: 1 }]);
      await expect(store.countCasesByPair({}, ['week', 'nope' as GroupBy])).rejects.toThrow(/invalid group/);
    });

    it('gives creation and first-triage times of cases that left "new", and nothing else', async () => {
      const make = (at0: string, province = 'Nghệ An') => at(at0, () => store.createCase(tip({ fields: { province } }))).then((r) => r.case);
      const push = async (c: CaseRecord, status: CaseRecord['status'] | undefined, history: HistoryEntry[]) => {
        if (!await store.updateCase(c.id, { ...(status ? { set: { status } } : {}), push: { history } })) throw new Error('update failed');
      };
      const untouched = await make('2026-11-02T01:00:00.000Z');
      await push(untouched, undefined, [{ at: '2026-11-02T02:00:00.000Z', by: 'o1', action: 'priority', from: 'normal', to: 'high' }]);
      const claimed = await make('2026-11-03T01:00:00.000Z');
      await push(claimed, 'assigned', [
        { at: '2026-11-03T01:30:00.000Z', by: 'o1', action: 'note' },
        { at: '2026-11-03T04:00:00.000Z', by: 'o1', action: 'claim', to: 'o1' },
        { at: '2026-11-03T04:00:00.000Z', by: 'o1', action: 'status', from: 'new', to: 'assigned' },
      ]);
      const triaged = await make('2026-11-04T01:00:00.000Z');
      await push(triaged, 'triaged', [{ at: '2026-11-05T01:00:00.000Z', by: 'o2', action: 'status', from: 'new', to: 'triaged' }]);
      await push(triaged, 'assigned', [{ at: '2026-11-06T01:00:00.000Z', by: 's1', action: 'assign', to: 'o1' }]);
      const elsewhere = await make('2026-11-04T02:00:00.000Z', 'Hà Nội');
      await push(elsewhere, 'forwarded', [{ at: '2026-11-04T03:00:00.000Z', by: 'o3', action: 'status', from: 'new', to: 'forwarded' }]);
      const noHistory = await make('2026-11-04T03:00:00.000Z');
      await store.updateCase(noHistory.id, { set: { status: 'triaged' } });

      const sorted = (rows: { createdAt: string; triagedAt: string }[]) => [...rows].sort((a, b) => byId(a.createdAt, b.createdAt));
      expect(sorted(await store.triageTimes({ province: ['Nghệ An'] }))).toEqual([
        { createdAt: '2026-11-03T01:00:00.000Z', triagedAt: '2026-11-03T04:00:00.000Z' },
        { createdAt: '2026-11-04T01:00:00.000Z', triagedAt: '2026-11-05T01:00:00.000Z' },
      ]);
      expect(sorted(await store.triageTimes({}))).toHaveLength(3);
      expect(await store.triageTimes({ from: '2026-11-04T01:30:00.000Z', to: '2026-11-05T00:00:00.000Z' })).toEqual([
        { createdAt: '2026-11-04T02:00:00.000Z', triagedAt: '2026-11-04T03:00:00.000Z' },
      ]);
      expect(await store.triageTimes({ province: [] })).toEqual([]);
    });
  });

  describe('updateCase', () => {
    const claim = (by: string): HistoryEntry => ({ at: '2026-11-28T03:00:00.000Z', by, action: 'claim', to: by });

    it('sets fields, pushes history, bumps version and updatedAt, and persists', async () => {
      const { case: c } = await at('2026-11-28T02:00:00.000Z', () => store.createCase(tip()));
      const entry: HistoryEntry = { at: '2026-11-28T03:00:00.000Z', by: 'officer-lan', action: 'status', from: 'new', to: 'triaged' };
      const u = await at('2026-11-28T03:00:00.000Z', () => store.updateCase(c.id, { set: { status: 'triaged', priority: 'high' }, push: { history: [entry] } }));
      expect(u).toEqual({
        ...c, status: 'triaged', priority: 'high', history: [...c.history, entry], version: 2, updatedAt: '2026-11-28T03:00:00.000Z',
      });
      expect(await store.getCase(c.id)).toEqual(u);
    });

    it('increments version by one on every update, and not on a refused one', async () => {
      const { case: c } = await store.createCase(tip());
      expect(c.version).toBe(1);
      expect((await store.updateCase(c.id, { set: { status: 'triaged' } }))?.version).toBe(2);
      expect((await store.updateCase(c.id, { push: { history: [claim('officer-lan')] } }))?.version).toBe(3);
      expect(await store.updateCase(c.id, { expect: { statusIn: ['closed'] }, set: { status: 'new' } })).toBeNull();
      expect((await store.getCase(c.id))?.version).toBe(3);
    });

    it('returns null and changes nothing when expect.version does not match', async () => {
      const { case: c } = await store.createCase(tip());
      const v2 = await store.updateCase(c.id, { expect: { version: 1 }, set: { priority: 'urgent' } });
      expect(v2?.version).toBe(2);
      const before = await store.getCase(c.id);
      // An editor who loaded version 1 saves too late.
      expect(await store.updateCase(c.id, { expect: { version: 1 }, set: { status: 'closed', disposition: 'spam' }, push: { history: [claim('officer-lan')] } })).toBeNull();
      expect(await store.updateCase(c.id, { expect: { version: 3 }, set: { status: 'closed' } })).toBeNull();
      expect(await store.getCase(c.id)).toEqual(before);
      expect((await store.updateCase(c.id, { expect: { version: 2 }, set: { status: 'closed', disposition: 'spam' } }))?.status).toBe('closed');
    });

    it('applies only when the status is one of statusIn', async () => {
      const { case: c } = await store.createCase(tip());
      expect(await store.updateCase(c.id, { expect: { statusIn: ['triaged', 'assigned'] }, set: { status: 'closed' } })).toBeNull();
      expect((await store.getCase(c.id))?.status).toBe('new');
      const u = await store.updateCase(c.id, { expect: { statusIn: ['new', 'triaged'] }, set: { status: 'forwarded' } });
      expect(u?.status).toBe('forwarded');
    });

    it('expect.assignedTo null means nobody has the case; a string means that officer has it', async () => {
      const { case: c } = await store.createCase(tip());
      const mine = await store.updateCase(c.id, { expect: { assignedTo: null }, set: { assignedTo: 'officer-lan', status: 'assigned' } });
      expect(mine?.assignedTo).toBe('officer-lan');
      expect(await store.updateCase(c.id, { expect: { assignedTo: null }, set: { assignedTo: 'officer-minh' } })).toBeNull();
      expect(await store.updateCase(c.id, { expect: { assignedTo: 'officer-minh' }, set: { assignedTo: null } })).toBeNull();
      expect((await store.getCase(c.id))?.assignedTo).toBe('officer-lan');
      // Release: the assignee gives the case back.
      const released = await store.updateCase(c.id, { expect: { assignedTo: 'officer-lan' }, set: { assignedTo: null, status: 'triaged' } });
      expect(released?.assignedTo).toBeNull();
      expect((await store.getCase(c.id))?.assignedTo).toBeNull();
      expect((await store.updateCase(c.id, { expect: { assignedTo: null, version: released!.version, statusIn: ['triaged'] }, set: { assignedTo: 'officer-minh' } }))?.assignedTo).toBe('officer-minh');
    });

    it('lets exactly one of 10 officers claim a case at the same time', async () => {
      const { case: c } = await store.createCase(tip({ priority: 'urgent' }));
      const officers = Array.from({ length: 10 }, (_, i) => `officer-${i + 1}`);
      const results = await Promise.all(officers.map((o) => store.updateCase(c.id, {
        expect: { assignedTo: null, statusIn: ['new', 'triaged'] },
        set: { assignedTo: o, status: 'assigned' },
        push: { history: [claim(o)] },
      })));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.assignedTo;
      expect(officers).toContain(winner);
      const final = await store.getCase(c.id);
      expect(final?.assignedTo).toBe(winner);
      expect(final?.status).toBe('assigned');
      expect(final?.version).toBe(2);
      expect(final?.history.filter((h) => h.action === 'claim')).toEqual([claim(winner!)]);
    });

    it('lets exactly one of 5 editors holding the same version save', async () => {
      const { case: c } = await store.createCase(tip());
      const results = await Promise.all(PRIORITIES.concat('urgent').map((p) => store.updateCase(c.id, { expect: { version: 1 }, set: { priority: p } })));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect((await store.getCase(c.id))?.version).toBe(2);
    });

    it('push appends to history, messages, notes and related, in order', async () => {
      const { case: c } = await store.createCase(tip());
      const { case: other } = await store.createCase(tip());
      const h1: HistoryEntry = { at: '2026-11-28T03:00:00.000Z', by: 'officer-lan', action: 'note' };
      const h2: HistoryEntry = { at: '2026-11-28T03:01:00.000Z', by: 'officer-lan', action: 'question' };
      const h3: HistoryEntry = { at: '2026-11-28T03:05:00.000Z', by: 'system', action: 'related', to: other.ref };
      const n1 = { at: '2026-11-28T03:00:00.000Z', by: 'officer-lan', text: 'Đã gọi công an phường Trường Thi xác minh' };
      const n2 = { at: '2026-11-28T03:02:00.000Z', by: 'officer-minh', text: 'Trùng địa điểm với tin báo tháng trước' };
      const m1 = { from: 'officer' as const, text: 'Quán đó mở cửa đến mấy giờ?', at: '2026-11-28T03:01:00.000Z' };
      await store.updateCase(c.id, { push: { history: [h1, h2], notes: [n1], messages: [m1] } });
      const u = await store.updateCase(c.id, { push: { history: [h3], notes: [n2], related: [{ caseId: other.id, ref: other.ref, score: 0.82 }] } });
      expect(u?.history).toEqual([...c.history, h1, h2, h3]);
      expect(u?.notes).toEqual([n1, n2]);
      expect(u?.messages).toEqual([m1]);
      expect(u?.related).toEqual([{ caseId: other.id, ref: other.ref, score: 0.82 }]);
      expect(await store.getCase(c.id)).toEqual(u);
    });

    it('set replaces whole fields, messages and notes (key rotation); push then appends', async () => {
      const { case: c } = await store.createCase(tip());
      await store.updateCase(c.id, { push: { messages: [{ from: 'reporter', text: 'enc:v1:k1:old', at: '2026-11-28T03:00:00.000Z' }], notes: [{ at: '2026-11-28T03:00:00.000Z', by: 'officer-lan', text: 'enc:v1:k1:old-note' }] } });
      const fields: TipFields = { ...c.fields, category: 'scam', province: 'Hà Nội', what: 'enc:v1:k2:bmV3', place: undefined };
      delete fields.place;
      const msgs = [{ from: 'reporter' as const, text: 'enc:v1:k2:new', at: '2026-11-28T03:00:00.000Z' }];
      const notes = [{ at: '2026-11-28T03:00:00.000Z', by: 'officer-lan', text: 'enc:v1:k2:new-note' }];
      const extra = { from: 'officer' as const, text: 'enc:v1:k2:q', at: '2026-11-28T04:00:00.000Z' };
      const u = await store.updateCase(c.id, { set: { fields, messages: msgs, notes }, push: { messages: [extra], history: [{ at: '2026-11-28T04:00:00.000Z', by: 'system', action: 'reencrypt' }] } });
      expect(u?.fields).toEqual(fields);
      expect(u?.fields).not.toHaveProperty('place');
      expect(u?.messages).toEqual([...msgs, extra]);
      expect(u?.notes).toEqual(notes);
      // The queryable copies of category and province follow the new fields.
      expect((await store.queryCases({ category: ['scam'], province: ['Hà Nội'] }, { order: 'queue', limit: 5 })).items.map((x) => x.id)).toEqual([c.id]);
      expect(await store.queryCases({ category: ['drugs'] }, { order: 'queue', limit: 5 })).toEqual({ items: [], nextCursor: null });
    });

    it('a new priority moves the case in the queue', async () => {
      const a = await at('2026-11-20T01:00:00.000Z', () => store.createCase(tip({ priority: 'normal' })));
      const b = await at('2026-11-21T01:00:00.000Z', () => store.createCase(tip({ priority: 'normal' })));
      const order = async () => (await store.queryCases({}, { order: 'queue', limit: 10 })).items.map((c) => c.id);
      expect(await order()).toEqual([a.case.id, b.case.id]);
      await store.updateCase(b.case.id, { set: { priority: 'urgent' } });
      expect(await order()).toEqual([b.case.id, a.case.id]);
      await store.updateCase(b.case.id, { set: { priority: 'low' } });
      expect(await order()).toEqual([a.case.id, b.case.id]);
    });

    it('sets and clears a disposition', async () => {
      const { case: c } = await store.createCase(tip());
      expect((await store.updateCase(c.id, { set: { status: 'closed', disposition: 'duplicate' } }))?.disposition).toBe('duplicate');
      const reopened = await store.updateCase(c.id, { set: { status: 'triaged', disposition: null } });
      expect(reopened?.disposition).toBeNull();
      expect(reopened?.status).toBe('triaged');
    });

    it('returns null for an unknown case', async () => {
      expect(await store.updateCase('00000000-0000-4000-8000-000000000000', { set: { status: 'closed' } })).toBeNull();
      expect(await store.updateCase('không-có', { set: { status: 'closed' } })).toBeNull();
    });
  });

  describe('appendCaseMessage', () => {
    it('appends reporter messages in order by ref, bumping the version', async () => {
      const { case: c } = await store.createCase(tip());
      const m1 = { from: 'reporter' as const, text: 'Tối nay họ lại tụ tập ở quán', at: '2026-11-28T12:00:00.000Z' };
      const m2 = { from: 'reporter' as const, text: 'Có thêm một xe máy biển 37', at: '2026-11-28T12:05:00.000Z' };
      expect(await store.appendCaseMessage(c.ref, m1)).toBe(true);
      expect(await store.appendCaseMessage(c.ref, m2)).toBe(true);
      const after = await store.getCase(c.id);
      expect(after?.messages).toEqual([m1, m2]);
      expect(after?.version).toBe(3);
      expect(await store.appendCaseMessage('BA-XXXXXX', m1)).toBe(false);
    });
  });

  describe('conversation sessions and idempotency', () => {
    it('saves, overwrites, reads and deletes a session', async () => {
      const data = JSON.stringify({ flow: 'report_tip', node: 'ask_province', vars: { category: 'drugs' } });
      expect(await store.getSession('s1')).toBeNull();
      await store.saveSession('s1', data, 1_800_000_000_000);
      expect(await store.getSession('s1')).toEqual({ data, expiresAt: 1_800_000_000_000, version: 1 });
      await store.saveSession('s1', '{"node":"ask_when"}', 1_800_000_060_000);
      expect(await store.getSession('s1')).toEqual({ data: '{"node":"ask_when"}', expiresAt: 1_800_000_060_000, version: 2 });
      await store.saveSession('s2', '{}', 1_800_000_000_000);
      await store.deleteSession('s1');
      expect(await store.getSession('s1')).toBeNull();
      expect(await store.getSession('s2')).not.toBeNull();
    });

    it('commitTurn saves or deletes the session together with the processed message key', async () => {
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":1}', expiresAt: 1_800_000_000_000 }, processedKey: 'web:msg-1', at: 1_700_000_000_000 });
      expect(await store.getSession('k')).toEqual({ data: '{"n":1}', expiresAt: 1_800_000_000_000, version: 1 });
      expect(await store.wasProcessed('web:msg-1')).toBe(true);
      await store.commitTurn({ sessionKey: 'k', processedKey: 'web:msg-2', at: 1_700_000_001_000 });
      expect(await store.getSession('k')).toBeNull();
      expect(await store.wasProcessed('web:msg-2')).toBe(true);
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":3}', expiresAt: 1_800_000_000_000 }, at: 1_700_000_002_000 });
      expect(await store.getSession('k')).toEqual({ data: '{"n":3}', expiresAt: 1_800_000_000_000, version: 1 });
      // A redelivered message id stays processed once.
      await store.commitTurn({ sessionKey: 'k', session: { data: '{"n":4}', expiresAt: 1_800_000_000_000 }, processedKey: 'web:msg-1', at: 1_700_000_003_000 });
      expect(await store.markProcessed('web:msg-1', 1_700_000_004_000)).toBe(false);
    });

    it('commitTurn commits only onto the version the turn read: a stale turn changes nothing, not even its message mark', async () => {
      const at = 1_700_000_000_000;
      const exp = 1_800_000_000_000;
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":1}', expiresAt: exp }, processedKey: 'web:v-1', at, expectVersion: 0 });
      expect((await store.getSession('v'))?.version).toBe(1);
      // Another instance read version 1 too and committed first; this one still expects 1.
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":2}', expiresAt: exp }, processedKey: 'web:v-2', at, expectVersion: 1 });
      await expect(store.commitTurn({ sessionKey: 'v', session: { data: '{"q":2-stale}', expiresAt: exp }, processedKey: 'web:v-3', at, expectVersion: 1 }))
        .rejects.toBeInstanceOf(SessionConflictError);
      expect(await store.getSession('v')).toEqual({ data: '{"q":2}', expiresAt: exp, version: 2 });
      expect(await store.wasProcessed('web:v-3')).toBe(false);
      // A new conversation expects version 0; one that exists already is a conflict.
      await expect(store.commitTurn({ sessionKey: 'v', session: { data: '{}', expiresAt: exp }, at, expectVersion: 0 })).rejects.toBeInstanceOf(SessionConflictError);
      // A deleted conversation starts again at version 0, and its processed keys are remembered.
      await store.commitTurn({ sessionKey: 'v', processedKey: 'web:v-4', at, expectVersion: 2 });
      expect(await store.getSession('v')).toBeNull();
      expect(await store.wasProcessed('web:v-4')).toBe(true);
      await store.commitTurn({ sessionKey: 'v', session: { data: '{"q":"again"}', expiresAt: exp }, at, expectVersion: 0 });
      expect((await store.getSession('v'))?.version).toBe(1);
    });

    it('turns committed at the same moment all land (group commit on SQLite); a stale one fails alone', async () => {
      const at = 1_700_000_000_000;
      const exp = 1_800_000_000_000;
      await store.commitTurn({ sessionKey: 'g-stale', session: { data: '{}', expiresAt: exp }, at });
      const results = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => store.commitTurn({ sessionKey: `g-${i}`, session: { data: `{"i":${i}}`, expiresAt: exp }, processedKey: `web:g-${i}`, at, expectVersion: 0 })),
        store.commitTurn({ sessionKey: 'g-stale', session: { data: '{"stale":true}', expiresAt: exp }, processedKey: 'web:g-stale', at, expectVersion: 0 }),
      ]);
      expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
      expect(results[20].status).toBe('rejected');
      for (let i = 0; i < 20; i++) {
        expect(await store.getSession(`g-${i}`)).toEqual({ data: `{"i":${i}}`, expiresAt: exp, version: 1 });
        expect(await store.wasProcessed(`web:g-${i}`)).toBe(true);
      }
      expect(await store.wasProcessed('web:g-stale')).toBe(false);
      const groups = (store as { groupCommits?: { flushes: number; turns: number } }).groupCommits;
      if (store.kind === 'sqlite') expect(groups && groups.turns / groups.flushes).toBeGreaterThan(1);
    });

    it('markProcessed is true once, then false; wasProcessed tells', async () => {
      expect(await store.wasProcessed('telegram:42')).toBe(false);
      expect(await store.markProcessed('telegram:42', 1_700_000_000_000)).toBe(true);
      expect(await store.markProcessed('telegram:42', 1_700_000_000_500)).toBe(false);
      expect(await store.wasProcessed('telegram:42')).toBe(true);
      expect(await store.wasProcessed('telegram:43')).toBe(false);
    });

    it('counts attempts per scope since a time, and clears them', async () => {
      for (const t of [1000, 2000, 3000]) await store.recordAttempt('ref:BA-ACDEFG', t);
      await store.recordAttempt('s:abc', 2500);
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(3);
      expect(await store.countAttempts('ref:BA-ACDEFG', 2000)).toBe(2);
      expect(await store.countAttempts('ref:BA-ACDEFG', 3001)).toBe(0);
      expect(await store.countAttempts('s:abc', 0)).toBe(1);
      await store.clearAttempts('ref:BA-ACDEFG');
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(0);
      expect(await store.countAttempts('s:abc', 0)).toBe(1);
    });
  });

  describe('officers', () => {
    it('creates an officer with sign-in defaults, and reads it by id and username', async () => {
      const input = officer({ username: 'lan.nguyen', mustChangePassword: true });
      const o = await at('2026-11-28T01:00:00.000Z', () => store.createOfficer(input));
      expect(o).toEqual({
        id: expect.any(String), username: 'lan.nguyen', displayName: 'Nguyễn Thị Lan', role: 'officer', province: 'Nghệ An',
        passwordHash: input.passwordHash, disabled: false, mustChangePassword: true, failedLogins: 0, lockedUntil: null,
        createdAt: '2026-11-28T01:00:00.000Z',
      });
      expect(await store.getOfficer(o.id)).toEqual(o);
      expect(await store.getOfficerByUsername('lan.nguyen')).toEqual(o);
      expect(await store.getOfficerByUsername('lan.nguyen2')).toBeNull();
      expect(await store.getOfficer('00000000-0000-4000-8000-000000000000')).toBeNull();
      const admin = await store.createOfficer(officer({ username: 'admin', displayName: 'Trần Văn Minh', role: 'admin', province: null, mustChangePassword: false }));
      expect(admin.province).toBeNull();
      expect(admin.mustChangePassword).toBe(false);
    });

    it('lists every officer', async () => {
      const a = await store.createOfficer(officer({ username: 'tuan.le', displayName: 'Lê Anh Tuấn' }));
      const b = await store.createOfficer(officer({ username: 'hoa.pham', displayName: 'Phạm Thị Hoa', role: 'supervisor', province: 'Hà Tĩnh' }));
      const list = await store.listOfficers();
      expect([...list].sort((x, y) => byId(x.username, y.username))).toEqual([b, a]);
    });

    it('refuses a username that exists, with DuplicateKeyError("username")', async () => {
      await store.createOfficer(officer({ username: 'hoa.pham' }));
      const err = await store.createOfficer(officer({ username: 'hoa.pham', displayName: 'Người khác' })).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('username');
      expect(await store.listOfficers()).toHaveLength(1);
    });

    it('updates only the given fields, including to null', async () => {
      const o = await store.createOfficer(officer({ username: 'minh.tran' }));
      const u = await store.updateOfficer(o.id, { failedLogins: 5, lockedUntil: 1_800_000_000_000, disabled: true, province: null, role: 'supervisor' });
      expect(u).toEqual({ ...o, failedLogins: 5, lockedUntil: 1_800_000_000_000, disabled: true, province: null, role: 'supervisor' });
      expect(await store.getOfficer(o.id)).toEqual(u);
      const v = await store.updateOfficer(o.id, { failedLogins: 0, lockedUntil: null, passwordHash: '$scrypt$new', mustChangePassword: true, displayName: 'Trần Minh' });
      expect(v).toEqual({ ...u, failedLogins: 0, lockedUntil: null, passwordHash: '$scrypt$new', mustChangePassword: true, displayName: 'Trần Minh' });
      expect(await store.getOfficerByUsername('minh.tran')).toEqual(v);
      expect(await store.updateOfficer('00000000-0000-4000-8000-000000000000', { disabled: true })).toBeNull();
    });
  });

  describe('officer sign-in sessions', () => {
    const session = (id: string, officerId: string, expiresAt = 1_800_000_000_000) =>
      ({ id, officerId, csrf: randomBytes(16).toString('hex'), createdAt: 1_700_000_000_000, expiresAt });

    it('creates, reads, touches and deletes a session', async () => {
      const s = session(createHash('sha256').update('cookie-token').digest('hex'), 'officer-lan');
      await store.createAuthSession(s);
      expect(await store.getAuthSession(s.id)).toEqual(s);
      await store.touchAuthSession(s.id, 1_800_000_900_000);
      expect(await store.getAuthSession(s.id)).toEqual({ ...s, expiresAt: 1_800_000_900_000 });
      await store.deleteAuthSession(s.id);
      expect(await store.getAuthSession(s.id)).toBeNull();
    });

    it('deletes every session of one officer and no other', async () => {
      await store.createAuthSession(session('h1', 'officer-lan'));
      await store.createAuthSession(session('h2', 'officer-lan'));
      await store.createAuthSession(session('h3', 'officer-minh'));
      await store.deleteAuthSessionsOf('officer-lan');
      expect(await store.getAuthSession('h1')).toBeNull();
      expect(await store.getAuthSession('h2')).toBeNull();
      expect((await store.getAuthSession('h3'))?.officerId).toBe('officer-minh');
    });
  });

  describe('audit trail', () => {
    it('lists events by case and by officer, newest first', async () => {
      const e1 = { at: '2026-11-28T01:00:00.000Z', officerId: 'officer-lan', action: 'case.view', caseId: 'case-1' };
      const e2 = { at: '2026-11-28T01:05:00.000Z', officerId: 'officer-lan', action: 'case.claim', caseId: 'case-1' };
      const e3 = { at: '2026-11-28T01:10:00.000Z', officerId: 'officer-minh', action: 'case.view', caseId: 'case-1' };
      const e4 = { at: '2026-11-28T01:15:00.000Z', officerId: 'officer-lan', action: 'signin' };
      const e5 = { at: '2026-11-28T01:20:00.000Z', officerId: 'officer-lan', action: 'case.view', caseId: 'case-2' };
      for (const e of [e1, e2, e3, e4, e5]) await store.addAudit(e);
      expect(await store.listAudit({ caseId: 'case-1' })).toEqual([e3, e2, e1]);
      const lan = await store.listAudit({ officerId: 'officer-lan' });
      expect(lan).toEqual([e5, e4, e2, e1]);
      expect(lan[1].caseId).toBeUndefined();
      expect(await store.listAudit({ officerId: 'officer-lan', limit: 2 })).toEqual([e5, e4]);
      expect(await store.listAudit({ caseId: 'case-1', officerId: 'officer-lan' })).toEqual([e2, e1]);
      expect(await store.listAudit({ caseId: 'case-9' })).toEqual([]);
    });
  });

  describe('settings', () => {
    it('gets, sets and overwrites a value', async () => {
      expect(await store.getSetting('encryption.keyring')).toBeNull();
      const v1 = JSON.stringify({ active: 'k1', ids: ['k1'], note: 'khóa mã hóa' });
      await store.setSetting('encryption.keyring', v1);
      expect(await store.getSetting('encryption.keyring')).toBe(v1);
      await store.setSetting('encryption.keyring', '{"active":"k2","ids":["k1","k2"]}');
      expect(await store.getSetting('encryption.keyring')).toBe('{"active":"k2","ids":["k1","k2"]}');
      await store.setSetting('other', '');
      expect(await store.getSetting('other')).toBe('');
    });

    it('keeps anonymous per-day counters: adds up, reads a day range by key prefix', async () => {
      await store.bumpCounters('2026-11-27', [{ key: 'intent:rehab_info', n: 2 }, { key: 'intent:hotlines', n: 1 }]);
      await store.bumpCounters('2026-11-28', [{ key: 'intent:rehab_info', n: 3 }, { key: 'flow:tip', n: 1 }]);
      await Promise.all([1, 2, 3].map(() => store.bumpCounters('2026-11-28', [{ key: 'intent:rehab_info', n: 1 }])));
      expect(await store.readCounters({ from: '2026-11-27', to: '2026-11-28', prefix: 'intent:' })).toEqual([
        { day: '2026-11-27', key: 'intent:hotlines', count: 1 },
        { day: '2026-11-27', key: 'intent:rehab_info', count: 2 },
        { day: '2026-11-28', key: 'intent:rehab_info', count: 6 },
      ]);
      expect(await store.readCounters({ from: '2026-11-28', to: '2026-11-28', prefix: 'flow:' })).toEqual([{ day: '2026-11-28', key: 'flow:tip', count: 1 }]);
    });

    it('deletes a value, and deleting a missing one is harmless', async () => {
      await store.setSetting('notify:BA-ABCDEF', 'sealed');
      await store.deleteSetting('notify:BA-ABCDEF');
      expect(await store.getSetting('notify:BA-ABCDEF')).toBeNull();
      await expect(store.deleteSetting('notify:BA-ZZZZZZ')).resolves.toBeUndefined();
    });
  });

  describe('purge', () => {
    it('removes expired sessions, sign-in sessions, old processed keys and old attempts, but not live ones', async () => {
      const now = 1_800_000_000_000;
      const day = 86_400_000;
      await store.saveSession('expired', '{}', now - 1);
      await store.saveSession('live', '{}', now + 60_000);
      await store.createAuthSession({ id: 'auth-expired', officerId: 'officer-lan', csrf: 'c1', createdAt: now - day, expiresAt: now - 1 });
      await store.createAuthSession({ id: 'auth-live', officerId: 'officer-lan', csrf: 'c2', createdAt: now - 60_000, expiresAt: now + 3_600_000 });
      await store.markProcessed('old-msg', now - 30 * day);
      await store.markProcessed('recent-msg', now - 60_000);
      await store.recordAttempt('ref:BA-ACDEFG', now - 30 * day);
      await store.recordAttempt('ref:BA-ACDEFG', now - 60_000);
      const { case: c } = await store.createCase(tip());

      expect(await store.purge(now)).toBe(4);
      expect(await store.getSession('expired')).toBeNull();
      expect(await store.getSession('live')).not.toBeNull();
      expect(await store.getAuthSession('auth-expired')).toBeNull();
      expect(await store.getAuthSession('auth-live')).not.toBeNull();
      expect(await store.wasProcessed('old-msg')).toBe(false);
      expect(await store.wasProcessed('recent-msg')).toBe(true);
      expect(await store.countAttempts('ref:BA-ACDEFG', 0)).toBe(1);
      expect(await store.getCase(c.id)).toEqual(c);
      expect(await store.purge(now)).toBe(0);
    });
  });
});

// ---- SQLite only: schema migrations and statement reuse

describe('SQLite store internals', () => {
  const V1_CASE = `INSERT INTO cases (id, ref, idempotency_key, secret_hash, status, priority, category, province, channel, lang, fields, messages, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'new', ?, ?, ?, 'web', 'vi', ?, ?, ?, ?)`;
  /** A database as version 1 of the program left it, holding these case rows (V1_CASE's parameters). */
  function v1Database(file: string, rows: unknown[][]): void {
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    const insert = v1.prepare(V1_CASE);
    for (const row of rows) insert.run(...row);
    v1.close();
  }

  it('migrates a version-1 database with its cases in place', async () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const fields = (category: string, province: string) => JSON.stringify({ category, province, what: 'Có người lạ dụ trẻ em đi làm ở Campuchia', inDanger: 'no' });
      const msg = [{ from: 'reporter', text: 'Bổ sung: họ đi xe khách', at: '2027-01-01T05:00:00.000Z' }];
      v1Database(file, [
        ['old-1', 'BA-ACDEFG', 'key-1', 'a'.repeat(64), 'low', 'scam', 'Hà Nội', fields('scam', 'Hà Nội'), '[]', '2026-11-02T01:00:00.000Z', '2026-11-02T01:00:00.000Z'],
        ['old-2', 'BA-HJKLMN', 'key-2', 'b'.repeat(64), 'urgent', 'trafficking', 'An Giang', fields('trafficking', 'An Giang'), JSON.stringify(msg), '2027-01-01T03:00:00.000Z', '2027-01-01T05:00:00.000Z'],
      ]);

      const store = new SqliteStore(file);
      try {
        expect(store.raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
        const old2 = await store.getCaseByRef('BA-HJKLMN');
        expect(old2).toEqual({
          id: 'old-2', ref: 'BA-HJKLMN', secretHash: 'b'.repeat(64), status: 'new', priority: 'urgent', disposition: null, assignedTo: null,
          channel: 'web', lang: 'vi', fields: JSON.parse(fields('trafficking', 'An Giang')), messages: msg, notes: [], history: [], related: [],
          version: 1, createdAt: '2027-01-01T03:00:00.000Z', updatedAt: '2027-01-01T05:00:00.000Z', week: '2026-W53',
        });
        expect((await store.getCase('old-1'))?.week).toBe(isoWeek(new Date('2026-11-02T01:00:00.000Z')));
        // Ranks were filled in: the urgent case leads the queue although it is newer.
        const { case: fresh } = await store.createCase(tip({ priority: 'high' }));
        expect((await store.queryCases({}, { order: 'queue', limit: 10 })).items.map((c) => c.id)).toEqual(['old-2', fresh.id, 'old-1']);
        expect(await store.countCases({}, 'week')).toHaveLength(3);
        // An old case takes part in the new lifecycle; its idempotency key still holds.
        expect((await store.updateCase('old-1', { expect: { version: 1, assignedTo: null }, set: { assignedTo: 'officer-lan' } }))?.version).toBe(2);
        const again = await store.createCase({ ...tip(), idempotencyKey: 'key-2' });
        expect(again).toEqual({ case: expect.objectContaining({ id: 'old-2' }), created: false });
      } finally {
        await store.close();
      }
      // Opening again migrates nothing and keeps everything.
      const reopened = new SqliteStore(file);
      expect((await reopened.getCase('old-1'))?.assignedTo).toBe('officer-lan');
      expect(await reopened.listCases()).toHaveLength(3);
      await reopened.close();
    } finally {
      cleanup();
    }
  });

  it('moves the week of existing cases to Viet Nam’s day (migration 4)', async () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const fields = JSON.stringify({ category: 'drugs', province: 'Huế', what: 'Có người bán ma túy ở bến xe', inDanger: 'no' });
      v1Database(file, [['late', 'BA-PQRTUV', 'key-late', 'c'.repeat(64), 'normal', 'drugs', 'Huế', fields, '[]', '2026-11-22T18:00:00.000Z', '2026-11-22T18:00:00.000Z']]);
      const store = new SqliteStore(file);
      try {
        expect((await store.getCase('late'))?.week).toBe('2026-W48');
      } finally {
        await store.close();
      }
    } finally {
      cleanup();
    }
  });

  it('refuses a database from a newer program', () => {
    const { dir, cleanup } = tmpDir('binhan-migrate-');
    try {
      const file = join(dir, 'binhan.sqlite');
      const db = new Database(file);
      db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      db.close();
      expect(() => new SqliteStore(file)).toThrow(/newer than this program knows/);
    } finally {
      cleanup();
    }
  });

  it('compiles a filter query once per shape, not once per call', async () => {
    const { dir, cleanup } = tmpDir('binhan-prep-');
    const store = new SqliteStore(join(dir, 'binhan.sqlite'));
    try {
      await store.createCase(tip());
      await store.queryCases({ status: ['new'], province: ['Nghệ An'] }, { order: 'queue', limit: 10 });
      await store.countCases({ category: ['drugs'] }, 'week');
      const prepare = jest.spyOn(store.raw, 'prepare');
      const page = await store.queryCases({ status: ['new', 'triaged'], province: ['Hà Nội', 'Huế', 'Nghệ An'] }, { order: 'queue', limit: 5 });
      await store.countCases({ category: ['scam', 'drugs'] }, 'week');
      await store.createCase(tip());
      await store.updateCase(page.items[0].id, { set: { status: 'triaged' } });
      await store.getSetting('x');
      expect(prepare).not.toHaveBeenCalled();
      await store.queryCases({ status: ['new'] }, { order: 'newest', limit: 5 });
      expect(prepare).toHaveBeenCalledTimes(1);
      prepare.mockRestore();
    } finally {
      await store.close();
      cleanup();
    }
  });
});

// ---- MongoDB only: data migrations (run in CI, where MONGODB_URI points at FerretDB)

(process.env.MONGODB_URI ? describe : describe.skip)('MongoDB store migrations', () => {
  it('moves the week of existing cases to Viet Nam’s day, once', async () => {
    const uri = process.env.MONGODB_URI!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MongoStore } = require('../src/store/mongo') as typeof import('../src/store/mongo');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MongoClient } = require('mongodb') as typeof import('mongodb');
    const dbName = `binhan_test_weeks_${process.pid}_${randomBytes(4).toString('hex')}`;
    const client = await MongoClient.connect(uri);
    try {
      const first = await MongoStore.connect(uri, { dbName });
      const { case: c } = await first.createCase(tip());
      await first.close();
      // As an older version stored it: created late on a Sunday (UTC), with the UTC day's week, not yet migrated.
      const db = client.db(dbName);
      await db.collection('cases').updateOne({ _id: c.id as never }, { $set: { createdAt: '2026-11-22T18:00:00.000Z', week: '2026-W47' } });
      await db.collection('settings').deleteMany({});
      const second = await MongoStore.connect(uri, { dbName });
      try {
        expect((await second.getCase(c.id))?.week).toBe('2026-W48');
        expect(await second.getSetting('schema:weeks-in-vietnam')).toEqual(expect.any(String));
      } finally {
        await second.close();
      }
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });
});
