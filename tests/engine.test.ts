/** The pure engine: node kinds, global commands, retries, timeouts, emergencies. No I/O here. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine';
import { placeResolver } from '../src/bundle/places';
import { core } from './helpers/core';
import type { Input, OutMessage, Session, StepResult } from '../src/engine/types';
import { copyBundle, ROOT } from './helpers/tmp';

const { root, cleanup } = copyBundle();
// A fixture flow exercising the node kinds the shipped flows use less: number input, branch, set, fail.
writeFileSync(join(root, 'flows', 'zz_fixture.yaml'), `
id: fixture
nodes:
  - id: age
    type: input
    input: number
    var: age
    min: 1
    max: 120
    retries: 1
    fail: gave_up
    text: { vi: "Bạn bao nhiêu tuổi?", en: "How old are you?" }
    next: check
  - id: check
    type: branch
    cases:
      - { when: { var: age, in: [12, 13, 14, 15, 16, 17] }, next: minor }
    default: adult
  - { id: minor, type: set, values: { group: minor }, next: say }
  - { id: adult, type: set, values: { group: adult }, next: say }
  - { id: say, type: end, text: { vi: "Tuổi {{age}}, nhóm {{group}}.", en: "Age {{age}}, group {{group}}." } }
  - { id: gave_up, type: end, text: { vi: "Không sao, bỏ qua câu này.", en: "Never mind." } }
`);
afterAll(cleanup);

const { bundle, nlu } = core(root);
const engine = new Engine(bundle, nlu, { idleTimeoutMs: 30 * 60_000, threshold: 0.45, places: placeResolver(bundle.content.places) });

let now = Date.UTC(2026, 10, 28, 3, 0, 0);
let seq = 0;
const text = (t: string): Input => ({ kind: 'text', text: t, id: `m${++seq}`, now });
const tap = (payload: string): Input => ({ kind: 'choice', payload, id: `m${++seq}`, now });
const all = (r: StepResult) => r.messages.map((m) => m.text).join('\n');
const choiceId = (msgs: OutMessage[], label: string) => msgs.flatMap((m) => m.choices ?? []).find((c) => c.label === label)?.id as string;

function run(session: Session | undefined, ...inputs: Input[]): StepResult {
  let r: StepResult = { session: session as Session, messages: [], events: [] };
  for (const i of inputs) r = engine.step(r.session, i);
  return r;
}

describe('engine', () => {
  it('is pure: the same session and input give the same output, and the input session is not changed', () => {
    const a = engine.step(undefined, text('tôi muốn báo tin'));
    const frozen = JSON.stringify(a.session);
    const b1 = engine.step(a.session, text('Ma túy'));
    const b2 = engine.step(a.session, { ...text('Ma túy'), id: b1.session.runId ?? 'x' });
    expect(JSON.stringify(a.session)).toBe(frozen);
    expect(b1.messages).toEqual(b2.messages);
    expect(JSON.parse(JSON.stringify(b1.session))).toEqual(b1.session); // sessions are plain JSON
  });

  it('answers a choice by button, by number, and by typed label without diacritics', () => {
    const start = engine.step(undefined, text('menu'));
    const byButton = engine.step(start.session, tap(choiceId(start.messages, 'Ma túy, cai nghiện')));
    const byNumber = engine.step(start.session, text('1'));
    const byLabel = engine.step(start.session, text('ma tuy, cai nghien'));
    for (const r of [byButton, byNumber, byLabel]) expect(r.session.at).toEqual({ flow: 'menu', node: 'drugs' });
  });

  it('validates input, re-asks with a reason, and takes the way out after the retries', () => {
    let r = engine.step(undefined, { kind: 'start', id: 's', now });
    r = { ...r, session: { ...r.session, at: { flow: 'fixture', node: 'age' } } };
    const bad = engine.step(r.session, text('hai mươi'));
    expect(all(bad)).toMatch(/nhập một con số/);
    expect(bad.session.at).toEqual({ flow: 'fixture', node: 'age' });
    const gaveUp = engine.step(bad.session, text('abc'));
    expect(all(gaveUp)).toMatch(/bỏ qua câu này/);
    const ok = engine.step(r.session, text('15'));
    expect(all(ok)).toBe('Tuổi 15, nhóm minor.');
    expect(all(engine.step(r.session, text('40')))).toBe('Tuổi 40, nhóm adult.');
    expect(all(engine.step(r.session, text('300')))).toMatch(/nhập một con số/);
  });

  it('uses the built-in way out to the menu when a question has no fail node (never out of a tip being written)', () => {
    const r = run(undefined, text('tra cứu tin báo'), text('abc'), text('xyz'), text('qqq'));
    expect(all(r)).toMatch(/quay về menu chính/);
    expect(r.session.at).toEqual({ flow: 'menu', node: 'main' });
    const tip = run(undefined, text('tôi muốn báo tin'), text('Ma túy'), text('sao hỏa'), text('mặt trăng'), text('sao kim'), text('sao thổ'));
    expect(tip.session.at).toEqual({ flow: 'tip', node: 'province' });
    expect(tip.session.vars.category).toBe('drugs');
  });

  it('parses dates, refuses future and impossible dates', () => {
    const base = run(undefined, text('tôi muốn báo tin'), text('Ma túy'), text('Hà Nội'), text('bỏ qua'));
    const earlier = engine.step(base.session, tap(choiceId(base.messages, 'Trước đó')));
    expect(earlier.session.at?.node).toBe('when_date');
    expect(all(engine.step(earlier.session, text('31/2/2026')))).toMatch(/chưa hiểu ngày/);
    expect(all(engine.step(earlier.session, text('1/1/2030')))).toMatch(/chưa hiểu ngày/);
    expect(engine.step(earlier.session, text('15/8/2026')).session.vars.when_date).toBe('2026-08-15');
    expect(engine.step(earlier.session, text('hôm qua')).session.vars.when_date).toBe('2026-11-27');
  });

  it('emits an action event and waits; the result decides the branch; a secret result is never stored', () => {
    const review = run(undefined, text('tôi muốn báo tin'), text('1'), text('Huế'), text('bỏ qua'), text('Hôm nay'),
      text('Có người bán ma túy cho học sinh ở cổng trường.'), text('bỏ qua'), text('không'), text('1'));
    expect(review.session.at?.node).toBe('review');
    const send = engine.step(review.session, text('Gửi tin báo'));
    const action = send.events.find((e) => e.type === 'action');
    expect(action).toMatchObject({ type: 'action', action: 'create_case', args: { category: 'drugs', province: 'Huế', in_danger: 'no' } });
    expect(send.session.pending).toEqual({ action: 'create_case', node: { flow: 'tip', node: 'save' } });
    const done = engine.step(send.session, { kind: 'action_result', action: 'create_case', ok: true, data: { ref: 'BA-ABCDEF' }, once: { ref: 'BA-ABCDEF', secret: '1234 5678 9012' }, id: 'r', now });
    expect(all(done)).toMatch(/BA-ABCDEF[\s\S]*1234 5678 9012/);
    expect(JSON.stringify(done.session)).not.toContain('1234 5678 9012');
    const failed = engine.step(send.session, { kind: 'action_result', action: 'create_case', ok: false, id: 'r', now });
    expect(all(failed)).toMatch(/CHƯA lưu được/);
    expect(failed.session.vars.what).toBe('Có người bán ma túy cho học sinh ở cổng trường.');
    // A result for an action that is not pending is ignored.
    expect(engine.step(review.session, { kind: 'action_result', action: 'create_case', ok: true, id: 'x', now }).messages).toEqual([]);
  });

  it('drops a typed secret from the session once the lookup action has it', () => {
    const r = run(undefined, text('tra cứu tin báo'), text('BA-ABCDEF'), text('1234 5678 9012'));
    const action = r.events.find((e) => e.type === 'action');
    expect(action).toMatchObject({ action: 'check_case', args: { ref: 'BA-ABCDEF', secret: '123456789012' } });
    expect(JSON.stringify(r.session)).not.toContain('123456789012');
  });

  it('handles global commands anywhere: menu, hủy, language switch, xóa dữ liệu', () => {
    const mid = run(undefined, text('tôi muốn báo tin'), text('Ma túy'));
    expect(mid.session.at?.node).toBe('province');
    const menu = engine.step(mid.session, text('Bắt đầu lại'));
    expect(menu.session.at).toEqual({ flow: 'menu', node: 'main' });
    expect(menu.session.vars).toEqual({});
    // "hủy" in the middle of a tip keeps the draft and offers to discard it; only that button discards it.
    const cancel = engine.step(mid.session, text('huỷ'));
    expect(all(cancel)).toMatch(/tin báo viết dở/);
    expect(cancel.session.resume).toMatchObject({ flow: 'tip', vars: { category: 'drugs' } });
    const discard = cancel.messages.flatMap((m) => m.choices ?? []).find((c) => c.label === 'Bỏ tin báo');
    const gone = engine.step(cancel.session, tap(discard!.id));
    expect(all(gone)).toMatch(/Đã bỏ tin báo/);
    expect(gone.session.resume).toBeUndefined();
    // Outside a draft, "hủy" cancels what was under way.
    const status = run(undefined, text('tra cứu tin báo'));
    expect(all(engine.step(status.session, text('huỷ')))).toMatch(/Đã hủy/);
    const en = engine.step(mid.session, text('English'));
    expect(en.session.lang).toBe('en');
    expect(all(en)).toMatch(/Which province/);
    expect(en.session.at?.node).toBe('province');
    const vi = engine.step(en.session, text('tiếng việt'));
    expect(all(vi)).toMatch(/tỉnh\/thành nào/);
    const del = engine.step(mid.session, text('xoá dữ liệu'));
    expect(del.session.at).toEqual({ flow: 'delete_data', node: 'confirm' });
  });

  it('interrupts any flow for an emergency, keeps what was typed, and offers to continue', () => {
    const atWhat = run(undefined, text('tôi muốn báo tin'), text('Mua bán người'), text('Lào Cai'), text('bỏ qua'), text('Hôm nay'));
    expect(atWhat.session.at?.node).toBe('what');
    const em = engine.step(atWhat.session, text('cứu tôi với, tôi đang bị nhốt trong nhà kho'));
    expect(em.events).toContainEqual({ type: 'emergency' });
    expect(em.messages[0].text).toMatch(/113/);
    const cont = em.messages.flatMap((m) => m.choices ?? []).find((c) => c.label === 'Tiếp tục tin báo');
    expect(cont).toBeDefined();
    const resumed = engine.step(em.session, tap(cont!.id));
    expect(resumed.session.at?.node).toBe('involved');
    expect(resumed.session.vars.what).toBe('cứu tôi với, tôi đang bị nhốt trong nhà kho');
    expect(resumed.session.vars.province).toBe('Lào Cai');
  });

  it('attaches call buttons for verified hotlines to the emergency answer', () => {
    const em = engine.step(undefined, text('cứu tôi với'));
    const calls = em.messages.flatMap((m) => m.calls ?? []);
    expect(calls.map((c) => c.dial)).toEqual(['113', '115', '111']);
    expect(calls[0].label).toBe('Gọi 113');
  });

  it('starts over politely after the idle timeout', () => {
    const mid = run(undefined, text('menu'));
    expect(mid.session.at).toEqual({ flow: 'menu', node: 'main' });
    now += 31 * 60_000;
    const later = engine.step(mid.session, text('Hà Nội'));
    expect(all(later)).toMatch(/bắt đầu lại từ đầu/);
    expect(later.events).toContainEqual({ type: 'session_reset', reason: 'timeout' });
  });

  it('keeps a tip being written through the idle timeout: the answer to its question is still an answer', () => {
    const mid = run(undefined, text('tôi muốn báo tin'), text('Ma túy'));
    now += 3 * 60 * 60_000;
    const later = engine.step(mid.session, text('Hà Nội'));
    expect(later.events).not.toContainEqual({ type: 'session_reset', reason: 'timeout' });
    expect(later.session.vars).toMatchObject({ category: 'drugs', province: 'Hà Nội' });
    expect(engine.holdsDraft(later.session)).toBe(true);
    // Left for the menu and back after the idle timeout: parked, said so, and offered.
    const parked = engine.step(later.session, text('menu'));
    expect(parked.session.resume).toMatchObject({ flow: 'tip', vars: { province: 'Hà Nội' } });
    now += 3 * 60 * 60_000;
    const back = engine.step(parked.session, text('chào'));
    expect(all(back)).toMatch(/tin báo viết dở/);
    expect(back.messages.flatMap((m) => m.choices ?? []).map((c) => c.label)).toContain('Tiếp tục tin báo');
  });

  it('answers a button from an old question politely and keeps the current question', () => {
    const first = engine.step(undefined, text('tôi muốn báo tin'));
    const oldButton = choiceId(first.messages, 'Ma túy');
    const next = engine.step(first.session, tap(oldButton));
    expect(next.session.at?.node).toBe('province');
    const stale = engine.step(next.session, tap(oldButton));
    expect(all(stale)).toMatch(/câu hỏi trước đó/);
    expect(stale.session.at?.node).toBe('province');
    // The main menu's buttons always work.
    const menuFirst = engine.step(undefined, text('menu'));
    const later = engine.step(next.session, tap(choiceId(menuFirst.messages, 'Số điện thoại')));
    expect(later.events).toContainEqual({ type: 'entry', entry: 'hotlines_overview', topic: 'hotlines', more: false });
  });

  it('asks a clarifying question below the confidence threshold instead of guessing, then shows the menu', () => {
    const r = engine.step(undefined, text('xq zzv plorp'));
    expect(r.session.clarifying).toBe(true);
    expect(r.messages[0].choices?.some((c) => c.id === 'cmd:menu')).toBe(true);
    const again = engine.step(r.session, text('blorf qwix'));
    expect(again.session.at).toEqual({ flow: 'menu', node: 'main' });
  });

  it('switches to a new question typed in the middle of a menu', () => {
    const m = engine.step(undefined, text('menu'));
    const r = engine.step(m.session, text('tang tru ma tuy bi phat the nao'));
    expect(r.session.at).toBeUndefined();
    expect(r.events.find((e) => e.type === 'entry')).toMatchObject({ topic: 'drug_law' });
  });

  it('forgets a flow\'s answers when it ends', () => {
    const r = run(undefined, text('tôi muốn báo tin'), text('Ma túy'), text('menu'));
    expect(r.session.vars).toEqual({});
  });
});

describe('knowledge answers and the thread of a conversation', () => {
  const entryOf = (r: StepResult): string | undefined => (r.events.find((e) => e.type === 'entry') as { entry?: string } | undefined)?.entry;

  it('answers a question with a short entry, "tell me more" and related buttons, and never the same answer twice', () => {
    const a = engine.step(undefined, tap('kb:rehab_register'));
    expect(entryOf(a)).toBe('rehab_register');
    const labels = a.messages.flatMap((m) => m.choices ?? []).map((c) => c.label);
    expect(labels[0]).toBe('Xem thêm');
    expect(labels[labels.length - 1]).toBe('Menu chính');
    const more = engine.step(a.session, text('xem thêm'));
    expect(more.events).toContainEqual({ type: 'entry', entry: 'rehab_register', topic: 'rehab', more: true });
    const again = engine.step(more.session, tap('kb:rehab_register'));
    expect(all(again)).toMatch(/vừa nói về/);
    expect(all(again)).not.toBe(all(a));
  });

  it('reads a short follow-up in the context of the entry just shown', () => {
    const a = engine.step(undefined, tap('kb:rehab_register'));
    expect(entryOf(engine.step(a.session, text('có mất tiền không')))).toBe('rehab_costs');
    expect(entryOf(engine.step(a.session, text('bao lâu')))).toBe('rehab_duration');
  });

  it('answers in the language the person writes in, and keeps it until they write in the other', () => {
    const en = engine.step(undefined, text('Hello, how can I register my brother for drug rehab?'));
    expect(en.session.lang).toBe('en');
    expect(all(en)).not.toMatch(/[ăâđêôơư]/);
    const stillEn = engine.step(en.session, text('ok'));
    expect(stillEn.session.lang).toBe('en');
    const vi = engine.step(en.session, text('cho mình hỏi cai nghiện có mất tiền không'));
    expect(vi.session.lang).toBe('vi');
  });

  it('answers a crisis typed at a tip\'s place question with its own first answer, then goes back to the question', () => {
    const atPlace = run(undefined, text('tôi muốn báo tin'), text('Mua bán người'));
    expect(atPlace.session.at?.node).toBe('province');
    const c = engine.step(atPlace.session, text('em đang ở Campuchia bị công ty giữ hộ chiếu không cho về'));
    expect(c.events).toContainEqual({ type: 'crisis', kind: 'trapped_abroad' });
    expect(c.messages[0].text).toMatch(/^[^0-9]*\+84 981 84 84 84/);
    const back = engine.step(c.session, tap('resume'));
    expect(back.session.at?.node).toBe('province');
    expect(back.session.vars.category).toBe('trafficking');
    // A place typed there is an answer, not a crisis.
    expect(engine.step(atPlace.session, text('Campuchia')).session.vars.province).toBe('Campuchia');
  });

  it('gives the crisis answer without touching a session, for a live chat', () => {
    const a = engine.crisisAnswer('bạn tôi sốc thuốc, không thở', 'vi');
    expect(a?.kind).toBe('overdose');
    expect(a?.messages[0].text).toMatch(/^Gọi ngay 115/);
    expect(engine.crisisAnswer('cảm ơn bạn nhé', 'vi')).toBeUndefined();
  });
});

it('ROOT bundle loads', () => {
  expect(core().bundle.flows.size).toBeGreaterThan(10);
  expect(core().bundle.knowledge.entries.size).toBeGreaterThanOrEqual(250);
});
