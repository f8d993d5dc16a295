// The statistics page, for the programme's evaluation: tips per week by category, tips by province,
// the case status funnel with the median time to triage, and anonymous question counts per topic.
// Aggregates only (the API never sends a case, a text or an id). Charts are drawn with Chart.js,
// bundled at build time into ./vendor/ (no CDN); each chart has a text alternative (aria-label and a
// data table) and a CSV download of its data. Animations are off.
import { Chart } from './vendor/chart.js';
import { t, addStrings, getLang, CATEGORIES, STATUSES } from './i18n.js';
import { API, state, h, api, busy, errorText, field, page, render, onLeave, onRender } from './core.js';

addStrings({
  vi: {
    navStats: 'Thống kê', statsTitle: 'Thống kê', statsHint: 'Chỉ có số liệu tổng hợp: không có nội dung tin báo, mã tin hay danh tính của ai.',
    statsScopeAll: 'Phạm vi: mọi tỉnh/thành', statsScopeOne: 'Phạm vi: {province}', statsRange: 'Khoảng thời gian',
    statsShow: 'Xem thống kê', statsDefault: '12 tuần gần nhất', statsFromAfterTo: '“Từ ngày” phải trước hoặc bằng “Đến ngày”.',
    statsNoData: 'Không có dữ liệu trong khoảng thời gian này.', statsCsv: 'Tải CSV', statsTable: 'Xem dạng bảng', statsTotal: 'Tổng',
    chWeekly: 'Số tin báo theo tuần và loại tin', chProvince: 'Số tin báo theo tỉnh/thành', chFunnel: 'Tiến trình xử lý tin báo',
    chQuestions: 'Câu hỏi ẩn danh theo chủ đề (từ bot)', chQuestionsHint: 'Chỉ đếm số lượt hỏi theo chủ đề trên toàn quốc; không lưu nội dung câu hỏi hay người hỏi.',
    weekStarting: 'Tuần bắt đầu', tips: 'Số tin', questions: 'Số câu hỏi', topic: 'Chủ đề', stage: 'Giai đoạn', reached: 'Số tin đã tới',
    funnelHint: 'Mỗi cột: số tin đã tới giai đoạn đó hoặc xa hơn.', closedBy: 'Đã đóng theo kết quả xử lý',
    medianTriage: 'Thời gian trung vị đến khi được xử lý', medianOver: 'tính trên {n} tin đã được nhận hoặc phân loại; {waiting} tin còn chờ',
    medianNone: 'Chưa có tin nào được xử lý trong khoảng thời gian này.',
    u_day: 'ngày', u_hour: 'giờ', u_min: 'phút', lessThanMin: 'dưới 1 phút',
    altWeekly: 'Biểu đồ cột chồng: số tin báo mỗi tuần theo loại tin, tổng {total} tin.',
    altProvince: 'Biểu đồ cột ngang: số tin báo theo tỉnh/thành. {list}.',
    altFunnel: 'Biểu đồ cột ngang: số tin đã tới từng giai đoạn xử lý. {list}.',
    altQuestions: 'Biểu đồ cột: số câu hỏi ẩn danh theo chủ đề. {list}.',
  },
  en: {
    navStats: 'Statistics', statsTitle: 'Statistics', statsHint: 'Aggregates only: no tip text, no reference codes, nobody’s identity.',
    statsScopeAll: 'Scope: every province', statsScopeOne: 'Scope: {province}', statsRange: 'Date range',
    statsShow: 'Show statistics', statsDefault: 'Last 12 weeks', statsFromAfterTo: '“From” must be on or before “To”.',
    statsNoData: 'No data in this range.', statsCsv: 'Download CSV', statsTable: 'Show as a table', statsTotal: 'Total',
    chWeekly: 'Tips per week by category', chProvince: 'Tips by province', chFunnel: 'Case status funnel',
    chQuestions: 'Anonymous questions per topic (from the bot)', chQuestionsHint: 'Counts of questions per topic, nationwide; no question text and nobody’s identity is kept.',
    weekStarting: 'Week starting', tips: 'Tips', questions: 'Questions', topic: 'Topic', stage: 'Stage', reached: 'Tips that reached it',
    funnelHint: 'Each bar: tips that reached that stage or went further.', closedBy: 'Closed, by disposition',
    medianTriage: 'Median time to triage', medianOver: 'over {n} tips claimed or triaged; {waiting} still waiting',
    medianNone: 'No tip was triaged in this range yet.',
    u_day: 'd', u_hour: 'h', u_min: 'min', lessThanMin: 'under 1 min',
    altWeekly: 'Stacked bar chart: tips per week by category, {total} in total.',
    altProvince: 'Horizontal bar chart: tips by province. {list}.',
    altFunnel: 'Horizontal bar chart: tips that reached each stage. {list}.',
    altQuestions: 'Bar chart: anonymous questions per topic. {list}.',
  },
});

