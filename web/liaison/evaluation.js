// The campaigns' evaluation page ("Chiến dịch"), its printable report, and the printable A4 posters with QR codes.
// Everything comes from anonymous counters (src/liaison/campaign-routes.ts): no case, no text, no id. Charts are
// drawn with Chart.js (bundled in ./vendor/, as stats.js does), each with a data table as its text alternative.
import { Chart } from './vendor/chart.js';
import { t, addStrings, getLang } from './i18n.js';
import { API, state, h, api, busy, errorText, field, page, render, onLeave, onRender, isSupervisor, flash } from './core.js';

addStrings({
  vi: {
    navEval: 'Chiến dịch', evTitle: 'Đánh giá chiến dịch', evHint: 'Chỉ có số đếm ẩn danh: không tên, không mã người dùng, không nội dung. Nhóm có ít hơn 10 người chỉ ghi “ít hơn 10”.',
    evCampaign: 'Chiến dịch', evDates: 'Thời gian', evReached: 'Số người bắt đầu', evCompleted: 'Số người làm hết', evOpen: 'Xem đánh giá',
    evBack: '← Danh sách chiến dịch', evShow: 'Xem', evCsv: 'Tải CSV', evPrint: 'In báo cáo', evPeriod: 'Khoảng thời gian: {from} – {to}',
    evScopeOne: 'Ý kiến theo tỉnh: chỉ {province} (tổng số là toàn quốc)', evScopeAll: 'Phạm vi: toàn quốc',
    evMethodTitle: 'Phương pháp', evMethod: 'Mỗi người làm cùng một bài trắc nghiệm trước và sau nội dung. Bot chỉ đếm cặp điểm (điểm lần đầu, điểm lần sau) của mỗi lần làm, không lưu tên, mã hay tài khoản, nên không thể biết ai đã trả lời. Mức tăng là hiệu trung bình (sau − trước) với khoảng tin cậy 95 % (xấp xỉ chuẩn); tỉ lệ người tiến bộ có khoảng tin cậy Wilson 95 %. Kết quả chỉ hiện khi có từ 10 cặp trở lên; nhóm (tỉnh, lứa tuổi, lựa chọn) có ít hơn 10 người chỉ ghi “ít hơn 10”.',
    evQuiz: 'Trắc nghiệm trước và sau', evPairs: 'Số cặp trước–sau', evPre: 'Điểm TB lần đầu', evPost: 'Điểm TB lần sau', evGain: 'Mức tăng TB', evImproved: 'Tỉ lệ người tiến bộ',
    evCi: 'KTC 95 %: {low} – {high}', evNotEnough: 'Chưa đủ 10 cặp để tính kết quả.', evOutOf: 'trên {n} câu',
    evQuestions: 'Tỉ lệ trả lời đúng từng câu, trước và sau', evQuestion: 'Câu hỏi', evBefore: 'Trước', evAfter: 'Sau', evRightPct: '% trả lời đúng',
    evPoll: 'Thăm dò', evChoice: 'Lựa chọn', evPeople: 'Số người', evByProvince: 'Theo tỉnh/thành', evByAge: 'Theo lứa tuổi', evProvince: 'Tỉnh/thành', evAge: 'Lứa tuổi', evAnswers: 'Số trả lời',
    evFewer: 'ít hơn 10', evStories: 'Lựa chọn trong câu chuyện', evScene: 'Cảnh', evTimes: 'Số lần chọn', evFeedback: 'Cảm nhận về nội dung', evFeel: 'Cảm nhận',
    fb_useful: 'Hữu ích', fb_ok: 'Bình thường', fb_not_useful: 'Chưa hay',
    evRefs: 'Áp phích theo địa điểm', evRefsHint: 'Mỗi áp phích có mã riêng cho một địa điểm; bot đếm số cuộc trò chuyện bắt đầu, số bài trắc nghiệm hoàn thành và số tin báo gửi từ mã đó, không gì hơn.',
    evPlace: 'Địa điểm', evRef: 'Mã', evStarts: 'Bắt đầu', evQuizzes: 'Làm xong trắc nghiệm', evTips: 'Tin báo', evPoster: 'In áp phích', evPosterAll: 'Áp phích chung (không theo địa điểm)',
    evNewRef: 'Tạo áp phích cho địa điểm', evPlaceHint: 'Ví dụ: THCS Lê Lợi, TP Vinh', evCreate: 'Tạo', evCreated: 'Đã tạo mã {ref} cho {place}.', evNoRefs: 'Chưa có áp phích theo địa điểm.',
    evRefDays: 'Cuộc trò chuyện bắt đầu từ áp phích, theo ngày', evDay: 'Ngày', altRefDays: 'Biểu đồ cột chồng: số cuộc trò chuyện bắt đầu từ mỗi áp phích theo ngày, tổng {total}.',
    evNoData: 'Chưa có số liệu trong khoảng thời gian này.', evTable: 'Xem dạng bảng',
    age_under_15: 'Dưới 15', age_15_17: '15–17', age_18_24: '18–24', age_25_34: '25–34', age_35_plus: '35 trở lên', age_unknown: 'Không nói',
    evUnknownPlace: 'Không nói', altPrePost: 'Biểu đồ cột: điểm trung bình trước {pre} và sau {post}.', evAltQuestions: 'Biểu đồ cột: tỉ lệ trả lời đúng từng câu trước và sau. {list}.', altPoll: 'Biểu đồ cột: số người chọn mỗi phương án. {list}.',
    posterScan: 'Quét mã để trò chuyện ẩn danh với Bình An', posterAnon: 'Không cần tên, không cần số điện thoại. Nguy hiểm ngay: gọi {numbers}.',
    posterType: 'Trên Zalo: quan tâm Bình An rồi gõ “{words}”', posterWeb: 'Trình duyệt', posterBack: '← Quay lại đánh giá', posterPrint: 'In áp phích', posterPlace: 'Địa điểm: {place}',
    pch_telegram: 'Telegram', pch_messenger: 'Messenger', pch_zalo: 'Zalo', pch_web: 'Trình duyệt web',
  },
  en: {
    navEval: 'Campaigns', evTitle: 'Campaign evaluation', evHint: 'Anonymous counts only: no names, user ids or text. A group of fewer than 10 people reads “fewer than 10”.',
    evCampaign: 'Campaign', evDates: 'Dates', evReached: 'Started', evCompleted: 'Completed', evOpen: 'Open evaluation',
    evBack: '← All campaigns', evShow: 'Show', evCsv: 'Download CSV', evPrint: 'Print report', evPeriod: 'Period: {from} – {to}',
    evScopeOne: 'Answers by province: {province} only (totals are nationwide)', evScopeAll: 'Scope: nationwide',
    evMethodTitle: 'Method', evMethod: 'Each person takes the same quiz before and after the content. The bot counts only the pair of scores (first, second) of each run, never a name, id or account, so nobody’s answers can be traced. The gain is the mean difference (after − before) with a 95 % confidence interval (normal approximation); the share who improved has a 95 % Wilson interval. Results appear from 10 pairs on; a group (province, age band, choice) of fewer than 10 people reads “fewer than 10”.',
    evQuiz: 'Quiz before and after', evPairs: 'Before–after pairs', evPre: 'Mean score before', evPost: 'Mean score after', evGain: 'Mean gain', evImproved: 'Share who improved',
    evCi: '95 % CI: {low} – {high}', evNotEnough: 'Fewer than 10 pairs: no result yet.', evOutOf: 'of {n} questions',
    evQuestions: 'Right answers per question, before and after', evQuestion: 'Question', evBefore: 'Before', evAfter: 'After', evRightPct: '% right',
    evPoll: 'Poll', evChoice: 'Choice', evPeople: 'People', evByProvince: 'By province', evByAge: 'By age band', evProvince: 'Province', evAge: 'Age band', evAnswers: 'Answers',
    evFewer: 'fewer than 10', evStories: 'Story choices', evScene: 'Scene', evTimes: 'Times chosen', evFeedback: 'How the content felt', evFeel: 'Feeling',
    fb_useful: 'Useful', fb_ok: 'Okay', fb_not_useful: 'Not useful',
    evRefs: 'Posters by place', evRefsHint: 'Each poster carries a code of its own for one place; the bot counts conversations started, quizzes completed and tips sent from it, nothing more.',
    evPlace: 'Place', evRef: 'Code', evStarts: 'Started', evQuizzes: 'Quizzes completed', evTips: 'Tips', evPoster: 'Print poster', evPosterAll: 'Poster for everywhere (no place)',
    evNewRef: 'Make a poster for a place', evPlaceHint: 'e.g. THCS Lê Lợi, TP Vinh', evCreate: 'Create', evCreated: 'Code {ref} made for {place}.', evNoRefs: 'No poster for a place yet.',
    evRefDays: 'Conversations started from posters, per day', evDay: 'Day', altRefDays: 'Stacked bar chart: conversations started from each poster per day, {total} in total.',
    evNoData: 'No data in this range yet.', evTable: 'Show as a table',
    age_under_15: 'Under 15', age_15_17: '15–17', age_18_24: '18–24', age_25_34: '25–34', age_35_plus: '35 or older', age_unknown: 'Not given',
    evUnknownPlace: 'Not given', altPrePost: 'Bar chart: mean score before {pre} and after {post}.', evAltQuestions: 'Bar chart: share of right answers per question before and after. {list}.', altPoll: 'Bar chart: people per choice. {list}.',
    posterScan: 'Scan to chat with Bình An anonymously', posterAnon: 'No name, no phone number needed. In danger now: call {numbers}.',
    posterType: 'On Zalo: follow Bình An, then type “{words}”', posterWeb: 'Browser', posterBack: '← Back to the evaluation', posterPrint: 'Print poster', posterPlace: 'Place: {place}',
    pch_telegram: 'Telegram', pch_messenger: 'Messenger', pch_zalo: 'Zalo', pch_web: 'Web browser',
  },
});

