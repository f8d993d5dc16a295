// The officers' dashboard: sign-in, queue, case page. Plain DOM, text only (never innerHTML for data).
// The session lives in an HttpOnly cookie; the CSRF token and the open case live in memory only —
// nothing about a case goes into the URL, localStorage or sessionStorage.
import { t, tOr, getLang, setLang, addStrings, STATUSES, PRIORITIES, CATEGORIES, DISPOSITIONS } from './i18n.js';
import { TIP_FIELDS } from './tip-fields.js';
import { API, $, state, busy, h, api, activity, expire, errorText, flash, fmt, isSupervisor, field, select, page, go, render, homeOf, onLeave } from './core.js';
import { onCase, setOpener, seen, alertSettings } from './alerts.js';
import { printSheet } from './print.js';
import './shortcuts.js';
import './session-timer.js';
import './live.js';
import './stats.js';
import './evaluation.js';
import './campaigns.js';
import './admin.js';

addStrings({
  vi: {
    floodFlag: 'Có thể là tin dồn dập ({n} tin giống nhau trong 1 giờ)',
    floodNote: 'Có {n} tin gần như giống hệt nhau được gửi trong vòng 1 giờ: có thể là một người gửi lặp lại cùng một tin. Hãy xem và đánh giá các tin này cùng nhau; không tin nào bị ẩn hay xóa.',
  },
  en: {
    floodFlag: 'Possible flood ({n} similar tips within an hour)',
    floodNote: '{n} nearly identical tips came within an hour: they may be one person repeating the same tip. Read and judge them together; none has been hidden or deleted.',
  },
});
/** "Possible flood" text for a case's flood size (the server sends 0 when there is none). */
const floodText = (key, n) => t(key).replace('{n}', String(n));

/** Received after the officer's previous sign-in (the server keeps that time; nothing in the browser). */
const isNew = (c) => !!state.me?.lastVisitAt && c.createdAt > state.me.lastVisitAt;
const officerName = (c, id) => (id === 'reporter' ? t('reporter') : id === 'system' ? t('system') : c?.officers?.[id]?.displayName || c?.officers?.[id]?.username || id);

// ---------------------------------------------------------------- sign-in and password

function loginView() {
  const form = h('form', { id: 'login-form', class: 'card narrow', autocomplete: 'on' },
    h('h1', { text: t('signIn') }),
    field('username', t('username'), h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 64 })),
    field('password', t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit', class: 'primary', text: t('signIn') }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const res = await api('POST', '/login', { username: $('#username').value, password: $('#password').value });
      started(res, null);
    } catch (e) {
      state.msg = errorText(e);
      flash(state.msg, 'error');
    }
  });
  return form;
}

function started(res, msg) {
  state.me = res.officer;
  state.csrf = res.csrfToken;
  state.session = res.session ?? null;
  activity.at = Date.now();
  state.msg = msg;
  if (state.me.mustChangePassword) { state.view = 'password'; state.msg = { text: t('mustChange'), kind: 'info' }; render(); return; }
  state.filters = {};
  if (resumeCase()) return;
  const keep = state.msg;
  go(homeOf(state.me.role));
  if (keep) { state.msg = keep; render(); }
}

function passwordView() {
  const form = h('form', { id: 'password-form', class: 'card narrow' },
    h('h1', { text: t('changePw') }),
    field('pw-current', t('current'), h('input', { type: 'password', autocomplete: 'current-password', required: true })),
    field('pw-next', t('next'), h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })),
    field('pw-next2', t('next2'), h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })),
    h('button', { type: 'submit', class: 'primary', text: t('changePw') }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if ($('#pw-next').value !== $('#pw-next2').value) { flash(t('mismatch'), 'error'); return; }
    try {
      const res = await api('POST', '/me/password', { current: $('#pw-current').value, next: $('#pw-next').value });
      started(res, { text: t('saved'), kind: 'info' });
    } catch (e) {
      if (e.status !== 401) flash(errorText(e), 'error');
    }
  });
  return form;
}

// ---------------------------------------------------------------- provinces (pickers)

const places = { provinces: null, other: [] };

/** The known province names, fetched once per page load. */
async function loadProvinces() {
  if (places.provinces) return;
  try {
    const res = await api('GET', '/provinces');
    places.provinces = res.provinces;
    places.other = res.other;
  } catch (e) {
    if (e.status === 401) throw e;
  }
}

