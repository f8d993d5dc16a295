/** The language understanding: intents, crises, language, entities and retrieval, on the project's own content. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, evaluateCrises, evaluateInFlow, evaluateRetrieval, readEvalSet } from '../src/nlu/evaluate';
import { core } from './helpers/core';
import { ROOT } from './helpers/tmp';

const { nlu, bundle } = core();
const fixtures = join(ROOT, 'tests', 'fixtures');
const DEV = join(fixtures, 'intents-dev.tsv');
const SHARED_DEV = join(ROOT, '..', 'shared', 'nlu', 'intents-dev.tsv');

describe('intent classifier', () => {
  const sets = [DEV, ...(existsSync(SHARED_DEV) ? [SHARED_DEV] : [])];
  it.each(sets)('reaches at least 97%% top-1 on the public development set (%s) and misses no emergency', (file) => {
    const report = evaluate(nlu, readEvalSet(file));
    console.log(`dev set ${file}: ${(report.accuracy * 100).toFixed(1)}% (${report.correct}/${report.total})`);
    expect(report.missedEmergencies).toEqual([]);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('reaches at least 95% on an independent check set written apart from the training data, missing no emergency', () => {
    const report = evaluate(nlu, readEvalSet(join(fixtures, 'intents-check.tsv')));
    console.log(`check set: ${(report.accuracy * 100).toFixed(1)}% (${report.correct}/${report.total})`);
    expect(report.missedEmergencies).toEqual([]);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('derives its intents from the content, new topics included', () => {
    for (const i of ['prostitution', 'online_scam', 'online_sexual_abuse', 'abuse_violence', 'mental_health', 'rehab_info']) expect(bundle.intents).toContain(i);
    expect(nlu.classify('mua dâm bị phạt bao nhiêu tiền').intent).toBe('prostitution');
  });

  it.each([
    'hôm qua mình bị đuổi đánh, giờ an toàn rồi nhưng muốn báo',
    'my cousin was held in a scam compound last year, she is home now and wants to report the recruiter',
  ])('does not call a danger that is over an emergency: %s', (text) => {
    expect(nlu.classify(text).intent).not.toBe('emergency');
    expect(nlu.crisis(text)).toBeUndefined();
  });

  it.each([
    'đêm qua tôi thấy mấy người bán ma túy ở quán karaoke',
    'tuần trước có người rủ em gái tôi đi Campuchia làm việc, tôi muốn báo',
    'hàng xóm tôi hay bán thuốc lắc cho học sinh',
  ])('treats a past event to report as report_tip: %s', (text) => {
    expect(nlu.classify(text).intent).toBe('report_tip');
  });

  it('gives the same intent with or without diacritics and with teencode', () => {
    for (const t of ['muốn cai nghiện thì đăng ký ở đâu', 'muon cai nghien thi dang ky o dau', 'mún cai nghiện thì đk ở đâu v']) expect(nlu.classify(t).intent).toBe('rehab_info');
  });

  it('returns low confidence rather than a confident guess for gibberish', () => {
    expect(nlu.classify('xq zzv plorp').confidence).toBeLessThan(0.45);
  });

  it('is deterministic and bounded in time for huge input', () => {
    const huge = 'ma túy '.repeat(2000);
    expect(nlu.classify(huge)).toEqual(nlu.classify(huge));
    expect(nlu.retrieve(huge)).toEqual(nlu.retrieve(huge));
  });
});

describe('crisis router', () => {
  it.each([
    ['bi bat nat o truong, e chi muon bien mat thoi', 'self_harm', true],
    ['em vừa rạch tay', 'self_injury', false],
    ['bạn tôi không thở, gọi 115 có bị công an bắt không', 'overdose', false],
    ['bố dượng hay đánh em, em sợ lắm', 'child_danger', true],
    ['em đang ở Campuchia bị công ty giữ hộ chiếu không cho về', 'trapped_abroad', false],
    ['nó dọa tung ảnh nóng của em nếu không chuyển 5 triệu', 'sextortion', false],
    ['chồng tôi đang đánh tôi', 'violence_now', false],
    ['cứu tôi với, tôi đang bị nhốt trong nhà kho', 'danger_now', false],
    ['I want to kill myself', 'self_harm', false],
    ['someone is blackmailing me with my nudes', 'sextortion', false],
  ] as const)('"%s" is %s', (text, kind, child) => {
    const s = nlu.crisis(text);
    expect(s?.kind).toBe(kind);
    if (child) expect(s?.child).toBe(true);
  });

  it('tells đâm (stab) from dâm (mại dâm) when diacritics are typed, and từ từ from tự tử', () => {
    expect(nlu.crisis('đang có đường dây mại dâm ở khách sạn này', { answering: 'free_text' })).toBeUndefined();
    expect(nlu.crisis('có người đang bị đâm ở đầu ngõ')?.kind).toBe('violence_now');
    expect(nlu.crisis('bạn nói từ từ thôi, mình đang nghe')).toBeUndefined();
    expect(nlu.crisis('mình muốn tự tử')?.kind).toBe('self_harm');
  });

  it('never fires on short answers, button labels and places while a question waits', () => {
    for (const a of ['không', 'no', 'not sure', 'xong rồi', 'ok', 'chưa', 'Xâm hại trẻ em', 'Vẫn đang diễn ra', 'Có']) expect(nlu.crisis(a, { answering: 'choice' })).toBeUndefined();
    for (const p of ['Campuchia', 'Đài Loan', 'Vũng Tàu', 'bên kia biên giới']) expect(nlu.crisis(p, { answering: 'place' })).toBeUndefined();
  });

  const crisisSet = join(fixtures, 'crisis.tsv');
  const inFlowSet = join(fixtures, 'in-flow.tsv');
  it('catches every line of the crisis development set', () => {
    const r = evaluateCrises(nlu, readEvalSet(crisisSet));
    console.log(`crisis recall: ${r.caught}/${r.total}; right kind ${r.rightKind}/${r.total}`);
    expect(r.missed).toEqual([]);
    expect(r.rightKind / r.total).toBeGreaterThanOrEqual(0.9);
  });

  it('raises no false alarm on the ordinary in-flow answers', () => {
    const r = evaluateInFlow(nlu, readEvalSet(inFlowSet));
    expect(r.total).toBeGreaterThanOrEqual(300);
    expect(r.alarms).toEqual([]);
  });
});

describe('language and entities', () => {
  it('detects the language from the text, and decides nothing on short or mixed words', () => {
    expect(nlu.language('Hello, I need help with my brother')).toBe('en');
    expect(nlu.language('cho minh hoi ve cai nghien')).toBe('vi');
    expect(nlu.language('mình cần giúp')).toBe('vi');
    for (const x of ['ok', 'no', '113', 'Hà Nội']) expect(nlu.language(x) === undefined || nlu.language(x) === 'vi').toBe(true);
    expect(nlu.language('ok')).toBeUndefined();
  });

  it('reads a short English request as English even when the Vietnamese texts quote one of its words', () => {
    for (const x of ['report a tip', 'report a scam', 'send it']) expect(nlu.language(x)).toBe('en');
    // Vietnamese typed without marks whose words all happen to be English stays undecided or Vietnamese.
    for (const x of ['an toan', 'con me', 'ban than', 'menu chinh']) expect(nlu.language(x)).not.toBe('en');
  });

  it('names substances, relations, countries and a child writer', () => {
    expect(nlu.entities('ke có phải ma túy không').substance).toBe('ketamine');
    expect(nlu.entities('con tôi hút cỏ').relation).toBe('child');
    expect(nlu.entities('anh tôi bị kẹt ở Campuchia').country).toBe('campuchia');
    expect(nlu.entities('em 13 tuổi').who).toBe('child');
  });

  it('does not read everyday words as names when the diacritics are gone', () => {
    // "co" is cỏ (weed) and có, "da" is đá (meth) and đã, "ke" is ketamine and kể, "lao" is Lào and lao động.
    for (const text of ['co mat tien ko', 'có mất tiền không', 'e da goi roi', 'em đã gọi rồi', 'e ke cho bo me', 'em kể cho bố mẹ rồi', 'xuất khẩu lao động', 'theo pháp luật thì sao', 'giáo dục giới tính']) {
      expect([text, nlu.entities(text)]).toEqual([text, {}]);
    }
    expect(nlu.entities('hut co co sao ko').substance).toBe('cannabis');
    expect(nlu.entities('cỏ có gây nghiện không').substance).toBe('cannabis');
    expect(nlu.entities('hut da co bi di tu ko').substance).toBe('meth');
    expect(nlu.entities('đá là gì').substance).toBe('meth');
    expect(nlu.entities('ke là gì').substance).toBe('ketamine');
    expect(nlu.entities('sang Lào làm việc').country).toBe('lao');
  });
});

describe('retrieval', () => {
  it('reaches at least 90% top-1 on the held-out questions', () => {
    const r = evaluateRetrieval(nlu, readEvalSet(join(fixtures, 'questions-heldout.tsv')));
    console.log(`retrieval top-1 (held-out): ${(r.accuracy * 100).toFixed(1)}% (${r.correct}/${r.total})`);
    expect(r.total).toBeGreaterThanOrEqual(300);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('uses no held-out question as a paraphrase of the knowledge base', () => {
    const { normalize } = require('../src/text/normalize') as typeof import('../src/text/normalize');
    const asked = new Set([...bundle.knowledge.entries.values()].flatMap((e) => [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en]).map(normalize));
    const leaked = readEvalSet(join(fixtures, 'questions-heldout.tsv')).filter((c) => asked.has(normalize(c.text)));
    expect(leaked).toEqual([]);
  });

  it('names only entries that exist in the question sets', () => {
    for (const f of ['questions-heldout.tsv', 'questions-dev.tsv']) {
      for (const c of readEvalSet(join(fixtures, f))) for (const id of c.accepted) expect({ f, id, ok: bundle.knowledge.entries.has(id) }).toEqual({ f, id, ok: true });
    }
  });

  it('reads a short follow-up in the thread of the topic', () => {
    const thread = { topic: 'rehab', entry: 'rehab_register', entities: {} };
    expect(nlu.retrieve('có mất tiền không', { thread })[0].id).toBe('rehab_costs');
    expect(nlu.retrieve('bao lâu', { thread })[0].id).toBe('rehab_duration');
  });
});