const ev = { list: null, id: null, report: null, from: '', to: '', poster: null, loading: false };
let charts = [];
let pending = [];
const destroyCharts = () => { for (const c of charts) c.destroy(); charts = []; pending = []; };

onLeave(() => { destroyCharts(); });
onRender(() => {
  const todo = pending;
  pending = [];
  for (const { canvas, config } of todo) if (canvas.isConnected) charts.push(new Chart(canvas, config));
});
// A printed report shows every table (they are folded on screen).
window.addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('.eval-page details')) d.open = true; });

const L = (o) => (o ? o[getLang()] ?? o.vi : '');
const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const num = (n, digits = 0) => Number(n).toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x) => `${num(x * 100, 1)} %`;
const bucketText = (b) => (b && 'n' in b ? num(b.n) : t('evFewer'));
const BRAND = '#0f6e5a';
const BEFORE = '#E69F00';
const AFTER = '#0072B2';

// ---------------------------------------------------------------- data

function rangeQuery(extra = {}) {
  const q = new URLSearchParams(extra);
  if (ev.from) q.set('from', ev.from);
  if (ev.to) q.set('to', ev.to);
  return q.toString();
}

function loadList() {
  return busy(async () => {
    try { ev.list = (await api('GET', '/campaigns')).items; state.msg = null; } catch (e) { if (e.status === 401) return; state.msg = errorText(e); }
    if (state.view === 'evaluation') render();
  });
}