/** A province picker: "any", then the known provinces (an officer scoped to one sees only theirs). */
function provinceSelect(id, label, current) {
  const scoped = state.me?.province;
  const main = scoped ? [scoped] : places.provinces ?? [];
  const other = scoped ? [] : places.other;
  const known = [...main, ...other];
  return field(id, label, h('select', {},
    h('option', { value: '', text: t('any') }),
    main.map((p) => h('option', { value: p, selected: p === current, text: p })),
    other.length ? h('optgroup', { label: t('otherPlaces') }, other.map((p) => h('option', { value: p, selected: p === current, text: p }))) : null,
    current && !known.includes(current) ? h('option', { value: current, selected: true, text: current }) : null));
}

// ---------------------------------------------------------------- queue

addStrings({
  vi: {
    v_open: 'Đang mở', v_mine: 'Của tôi', v_urgent: 'Khẩn cấp', v_closed: 'Đã đóng', v_all: 'Tất cả', views: 'Danh sách',
    search: 'Tìm kiếm', searchHint: 'Mã tin (BA-…) hoặc từ trong nội dung, câu trả lời, ghi chú; không cần gõ dấu.',
    order: 'Sắp xếp', o_queue: 'Khẩn trước, cũ trước', o_newest: 'Mới nhất trước', byRelevance: 'Kết quả tìm kiếm xếp theo mức khớp.',
    select: 'Chọn {ref}', selectedN: 'Đã chọn {n} tin', bulkAction: 'Làm với các tin đã chọn', bulkAssign: 'Giao cho…',
    bulkPriority: 'Đổi mức ưu tiên…', bulkClose: 'Đóng tin…', bulkValue: 'Giá trị', bulkApply: 'Áp dụng', bulkClear: 'Bỏ chọn',
    bulkDone: 'Đã xong {ok}/{n} tin.', bulkFailed: 'Không làm được: {list}.', bulkPick: 'Chọn việc và giá trị trước.',
    caseChanged: 'Hồ sơ này vừa được cập nhật ở nơi khác.',
    moveTo: 'Chuyển sang trạng thái', relatedElsewhere: 'ở tỉnh/thành khác', exportXlsx: 'Xuất Excel', exportXlsxOne: 'Tải tin này (Excel)',
  },
  en: {
    v_open: 'Open', v_mine: 'Mine', v_urgent: 'Urgent', v_closed: 'Closed', v_all: 'All', views: 'Lists',
    search: 'Search', searchHint: 'A code (BA-…) or words from the text, answers or notes; accents optional.',
    order: 'Sort', o_queue: 'Urgent first, oldest first', o_newest: 'Newest first', byRelevance: 'Search results are ordered by match.',
    select: 'Select {ref}', selectedN: '{n} selected', bulkAction: 'Do with the selected tips', bulkAssign: 'Assign to…',
    bulkPriority: 'Set priority…', bulkClose: 'Close…', bulkValue: 'Value', bulkApply: 'Apply', bulkClear: 'Clear selection',
    bulkDone: 'Done for {ok} of {n}.', bulkFailed: 'Not done: {list}.', bulkPick: 'Pick an action and a value first.',
    caseChanged: 'This case was just changed elsewhere.',
    moveTo: 'Move to status', relatedElsewhere: 'in another province', exportXlsx: 'Export Excel', exportXlsxOne: 'Download this tip (Excel)',
  },
});

const OPEN = STATUSES.filter((s) => s !== 'closed').join(',');
/** The saved views: each is a base query; the filters below narrow it (a status picked there wins). */
const VIEWS = {
  open: { status: OPEN },
  mine: { status: OPEN, mine: '1' },
  urgent: { status: OPEN, priority: 'urgent' },
  closed: { status: 'closed' },
  all: {},
};
const CODE = /^\s*BA-?[A-Za-z0-9]{6}\s*$/i;

/** A message to show over the queue once it has loaded (e.g. "this case no longer exists"). */
let queueNotice = null;
/** Supervisors' selection for bulk work: case id → reference code (memory only). */
const picked = new Map();
const bulk = { directory: null };

function enterQueue() {
  return busy(async () => {
    const known = places.provinces !== null;
    try { await loadProvinces(); } catch { return; }
    // The province picker is drawn with the form: once the names arrive, the page is drawn again.
    if (!known && state.view === 'queue') render();
    await loadQueueNow(false);
  });
}

function filterQuery(extra = {}) {
  const q = new URLSearchParams();
  const { view = 'open', search = '', ...rest } = state.filters;
  const words = search.trim();
  const fromSearch = words === '' ? {} : CODE.test(words) ? { ref: words.trim() } : { q: words };
  for (const [k, v] of Object.entries({ ...VIEWS[view], ...rest, ...fromSearch, ...extra })) if (v) q.set(k, v);
  return q.toString();
}

function loadQueue(more) {
  return busy(() => loadQueueNow(more));
}

