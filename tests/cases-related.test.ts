/** Related tips: TF-IDF cosine over normalised Vietnamese, linked both ways with a score, never merged. */
import { testApp, type TestApp } from './helpers/app';
import { addTip, makeOfficer } from './helpers/liaison';
import { storeFactories } from './helpers/stores';
import type { CaseRecord, RelatedLink } from '../src/store/port';
import { FLOOD_MIN_SCORE, FLOOD_MIN_TIPS, FLOOD_WINDOW_MS, RELATED_ACROSS_PROVINCES_SCORE, RELATED_MIN_SCORE, floodOf, similarities, tipFeatures } from '../src/cases/related';

const KARAOKE_1 = 'Có một nhóm người bán ma túy đá ở quán karaoke Hoa Sen gần chợ Vinh vào mỗi tối.';
const KARAOKE_2 = 'Quán karaoke Hoa Sen cạnh chợ Vinh tối nào cũng có người bán ma tuý đá cho thanh niên.';
const TRUCK = 'Có người chở hàng cấm bằng xe tải nhỏ ra vào kho lúc nửa đêm.';

describe('similarity', () => {
  it('scores two wordings of the same matter high and different matters low, diacritics or not', () => {
    const a = tipFeatures({ what: KARAOKE_1 });
    const [same, other, folded] = similarities(a, [tipFeatures({ what: KARAOKE_2 }), tipFeatures({ what: TRUCK }), tipFeatures({ what: 'co nguoi ban ma tuy da o quan karaoke hoa sen gan cho vinh' })]);
    expect(same).toBeGreaterThanOrEqual(RELATED_MIN_SCORE);
    expect(other).toBeLessThan(0.1);
    expect(folded).toBeGreaterThan(same);
  });

  it('uses syllable bigrams and drops common syllables', () => {
    const f = tipFeatures({ what: 'Có người bán ma túy' });
    expect(f).toEqual(expect.arrayContaining(['ban', 'tuy', 'ma_tuy', 'ban_ma']));
    expect(f).not.toContain('co');
  });
});

describe('linking related tips', () => {
  let t: TestApp;
  beforeEach(async () => { t = await testApp(); });
  afterEach(async () => { await t.close(); });

  it('links a new tip to an earlier open one of the same category and province, both ways, with a score', async () => {
    const first = await addTip(t.app, { what: KARAOKE_1, place: 'karaoke Hoa Sen' });
    const unrelated = await addTip(t.app, { what: TRUCK });
    const second = await addTip(t.app, { what: KARAOKE_2, place: 'quán karaoke Hoa Sen' });
    const a = (await t.app.store.getCase(first.id))!;
    const b = (await t.app.store.getCase(second.id))!;
    expect(b.related).toEqual([{ caseId: first.id, ref: first.ref, score: expect.any(Number), at: first.createdAt }]);
    expect(b.related[0].score).toBeGreaterThanOrEqual(RELATED_MIN_SCORE);
    expect(b.related[0].score).toBeLessThanOrEqual(1);
    expect(a.related).toEqual([{ caseId: second.id, ref: second.ref, score: b.related[0].score, at: second.createdAt }]);
    expect(a.history.at(-1)).toMatchObject({ by: 'system', action: 'related', to: second.ref });
    expect(b.history.at(-1)).toMatchObject({ by: 'system', action: 'related', to: first.ref });
    expect((await t.app.store.getCase(unrelated.id))!.related).toEqual([]);
    // Never merged: both cases stay, each with its own text.
    expect(a.status).toBe('new');
    expect(b.status).toBe('new');
    const officer = await makeOfficer(t.app, { username: 'rel-sup', role: 'supervisor' });
    const view = await t.app.cases.get({ id: officer.id, role: 'supervisor', province: null }, second.id);
    expect(view.related[0]).toMatchObject({ ref: first.ref });
    expect(view.fields.what).toBe(KARAOKE_2);
  });

  it('does not link across provinces or categories, nor to closed cases', async () => {
    const sup = await makeOfficer(t.app, { username: 'rel-sup2', role: 'supervisor' });
    const closed = await addTip(t.app, { what: KARAOKE_1 });
    await t.app.cases.changeStatus({ id: sup.id, role: 'supervisor', province: null }, closed.id, { status: 'closed', disposition: 'actioned' });
    const elsewhere = await addTip(t.app, { what: KARAOKE_1, province: 'Hà Nội' });
    const otherCategory = await addTip(t.app, { what: KARAOKE_1, category: 'prostitution' });
    const fresh = await addTip(t.app, { what: KARAOKE_2 });
    for (const c of [closed, elsewhere, otherCategory, fresh]) expect((await t.app.store.getCase(c.id))!.related).toEqual([]);
  });

  it('links near-identical tips of one category across provinces (one recruiter reported from two places), not mere look-alikes', async () => {
    const offer = 'Một người tên Hùng trên Facebook tuyển lao động sang Campuchia làm việc nhẹ lương 1.500 đô, bao vé máy bay, yêu cầu nộp căn cước và hộ chiếu trước.';
    const fromHome = await addTip(t.app, { category: 'trafficking', province: 'Nghệ An', what: offer });
    const fromAbroad = await addTip(t.app, { category: 'trafficking', province: 'Campuchia', what: `${offer.replace('Một người tên Hùng', 'Người tên Hùng')} Em gái tôi đã đi theo.` });
    const lookAlike = await addTip(t.app, { category: 'trafficking', province: 'Hà Nội', what: 'Có người rủ đi Campuchia làm việc lương cao, nghe nói bị giữ hộ chiếu.' });
    const b = (await t.app.store.getCase(fromAbroad.id))!;
    expect(b.related.map((l) => l.ref)).toEqual([fromHome.ref]);
    expect(b.related[0].score).toBeGreaterThanOrEqual(RELATED_ACROSS_PROVINCES_SCORE);
    expect((await t.app.store.getCase(fromHome.id))!.related.map((l) => l.ref)).toEqual([fromAbroad.ref]);
    expect((await t.app.store.getCase(lookAlike.id))!.related).toEqual([]);
  });

  it('keeps the five best links, best first', async () => {
    const noise = ['xe', 'máy', 'đỏ', 'biển', 'số', 'lạ', 'đêm', 'khuya', 'đường', 'lớn', 'phía', 'bắc', 'cây', 'xăng'];
    await addTip(t.app, { what: TRUCK });
    await addTip(t.app, { what: 'Ở xóm tôi có nhà bán heroin, người nghiện ra vào suốt.' });
    const similar = [];
    for (let i = 0; i < 7; i++) similar.push(await addTip(t.app, { what: `${KARAOKE_2} ${noise.slice(0, 2 * i).join(' ')}` }));
    const last = await addTip(t.app, { what: KARAOKE_2 });
    const links = (await t.app.store.getCase(last.id))!.related;
    expect(links).toHaveLength(5);
    expect([...links].sort((x, y) => y.score - x.score)).toEqual(links);
    // The five closest wordings (least noise) win.
    expect(links.map((l) => l.caseId)).toEqual(similar.slice(0, 5).map((c) => c.id));
  });
});