function loadReport() {
  return busy(async () => {
    ev.loading = true;
    try {
      const r = await api('GET', `/campaigns/${encodeURIComponent(ev.id)}/evaluation?${rangeQuery()}`);
      Object.assign(ev, { report: r, from: r.from, to: r.to });
      state.msg = null;
    } catch (e) { if (e.status === 401) { ev.loading = false; return; } state.msg = errorText(e); }
    ev.loading = false;
    if (state.view === 'evaluation') render();
  });
}

function openCampaign(id) {
  Object.assign(ev, { id, report: null, from: '', to: '' });
  render();
  loadReport();
}

function openPoster(ref) {
  return busy(async () => {
    try {
      ev.poster = await api('GET', `/campaigns/${encodeURIComponent(ev.id)}/poster${ref ? `?ref=${encodeURIComponent(ref)}` : ''}`);
      state.msg = null;
    } catch (e) { state.msg = errorText(e); }
    render();
  });
}

// ---------------------------------------------------------------- parts

function chartBox(id, alt, config, height = 260) {
  const canvas = h('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': alt });
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  pending.push({ canvas, config });
  return box;
}

function dataTable(caption, head, rows, open = false) {
  return h('details', { class: 'chart-table', open: open || null },
    h('summary', { text: t('evTable') }),
    h('table', {},
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x, i) => (i === 0 ? h('th', { scope: 'row', text: x }) : h('td', { text: x }))))))));
}