/** Category colours (Okabe–Ito: told apart with colour-blindness too), in CATEGORIES order. */
const CATEGORY_COLOURS = ['#0072B2', '#D55E00', '#CC79A7', '#E69F00', '#009E73', '#7f7f7f'];
const BRAND = '#0f6e5a';
const QUESTION_COLOUR = '#0072B2';

const stats = { from: '', to: '', report: null, loading: false };
/** Chart instances on the page now; destroyed before the page is drawn again or left. */
let charts = [];
/** Canvases waiting for their chart: drawn once they are in the document (after render). */
let pending = [];

function destroyCharts() {
  for (const c of charts) c.destroy();
  charts = [];
  pending = [];
}

onLeave(() => {
  destroyCharts();
  // Another page, or signing out: the report is loaded afresh next time (the chosen range stays).
  stats.report = null;
});

onRender(() => {
  const todo = pending;
  pending = [];
  for (const { canvas, config } of todo) if (canvas.isConnected) charts.push(new Chart(canvas, config));
});

const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const num = (n) => Number(n).toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB');
const catLabel = (c) => t(`c_${c}`);
const topicLabel = (q) => q.label?.[getLang()] ?? q.intent;

function weekLabel(start, withYear) {
  const [y, m, d] = start.split('-');
  return withYear ? `${d}/${m}/${y.slice(2)}` : `${d}/${m}`;
}

function duration(ms) {
  const min = Math.round(ms / 60_000);
  if (min < 1) return t('lessThanMin');
  const d = Math.floor(min / 1440);
  const hr = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const parts = [];
  if (d) parts.push(`${d} ${t('u_day')}`);
  if (hr) parts.push(`${hr} ${t('u_hour')}`);
  if (m && !d) parts.push(`${m} ${t('u_min')}`);
  return parts.join(' ');
}

// ---------------------------------------------------------------- data

function rangeQuery(extra = {}) {
  const q = new URLSearchParams(extra);
  if (stats.from) q.set('from', stats.from);
  if (stats.to) q.set('to', stats.to);
  return q.toString();
}

function load() {
  return busy(async () => {
    stats.loading = true;
    if (state.view === 'stats') render();
    try {
      const r = await api('GET', `/stats/report?${rangeQuery()}`);
      Object.assign(stats, { report: r, from: r.from, to: r.to });
      state.msg = null;
    } catch (e) {
      if (e.status === 401) { stats.loading = false; return; }
      state.msg = errorText(e);
    }
    stats.loading = false;
    if (state.view === 'stats') render();
  });
}

function enterStats() {
  return load();
}

// ---------------------------------------------------------------- charts

/** Options shared by every chart: no animation, fixed-height box, readable ticks. */
function baseOptions(extra = {}) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: false }, tooltip: { enabled: true } },
    ...extra,
  };
}

/** A canvas for a chart, drawn after render; its box gets a height that fits the bars. */
function chartBox(id, alt, config, height = 320) {
  const canvas = h('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': alt });
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  pending.push({ canvas, config });
  return box;
}