// ------------------------------------------------------------------ possible flood

/** One text pasted again and again with a word or two changed: what a flood looks like. */
const FLOOD_TEXT = 'Nhà ông Tư ở xóm 3 xã Nghi Phú bán ma túy đá cho học sinh trường cấp 3, tối nào cũng có xe máy đến lấy hàng ở cổng sau.';
const FLOOD = [
  FLOOD_TEXT,
  FLOOD_TEXT.replace('.', '!!!'),
  'nha ong tu o xom 3 xa nghi phu ban ma tuy da cho hoc sinh truong cap 3, toi nao cung co xe may den lay hang o cong sau',
  FLOOD_TEXT.replace('tối nào', 'đêm nào'),
  FLOOD_TEXT.replace('học sinh', 'các em học sinh'),
];

describe('the flood threshold', () => {
  it('sits between two people wording one matter and one text pasted again', () => {
    const copies = FLOOD.map((w) => tipFeatures({ what: w }));
    for (const [i, c] of copies.entries()) {
      for (const s of similarities(c, copies.filter((_, j) => j !== i))) expect(s).toBeGreaterThanOrEqual(FLOOD_MIN_SCORE);
    }
    const [rewording] = similarities(tipFeatures({ what: KARAOKE_1 }), [tipFeatures({ what: KARAOKE_2 }), ...copies]);
    expect(rewording).toBeGreaterThanOrEqual(RELATED_MIN_SCORE);
    expect(rewording).toBeLessThan(FLOOD_MIN_SCORE);
  });
});

