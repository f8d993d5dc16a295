import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../src/flows/load';
import { IntentClassifier } from '../src/nlu/classifier';
import { evaluate, readEvalSet } from '../src/nlu/evaluate';
import { ROOT } from './helpers/tmp';

const bundle = loadBundle(ROOT);
const nlu = new IntentClassifier(bundle.content.training, { threshold: 0.45 });
const DEV = join(ROOT, 'tests', 'fixtures', 'intents-dev.tsv');
const SHARED_DEV = join(ROOT, '..', 'shared', 'nlu', 'intents-dev.tsv');

describe('intent classifier', () => {
  const sets = [DEV, ...(existsSync(SHARED_DEV) ? [SHARED_DEV] : [])];
  it.each(sets)('reaches at least 85%% top-1 on the public development set (%s) and misses no emergency', (file) => {
    const report = evaluate(nlu, readEvalSet(file));
    // Printed so the figure is visible in CI logs.
    console.log(`dev set ${file}: ${(report.accuracy * 100).toFixed(1)}% (${report.correct}/${report.total})`);
    expect(report.missedEmergencies).toEqual([]);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('reaches at least 90% on an independent check set written apart from the training data, missing no emergency', () => {
    const report = evaluate(nlu, readEvalSet(join(ROOT, 'tests', 'fixtures', 'intents-check.tsv')));
    console.log(`check set: ${(report.accuracy * 100).toFixed(1)}% (${report.correct}/${report.total})`);
    expect(report.missedEmergencies).toEqual([]);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    'hôm qua mình bị đuổi đánh, giờ an toàn rồi nhưng muốn báo',
    'my cousin was held in a scam compound last year, she is home now and wants to report the recruiter',
  ])('does not call a danger that is over an emergency: %s', (text) => {
    expect(nlu.classify(text).intent).not.toBe('emergency');
  });

  it.each([
    'đang bị nhốt trong phòng, cứu tôi',
    'cuu toi voi',
    'em đang bị đưa qua biên giới',
    'bạn tôi sốc thuốc rồi',
    'ban toi soc thuoc',
    'có người đang bị đánh ngoài ngõ',
    'help me I am locked in a room',
    'tụi nó giữ em ở casino ko cho về',
  ])('never misses danger happening now: %s', (text) => {
    expect(nlu.classify(text).intent).toBe('emergency');
  });

  it.each([
    'đêm qua tôi thấy mấy người bán ma túy ở quán karaoke',
    'tuần trước có người rủ em gái tôi đi Campuchia làm việc, tôi muốn báo',
    'hàng xóm tôi hay bán thuốc lắc cho học sinh',
  ])('treats a past event to report as report_tip: %s', (text) => {
    expect(nlu.classify(text).intent).toBe('report_tip');
  });

  it('gives the same intent with or without diacritics and with teencode', () => {
    const a = nlu.classify('muốn cai nghiện thì đăng ký ở đâu');
    const b = nlu.classify('muon cai nghien thi dang ky o dau');
    const c = nlu.classify('mún cai nghiện thì đk ở đâu v');
    expect(a.intent).toBe('rehab_info');
    expect(b.intent).toBe('rehab_info');
    expect(c.intent).toBe('rehab_info');
  });

  it('returns low confidence rather than a confident guess for gibberish', () => {
    const r = nlu.classify('xq zzv plorp');
    expect(r.confidence).toBeLessThan(0.45);
  });

  it('is deterministic and bounded in time for huge input', () => {
    const huge = 'ma túy '.repeat(2000);
    const a = nlu.classify(huge);
    const b = nlu.classify(huge);
    expect(a).toEqual(b);
  });
});
