// The dashboard's shared parts: state, DOM builder, API client, messages, and the registry of pages.
// Each page module registers itself with `page(...)`; the header shows the pages the officer's role may open.
// Nothing about a case goes into the URL, localStorage or sessionStorage: state lives in memory only.
import { t, tOr, getLang, addStrings } from './i18n.js';

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
  activity.at = Date.now();
  return data;
}

/** When the last API request went through: the server's idle sign-out counts from it (session-timer.js). */
export const activity = { at: Date.now() };

let titleCount = 0;
/** Puts a count before the tab title ("(2) Bình An – …"): new urgent tips not yet opened. */
export function setTitleCount(n) {
  titleCount = n;
  document.title = n > 0 ? `(${n}) ${t('title')}` : t('title');
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

// Every refusal of the API in plain words, by its code (then by HTTP status); the server's English text is
// never shown. A code without words here falls back to what its status means.
addStrings({
  vi: {
    e_bad_credentials: 'Sai tên đăng nhập hoặc mật khẩu.', e_rate_limited: 'Bạn đã thử quá nhiều lần. Hãy đợi một lát rồi thử lại.',
    e_disabled: 'Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên.', e_session_expired: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.',
    e_unauthenticated: 'Bạn cần đăng nhập.', e_csrf: 'Trang đã cũ. Hãy tải lại trang rồi làm lại.',
    e_password_change_required: 'Bạn cần đổi mật khẩu trước khi làm việc.', e_weak_password: 'Mật khẩu mới chưa đủ mạnh: cần 12 ký tự trở lên, khó đoán và khác mật khẩu cũ.',
    e_forbidden_role: 'Vai trò của bạn không được làm việc này.', e_no_case_access: 'Vai trò của bạn không xem được tin báo.',
    e_supervisor_only: 'Chỉ giám sát viên mới làm được việc này.', e_not_yours: 'Tin này đang do cán bộ khác phụ trách.',
    e_closed: 'Tin này đã đóng, không thể thay đổi nữa.', e_already_claimed: 'Cán bộ khác vừa nhận tin này trước bạn.',
    e_not_claimable: 'Tin ở trạng thái này không thể tự nhận; hãy nhờ giám sát viên giao.',
    e_invalid_transition: 'Không thể chuyển sang trạng thái này: trạng thái chỉ đi tiếp (Mới → Đã phân loại → Đã có người nhận → Đã chuyển → Đã đóng).',
    e_not_assigned: 'Hãy nhận xử lý hoặc giao tin cho một cán bộ trước.', e_disposition_required: 'Chọn kết quả xử lý khi đóng tin.',
    e_disposition_only_when_closing: 'Kết quả xử lý chỉ chọn khi đóng tin.', e_invalid_officer: 'Không có cán bộ đang hoạt động với tài khoản này.',
    e_officer_out_of_scope: 'Cán bộ này không phụ trách tỉnh/thành của tin báo.', e_not_found: 'Không tìm thấy (có thể đã bị xóa hoặc không thuộc phạm vi của bạn).',
    e_malformed_id: 'Đường dẫn không hợp lệ.',
   
    e_invalid_range: 'Khoảng thời gian không hợp lệ.', e_too_large: 'Nội dung quá lớn, máy chủ từ chối.',
    e_invalid_request: 'Yêu cầu không hợp lệ. Hãy kiểm tra các ô đã nhập.',
    e_not_on_duty: 'Hãy bật trực trước khi nhận cuộc trò chuyện.', e_chat_ended: 'Cuộc trò chuyện này đã kết thúc.',
    e_already_taken: 'Tư vấn viên khác đã nhận cuộc trò chuyện này.', e_empty: 'Tin nhắn đang trống.', e_too_long: 'Tin nhắn quá dài.',
    h_400: 'Yêu cầu không hợp lệ.', h_401: 'Bạn cần đăng nhập lại.', h_403: 'Bạn không có quyền làm việc này.', h_404: 'Không tìm thấy.',
    h_409: 'Có thay đổi khác vừa xảy ra. Hãy tải lại rồi làm lại.', h_410: 'Việc này đã kết thúc.', h_413: 'Nội dung quá lớn.',
    h_429: 'Quá nhiều yêu cầu. Hãy đợi một lát.', h_5xx: 'Máy chủ đang gặp sự cố. Hãy thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên.',
    h_other: 'Không thực hiện được.',
  },
  en: {
    e_bad_credentials: 'Wrong username or password.', e_rate_limited: 'Too many attempts. Please wait a moment and try again.',
    e_disabled: 'This account is disabled. Please contact an administrator.', e_session_expired: 'Your session has expired. Please sign in again.',
    e_unauthenticated: 'Please sign in.', e_csrf: 'The page is out of date. Reload it and try again.',
    e_password_change_required: 'You must change your password before working.', e_weak_password: 'The new password is too weak: 12+ characters, hard to guess, different from the old one.',
    e_forbidden_role: 'Your role cannot do this.', e_no_case_access: 'Your role cannot see tips.',
    e_supervisor_only: 'Only a supervisor can do this.', e_not_yours: 'Another officer is in charge of this tip.',
    e_closed: 'This tip is closed and can no longer change.', e_already_claimed: 'Another officer claimed this tip just before you.',
    e_not_claimable: 'A tip in this status cannot be claimed; ask a supervisor to assign it.',
    e_invalid_transition: 'That status is not allowed: statuses only move forward (New → Triaged → Assigned → Forwarded → Closed).',
    e_not_assigned: 'Claim the tip or assign it to an officer first.', e_disposition_required: 'Choose a disposition when closing a tip.',
    e_disposition_only_when_closing: 'A disposition is chosen only when closing a tip.', e_invalid_officer: 'No active officer has this account.',
    e_officer_out_of_scope: 'This officer does not cover the tip’s province.', e_not_found: 'Not found (it may have been deleted, or is outside your scope).',
    e_malformed_id: 'Invalid link.',
   
    e_invalid_range: 'Invalid date range.', e_too_large: 'Too large; the server refused it.',
    e_invalid_request: 'Invalid request. Please check what you entered.',
    e_not_on_duty: 'Go on duty before taking chats.', e_chat_ended: 'This chat has ended.',
    e_already_taken: 'Another counsellor has taken this chat.', e_empty: 'The message is empty.', e_too_long: 'The message is too long.',
    h_400: 'Invalid request.', h_401: 'Please sign in again.', h_403: 'You are not allowed to do this.', h_404: 'Not found.',
    h_409: 'Something changed meanwhile. Reload and try again.', h_410: 'This has ended.', h_413: 'Too large.',
    h_429: 'Too many requests. Please wait a moment.', h_5xx: 'The server has a problem. Try again in a few minutes; if it persists, tell an administrator.',
    h_other: 'That did not work.',
  },
});

/** Plain words for a failed request, in the interface language: by error code, else by HTTP status. */
export function errorText(e) {
  if (e.code === 'version_conflict') return t('conflict');
  if (e.status === 0) return t('network');
  const byStatus = e.status >= 500 ? t('h_5xx') : tOr(`h_${e.status}`, t('h_other'));
  return e.code ? tOr(`e_${e.code}`, byStatus) : byStatus;
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
  setTitleCount(titleCount);
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
