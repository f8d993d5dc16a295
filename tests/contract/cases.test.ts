/**
 * Store contract, cases role: tips and what officers do with them (create, read, query pages, counts, conditional updates, messages). Runs on every store (SQLite always, MongoDB when MONGODB_URI is set);
 * each test gets a fresh, empty store.
 */
import {
  DuplicateKeyError, PRIORITIES, isoWeek, type CaseRecord, type CaseFilter, type CasePageRequest, type GroupBy, type HistoryEntry, type Store, type TipFields,
} from '../../src/store/port';
import { describeContract, at, newRef, tip, byId, queueOrder, newestOrder, sortByKey, officer, allPages, SEED, seed } from './helpers';

let store: Store;
describeContract('cases', (s) => { store = s; }, () => {

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
});