async function loadQueueNow(more) {
  state.loading = true;
  if (queueNotice) state.msg = queueNotice;
  if (!more && state.view === 'queue' && !$('#queue-results')) render();
  try {
    const q = filterQuery({ order: state.filters.order || 'queue', limit: '25', ...(more && state.cursor ? { cursor: state.cursor } : {}) });
    const [page, stats] = await Promise.all([
      api('GET', `/cases?${q}`),
      more ? Promise.resolve(state.stats) : api('GET', `/stats?${filterQuery({ status: '', view: '' })}`).catch((e) => { if (e.status === 401) throw e; return null; }),
    ]);
    state.items = more ? [...state.items, ...page.items] : page.items;
    state.cursor = page.nextCursor;
    state.stats = stats;
    state.msg = queueNotice;
    queueNotice = null;
  } catch (e) {
    state.loading = false;
    if (e.status === 401) return;
    state.msg = errorText(e);
  }
  state.loading = false;
  if (state.view === 'queue') drawResults(more);
}

/** Redraws the list and counts only: what the officer is typing in the filters stays, and so does focus. */
function drawResults(more = false) {
  const old = $('#queue-results');
  if (!old) { render(); return; }
  const focusRef = document.activeElement?.closest?.('.case-row')?.dataset.ref;
  const focusMore = more && document.activeElement?.id === 'more';
  const count = more ? state.items.length - 25 : 0;
  old.replaceWith(queueResults());
  flash(state.msg?.text ?? (typeof state.msg === 'string' ? state.msg : null), state.msg?.kind ?? 'error');
  if (focusMore) document.querySelectorAll('.case-row')[Math.max(count, 0)]?.focus();
  else if (focusRef) document.querySelector(`.case-row[data-ref="${focusRef}"]`)?.focus();
}

// A change in the officer's scope: the open queue reloads (at most every half second), an open case says so.
let reloadTimer = null;
onCase((c) => {
  if (state.view === 'queue') {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => { if (state.view === 'queue' && !state.loading) loadQueue(false); }, 300);
  } else if (state.view === 'case' && state.case && c.id === state.case.id && c.version > state.case.version && !$('#case-changed')) {
    flash(t('caseChanged'), 'info');
    $('#flash').append(' ', h('button', { type: 'button', id: 'case-changed', text: t('reload'), onclick: () => openCase(state.caseId) }));
  }
});
setOpener((id) => openCase(id));

function viewTabs() {
  const current = state.filters.view ?? 'open';
  return h('div', { class: 'views', role: 'group', 'aria-label': t('views') },
    Object.keys(VIEWS).map((v) => h('button', {
      type: 'button', class: 'view-tab', id: `view-${v}`, 'aria-pressed': String(v === current), text: t(`v_${v}`),
      onclick: () => { state.filters = { ...state.filters, view: v }; picked.clear(); render(); loadQueue(false); },
    })));
}

function queueView() {
  const f = state.filters;
  const form = h('form', { id: 'filters', class: 'filters', 'aria-label': t('filters') },
    h('div', { class: 'field grow' }, h('label', { for: 'f-search', text: t('search') }),
      h('input', { id: 'f-search', type: 'search', value: f.search ?? '', maxlength: 200, 'aria-describedby': 'f-search-hint', enterkeyhint: 'search' }),
      h('span', { id: 'f-search-hint', class: 'hint', text: t('searchHint') })),
    select('f-status', t('status'), STATUSES, 's_', f.status),
    select('f-priority', t('priority'), PRIORITIES, 'p_', f.priority),
    select('f-category', t('category'), CATEGORIES, 'c_', f.category),
    provinceSelect('f-province', t('province'), f.province),
    field('f-from', t('from'), h('input', { type: 'date', value: f.from ?? '' })),
    field('f-to', t('to'), h('input', { type: 'date', value: f.to ?? '' })),
    field('f-order', t('order'), h('select', {}, ['queue', 'newest'].map((o) => h('option', { value: o, selected: (f.order || 'queue') === o, text: t(`o_${o}`) })))),
    h('div', { class: 'field buttons' },
      h('button', { type: 'submit', class: 'primary', text: t('apply') }),
      h('button', { type: 'button', id: 'f-reset', text: t('reset'), onclick: () => { state.filters = { view: state.filters.view }; render(); loadQueue(false); } })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.filters = {
      view: state.filters.view, search: $('#f-search').value,
      status: $('#f-status').value, priority: $('#f-priority').value, category: $('#f-category').value,
      province: $('#f-province').value, from: $('#f-from').value, to: $('#f-to').value, order: $('#f-order').value,
    };
    loadQueue(false);
  });

  return h('section', { class: 'queue-page', id: 'queue-page' },
    h('div', { class: 'title-row' }, h('h1', { text: t('queue') }),
      isSupervisor() ? h('div', { class: 'exports' },
        h('a', { id: 'export-xlsx', class: 'button', href: `${API}/export.xlsx?${filterQuery({ lang: getLang(), order: '' })}`, download: '', text: t('exportXlsx') }),
        h('a', { id: 'export', class: 'button', href: `${API}/export.csv?${filterQuery({ lang: getLang(), order: '' })}`, download: '', text: t('exportCsv') })) : null),
    viewTabs(), form, alertSettings(), queueResults());
}