function dataTable(caption, head, rows) {
  return h('details', { class: 'chart-table' },
    h('summary', { text: t('statsTable') }),
    h('table', {},
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x, i) => (i === 0 ? h('th', { scope: 'row', text: x }) : h('td', { text: x }))))))));
}

function card(id, title, csvChart, body, hint) {
  return h('section', { class: 'card chart-card', id: `card-${id}`, 'aria-labelledby': `h-${id}` },
    h('div', { class: 'title-row' },
      h('h2', { id: `h-${id}`, text: title }),
      h('a', {
        class: 'button csv', id: `csv-${id}`, href: `${API}/stats/report.csv?${rangeQuery({ chart: csvChart })}`, download: '',
        'aria-label': `${t('statsCsv')} – ${title}`, text: t('statsCsv'),
      })),
    hint ? h('p', { class: 'hint', text: hint }) : null,
    body);
}

const noData = () => h('p', { class: 'empty no-data', text: t('statsNoData') });

function weeklyCard(r) {
  const title = t('chWeekly');
  if (r.total === 0) return card('weekly', title, 'weekly', noData());
  const years = new Set(r.weekly.weeks.map((w) => w.start.slice(0, 4)));
  const labels = r.weekly.weeks.map((w) => weekLabel(w.start, years.size > 1));
  const series = r.weekly.series.filter((s) => s.counts.some((n) => n > 0));
  const config = {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s) => ({
        label: catLabel(s.category), data: s.counts,
        backgroundColor: CATEGORY_COLOURS[CATEGORIES.indexOf(s.category)] ?? BRAND,
      })),
    },
    options: baseOptions({
      plugins: { legend: { display: true, position: 'bottom' }, tooltip: { mode: 'index', intersect: false } },
      scales: {
        x: { stacked: true, title: { display: true, text: t('weekStarting') } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('tips') } },
      },
    }),
  };
  const table = dataTable(title, [t('weekStarting'), ...series.map((s) => catLabel(s.category)), t('statsTotal')],
    r.weekly.weeks.map((w, i) => [weekLabel(w.start, true), ...series.map((s) => num(s.counts[i])), num(series.reduce((n, s) => n + s.counts[i], 0))]));
  return card('weekly', title, 'weekly', [chartBox('weekly', fill('altWeekly', { total: num(r.total) }), config), table]);
}

function provinceCard(r) {
  const title = t('chProvince');
  if (!r.provinces.length) return card('province', title, 'province', noData());
  const config = {
    type: 'bar',
    data: { labels: r.provinces.map((p) => p.province), datasets: [{ label: t('tips'), data: r.provinces.map((p) => p.count), backgroundColor: BRAND }] },
    options: baseOptions({ indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } } }),
  };
  const list = r.provinces.map((p) => `${p.province}: ${num(p.count)}`).join('; ');
  return card('province', title, 'province', [
    chartBox('province', fill('altProvince', { list }), config, Math.max(160, 60 + 26 * r.provinces.length)),
    dataTable(title, [t('province'), t('tips')], r.provinces.map((p) => [p.province, num(p.count)])),
  ]);
}

function triageFigure(r) {
  const tr = r.triage;
  return h('div', { class: 'big-figure', id: 'median-triage' },
    h('span', { class: 'big-label', text: t('medianTriage') }),
    tr.medianMs === null
      ? h('span', { class: 'big-note', text: t('medianNone') })
      : [h('strong', { class: 'big-value', text: duration(tr.medianMs) }),
        h('span', { class: 'big-note', text: fill('medianOver', { n: num(tr.cases), waiting: num(tr.waiting) }) })]);
}

