/** Helpers of the store contract files (tests/contract/*.test.ts): fixed clocks, tips, officers, a seeded queue. */
import { createHash, randomBytes } from 'node:crypto';
import {
  PRIORITY_RANK,
  type CaseRecord, type CaseFilter, type CasePageRequest, type NewCase, type NewOfficer, type Store, type TipFields,
} from '../../src/store/port';
import { storeFactories } from '../helpers/stores';

// ---- helpers

/** Runs fn with only Date frozen at `iso` (timers, nextTick and hrtime stay real, so drivers keep working). */
export async function at<T>(iso: string, fn: () => Promise<T>): Promise<T> {
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

export const REF_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';
let seq = 0;
export function newRef(): string {
  let out = '';
  for (const b of randomBytes(6)) out += REF_ALPHABET[b % REF_ALPHABET.length];
  return `BA-${out}`;
}

export function tip(over: Omit<Partial<NewCase>, 'fields'> & { fields?: Partial<TipFields> } = {}): NewCase {
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

export const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const queueOrder = (a: CaseRecord, b: CaseRecord) =>
  PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || byId(a.createdAt, b.createdAt) || byId(a.id, b.id);
export const newestOrder = (a: CaseRecord, b: CaseRecord) => byId(b.createdAt, a.createdAt) || byId(b.id, a.id);
export const sortByKey = (rows: { key: string; count: number }[]) => [...rows].sort((a, b) => byId(a.key, b.key));

export function officer(over: Partial<NewOfficer> = {}): NewOfficer {
  return {
    username: `lan.nguyen.${++seq}`,
    displayName: 'Nguyễn Thị Lan',
    role: 'officer',
    province: 'Nghệ An',
    passwordHash: '$scrypt$N=16384,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    ...over,
  };
}

export async function allPages(store: Store, filter: CaseFilter, page: Omit<CasePageRequest, 'cursor'>): Promise<{ ids: string[]; sizes: number[]; cursors: (string | null)[] }> {
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
export const SEED = {
  a: { at: '2026-11-02T01:00:00.000Z', category: 'drugs', province: 'Nghệ An', priority: 'normal' },
  b: { at: '2026-11-03T02:00:00.000Z', category: 'trafficking', province: 'An Giang', priority: 'urgent' },
  c: { at: '2026-11-04T03:00:00.000Z', category: 'scam', province: 'Hà Nội', priority: 'high' },
  d: { at: '2026-11-09T04:00:00.000Z', category: 'drugs', province: 'Hà Nội', priority: 'low' },
  e: { at: '2026-11-10T05:00:00.000Z', category: 'child_abuse', province: 'Nghệ An', priority: 'urgent' },
  f: { at: '2026-11-16T06:00:00.000Z', category: 'prostitution', province: 'Quảng Ninh', priority: 'normal' },
  g: { at: '2026-11-17T07:00:00.000Z', category: 'drugs', province: 'Nghệ An', priority: 'normal' },
} as const;
type SeedName = keyof typeof SEED;

export async function seed(store: Store): Promise<{ cases: Record<SeedName, CaseRecord>; names: (items: CaseRecord[]) => string[] }> {
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

/**
 * One role's contract on every store (SQLite always, MongoDB when MONGODB_URI is set): each test gets a fresh,
 * empty store, handed to `use` before it runs.
 */
export function describeContract(role: string, use: (store: Store) => void, body: () => void): void {
  describe.each(storeFactories)(`Store contract, ${role}: $name`, (factory) => {
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      const opened = await factory.open();
      cleanup = opened.cleanup;
      use(opened.store);
    });
    afterEach(async () => { await cleanup(); });
    body();
  });
}