function queueResults() {
  const counts = state.stats ? h('ul', { id: 'counts', class: 'counts', 'aria-label': t('counts') },
    STATUSES.map((s) => h('li', { 'data-status': s }, h('span', { text: t(`s_${s}`) }), ' ', h('strong', { text: state.stats.byStatus.find((b) => b.key === s)?.count ?? 0 })))) : null;
  const sup = isSupervisor();
  const list = h('ul', { id: 'queue', class: 'queue' },
    state.items.map((c) => h('li', { class: sup ? 'pickable' : null },
      sup ? h('input', {
        type: 'checkbox', class: 'pick', 'aria-label': fillIn('select', { ref: c.ref }), checked: picked.has(c.id), disabled: c.status === 'closed',
        onchange: (ev) => { if (ev.target.checked) picked.set(c.id, c.ref); else picked.delete(c.id); drawBulk(); },
      }) : null,
      h('button', { type: 'button', class: `case-row p-${c.priority}`, 'data-ref': c.ref, onclick: () => openCase(c.id) },
        h('span', { class: 'ref', text: c.ref }),
        c.priority === 'urgent' ? h('span', { class: 'flag urgent', text: t('urgentFlag') }) : null,
        isNew(c) ? h('span', { class: 'flag new', title: t('newSinceTitle'), text: t('newSince') }) : null,
        h('span', { class: 'badge', text: t(`s_${c.status}`) }),
        h('span', { class: 'badge', text: t(`p_${c.priority}`) }),
        h('span', { class: 'meta', text: `${t(`c_${c.category}`)} · ${c.province} · ${fmt(c.createdAt)}` }),
        c.reporterMessages > 0 ? h('span', { class: 'flag answered', text: `${t('answered')} (${c.reporterMessages})` }) : null,
        c.related > 0 ? h('span', { class: 'flag related', text: `${c.related} ${t('relatedN')}` }) : null,
        c.flood > 0 ? h('span', { class: 'flag flood', text: floodText('floodFlag', c.flood) }) : null,
        h('span', { class: 'who-row', text: c.assignedTo ? (c.assignedTo.displayName || c.assignedTo.username) : t('unassigned') }),
        h('span', { class: 'excerpt', text: c.excerpt })))));
  return h('div', { id: 'queue-results' },
    counts,
    sup ? h('div', { id: 'bulk-slot' }, bulkBar()) : null,
    /\S/.test(state.filters.search ?? '') && !CODE.test(state.filters.search) ? h('p', { class: 'hint', text: t('byRelevance') }) : null,
    state.items.length ? list : h('p', { class: 'empty', text: state.loading ? t('loading') : t('empty') }),
    state.cursor ? h('button', { type: 'button', id: 'more', text: t('more'), onclick: () => loadQueue(true) }) : null);
}

// ---------------------------------------------------------------- bulk work (supervisors)

function drawBulk() {
  $('#bulk-slot')?.replaceChildren(bulkBar());
}

function bulkBar() {
  if (!picked.size) return h('span');
  const action = h('select', { id: 'bulk-action' },
    h('option', { value: '', text: '—' }),
    h('option', { value: 'assign', text: t('bulkAssign') }), h('option', { value: 'priority', text: t('bulkPriority') }), h('option', { value: 'close', text: t('bulkClose') }));
  const value = h('select', { id: 'bulk-value' }, h('option', { value: '', text: '—' }));
  action.addEventListener('change', async () => {
    const a = action.value;
    let options = [];
    if (a === 'priority') options = PRIORITIES.map((p) => [p, t(`p_${p}`)]);
    if (a === 'close') options = DISPOSITIONS.map((d) => [d, t(`d_${d}`)]);
    if (a === 'assign') {
      bulk.directory ??= await api('GET', '/officers/directory').then((r) => r.officers, () => []);
      options = bulk.directory.map((o) => [o.id, `${o.displayName}${o.province ? ` (${o.province})` : ''}`]);
    }
    value.replaceChildren(h('option', { value: '', text: '—' }), ...options.map(([v, label]) => h('option', { value: v, text: label })));
  });
  const form = h('form', { id: 'bulk', class: 'bulk inline', 'aria-label': t('bulkAction') },
    h('strong', { id: 'bulk-count', text: fillIn('selectedN', { n: picked.size }) }),
    field('bulk-action', t('bulkAction'), action), field('bulk-value', t('bulkValue'), value),
    h('button', { type: 'submit', class: 'primary', text: t('bulkApply') }),
    h('button', { type: 'button', id: 'bulk-clear', text: t('bulkClear'), onclick: () => { picked.clear(); drawResults(); } }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const a = action.value;
    const v = value.value;
    if (!a || !v) { flash(t('bulkPick'), 'error'); return; }
    const body = { action: a, ids: [...picked.keys()], ...(a === 'assign' ? { officerId: v } : a === 'priority' ? { priority: v } : { disposition: v }) };
    busy(async () => {
      try {
        const { results } = await api('POST', '/cases/bulk', body);
        const failed = results.filter((r) => !r.ok);
        picked.clear();
        for (const r of failed) picked.set(r.id, state.items.find((c) => c.id === r.id)?.ref ?? r.id);
        queueNotice = {
          text: `${fillIn('bulkDone', { ok: results.length - failed.length, n: results.length })}${failed.length ? ` ${fillIn('bulkFailed', { list: failed.map((r) => `${picked.get(r.id)} (${errorText({ code: r.code, status: 409 })})`).join('; ') })}` : ''}`,
          kind: failed.length ? 'error' : 'info',
        };
        await loadQueueNow(false);
      } catch (e) {
        if (e.status !== 401) flash(errorText(e), 'error');
      }
    });
  });
  return form;
}

