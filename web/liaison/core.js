// The dashboard's shared parts: state, DOM builder, API client, messages, and the registry of pages.
// Each page module registers itself with `page(...)`; the header shows the pages the officer's role may open.
// Nothing about a case goes into the URL, localStorage or sessionStorage: state lives in memory only.
import { t, getLang } from './i18n.js';

export const API = '/api/liaison';
export const state = { loading: false, me: null, csrf: null, view: 'login', filters: {}, items: [], cursor: null, stats: null, caseId: null, case: null, msg: null };
export const $ = (sel) => document.querySelector(sel);

let pending = 0;
/** Marks the page busy (aria-busy) while a request runs; assistive tech and tests wait for it. */
export async function busy(work) {
  pending++;
  $('#main').setAttribute('aria-busy', 'true');
  try { return await work(); } finally { if (--pending === 0) $('#main').setAttribute('aria-busy', 'false'); }
}

/** Builds an element; strings and numbers become text nodes (never innerHTML for data). */
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

export class ApiError extends Error {
  constructor(status, body) { super(body?.error ?? `HTTP ${status}`); this.status = status; this.code = body?.code; this.details = body?.details; }
}

/** Calls the liaison API with the session's CSRF token; a 401 ends the session in the page. */
export async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, { error: t('network') });
  }
  const data = (res.headers.get('content-type') ?? '').includes('application/json') ? await res.json() : null;
  if (res.status === 401 && path !== '/login') {
    expire();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const leaveHooks = [];
/** Runs when the session ends or the page changes (e.g. to close an event stream). */
export function onLeave(fn) { leaveHooks.push(fn); }
function left() { for (const fn of leaveHooks) { try { fn(); } catch { /* ignore */ } } }

/** Session gone (expired, ended elsewhere): forget everything and show the sign-in form with a reason. */
export function expire(message = t('expired')) {
  left();
  Object.assign(state, { me: null, csrf: null, items: [], cursor: null, stats: null, caseId: null, case: null, view: 'login', msg: message });
  render();
}

export function errorText(e) {
  if (e.code === 'version_conflict') return t('conflict');
  const details = Array.isArray(e.details) ? e.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ') : '';
  return `${t('error')}${e.status ? ` ${e.status}` : ''}: ${e.message}${details ? ` (${details})` : ''}`;
}

export function flash(text, kind = 'info') {
  const f = $('#flash');
  f.textContent = text ?? '';
  f.className = `flash ${kind}`;
  f.hidden = !text;
}

export const fmt = (iso) => { try { return new Date(iso).toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }); } catch { return iso; } };
/** Supervisors, and admins (who can do all a supervisor does), assign, close and export. */
export const isSupervisor = () => state.me?.role === 'supervisor' || state.me?.role === 'admin';

export function field(id, label, input) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
}

export function select(id, label, values, prefix, current, withAny = true) {
  return field(id, label, h('select', {},
    withAny ? h('option', { value: '', text: t('any') }) : null,
    values.map((v) => h('option', { value: v, selected: v === current, text: t(`${prefix}${v}`) }))));
}

// ---------------------------------------------------------------- pages

const pages = new Map();
/**
 * Registers a page: `view` renders it (returns an element), `nav` (a string key, or a function giving the label) puts it in the header for
 * the given roles, `enter` runs when the officer opens it (load data, then call render()).
 */
export function page(name, { view, nav, roles, enter, order = 50 }) {
  pages.set(name, { name, view, nav, roles, enter, order });
}

/** Opens a page by name. */
export function go(name) {
  left();
  state.view = name;
  state.msg = null;
  render();
  const p = pages.get(name);
  if (p?.enter) p.enter();
}

const renderHooks = [];
/** Runs after every render (e.g. to keep the live-chat stream open while signed in). */
export function onRender(fn) { renderHooks.push(fn); }

/** Draws the header only (a page's content stays as it is, with what the officer is typing). */
export function renderBar() {
  $('#lang').textContent = t('lang');
  $('#lang').setAttribute('aria-label', t('langLabel'));
  $('#logout').textContent = t('signOut');
  $('#logout').hidden = !state.me;
  $('#who').textContent = state.me ? `${state.me.displayName || state.me.username} · ${t(`r_${state.me.role}`)}${state.me.province ? ` · ${state.me.province}` : ''}` : '';
  document.title = t('title');
  const nav = $('#nav');
  nav.setAttribute('aria-label', t('nav'));
  const ready = state.me && !state.me.mustChangePassword;
  const items = ready ? [...pages.values()].filter((p) => p.nav && (!p.roles || p.roles.includes(state.me.role))).sort((a, b) => a.order - b.order) : [];
  nav.replaceChildren(...items.map((p) => h('button', {
    type: 'button', class: 'nav', id: `nav-${p.name}`, 'aria-current': state.view === p.name || (p.name === 'queue' && state.view === 'case') ? 'page' : null,
    text: typeof p.nav === 'function' ? p.nav() : t(p.nav), onclick: () => go(p.name),
  })));
  nav.hidden = items.length === 0;
}

/** Draws the header and the current page. */
export function render() {
  renderBar();
  const main = $('#main');
  main.replaceChildren();
  const p = pages.get(state.view);
  if (p) main.append(p.view());
  flash(state.msg?.text ?? (typeof state.msg === 'string' ? state.msg : null), state.msg?.kind ?? 'error');
  for (const fn of renderHooks) fn();
}

/** The first page an officer of this role sees after signing in. */
export function homeOf(role) {
  const first = [...pages.values()].filter((p) => p.nav && (!p.roles || p.roles.includes(role))).sort((a, b) => a.order - b.order)[0];
  return first?.name ?? 'password';
}
