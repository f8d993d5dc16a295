/** Content rules: sourced facts, verified hotlines only, bubbles that fit, both languages. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../src/flows/load';
import { ROOT } from './helpers/tmp';

const bundle = loadBundle(ROOT);
const { answers, hotlines } = bundle.content;
const shown = [...Object.values(answers).flatMap((a) => [...a.vi, ...a.en]),
  ...readdirSync(join(ROOT, 'flows')).map((f) => readFileSync(join(ROOT, 'flows', f), 'utf8'))].join('\n');

describe('content', () => {
  it('never shows the retired 1800 1567 child line as a live number', () => {
    expect(shown.replace(/\D/g, '')).not.toContain('18001567');
    const retired = hotlines.find((h) => h.dial === '18001567');
    if (retired) expect(retired.status).toBe('retired');
  });

  it('gives every hotline an operator, hours, cost, source URL and check date', () => {
    for (const h of hotlines) {
      expect(h.source).toMatch(/^https?:\/\//);
      expect(h.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(h.operator.vi && h.hours.vi && h.cost).toBeTruthy();
    }
    for (const n of ['113', '115', '111']) expect(hotlines.some((h) => h.dial === n && h.status === 'verified')).toBe(true);
  });

  it('shows no unverified number anywhere', () => {
    for (const h of hotlines.filter((x) => x.status !== 'verified' && x.dial.length >= 7)) {
      expect(shown.replace(/\D/g, '')).not.toContain(h.dial.replace(/\D/g, ''));
    }
  });

  it('cites sources for the factual answers', () => {
    for (const key of ['rehab_overview', 'rehab_register', 'drug_law_overview', 'trafficking_signs', 'job_scam_signs', 'victim_support', 'hotlines', 'emergency']) {
      expect(answers[key]?.sources.length).toBeGreaterThan(0);
    }
  });

  it('puts the emergency numbers first in the emergency answer', () => {
    const first = answers.emergency.vi[0];
    expect(first).toMatch(/113/);
    expect(first).toMatch(/115/);
    expect(first).toMatch(/111/);
  });

  it('routes drug rehabilitation to commune level, not the abolished district level', () => {
    const rehab = Object.entries(answers).filter(([k]) => k.startsWith('rehab')).flatMap(([, a]) => a.vi).join('\n');
    expect(rehab).toMatch(/xã/);
    // "cấp huyện" may appear only to say that it no longer exists.
    expect(rehab.replace(/không còn cấp huyện/g, '')).not.toMatch(/cấp huyện|Phòng Lao động/);
  });

  it('keeps every bubble under 600 characters in both languages', () => {
    for (const [key, a] of Object.entries(answers)) {
      for (const b of [...a.vi, ...a.en]) expect({ key, len: b.length < 600 }).toEqual({ key, len: true });
    }
  });
});