// ---------------------------------------------------------------- case

const NOTE_MAX = 4000;
const QUESTION_MAX = 1000;
const fillIn = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
/** Length as the API counts it (NFC, trimmed). */
const textLength = (s) => s.normalize('NFC').trim().length;

/**
 * What the officer typed or picked on a case and has not sent yet, per case, in memory only (never
 * web storage or the URL). It survives a re-render, a reload after a conflict, and an expired session:
 * after signing in again as the same officer, the case reopens with it. Signing out forgets it.
 */
let draft = newDraft();
function newDraft(officerId = null) { return { officerId, caseId: null, byCase: new Map(), resume: false }; }
function forgetDraft() { draft = newDraft(); }
function draftValues() { return draft.byCase.get(draft.caseId) ?? {}; }
function remember(id, value) {
  if (!draft.byCase.has(draft.caseId)) draft.byCase.set(draft.caseId, {});
  draft.byCase.get(draft.caseId)[id] = value;
}
function forget(ids) { const v = draft.byCase.get(draft.caseId); if (v) for (const id of ids) delete v[id]; }

// The session ended while a case was open (not a sign-out, not a page change): come back to it later.
onLeave(() => {
  const d = draft;
  const fromCase = state.view === 'case' && state.me !== null;
  queueMicrotask(() => { d.resume = fromCase && state.view === 'login' && !state.me; });
});

/** After signing in again: reopens the case the session expired on, with the unsent text. */
function resumeCase() {
  if (draft.officerId !== state.me.id) { forgetDraft(); draft.officerId = state.me.id; return false; }
  if (!draft.resume || !draft.caseId) return false;
  draft.resume = false;
  const restored = Object.values(draftValues()).some((v) => typeof v === 'string' && v.trim() !== '');
  openCase(draft.caseId, { text: t(restored ? 'draftRestored' : 'caseReopened'), kind: 'info' });
  return true;
}

/** The open case's supervisor extras: the assign picker's officers, the audit trail once asked for. */
const extras = { caseId: null, directory: null, audit: null, auditShown: false };

function openCase(id, msg = null) {
  return busy(() => openCaseNow(id, msg));
}

async function openCaseNow(id, msg) {
  state.caseId = id;
  try {
    const res = await api('GET', `/cases/${id}`);
    seen(id);
    draft.caseId = id;
    await loadExtras(res.case);
    state.case = res.case;
    state.view = 'case';
    state.msg = msg;
    render();
    $('#case-title')?.focus();
  } catch (e) {
    if (e.status === 401) return;
    if (e.status === 404) { caseGone(); return; }
    if (state.view !== 'case' && state.view !== 'queue') { queueNotice = { text: errorText(e), kind: 'error' }; go('queue'); return; }
    flash(errorText(e), 'error');
  }
}

/** The case was deleted (or left the officer's scope): say so and go back to the queue. */
function caseGone() {
  draft.byCase.delete(state.caseId);
  state.case = null;
  state.caseId = null;
  queueNotice = { text: t('caseGone'), kind: 'error' };
  go('queue');
}

async function loadExtras(c) {
  const same = extras.caseId === c.id;
  Object.assign(extras, { caseId: c.id, directory: null, audit: null, auditShown: same && extras.auditShown });
  if (!isSupervisor()) return;
  const [directory, audit] = await Promise.all([loadDirectory(c.fields.province), extras.auditShown ? fetchAudit(c.id).catch(keep401) : null]);
  extras.directory = directory;
  extras.audit = audit;
}