describe('floodOf', () => {
  const T0 = Date.parse('2026-03-02T10:00:00.000Z');
  const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
  const link = (n: number, minutes: number | null, score = 0.9): RelatedLink => ({
    caseId: `c${n}`, ref: `BA-${n}`, score, ...(minutes === null ? {} : { at: iso(minutes) }),
  });
  const record = (related: RelatedLink[], minutes = 0) => ({ id: 'self', createdAt: iso(minutes), related }) as unknown as CaseRecord;

  it('flags five alike tips within an hour, counting the tip itself', () => {
    expect(FLOOD_MIN_TIPS).toBe(5);
    expect(FLOOD_WINDOW_MS).toBe(3_600_000);
    expect(floodOf(record([link(1, -40), link(2, -30), link(3, -20), link(4, -10)]))).toEqual({ size: 5 });
    expect(floodOf(record([link(1, -60), link(2, -30), link(3, 0), link(4, 10), link(5, 0)], 0))).toEqual({ size: 5 });
    expect(floodOf(record([link(1, -30), link(2, -20), link(3, -10)]))).toBeNull();
  });

  it('counts only links that read alike, carry a time and fall in one window with the tip', () => {
    const four = [link(1, -40), link(2, -30), link(3, -20)];
    expect(floodOf(record([...four, link(4, -10, FLOOD_MIN_SCORE - 0.01)]))).toBeNull();
    expect(floodOf(record([...four, link(4, -10, FLOOD_MIN_SCORE)]))).toEqual({ size: 5 });
    expect(floodOf(record([...four, link(4, null)]))).toBeNull();
    expect(floodOf(record([...four, link(4, -61)]))).toBeNull();
    expect(floodOf(record([...four, link(3, -10)]))).toBeNull(); // the same case linked twice counts once
    // Each within an hour of this tip, but not of each other: 90 minutes from the first to the last.
    expect(floodOf(record([link(1, -50), link(2, -40), link(3, -30), link(4, 20), link(5, 40)]))).toBeNull();
    expect(floodOf(record([]))).toBeNull();
  });
});

/**
 * Fakes only Date (what the stores stamp createdAt with), so that tips can be filed minutes or hours
 * apart; timers, ticks and I/O stay real.
 */
function fakeDateOnly(start: number): void {
  jest.useFakeTimers({
    now: start,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

describe.each(storeFactories)('possible flood on $name', (factory) => {
  let t: TestApp;
  let cleanup: () => Promise<void>;
  const T0 = Date.parse('2026-03-02T03:00:00.000Z');
  const sup = { id: 'flood-sup', role: 'supervisor' as const, province: null };

  beforeEach(async () => {
    const opened = await factory.open();
    cleanup = opened.cleanup;
    t = await testApp({}, () => opened.store);
    fakeDateOnly(T0);
  });
  afterEach(async () => {
    jest.useRealTimers();
    await t.close();
    await cleanup();
  });

  /** Files the tips `minutesApart` apart; `province` per tip (default Nghệ An). */
  async function file(minutesApart: number, texts: string[], provinces: string[] = []) {
    const out = [];
    for (const [i, what] of texts.entries()) {
      jest.setSystemTime(T0 + i * minutesApart * 60_000);
      out.push(await addTip(t.app, { what, province: provinces[i] ?? 'Nghệ An' }));
    }
    return out;
  }
  async function floods(): Promise<Map<string, number>> {
    const { items } = await t.app.cases.list(sup, {}, { limit: 100, order: 'newest' });
    return new Map(items.map((c) => [c.id, c.flood]));
  }

  it('flags five near-identical tips filed within an hour, in the queue and on the case page', async () => {
    const tips = await file(10, FLOOD);
    const queue = await floods();
    expect(queue.size).toBe(5);
    for (const c of tips) expect(queue.get(c.id)).toBeGreaterThanOrEqual(5);
    expect(queue.get(tips[4].id)).toBe(5);
    const view = await t.app.cases.get(sup, tips[4].id);
    expect(view.flood).toBe(5);
    expect(view.related.map((l) => l.at)).toEqual(expect.arrayContaining(tips.slice(0, 4).map((c) => c.createdAt)));
    // Nothing hidden, merged or closed.
    for (const c of tips) expect((await t.app.store.getCase(c.id))!.status).toBe('new');
  });

  it('does not flag four', async () => {
    const tips = await file(10, FLOOD.slice(0, 4));
    const queue = await floods();
    for (const c of tips) expect(queue.get(c.id)).toBe(0);
    // They are linked as alike all the same: only the count keeps them from being a flood.
    const last = (await t.app.store.getCase(tips[3].id))!;
    expect(last.related.filter((l) => l.score >= FLOOD_MIN_SCORE && l.at)).toHaveLength(3);
    expect((await t.app.cases.get(sup, tips[3].id)).flood).toBe(0);
  });

  it('does not flag five alike tips spread over three hours', async () => {
    const tips = await file(45, FLOOD);
    expect(Date.parse(tips[4].createdAt) - Date.parse(tips[0].createdAt)).toBe(3 * 3_600_000);
    const queue = await floods();
    for (const c of tips) expect(queue.get(c.id)).toBe(0);
    const last = (await t.app.store.getCase(tips[4].id))!;
    expect(last.related.filter((l) => l.score >= FLOOD_MIN_SCORE && l.at)).toHaveLength(4);
  });

  it('does not flag across provinces', async () => {
    const tips = await file(5, FLOOD, ['Nghệ An', 'Nghệ An', 'Nghệ An', 'Nghệ An', 'Hà Nội']);
    const queue = await floods();
    for (const c of tips) expect(queue.get(c.id)).toBe(0);
  });
});
