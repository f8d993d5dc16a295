/** Related tips: TF-IDF cosine over normalised Vietnamese, linked both ways with a score, never merged. */
import { testApp, type TestApp } from './helpers/app';
import { addTip, makeOfficer } from './helpers/liaison';
import { RELATED_MIN_SCORE, similarities, tipFeatures } from '../src/cases/related';

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
    expect(b.related).toEqual([{ caseId: first.id, ref: first.ref, score: expect.any(Number) }]);
    expect(b.related[0].score).toBeGreaterThanOrEqual(RELATED_MIN_SCORE);
    expect(b.related[0].score).toBeLessThanOrEqual(1);
    expect(a.related).toEqual([{ caseId: second.id, ref: second.ref, score: b.related[0].score }]);
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
