/** Content rules: sourced facts, one source for every number, answers that fit a phone, both languages. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine';
import type { OutMessage, Session } from '../src/engine/types';
import { core } from './helpers/core';
import { ROOT } from './helpers/tmp';

const { bundle, nlu } = core();
const { answers, hotlines } = bundle.content;
const entries = [...bundle.knowledge.entries.values()];
const flowTexts = [...bundle.flows.values()].flatMap((f) => [...f.nodes.values()].flatMap((n) => ('text' in n && n.text ? [n.text.vi, n.text.en] : [])));
const shown = [
  ...Object.values(answers).flatMap((a) => [...a.vi, ...a.en]),
  ...entries.flatMap((e) => [...e.answer.vi, ...e.answer.en, ...(e.more ? [...e.more.vi, ...e.more.en] : [])]),
  ...Object.values(bundle.content.messages).flatMap((m) => [m.vi, m.en]),
  ...flowTexts,
].join('\n');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === 'vendor' ? [] : files(p, ext)) : ext.test(f) ? [p] : [];
  });
}

describe('content', () => {
  it('has at least 250 knowledge entries, every one with a source, its date and the day it was checked', () => {
    expect(entries.length).toBeGreaterThanOrEqual(250);
    for (const e of entries) {
      expect({ id: e.id, sources: e.sources.length > 0 }).toEqual({ id: e.id, sources: true });
      for (const s of e.sources) expect(s.date).toMatch(/^(\d{4}(-\d{2}(-\d{2})?)?|n\/a)$/);
      expect(e.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('cites sources for every answer that states a fact', () => {
    // These say what Bình An itself does, or only greet; every other answer states facts from sources.
    const opinionOnly = new Set(['greeting', 'goodbye', 'out_of_scope', 'delete_data_confirm', 'delete_data_done', 'talk_to_human_none', 'tip_contact_warning', 'tip_own_identity']);
    for (const [key, a] of Object.entries(answers)) if (!opinionOnly.has(key)) expect({ key, sourced: a.sources.length > 0 }).toEqual({ key, sourced: true });
  });

  it('never says that using drugs is never a crime (BLHS Điều 256a since 01/7/2025)', () => {
    const wrong = [
      /sử dụng[^.]{0,80}(không phải (là )?(tội|xử lý hình sự|hình sự)|không bị xử lý hình sự|chỉ bị (xử lý|phạt) hành chính)/i,
      /(không bao giờ|never)[^.]{0,40}(tội|crime)/i,
      /(using|use)[^.]{0,80}(is not a crime|not as a crime|never a crime|only (an )?administrative)/i,
    ];
    for (const text of shown.split('\n')) for (const re of wrong) expect({ text, wrong: re.test(text) }).toEqual({ text, wrong: false });
    expect(shown).toMatch(/256a/);
  });

  it('never shows the retired 1800 1567 child line, nor any unverified number', () => {
    expect(shown.replace(/\D/g, '')).not.toContain('18001567');
    for (const h of hotlines.filter((x) => x.status !== 'verified' && x.dial.length >= 7)) expect(shown.replace(/\D/g, '')).not.toContain(h.dial.replace(/\D/g, ''));
  });

  it('gives every hotline an operator, hours, cost, source URL and check date', () => {
    for (const h of hotlines) {
      expect(h.source).toMatch(/^https?:\/\//);
      expect(h.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(h.operator.vi && h.hours.vi && h.cost).toBeTruthy();
    }
    for (const n of ['113', '115', '111', '0963061414']) expect(hotlines.some((h) => h.dial === n && h.status === 'verified')).toBe(true);
  });

  it('types no hotline number anywhere but content/hotlines.yaml: everything else names it by id', () => {
    const numbers = hotlines.filter((h) => h.status === 'verified').map((h) => ({ id: h.id, re: h.dial.length <= 4 ? new RegExp(`(?<![\\d.,/+#_])${h.dial}(?![\\d.,/_])`) : new RegExp(h.number.replace(/[+ ]/g, (c) => (c === '+' ? '\\+' : '[ .]?'))) }));
    const sources = [
      // Knowledge answers are checked by the loader; their questions may quote a number as people type it.
      ...files(join(ROOT, 'content'), /\.ya?ml$/).filter((f) => !f.endsWith('hotlines.yaml') && !f.includes('knowledge')),
      ...files(join(ROOT, 'flows'), /\.ya?ml$/),
      ...files(join(ROOT, 'web'), /\.(html|js)$/),
      ...files(join(ROOT, 'src'), /\.ts$/),
    ];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*(#|\/\/|\*|\/\*\*)/.test(l) && !/(https?:\/\/|Điều|Article|Nghị định|Decree|Thông tư|description:)/.test(l)).join('\n');
      for (const n of numbers) expect({ file, id: n.id, typed: n.re.test(text) }).toEqual({ file, id: n.id, typed: false });
    }
  });

  it('routes drug rehabilitation to commune level, not the abolished district level', () => {
    const rehab = entries.filter((e) => e.topic === 'rehab').flatMap((e) => [...e.answer.vi, ...(e.more?.vi ?? [])]).join('\n');
    expect(rehab).toMatch(/xã/);
    expect(rehab.replace(/không còn cấp huyện|cấp huyện (cũ|trước đây)|bỏ cấp huyện|không còn (Công an|Phòng|UBND)[^.]{0,30}cấp huyện/g, '')).not.toMatch(/(Công an|UBND|Phòng Lao động)[^.]{0,20}cấp huyện/);
  });

  it('keeps every bubble under 600 characters in both languages', () => {
    for (const [key, a] of Object.entries(answers)) for (const b of [...a.vi, ...a.en]) expect({ key, ok: b.length < 600 }).toEqual({ key, ok: true });
  });
});

describe('every knowledge answer fits a phone', () => {
  const engine = new Engine(bundle, nlu, { threshold: 0.45 });
  const chars = (m: OutMessage[]): number => m.reduce((n, x) => n + x.text.length, 0);

  it.each(['vi', 'en'] as const)('in %s: at most 3 bubbles and 600 characters per turn, for the answer and for "tell me more"', (lang) => {
    const start: Session = { v: 1, lang, vars: {}, labels: {}, retries: 0 };
    let n = 0;
    for (const e of entries) {
      const first = engine.step(start, { kind: 'choice', payload: `kb:${e.id}`, id: `x${n++}`, now: 0 });
      expect({ id: e.id, bubbles: first.messages.length <= 3, chars: chars(first.messages) <= 600 }).toEqual({ id: e.id, bubbles: true, chars: true });
      expect(first.events).toContainEqual({ type: 'entry', entry: e.id, topic: e.topic, more: false });
      const buttons = first.messages.flatMap((m) => m.choices ?? []);
      for (const b of buttons) expect(b.label.length).toBeLessThanOrEqual(20);
      if (!e.more) continue;
      const more = engine.step(first.session, { kind: 'choice', payload: `kb:${e.id}:more`, id: `x${n++}`, now: 0 });
      expect({ id: e.id, bubbles: more.messages.length <= 3, chars: chars(more.messages) <= 600 }).toEqual({ id: e.id, bubbles: true, chars: true });
      // Asked again, the engine never repeats the answer: it asks what else to know.
      const again = engine.step(more.session, { kind: 'choice', payload: `kb:${e.id}`, id: `x${n++}`, now: 0 });
      expect(again.messages.map((m) => m.text).join()).not.toBe(first.messages.map((m) => m.text).join());
    }
  });
});
