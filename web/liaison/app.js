// The officers' dashboard: sign-in, queue, case page. Plain DOM, text only (never innerHTML for data).
// The session lives in an HttpOnly cookie; the CSRF token and the open case live in memory only —
// nothing about a case goes into the URL, localStorage or sessionStorage.
import { t, tOr, getLang, setLang, STATUSES, PRIORITIES, CATEGORIES, DISPOSITIONS } from './i18n.js';
import { API, $, state, busy, h, api, expire, errorText, flash, fmt, isSupervisor, field, select, page, go, render, homeOf } from './core.js';
import './live.js';
import './stats.js';
import './admin.js';

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
  state.msg = msg;
  if (state.me.mustChangePassword) { state.view = 'password'; state.msg = { text: t('mustChange'), kind: 'info' }; render(); return; }
  state.filters = {};
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

// ---------------------------------------------------------------- queue

function filterQuery(extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...state.filters, ...extra })) if (v) q.set(k, v);
  return q.toString();
}

function loadQueue(more) {
  return busy(() => loadQueueNow(more));
}

async function loadQueueNow(more) {
  state.loading = true;
  if (!more && state.view === 'queue') render();
  try {
    const q = filterQuery({ order: 'queue', limit: '25', ...(more && state.cursor ? { cursor: state.cursor } : {}) });
    const [page, stats] = await Promise.all([
      api('GET', `/cases?${q}`),
      more ? Promise.resolve(state.stats) : api('GET', `/stats?${filterQuery({ status: '' })}`).catch((e) => { if (e.status === 401) throw e; return null; }),
    ]);
    state.items = more ? [...state.items, ...page.items] : page.items;
    state.cursor = page.nextCursor;
    state.stats = stats;
    state.msg = null;
  } catch (e) {
    state.loading = false;
    if (e.status === 401) return;
    state.msg = errorText(e);
  }
  state.loading = false;
  if (state.view === 'queue') {
    const focusMore = more && document.activeElement?.id === 'more';
    const count = state.items.length;
    render();
    if (focusMore) document.querySelectorAll('.case-row')[count - 1]?.focus();
  }
}

function queueView() {
  const f = state.filters;
  const form = h('form', { id: 'filters', class: 'filters', 'aria-label': t('filters') },
    select('f-status', t('status'), STATUSES, 's_', f.status),
    select('f-priority', t('priority'), PRIORITIES, 'p_', f.priority),
    select('f-category', t('category'), CATEGORIES, 'c_', f.category),
    field('f-province', t('province'), h('input', { value: f.province ?? '', maxlength: 100 })),
    field('f-from', t('from'), h('input', { type: 'date', value: f.from ?? '' })),
    field('f-to', t('to'), h('input', { type: 'date', value: f.to ?? '' })),
    field('f-ref', t('ref'), h('input', { value: f.ref ?? '', placeholder: 'BA-XXXXXX', maxlength: 9 })),
    h('div', { class: 'field check' }, h('input', { type: 'checkbox', id: 'f-mine', checked: f.mine === '1' }), h('label', { for: 'f-mine', text: t('mine') })),
    h('div', { class: 'field buttons' },
      h('button', { type: 'submit', class: 'primary', text: t('apply') }),
      h('button', { type: 'button', id: 'f-reset', text: t('reset'), onclick: () => { state.filters = {}; render(); loadQueue(false); } })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.filters = {
      status: $('#f-status').value, priority: $('#f-priority').value, category: $('#f-category').value,
      province: $('#f-province').value.trim(), from: $('#f-from').value, to: $('#f-to').value,
      ref: $('#f-ref').value.trim(), mine: $('#f-mine').checked ? '1' : '',
    };
    loadQueue(false);
  });

  const counts = state.stats ? h('ul', { id: 'counts', class: 'counts', 'aria-label': t('counts') },
    STATUSES.map((s) => h('li', { 'data-status': s }, h('span', { text: t(`s_${s}`) }), ' ', h('strong', { text: state.stats.byStatus.find((b) => b.key === s)?.count ?? 0 })))) : null;

  const list = h('ul', { id: 'queue', class: 'queue' },
    state.items.map((c) => h('li', {},
      h('button', { type: 'button', class: `case-row p-${c.priority}`, 'data-ref': c.ref, onclick: () => openCase(c.id) },
        h('span', { class: 'ref', text: c.ref }),
        c.priority === 'urgent' ? h('span', { class: 'flag urgent', text: t('urgentFlag') }) : null,
        h('span', { class: 'badge', text: t(`s_${c.status}`) }),
        h('span', { class: 'badge', text: t(`p_${c.priority}`) }),
        h('span', { class: 'meta', text: `${t(`c_${c.category}`)} · ${c.province} · ${fmt(c.createdAt)}` }),
        c.reporterMessages > 0 ? h('span', { class: 'flag answered', text: `${t('answered')} (${c.reporterMessages})` }) : null,
        c.related > 0 ? h('span', { class: 'flag related', text: `${c.related} ${t('relatedN')}` }) : null,
        h('span', { class: 'who-row', text: c.assignedTo ? (c.assignedTo.displayName || c.assignedTo.username) : t('unassigned') }),
        h('span', { class: 'excerpt', text: c.excerpt })))));

  return h('section', { class: 'queue-page' },
    h('div', { class: 'title-row' }, h('h1', { text: t('queue') }),
      isSupervisor() ? h('a', { id: 'export', class: 'button', href: `${API}/export.csv?${filterQuery()}`, download: '', text: t('exportCsv') }) : null),
    form, counts,
    state.items.length ? list : h('p', { class: 'empty', text: state.loading ? t('loading') : t('empty') }),
    state.cursor ? h('button', { type: 'button', id: 'more', text: t('more'), onclick: () => loadQueue(true) }) : null);
}