function card(id, title, ...body) {
  return h('section', { class: 'card chart-card', id: `ev-${id}`, 'aria-labelledby': `evh-${id}` }, h('h2', { id: `evh-${id}`, text: title }), ...body);
}

const barOptions = (extra = {}) => ({ animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: true, position: 'bottom' } }, ...extra });

function figure(label, value, note) {
  return h('div', { class: 'big-figure' }, h('span', { class: 'big-label', text: label }), h('strong', { class: 'big-value', text: value }), note ? h('span', { class: 'big-note', text: note }) : null);
}

function quizCard(r) {
  const q = r.quiz;
  if (!q) return null;
  const enough = q.preMean !== undefined;
  const figures = h('div', { class: 'ev-figures' },
    figure(t('evPairs'), bucketText(q.pairs)),
    enough ? figure(t('evPre'), num(q.preMean, 2), fill('evOutOf', { n: q.questions })) : null,
    enough ? figure(t('evPost'), num(q.postMean, 2), fill('evOutOf', { n: q.questions })) : null,
    enough && q.gain ? figure(t('evGain'), `${q.gain.mean >= 0 ? '+' : ''}${num(q.gain.mean, 2)}`, fill('evCi', { low: num(q.gain.low, 2), high: num(q.gain.high, 2) })) : null,
    enough ? figure(t('evImproved'), pct(q.improved.share), fill('evCi', { low: pct(q.improved.interval.low), high: pct(q.improved.interval.high) })) : null);
  const parts = [figures];
  if (!enough) parts.push(h('p', { class: 'empty', text: t('evNotEnough') }));
  else {
    parts.push(chartBox('prepost', fill('altPrePost', { pre: num(q.preMean, 2), post: num(q.postMean, 2) }), {
      type: 'bar',
      data: { labels: [t('evPre'), t('evPost')], datasets: [{ label: fill('evOutOf', { n: q.questions }), data: [q.preMean, q.postMean], backgroundColor: [BEFORE, AFTER] }] },
      options: barOptions({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: q.questions } } }),
    }, 200));
    parts.push(dataTable(t('evQuiz'), ['', t('evPre'), t('evPost'), t('evGain')], [[t('evPairs'), num(q.preMean, 2), num(q.postMean, 2), q.gain ? num(q.gain.mean, 2) : '–']]));
  }
  return card('quiz', t('evQuiz'), ...parts);
}

