/**
 * The public results page, `/ket-qua` (issue #13 item 6), U-Report style: what people answered to the published
 * polls (`public: true` in a campaign file) and how the quizzes went (mean score before and after the content,
 * the share who improved with its 95 % interval), from the anonymous counters only. No sign-in, no script, no
 * personal data; every bucket of fewer than 10 people reads "ít hơn 10" (never its number), and a quiz outcome is
 * shown only from 10 pairs of answers on. Server-rendered HTML, Vietnamese or English (`?lang=en`), cached for a
 * minute in memory and in the browser.
 */
import { Router, type Request, type Response, type NextFunction } from 'express';
import type { Campaign } from '../campaigns/schema.js';
import { evaluate, MIN_BUCKET, totals, type Bucket, type CampaignEvaluation } from '../campaigns/evaluation.js';
import type { CounterStore } from '../store/port.js';

const CACHE_MS = 60_000;
type Lang = 'vi' | 'en';

const AGE: Record<string, { vi: string; en: string }> = {
  under_15: { vi: 'Dưới 15 tuổi', en: 'Under 15' }, '15_17': { vi: '15–17 tuổi', en: '15–17' }, '18_24': { vi: '18–24 tuổi', en: '18–24' },
  '25_34': { vi: '25–34 tuổi', en: '25–34' }, '35_plus': { vi: 'Từ 35 tuổi', en: '35 or older' }, unknown: { vi: 'Không nói tuổi', en: 'Age not given' },
};

const W = {
  vi: {
    title: 'Kết quả chiến dịch phòng chống – Bình An', h1: 'Kết quả các chiến dịch phòng chống',
    intro: 'Ý kiến và kết quả trắc nghiệm của những người đã tham gia các chiến dịch của Bình An. Chỉ có số đếm ẩn danh: không tên, không số điện thoại, không tài khoản, không nội dung trò chuyện. Nhóm nào có ít hơn 10 người thì chỉ ghi “ít hơn 10”.',
    other: 'English', otherHref: '?lang=en', otherLang: 'en', dates: 'Thời gian', quiz: 'Trắc nghiệm trước và sau khi tìm hiểu',
    pairs: 'Số người làm cả hai lần', before: 'Điểm trung bình lần đầu', after: 'Điểm trung bình lần sau', outOf: 'trên',
    improved: 'Tỉ lệ người trả lời đúng nhiều hơn', ci: 'khoảng tin cậy 95 %', notYet: 'Chưa đủ 10 người làm cả hai lần để công bố kết quả.',
    poll: 'Thăm dò ý kiến', answers: 'Số câu trả lời', choice: 'Lựa chọn', count: 'Số người', share: 'Tỉ lệ', byAge: 'Theo lứa tuổi', age: 'Lứa tuổi',
    shareNote: 'Tỉ lệ tính trên các lựa chọn có từ 10 người trở lên (số nhỏ hơn không được công bố, kể cả gián tiếp).', fewer: 'ít hơn 10', none: 'Chưa có chiến dịch nào có kết quả công bố.', join: 'Tham gia: mở Bình An và gõ', updated: 'Cập nhật mỗi phút. Nguồn: các bộ đếm ẩn danh của Bình An.',
    emergency: 'Nguy hiểm ngay: gọi {police} (công an), {medical} (cấp cứu), {child} (bảo vệ trẻ em, chống mua bán người).', chat: 'Trò chuyện với Bình An',
  },
  en: {
    title: 'Prevention campaign results – Bình An', h1: 'Results of the prevention campaigns',
    intro: 'Opinions and quiz results of the people who took part in Bình An’s campaigns. Anonymous counts only: no names, phone numbers, accounts or chat text. A group of fewer than 10 people reads “fewer than 10”.',
    other: 'Tiếng Việt', otherHref: '?lang=vi', otherLang: 'vi', dates: 'Dates', quiz: 'Quiz before and after the content',
    pairs: 'People who took both quizzes', before: 'Mean score the first time', after: 'Mean score the second time', outOf: 'of',
    improved: 'Share who got more answers right', ci: '95 % confidence interval', notYet: 'Fewer than 10 people took both quizzes: nothing is published yet.',
    poll: 'Poll', answers: 'Answers', choice: 'Choice', count: 'People', share: 'Share', byAge: 'By age group', age: 'Age group',
    shareNote: 'Shares are of the choices with 10 people or more (smaller numbers are never published, not even indirectly).', fewer: 'fewer than 10', none: 'No campaign has published results yet.', join: 'Take part: open Bình An and type', updated: 'Updated every minute. Source: Bình An’s anonymous counters.',
    emergency: 'In danger now: call {police} (police), {medical} (ambulance), {child} (child protection, anti-trafficking).', chat: 'Chat with Bình An',
  },
} as const;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const vnToday = (ms: number): string => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