function keep401(e) { if (e.status === 401) throw e; return null; }

/** Officers who may take a case in this province (theirs, or all provinces); the whole directory if the province is not a known one. */
async function loadDirectory(province) {
  try {
    return (await api('GET', `/officers/directory?province=${encodeURIComponent(province)}`)).officers;
  } catch (e) {
    keep401(e);
  }
  return api('GET', '/officers/directory').then((r) => r.officers, keep401);
}

async function fetchAudit(id) {
  return (await api('GET', `/cases/${id}/audit?limit=100`)).audit;
}

function showAudit() {
  return busy(async () => {
    try {
      extras.audit = await fetchAudit(state.caseId);
      extras.auditShown = true;
      render();
      $('#audit-list')?.focus();
    } catch (e) {
      if (e.status === 401) return;
      if (e.status === 404) { caseGone(); return; }
      flash(errorText(e), 'error');
    }
  });
}

/** Sends an action; on success the draft fields it carried are forgotten. */
function act(path, body, okText, sent = []) {
  return busy(() => actNow(path, body, okText, sent));
}

async function actNow(path, body, okText = t('saved'), sent = []) {
  try {
    const res = await api('POST', `/cases/${state.caseId}${path}`, body);
    state.case = res.case;
    forget(sent);
    state.msg = { text: okText, kind: 'info' };
    render();
    return true;
  } catch (e) {
    if (e.status === 401) return false;
    if (e.status === 404 && e.code === 'not_found') { caseGone(); return false; }
    state.msg = e.status === 413 ? t('tooLarge') : errorText(e);
    flash(state.msg, 'error');
    if (e.code === 'version_conflict') showReload();
    return false;
  }
}

function showReload() {
  const f = $('#flash');
  f.append(' ', h('button', { type: 'button', id: 'reload-conflict', text: t('reload'), onclick: () => openCase(state.caseId) }));
}

/** A tip field's value as officers read it: a coded value (category, danger) in words, free text as typed. */
function fieldValue(d, v) {
  return d.valueKey === undefined || v === undefined || v === null || v === '' ? v : tOr(`${d.valueKey}${v}`, v);
}