function questionsCard(r) {
  const q = r.quiz;
  if (!q || !q.perQuestion.length) return null;
  const share = (x) => (x.total ? x.right / x.total : 0);
  const labels = q.perQuestion.map((x, i) => `${i + 1}. ${x.id}`);
  const list = q.perQuestion.map((x, i) => `${labels[i]}: ${pct(share(x.pre))} → ${pct(share(x.post))}`).join('; ');
  return card('questions', t('evQuestions'),
    chartBox('questions', fill('evAltQuestions', { list }), {
      type: 'bar',
      data: { labels, datasets: [
        { label: t('evBefore'), data: q.perQuestion.map((x) => Math.round(share(x.pre) * 1000) / 10), backgroundColor: BEFORE },
        { label: t('evAfter'), data: q.perQuestion.map((x) => Math.round(share(x.post) * 1000) / 10), backgroundColor: AFTER },
      ] },
      options: barOptions({ scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: t('evRightPct') } } } }),
    }),
    dataTable(t('evQuestions'), [t('evQuestion'), t('evBefore'), t('evAfter')], q.perQuestion.map((x, i) => [
      `${i + 1}. ${L(x.text)}`, x.pre.total ? `${pct(share(x.pre))} (${num(x.pre.right)}/${num(x.pre.total)})` : '–', x.post.total ? `${pct(share(x.post))} (${num(x.post.right)}/${num(x.post.total)})` : '–',
    ])));
}

function pollCard(p, i) {
  const shownN = (b) => ('n' in b ? b.n : 0);
  const list = p.choices.map((c) => `${L(c.label)}: ${bucketText(c.total)}`).join('; ');
  const groupTable = (caption, rows, key, label) => dataTable(caption, [label, t('evAnswers'), ...p.choices.map((c) => L(c.label))],
    rows.map((row) => [label === t('evAge') ? t(`age_${row[key]}`) : (row[key] === 'unknown' ? t('evUnknownPlace') : row[key]), bucketText(row.answers), ...p.choices.map((c) => bucketText(row.choices[c.value]))]));
  return card(`poll-${i}`, `${t('evPoll')}: ${L(p.question)}`,
    chartBox(`poll-${i}`, fill('altPoll', { list }), {
      type: 'bar',
      data: { labels: p.choices.map((c) => L(c.label)), datasets: [{ label: t('evPeople'), data: p.choices.map((c) => shownN(c.total)), backgroundColor: BRAND }] },
      options: barOptions({ indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }),
    }, Math.max(140, 50 + 34 * p.choices.length)),
    dataTable(L(p.question), [t('evChoice'), t('evPeople')], p.choices.map((c) => [L(c.label), bucketText(c.total)])),
    h('h3', { text: t('evByProvince') }), groupTable(`${L(p.question)} – ${t('evByProvince')}`, p.byProvince, 'province', t('evProvince')),
    h('h3', { text: t('evByAge') }), groupTable(`${L(p.question)} – ${t('evByAge')}`, p.byAge, 'age', t('evAge')));
}

function storiesCard(r) {
  if (!r.stories.length) return null;
  return card('stories', t('evStories'), r.stories.map((s) => dataTable(L(s.title), [t('evScene'), t('evChoice'), t('evTimes')],
    s.choices.map((c) => [c.scene, L(c.label), num(c.n)]))));
}

function feedbackCard(r) {
  const keys = Object.keys(r.feedback);
  if (!keys.length) return null;
  return card('feedback', t('evFeedback'), dataTable(t('evFeedback'), [t('evFeel'), t('evPeople')], keys.map((k) => [t(`fb_${k}`), num(r.feedback[k])]), true));
}

/** Conversations started from each poster, per day (stacked bars), with its table. */
function refDays(rows) {
  const used = rows.filter((x) => x.byDay.some((d) => d.start > 0));
  if (!used.length) return null;
  const days = [...new Set(used.flatMap((x) => x.byDay.map((d) => d.day)))].sort();
  const startOn = (x, day) => x.byDay.find((d) => d.day === day)?.start ?? 0;
  const colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7f7f7f'];
  const total = used.reduce((n, x) => n + x.start, 0);
  return [
    h('h3', { text: t('evRefDays') }),
    chartBox('refdays', fill('altRefDays', { total: num(total) }), {
      type: 'bar',
      data: { labels: days, datasets: used.map((x, i) => ({ label: x.place, data: days.map((d) => startOn(x, d)), backgroundColor: colours[i % colours.length] })) },
      options: barOptions({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }),
    }, 220),
    dataTable(t('evRefDays'), [t('evDay'), ...used.map((x) => x.place)], days.map((d) => [d, ...used.map((x) => num(startOn(x, d)))])),
  ];
}