function funnelCard(r) {
  const title = t('chFunnel');
  if (r.total === 0) return card('funnel', title, 'funnel', noData());
  const stages = r.funnel.stages.filter((s) => STATUSES.includes(s.status));
  const config = {
    type: 'bar',
    data: {
      labels: stages.map((s) => t(`s_${s.status}`)),
      datasets: [{ label: t('reached'), data: stages.map((s) => s.reached), backgroundColor: ['#0f6e5a', '#2a8370', '#479886', '#66ad9c', '#86c2b3'] }],
    },
    options: baseOptions({ indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } } }),
  };
  const list = stages.map((s) => `${t(`s_${s.status}`)}: ${num(s.reached)}`).join('; ');
  const closed = r.funnel.closedBy.length
    ? h('div', { class: 'closed-by' }, h('h3', { text: t('closedBy') }),
      h('ul', {}, r.funnel.closedBy.map((d) => h('li', {}, h('span', { text: t(`d_${d.disposition}`) }), ' ', h('strong', { text: num(d.count) })))))
    : null;
  return card('funnel', title, 'funnel', [
    h('div', { class: 'funnel-row' },
      h('div', { class: 'funnel-chart' }, chartBox('funnel', fill('altFunnel', { list }), config, 240)),
      h('div', { class: 'funnel-side' }, triageFigure(r), closed)),
    dataTable(title, [t('stage'), t('reached')], stages.map((s) => [t(`s_${s.status}`), num(s.reached)])),
  ], t('funnelHint'));
}

function questionsCard(r) {
  const title = t('chQuestions');
  if (!r.questions.length) return card('questions', title, 'questions', noData(), t('chQuestionsHint'));
  const config = {
    type: 'bar',
    data: { labels: r.questions.map(topicLabel), datasets: [{ label: t('questions'), data: r.questions.map((q) => q.count), backgroundColor: QUESTION_COLOUR }] },
    options: baseOptions({ indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } } }),
  };
  const list = r.questions.map((q) => `${topicLabel(q)}: ${num(q.count)}`).join('; ');
  return card('questions', title, 'questions', [
    chartBox('questions', fill('altQuestions', { list }), config, Math.max(160, 60 + 26 * r.questions.length)),
    dataTable(title, [t('topic'), t('questions')], r.questions.map((q) => [topicLabel(q), num(q.count)])),
  ], t('chQuestionsHint'));
}

// ---------------------------------------------------------------- page

function rangeForm() {
  const form = h('form', { id: 'stats-range', class: 'filters', 'aria-label': t('statsRange') },
    field('s-from', t('from'), h('input', { type: 'date', value: stats.from, required: true })),
    field('s-to', t('to'), h('input', { type: 'date', value: stats.to, required: true })),
    h('div', { class: 'field buttons' },
      h('button', { type: 'submit', class: 'primary', text: t('statsShow') }),
      h('button', { type: 'button', id: 's-default', text: t('statsDefault'), onclick: () => { stats.from = ''; stats.to = ''; load(); } })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const from = form.querySelector('#s-from').value;
    const to = form.querySelector('#s-to').value;
    if (from && to && from > to) {
      state.msg = t('statsFromAfterTo');
      render();
      return;
    }
    Object.assign(stats, { from, to });
    load();
  });
  return form;
}

function statsView() {
  destroyCharts();
  const r = stats.report;
  const scope = state.me?.province ? fill('statsScopeOne', { province: state.me.province }) : t('statsScopeAll');
  return h('section', { class: 'stats-page' },
    h('div', { class: 'title-row' }, h('h1', { text: t('statsTitle') }), h('span', { class: 'scope', text: scope })),
    h('p', { class: 'hint', text: t('statsHint') }),
    rangeForm(),
    r ? h('div', { class: 'charts' }, weeklyCard(r), provinceCard(r), funnelCard(r), questionsCard(r))
      : h('p', { class: 'empty', text: stats.loading ? t('loading') : t('statsNoData') }));
}

page('stats', { view: statsView, nav: 'navStats', roles: ['officer', 'supervisor', 'admin'], order: 30, enter: enterStats });