function dl(rows) {
  return h('dl', { class: 'fields' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

/** A picker whose unsent choice is kept in the draft. */
function keepPick(wrapper) {
  const el = wrapper.querySelector('select');
  const saved = draftValues()[el.id];
  if (saved !== undefined && [...el.options].some((o) => o.value === saved)) el.value = saved;
  el.addEventListener('change', () => remember(el.id, el.value));
  return wrapper;
}

/** A textarea kept in the draft, with a character counter that warns past the limit (nothing is cut off). */
function textBox(id, label, max, rows) {
  const counter = h('span', { id: `${id}-count`, class: 'counter' });
  const area = h('textarea', { rows, required: true, 'aria-describedby': `${id}-count` });
  area.value = draftValues()[id] ?? '';
  const update = () => {
    const n = textLength(area.value);
    counter.textContent = n > max ? `${n} / ${max} – ${t('tooLongShort')}` : `${n} / ${max}`;
    counter.classList.toggle('over', n > max);
  };
  area.addEventListener('input', () => { remember(id, area.value); update(); });
  update();
  return h('div', { class: 'text-box' }, field(id, label, area), counter);
}

/** Checks the length before sending; too long stays in the box with a message. */
function sendText(id, path, max, okText) {
  const text = $(`#${id}`).value;
  const n = textLength(text);
  if (n > max) {
    flash(fillIn('tooLong', { n, max }), 'error');
    $(`#${id}`).focus();
    return;
  }
  act(path, { text }, okText, [id]);
}

/** Only the statuses the server allows from here for this officer (case.allowed, from the lifecycle rules). */
function statusForm(c) {
  const next = c.allowed.status;
  const form = h('form', { id: 'status-form', class: 'inline' },
    keepPick(select('c-status', t('moveTo'), next, 's_', next[0], false)),
    next.includes('closed') ? keepPick(select('c-disposition', t('disposition'), DISPOSITIONS, 'd_', c.disposition ?? '')) : null,
    h('button', { type: 'submit', text: t('change') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const status = $('#c-status').value;
    const disposition = $('#c-disposition')?.value || undefined;
    if (status === 'closed' && !disposition) { flash(t('dispositionNeeded'), 'error'); return; }
    act('/status', { status, ...(status === 'closed' ? { disposition } : {}), expectedVersion: c.version }, undefined, ['c-status', 'c-disposition']);
  });
  return form;
}

function priorityForm(c) {
  const form = h('form', { id: 'priority-form', class: 'inline' },
    keepPick(select('c-priority', t('priority'), PRIORITIES, 'p_', c.priority, false)),
    h('button', { type: 'submit', text: t('change') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act('/priority', { priority: $('#c-priority').value, expectedVersion: c.version }, undefined, ['c-priority']);
  });
  return form;
}

/** Supervisors: a picker of officers who may take the case — its province's own first, then those for all provinces. */
function assignForm(c) {
  const dir = extras.directory;
  const option = (o) => h('option', { value: o.id, text: `${o.displayName}${o.role === 'supervisor' ? ` (${t('r_supervisor')})` : ''}${c.assignedTo?.id === o.id ? ` – ${t('inCharge')}` : ''}` });
  const local = (dir ?? []).filter((o) => o.province === c.fields.province);
  const rest = (dir ?? []).filter((o) => o.province !== c.fields.province);
  const picker = h('select', { required: true },
    h('option', { value: '', text: dir === null ? t('noDirectory') : dir.length ? t('pickOfficer') : t('noOfficerFits') }),
    local.length ? h('optgroup', { label: fillIn('officersIn', { province: c.fields.province }) }, local.map(option)) : null,
    rest.length ? h('optgroup', { label: t('officersAll') }, rest.map(option)) : null);
  const form = h('form', { id: 'assign-form', class: 'inline' },
    keepPick(field('c-officer', t('assign'), picker)),
    h('button', { type: 'submit', text: t('assignBtn') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const officerId = $('#c-officer').value;
    if (!officerId) { flash(t('pickOfficer'), 'error'); return; }
    act('/assign', { officerId }, undefined, ['c-officer']);
  });
  return form;
}

function noteForm() {
  const form = h('form', { id: 'note-form', class: 'stack' },
    textBox('c-note', t('noteText'), NOTE_MAX, 3),
    h('button', { type: 'submit', text: t('addNote') }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); sendText('c-note', '/notes', NOTE_MAX); });
  return form;
}

function askForm() {
  const form = h('form', { id: 'ask-form', class: 'stack' },
    h('p', { class: 'hint', text: t('askHint') }),
    textBox('c-question', t('question'), QUESTION_MAX, 2),
    h('button', { type: 'submit', text: t('ask') }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); sendText('c-question', '/questions', QUESTION_MAX); });
  return form;
}

function auditItem(e) {
  return h('li', {},
    h('time', { datetime: e.at, text: fmt(e.at) }), ' ',
    h('strong', { text: e.officer.displayName || t('unknownOfficer') }),
    e.officer.role ? h('span', { class: 'who-msg', text: ` (${t(`r_${e.officer.role}`)})` }) : null, ' ',
    h('span', { class: 'audit-action', text: tOr(`au_${e.action}`, e.action) }));
}

/** Supervisors: who opened or changed the case, loaded when asked for (the look is audited too). */
function auditSection() {
  if (!isSupervisor()) return null;
  const list = extras.audit;
  return h('section', { class: 'card no-print', id: 'audit' }, h('h2', { text: t('auditTrail') }),
    h('p', { class: 'hint', text: t('auditHint') }),
    list ? (list.length ? h('ol', { class: 'timeline', id: 'audit-list', tabindex: '-1' }, list.map(auditItem)) : h('p', { class: 'empty', text: t('none') })) : null,
    h('button', { type: 'button', id: 'show-audit', text: list ? t('auditRefresh') : t('auditShow'), onclick: showAudit }));
}

function caseView() {
  const c = state.case;
  const me = state.me;
  const f = c.fields;
  const mineOrFree = !c.assignedTo || c.assignedTo.id === me.id;
  const open = c.status !== 'closed';

  return h('article', { class: 'case-page' },
    h('div', { class: 'title-row start no-print' },
      h('button', { type: 'button', id: 'back', text: t('back'), onclick: () => { state.case = null; state.caseId = null; go('queue'); } }),
      h('button', { type: 'button', id: 'reload', text: t('reload'), onclick: () => openCase(state.caseId) }),
      h('button', { type: 'button', id: 'print', text: t('print'), onclick: () => printSheet(state.case, state.me) }),
      h('a', { id: 'export-one', class: 'button', href: `${API}/cases/${c.id}/export.xlsx?lang=${getLang()}`, download: '', text: t('exportXlsxOne') })),
    h('h1', { id: 'case-title', tabindex: '-1' }, h('span', { class: 'ref', text: c.ref }), ' ',
      c.priority === 'urgent' ? h('span', { class: 'flag urgent', text: t('urgentFlag') }) : null, ' ',
      h('span', { class: 'badge', id: 'case-status', text: t(`s_${c.status}`) }), ' ',
      h('span', { class: 'badge', id: 'case-priority', text: t(`p_${c.priority}`) })),
    h('section', { class: 'card' }, h('h2', { text: t('fields') }), dl([
      ...TIP_FIELDS.map((d) => [t(d.name), fieldValue(d, f[d.name])]),
      [t('assignedTo'), c.assignedTo ? (c.assignedTo.displayName || c.assignedTo.username) : t('unassigned')],
      [t('disposition'), c.disposition ? t(`d_${c.disposition}`) : null],
      [t('createdAt'), fmt(c.createdAt)], [t('updatedAt'), fmt(c.updatedAt)], [t('version'), c.version],
    ])),
    h('section', { class: 'card no-print', id: 'actions' }, h('h2', { text: t('actions') }),
      c.allowed.claim ? h('button', { type: 'button', id: 'claim', class: 'primary', text: t('claim'), onclick: () => act('/claim') }) : null,
      c.allowed.status.length ? statusForm(c) : null,
      c.allowed.priority ? priorityForm(c) : null,
      c.allowed.assign ? assignForm(c) : null,
      open && !c.allowed.status.length && !mineOrFree ? h('p', { class: 'hint', id: 'not-yours', text: t('e_not_yours') }) : null),
    h('section', { class: 'card', id: 'messages' }, h('h2', { text: t('messages') }),
      c.messages.length ? h('ol', { class: 'messages' }, c.messages.map((m) => h('li', { class: `msg from-${m.from}` },
        h('span', { class: 'who-msg', text: `${m.from === 'officer' ? t('fromOfficer') : t('fromReporter')} · ${fmt(m.at)}` }),
        h('p', { text: m.text })))) : h('p', { class: 'empty', text: t('none') }),
      open ? askForm() : null),
    h('section', { class: 'card', id: 'notes' }, h('h2', { text: t('notes') }),
      c.notes.length ? h('ol', { class: 'notes' }, c.notes.map((n) => h('li', {},
        h('span', { class: 'who-msg', text: `${officerName(c, n.by)} · ${fmt(n.at)}` }), h('p', { text: n.text })))) : h('p', { class: 'empty', text: t('none') }),
      open ? noteForm() : null),
    h('section', { class: 'card', id: 'related' }, h('h2', { text: t('related') }),
      c.flood > 0 ? h('p', { class: 'flood-note', role: 'note', text: floodText('floodNote', c.flood) }) : null,
      c.related.length ? h('ul', { class: 'related' }, c.related.map((r) => h('li', {},
        h('button', { type: 'button', class: 'linkish', text: r.ref, onclick: () => openCase(r.caseId) }),
        h('span', { text: ` · ${t('score')} ${Math.round(r.score * 100)}%${r.elsewhere ? ` · ${t('relatedElsewhere')}` : ''}` })))) : h('p', { class: 'empty', text: t('none') })),
    h('section', { class: 'card', id: 'history' }, h('h2', { text: t('history') }),
      h('ol', { class: 'timeline' }, c.history.map((e) => h('li', {},
        h('time', { datetime: e.at, text: fmt(e.at) }), ' ',
        h('strong', { text: officerName(c, e.by) }), ' ',
        h('span', { text: t(`a_${e.action}`) }),
        e.from || e.to ? h('span', { class: 'change', text: ` ${histValue(c, e, e.from) ?? ''}${e.from ? ' → ' : ''}${histValue(c, e, e.to) ?? ''}` }) : null)))),
    auditSection());
}

function histValue(c, e, v) {
  if (!v) return v;
  if (e.action === 'status' || e.action === 'created') return t(`s_${v}`);
  if (e.action === 'priority') return t(`p_${v}`);
  if (e.action === 'disposition') return t(`d_${v}`);
  if (e.action === 'claim' || e.action === 'assign') return officerName(c, v);
  return v;
}

// ---------------------------------------------------------------- pages

page('login', { view: loginView });
page('password', { view: passwordView, nav: 'navAccount', order: 90 });
page('queue', { view: queueView, nav: 'navQueue', roles: ['officer', 'supervisor', 'admin'], order: 10, enter: enterQueue });
page('case', { view: caseView });

// ---------------------------------------------------------------- start

$('#lang').addEventListener('click', () => { setLang(getLang() === 'vi' ? 'en' : 'vi'); render(); });
$('#logout').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch { /* gone already */ }
  forgetDraft();
  expire(t('signedOut'));
  state.msg = { text: t('signedOut'), kind: 'info' };
  render();
});

setLang('vi');
(async () => {
  try {
    const res = await fetch(`${API}/me`, { credentials: 'same-origin', cache: 'no-store' });
    if (res.ok) { started(await res.json(), null); return; }
  } catch { /* not signed in */ }
  state.view = 'login';
  render();
})();