function refsCard(r) {
  const rows = r.refs;
  const table = rows.length
    ? h('table', { class: 'ref-table' },
      h('caption', { text: t('evRefs') }),
      h('thead', {}, h('tr', {}, [t('evPlace'), t('evRef'), t('evStarts'), t('evQuizzes'), t('evTips'), ''].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, rows.map((x) => h('tr', {},
        h('th', { scope: 'row', text: x.place }), h('td', { text: x.ref }), h('td', { text: num(x.start) }), h('td', { text: num(x.quiz) }), h('td', { text: bucketText(x.tip) }),
        h('td', { class: 'no-print' }, h('button', { type: 'button', class: 'poster-btn', 'data-ref': x.ref, 'aria-label': `${t('evPoster')} – ${x.place}`, text: t('evPoster'), onclick: () => openPoster(x.ref) }))))))
    : h('p', { class: 'empty', text: t('evNoRefs') });
  let form = null;
  if (isSupervisor()) {
    form = h('form', { id: 'new-ref', class: 'filters no-print', 'aria-label': t('evNewRef') },
      field('ref-place', t('evNewRef'), h('input', { name: 'place', required: true, minlength: 2, maxlength: 80, placeholder: t('evPlaceHint') })),
      h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary', text: t('evCreate') })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const place = form.querySelector('#ref-place').value.trim();
      busy(async () => {
        try {
          const rec = await api('POST', `/campaigns/${encodeURIComponent(ev.id)}/refs`, { place });
          flash(fill('evCreated', { ref: rec.ref, place: rec.place }), 'info');
          await loadReport();
        } catch (err) { state.msg = errorText(err); render(); }
      });
    });
  }
  return card('refs', t('evRefs'), h('p', { class: 'hint', text: t('evRefsHint') }), table, refDays(rows),
    h('p', { class: 'no-print' }, h('button', { type: 'button', id: 'poster-all', text: t('evPosterAll'), onclick: () => openPoster(null) })), form);
}

// ---------------------------------------------------------------- views

function listView() {
  const items = ev.list ?? [];
  return h('section', { class: 'eval-page' },
    h('h1', { text: t('evTitle') }),
    h('p', { class: 'hint', text: t('evHint') }),
    items.length ? h('table', { class: 'campaign-list' },
      h('caption', { class: 'sr-only', text: t('evTitle') }),
      h('thead', {}, h('tr', {}, [t('evCampaign'), t('evDates'), t('evReached'), t('evCompleted'), ''].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, items.map((c) => h('tr', {},
        h('th', { scope: 'row', text: L(c.title) }), h('td', { text: `${c.dates.from} – ${c.dates.to}` }), h('td', { text: num(c.reached) }), h('td', { text: num(c.completed) }),
        h('td', {}, h('button', { type: 'button', class: 'open-campaign', 'data-id': c.id, 'aria-label': `${t('evOpen')} – ${L(c.title)}`, text: t('evOpen'), onclick: () => openCampaign(c.id) }))))))
      : h('p', { class: 'empty', text: ev.list ? t('evNoData') : t('loading') }));
}

function rangeForm() {
  const form = h('form', { id: 'ev-range', class: 'filters no-print', 'aria-label': t('evDates') },
    field('ev-from', t('from'), h('input', { type: 'date', value: ev.from, required: true })),
    field('ev-to', t('to'), h('input', { type: 'date', value: ev.to, required: true })),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary', text: t('evShow') })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(ev, { from: form.querySelector('#ev-from').value, to: form.querySelector('#ev-to').value });
    loadReport();
  });
  return form;
}