// ---------------------------------------------------------------- case

function openCase(id) {
  return busy(() => openCaseNow(id));
}

async function openCaseNow(id) {
  state.caseId = id;
  try {
    const res = await api('GET', `/cases/${id}`);
    state.case = res.case;
    state.view = 'case';
    state.msg = null;
    render();
    $('#case-title')?.focus();
  } catch (e) {
    if (e.status !== 401) flash(errorText(e), 'error');
  }
}

function act(path, body, okText) {
  return busy(() => actNow(path, body, okText));
}

async function actNow(path, body, okText = t('saved')) {
  try {
    const res = await api('POST', `/cases/${state.caseId}${path}`, body);
    state.case = res.case;
    state.msg = { text: okText, kind: 'info' };
    render();
    return true;
  } catch (e) {
    if (e.status === 401) return false;
    state.msg = errorText(e);
    flash(state.msg, 'error');
    if (e.code === 'version_conflict') showReload();
    return false;
  }
}

function showReload() {
  const f = $('#flash');
  f.append(' ', h('button', { type: 'button', id: 'reload-conflict', text: t('reload'), onclick: () => openCase(state.caseId) }));
}

function dl(rows) {
  return h('dl', { class: 'fields' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function caseView() {
  const c = state.case;
  const me = state.me;
  const f = c.fields;
  const mineOrFree = !c.assignedTo || c.assignedTo.id === me.id;

  const statusForm = h('form', { id: 'status-form', class: 'inline' },
    select('c-status', t('status'), STATUSES.filter((s) => s !== 'closed' || isSupervisor()), 's_', c.status, false),
    isSupervisor() ? select('c-disposition', t('disposition'), DISPOSITIONS, 'd_', c.disposition ?? '') : null,
    h('button', { type: 'submit', text: t('change') }));
  statusForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const status = $('#c-status').value;
    const disposition = $('#c-disposition')?.value || undefined;
    if (status === 'closed' && !disposition) { flash(t('dispositionNeeded'), 'error'); return; }
    act('/status', { status, ...(status === 'closed' ? { disposition } : {}), expectedVersion: c.version });
  });

  const priorityForm = h('form', { id: 'priority-form', class: 'inline' },
    select('c-priority', t('priority'), PRIORITIES, 'p_', c.priority, false),
    h('button', { type: 'submit', text: t('change') }));
  priorityForm.addEventListener('submit', (ev) => { ev.preventDefault(); act('/priority', { priority: $('#c-priority').value, expectedVersion: c.version }); });

  let assignForm = null;
  if (isSupervisor()) {
    assignForm = h('form', { id: 'assign-form', class: 'inline' },
      field('c-officer', `${t('assign')} – ${t('officerId')}`, h('input', { maxlength: 36, pattern: '[0-9a-fA-F-]{36}', required: true })),
      h('button', { type: 'submit', text: t('assign') }));
    assignForm.addEventListener('submit', (ev) => { ev.preventDefault(); act('/assign', { officerId: $('#c-officer').value.trim() }); });
  }

  const noteForm = h('form', { id: 'note-form', class: 'stack' },
    field('c-note', t('noteText'), h('textarea', { rows: 3, maxlength: 4000, required: true })),
    h('button', { type: 'submit', text: t('addNote') }));
  noteForm.addEventListener('submit', (ev) => { ev.preventDefault(); act('/notes', { text: $('#c-note').value }); });

  const askForm = h('form', { id: 'ask-form', class: 'stack' },
    h('p', { class: 'hint', text: t('askHint') }),
    field('c-question', t('question'), h('textarea', { rows: 2, maxlength: 1000, required: true })),
    h('button', { type: 'submit', text: t('ask') }));
  askForm.addEventListener('submit', (ev) => { ev.preventDefault(); act('/questions', { text: $('#c-question').value }); });

  return h('article', { class: 'case-page' },
    h('div', { class: 'title-row start no-print' },
      h('button', { type: 'button', id: 'back', text: t('back'), onclick: () => { state.case = null; state.caseId = null; go('queue'); } }),
      h('button', { type: 'button', id: 'reload', text: t('reload'), onclick: () => openCase(state.caseId) }),
      h('button', { type: 'button', id: 'print', text: t('print'), onclick: () => window.print() })),
    h('h1', { id: 'case-title', tabindex: '-1' }, h('span', { class: 'ref', text: c.ref }), ' ',
      c.priority === 'urgent' ? h('span', { class: 'flag urgent', text: t('urgentFlag') }) : null, ' ',
      h('span', { class: 'badge', id: 'case-status', text: t(`s_${c.status}`) }), ' ',
      h('span', { class: 'badge', id: 'case-priority', text: t(`p_${c.priority}`) })),
    h('section', { class: 'card' }, h('h2', { text: t('fields') }), dl([
      [t('category'), t(`c_${f.category}`)], [t('province'), f.province], [t('place'), f.place], [t('when'), f.when ? tOr(`w_${f.when}`, f.when) : f.when], [t('whenDate'), f.whenDate],
      [t('what'), f.what], [t('involved'), f.involved], [t('inDanger'), t(f.inDanger)], [t('contact'), f.contact],
      [t('assignedTo'), c.assignedTo ? (c.assignedTo.displayName || c.assignedTo.username) : t('unassigned')],
      [t('disposition'), c.disposition ? t(`d_${c.disposition}`) : null],
      [t('createdAt'), fmt(c.createdAt)], [t('updatedAt'), fmt(c.updatedAt)], [t('version'), c.version],
    ])),
    h('section', { class: 'card no-print', id: 'actions' }, h('h2', { text: t('actions') }),
      !c.assignedTo && c.status !== 'closed' ? h('button', { type: 'button', id: 'claim', class: 'primary', text: t('claim'), onclick: () => act('/claim') }) : null,
      c.status !== 'closed' && (mineOrFree || isSupervisor()) ? statusForm : null,
      c.status !== 'closed' ? priorityForm : null,
      c.status !== 'closed' ? assignForm : null),
    h('section', { class: 'card', id: 'messages' }, h('h2', { text: t('messages') }),
      c.messages.length ? h('ol', { class: 'messages' }, c.messages.map((m) => h('li', { class: `msg from-${m.from}` },
        h('span', { class: 'who-msg', text: `${m.from === 'officer' ? t('fromOfficer') : t('fromReporter')} · ${fmt(m.at)}` }),
        h('p', { text: m.text })))) : h('p', { class: 'empty', text: t('none') }),
      c.status !== 'closed' ? askForm : null),
    h('section', { class: 'card', id: 'notes' }, h('h2', { text: t('notes') }),
      c.notes.length ? h('ol', { class: 'notes' }, c.notes.map((n) => h('li', {},
        h('span', { class: 'who-msg', text: `${officerName(c, n.by)} · ${fmt(n.at)}` }), h('p', { text: n.text })))) : h('p', { class: 'empty', text: t('none') }),
      c.status !== 'closed' ? noteForm : null),
    h('section', { class: 'card', id: 'related' }, h('h2', { text: t('related') }),
      c.related.length ? h('ul', { class: 'related' }, c.related.map((r) => h('li', {},
        h('button', { type: 'button', class: 'linkish', text: r.ref, onclick: () => openCase(r.caseId) }),
        h('span', { text: ` · ${t('score')} ${Math.round(r.score * 100)}%` })))) : h('p', { class: 'empty', text: t('none') })),
    h('section', { class: 'card', id: 'history' }, h('h2', { text: t('history') }),
      h('ol', { class: 'timeline' }, c.history.map((e) => h('li', {},
        h('time', { datetime: e.at, text: fmt(e.at) }), ' ',
        h('strong', { text: officerName(c, e.by) }), ' ',
        h('span', { text: t(`a_${e.action}`) }),
        e.from || e.to ? h('span', { class: 'change', text: ` ${histValue(c, e, e.from) ?? ''}${e.from ? ' → ' : ''}${histValue(c, e, e.to) ?? ''}` }) : null)))));
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
page('queue', { view: queueView, nav: 'navQueue', roles: ['officer', 'supervisor'], order: 10, enter: () => loadQueue(false) });
page('case', { view: caseView });

// ---------------------------------------------------------------- start

$('#lang').addEventListener('click', () => { setLang(getLang() === 'vi' ? 'en' : 'vi'); render(); });
$('#logout').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch { /* gone already */ }
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