function numberText(lang: Lang, x: number, digits = 0): string {
  return x.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
const pct = (lang: Lang, x: number): string => `${numberText(lang, x * 100)} %`;
const countText = (lang: Lang, b: Bucket): string => ('n' in b ? numberText(lang, b.n) : W[lang].fewer);

function quizSection(lang: Lang, ev: CampaignEvaluation): string {
  const q = ev.quiz;
  if (!q) return '';
  const w = W[lang];
  const head = `<h3>${esc(w.quiz)}</h3>`;
  if (!('n' in q.pairs) || q.preMean === undefined || q.postMean === undefined || !q.improved) return `<section class="quiz">${head}<p class="not-yet">${esc(w.notYet)}</p></section>`;
  const i = q.improved;
  return `<section class="quiz">${head}<dl class="figures">
<div><dt>${esc(w.pairs)}</dt><dd>${numberText(lang, q.pairs.n)}</dd></div>
<div><dt>${esc(w.before)}</dt><dd>${numberText(lang, q.preMean, 1)} ${esc(w.outOf)} ${q.questions}</dd></div>
<div><dt>${esc(w.after)}</dt><dd>${numberText(lang, q.postMean, 1)} ${esc(w.outOf)} ${q.questions}</dd></div>
<div><dt>${esc(w.improved)}</dt><dd>${pct(lang, i.share)} <span class="ci">(${esc(w.ci)}: ${pct(lang, i.interval.low)}–${pct(lang, i.interval.high)})</span></dd></div>
</dl></section>`;
}

function pollSection(lang: Lang, p: CampaignEvaluation['polls'][number], n: number): string {
  const w = W[lang];
  const total = p.choices.reduce((s, c) => s + ('n' in c.total ? c.total.n : 0), 0);
  const rows = p.choices.map((c) => {
    const shown = 'n' in c.total && total > 0;
    return `<tr><th scope="row">${esc(c.label[lang])}</th><td>${esc(countText(lang, c.total))}</td><td>${shown ? `<progress max="${total}" value="${(c.total as { n: number }).n}" aria-hidden="true"></progress> ${pct(lang, (c.total as { n: number }).n / total)}` : '–'}</td></tr>`;
  }).join('');
  const ages = p.byAge.filter((a) => 'n' in a.answers);
  const byAge = ages.length ? `<table class="by-age"><caption>${esc(w.byAge)}</caption><thead><tr><th scope="col">${esc(w.age)}</th>${p.choices.map((c) => `<th scope="col">${esc(c.label[lang])}</th>`).join('')}</tr></thead><tbody>${
    ages.map((a) => `<tr><th scope="row">${esc(AGE[a.age]?.[lang] ?? a.age)}</th>${p.choices.map((c) => `<td>${esc(countText(lang, a.choices[c.value]))}</td>`).join('')}</tr>`).join('')}</tbody></table>` : '';
  return `<section class="poll" aria-labelledby="poll-${n}"><h3 id="poll-${n}">${esc(w.poll)}: ${esc(p.question[lang])}</h3>
<table><caption class="sr-only">${esc(p.question[lang])}</caption><thead><tr><th scope="col">${esc(w.choice)}</th><th scope="col">${esc(w.count)}</th><th scope="col">${esc(w.share)}</th></tr></thead><tbody>${rows}</tbody></table><p class="note">${esc(w.shareNote)}</p>${byAge}</section>`;
}

/** Hotline numbers by id, from content/hotlines.yaml (never typed here). */
export type HotlineNumbers = Readonly<Record<string, string>>;

export function renderResults(lang: Lang, items: { campaign: Campaign; ev: CampaignEvaluation }[], numbers: HotlineNumbers = {}): string {
  const w = W[lang];
  const emergency = w.emergency.replace(/\{(\w+)\}/g, (_m, id: string) => numbers[id] ?? '—');
  let n = 0;
  const sections = items.map(({ campaign: c, ev }) => {
    const polls = ev.polls.filter((p) => p.public);
    const trigger = c.triggers[0];
    return `<article class="campaign" aria-labelledby="c-${esc(c.id)}"><h2 id="c-${esc(c.id)}">${esc(c.title[lang])}</h2>
<p class="summary">${esc(c.summary[lang])}</p>
<p class="dates">${esc(w.dates)}: ${esc(c.dates.from)} – ${esc(c.dates.to)}</p>
${quizSection(lang, ev)}${polls.map((p) => pollSection(lang, p, ++n)).join('')}
${trigger ? `<p class="join">${esc(w.join)} <q>${esc(trigger)}</q></p>` : ''}</article>`;
  }).join('\n');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(w.title)}</title>
<link rel="stylesheet" href="/results.css">
</head>
<body>
<header class="top"><strong class="brand">Bình An</strong><a class="lang" href="${w.otherHref}" lang="${w.otherLang}" hreflang="${w.otherLang}">${esc(w.other)}</a></header>
<main>
<h1>${esc(w.h1)}</h1>
<p class="intro">${esc(w.intro)}</p>
${sections || `<p>${esc(w.none)}</p>`}
</main>
<footer><p>${esc(emergency)}</p><p><a href="/">${esc(w.chat)}</a></p><p class="updated">${esc(w.updated)} (${MIN_BUCKET}+)</p></footer>
</body>
</html>`;
}

/** GET /ket-qua: the public results, rendered at most once a minute per language. */
export function resultsRouter(app: { bundle: { campaigns?: Map<string, Campaign>; content?: { hotlines: readonly { id: string; number: string }[] } }; store: CounterStore }, now: () => number = Date.now): Router {
  const router = Router();
  const numbers: HotlineNumbers = Object.fromEntries((app.bundle.content?.hotlines ?? []).map((h) => [h.id, h.number]));
  const cache = new Map<Lang, { at: number; html: Promise<string> }>();
  const build = async (lang: Lang): Promise<string> => {
    const today = vnToday(now());
    const items = [];
    for (const c of app.bundle.campaigns?.values() ?? []) {
      const from = c.dates.from < today ? c.dates.from : today;
      const ev = evaluate(c, totals(await app.store.readCounters({ from, to: today, prefix: `camp.${c.id}.` })));
      items.push({ campaign: c, ev });
    }
    return renderResults(lang, items, numbers);
  };
  router.get(['/ket-qua', '/ket-qua/'], async (req: Request, res: Response, next: NextFunction) => {
    try {
      const lang: Lang = req.query.lang === 'en' ? 'en' : 'vi';
      let hit = cache.get(lang);
      if (!hit || now() - hit.at >= CACHE_MS) {
        hit = { at: now(), html: build(lang) };
        cache.set(lang, hit);
        hit.html.catch(() => cache.delete(lang));
      }
      res.set('Cache-Control', 'public, max-age=60').type('html').send(await hit.html);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