function reportView() {
  const r = ev.report;
  const head = h('div', { class: 'title-row' },
    h('h1', { text: r ? `${t('evTitle')}: ${L(r.title)}` : t('evTitle') }),
    h('span', { class: 'no-print ev-actions' },
      h('button', { type: 'button', id: 'ev-back', text: t('evBack'), onclick: () => { Object.assign(ev, { id: null, report: null }); render(); loadList(); } }),
      r ? h('a', { class: 'button', id: 'ev-csv', href: `${API}/campaigns/${encodeURIComponent(ev.id)}/evaluation.csv?${rangeQuery()}`, download: '', text: t('evCsv') }) : null,
      r ? h('button', { type: 'button', id: 'ev-print', text: t('evPrint'), onclick: () => { for (const d of document.querySelectorAll('.eval-page details')) d.open = true; window.print(); } }) : null));
  if (!r) return h('section', { class: 'eval-page' }, head, h('p', { class: 'empty', text: t('loading') }));
  const nothing = r.reached === 0 && !r.refs.length;
  return h('section', { class: 'eval-page report' },
    head,
    h('p', { class: 'period', text: fill('evPeriod', { from: r.from, to: r.to }) }),
    h('p', { class: 'scope', text: r.scope ? fill('evScopeOne', { province: r.scope }) : t('evScopeAll') }),
    rangeForm(),
    h('div', { class: 'ev-figures' }, figure(t('evReached'), num(r.reached)), figure(t('evCompleted'), num(r.completed))),
    nothing ? h('p', { class: 'empty', text: t('evNoData') }) : null,
    h('div', { class: 'charts' }, quizCard(r), questionsCard(r), ...r.polls.map(pollCard), storiesCard(r), feedbackCard(r), refsCard(r)),
    h('section', { class: 'card method', 'aria-labelledby': 'evh-method' }, h('h2', { id: 'evh-method', text: t('evMethodTitle') }), h('p', { text: t('evMethod') })));
}

function posterView() {
  const p = ev.poster;
  const zalo = p.links.find((l) => l.channel === 'zalo');
  return h('div', { class: 'poster-wrap' },
    h('p', { class: 'no-print poster-actions' },
      h('button', { type: 'button', id: 'poster-back', text: t('posterBack'), onclick: () => { ev.poster = null; render(); } }),
      h('button', { type: 'button', id: 'poster-print', class: 'primary', text: t('posterPrint'), onclick: () => window.print() })),
    h('article', { class: 'poster', 'aria-labelledby': 'poster-title' },
      h('p', { class: 'poster-brand', text: 'Bình An' }),
      h('h1', { id: 'poster-title', text: L(p.title) }),
      h('p', { class: 'poster-summary', text: L(p.summary) }),
      h('p', { class: 'poster-scan', text: t('posterScan') }),
      h('ul', { class: 'poster-codes' }, p.links.map((l) => h('li', { class: `poster-code ch-${l.channel}` },
        h('img', { src: l.qr, alt: `${t(`pch_${l.channel}`)}: ${l.url}`, width: 180, height: 180, 'data-url': l.url, 'data-channel': l.channel }),
        h('strong', { text: t(`pch_${l.channel}`) }),
        h('span', { class: 'poster-url', text: l.url.replace(/^https?:\/\//, '') })))),
      zalo && p.trigger ? h('p', { class: 'poster-type', text: fill('posterType', { words: p.trigger }) }) : null,
      h('p', { class: 'poster-anon', text: fill('posterAnon', { numbers: (p.emergency ?? []).join(' · ') }) }),
      p.place ? h('p', { class: 'poster-place', text: fill('posterPlace', { place: p.place }) }) : null));
}

function evaluationView() {
  destroyCharts();
  document.body.classList.toggle('printing-poster', !!ev.poster);
  if (ev.poster) return posterView();
  return ev.id ? reportView() : listView();
}

onLeave(() => { ev.poster = null; document.body.classList.remove('printing-poster'); });

page('evaluation', {
  view: evaluationView, nav: 'navEval', roles: ['officer', 'supervisor', 'admin'], order: 35,
  enter: () => (ev.id ? loadReport() : loadList()),
});
