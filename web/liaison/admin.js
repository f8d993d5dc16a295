// The admin page: officer accounts — add, change role or province, disable or enable, reset a password
// (a one-time password, shown once), lift a lockout. Admin accounts see no cases.
// A one-time password lives in this module's memory only until it is dismissed or the page is left.
import { t, tOr, addStrings } from './i18n.js';
import { $, state, busy, h, api, errorText, flash, field, page, render, onLeave } from './core.js';

addStrings({
  vi: {
    navAdmin: 'Quản trị', adminTitle: 'Tài khoản cán bộ', addOfficer: 'Thêm cán bộ', adm_displayName: 'Họ tên hiển thị',
    adm_role: 'Vai trò', adm_scope: 'Phạm vi (tỉnh/thành)', allProvinces: 'Tất cả tỉnh/thành', otherPlaces: 'Nơi khác',
    adm_add: 'Thêm', officersTable: 'Danh sách tài khoản', colStatus: 'Tình trạng', colLocked: 'Khóa tạm', colMustChange: 'Phải đổi mật khẩu',
    colActions: 'Thao tác', adm_active: 'Đang hoạt động', disabledState: 'Đã vô hiệu hóa', lockedState: 'Đang bị khóa',
    adm_save: 'Lưu', adm_disable: 'Vô hiệu hóa', adm_enable: 'Kích hoạt lại', resetPw: 'Cấp lại mật khẩu', adm_unlock: 'Mở khóa', adm_cancel: 'Hủy',
    confirmReset: 'Xác nhận cấp lại', confirmResetText: 'Cấp mật khẩu mới cho {name}? Mật khẩu cũ ngừng hoạt động và các phiên đăng nhập của tài khoản này kết thúc.',
    oneTimeTitle: 'Mật khẩu dùng một lần cho {name}', oneTimeNote: 'Hãy trao trực tiếp cho cán bộ. Mật khẩu chỉ hiện một lần này; cán bộ phải đổi mật khẩu ở lần đăng nhập tới.',
    oneTimeDone: 'Đã ghi lại – ẩn mật khẩu', adm_you: '(bạn)', nothingChanged: 'Không có gì thay đổi.',
    added: 'Đã thêm tài khoản {name}.', savedOfficer: 'Đã lưu thay đổi cho {name}.', disabledOk: 'Đã vô hiệu hóa {name}; các phiên đăng nhập đã kết thúc.',
    enabledOk: 'Đã kích hoạt lại {name}.', unlockedOk: 'Đã mở khóa {name}.', resetOk: 'Đã cấp mật khẩu mới cho {name}.',
    roleOf: 'Vai trò của {name}', scopeOf: 'Phạm vi của {name}', noOfficers: 'Chưa có tài khoản nào.',
    e_self_change: 'Bạn không thể tự đổi vai trò, tự vô hiệu hóa hay tự cấp lại mật khẩu cho chính mình (hãy đổi mật khẩu ở trang Tài khoản).',
    e_duplicate_username: 'Tên đăng nhập này đã có người dùng.', e_unknown_province: 'Tỉnh/thành không có trong danh sách.',
    usernameHint: '3–32 ký tự: chữ a-z, số, dấu chấm, gạch dưới hoặc gạch ngang.',
  },
  en: {
    navAdmin: 'Admin', adminTitle: 'Officer accounts', addOfficer: 'Add an officer', adm_displayName: 'Display name',
    adm_role: 'Role', adm_scope: 'Scope (province)', allProvinces: 'All provinces', otherPlaces: 'Other places',
    adm_add: 'Add', officersTable: 'Accounts', colStatus: 'Status', colLocked: 'Locked', colMustChange: 'Must change password',
    colActions: 'Actions', adm_active: 'Active', disabledState: 'Disabled', lockedState: 'Locked',
    adm_save: 'Save', adm_disable: 'Disable', adm_enable: 'Enable', resetPw: 'Reset password', adm_unlock: 'Unlock', adm_cancel: 'Cancel',
    confirmReset: 'Confirm reset', confirmResetText: 'Give {name} a new password? The old one stops working and the account’s sessions end.',
    oneTimeTitle: 'One-time password for {name}', oneTimeNote: 'Hand it to the officer in person. It is shown only this once; the officer must change it at the next sign-in.',
    oneTimeDone: 'Noted – hide the password', adm_you: '(you)', nothingChanged: 'Nothing changed.',
    added: 'Account {name} added.', savedOfficer: 'Changes to {name} saved.', disabledOk: '{name} disabled; their sessions ended.',
    enabledOk: '{name} enabled again.', unlockedOk: '{name} unlocked.', resetOk: 'New password issued for {name}.',
    roleOf: 'Role of {name}', scopeOf: 'Scope of {name}', noOfficers: 'No accounts yet.',
    e_self_change: 'You cannot change your own role, disable your own account or reset your own password (change it on the Account page).',
    e_duplicate_username: 'This username is taken.', e_unknown_province: 'This province is not on the list.',
    usernameHint: '3–32 characters: letters a-z, digits, ".", "_" or "-".',
  },
});

const ROLES = ['officer', 'supervisor', 'admin'];
const admin = { officers: null, provinces: [], other: [], secret: null, confirming: null };

/** "{name}" and the like filled in; values stay text. */
const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const nameOf = (o) => o.displayName || o.username;

// The one-time password is forgotten as soon as the admin leaves the page or the session ends.
onLeave(() => { admin.secret = null; admin.confirming = null; });

/** The account pages' refusals have their own words above; errorText finds them by code. */
const adminError = errorText;

// ---------------------------------------------------------------- data

function enterAdmin() {
  return busy(async () => {
    try {
      const [list, places] = await Promise.all([api('GET', '/officers'), api('GET', '/provinces')]);
      admin.officers = list.officers;
      admin.provinces = places.provinces;
      admin.other = places.other;
    } catch (e) {
      if (e.status === 401) return;
      state.msg = adminError(e);
    }
    if (state.view === 'admin') render();
  });
}

/** Shows a success message, and the one-time password when the server sent one. */
function settle(officer, message, password) {
  const i = admin.officers.findIndex((o) => o.id === officer.id);
  if (i >= 0) admin.officers[i] = officer; else admin.officers.push(officer);
  admin.secret = password ? { name: officer.username, password } : null;
  admin.confirming = null;
  state.msg = { text: message, kind: 'info' };
  render();
  (password ? $('#one-time') : null)?.focus();
}

async function send(method, path, body, onOk) {
  try {
    const res = await api(method, path, body);
    onOk(res);
    return true;
  } catch (e) {
    if (e.status !== 401) flash(adminError(e), 'error');
    return false;
  }
}

function patchOfficer(o, body, messageKey) {
  return busy(() => send('PATCH', `/officers/${o.id}`, body, (res) => settle(res.officer, fill(messageKey, { name: nameOf(res.officer) }), res.password)));
}

// ---------------------------------------------------------------- view parts

function provinceOptions(current) {
  return [
    h('option', { value: '', selected: current === null || current === '', text: t('allProvinces') }),
    admin.provinces.map((p) => h('option', { value: p, selected: p === current, text: p })),
    admin.other.length ? h('optgroup', { label: t('otherPlaces') }, admin.other.map((p) => h('option', { value: p, selected: p === current, text: p }))) : null,
  ];
}

function roleOptions(current) {
  return ROLES.map((r) => h('option', { value: r, selected: r === current, text: t(`r_${r}`) }));
}

function secretBox() {
  const s = admin.secret;
  if (!s) return null;
  return h('section', { id: 'one-time', class: 'card one-time', tabindex: '-1', role: 'alert' },
    h('h2', { text: fill('oneTimeTitle', { name: s.name }) }),
    h('p', {}, h('code', { id: 'one-time-password', class: 'secret', text: s.password })),
    h('p', { class: 'hint', text: t('oneTimeNote') }),
    h('button', { type: 'button', id: 'one-time-done', text: t('oneTimeDone'), onclick: () => { admin.secret = null; state.msg = null; render(); $('#add-username')?.focus(); } }));
}

function addForm() {
  const form = h('form', { id: 'add-officer', class: 'card add-officer' },
    h('h2', { text: t('addOfficer') }),
    h('div', { class: 'row' },
      field('add-username', t('username'), h('input', { required: true, maxlength: 32, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'add-username-hint' })),
      field('add-display', t('adm_displayName'), h('input', { required: true, maxlength: 100, autocomplete: 'off' })),
      field('add-role', t('adm_role'), h('select', {}, roleOptions('officer'))),
      field('add-province', t('adm_scope'), h('select', {}, provinceOptions(null))),
      h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary', text: t('adm_add') }))),
    h('p', { id: 'add-username-hint', class: 'hint', text: t('usernameHint') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      username: $('#add-username').value.trim(), displayName: $('#add-display').value.trim(),
      role: $('#add-role').value, province: $('#add-province').value || null,
    };
    busy(() => send('POST', '/officers', body, (res) => settle(res.officer, fill('added', { name: res.officer.username }), res.password)));
  });
  return form;
}

/** The row's role and scope: sends only what changed. */
function saveRow(o) {
  const role = $(`#role-${o.id}`).value;
  const province = $(`#scope-${o.id}`).value || null;
  const body = {};
  if (role !== o.role) body.role = role;
  if (province !== o.province) body.province = province;
  if (!Object.keys(body).length) { flash(t('nothingChanged'), 'info'); return; }
  patchOfficer(o, body, 'savedOfficer');
}

function confirmResetCell(o) {
  return h('div', { class: 'confirm', role: 'group', 'aria-label': t('resetPw') },
    h('p', { text: fill('confirmResetText', { name: nameOf(o) }) }),
    h('button', { type: 'button', id: `confirm-reset-${o.id}`, class: 'danger', text: t('confirmReset'), onclick: () => patchOfficer(o, { resetPassword: true }, 'resetOk') }),
    h('button', { type: 'button', id: `cancel-reset-${o.id}`, text: t('adm_cancel'), onclick: () => { admin.confirming = null; render(); $(`#reset-${o.id}`)?.focus(); } }));
}

function actionsCell(o) {
  if (admin.confirming === o.id) return confirmResetCell(o);
  return h('div', { class: 'actions' },
    h('button', { type: 'button', id: `save-${o.id}`, text: t('adm_save'), onclick: () => saveRow(o) }),
    o.disabled
      ? h('button', { type: 'button', id: `enable-${o.id}`, text: t('adm_enable'), onclick: () => patchOfficer(o, { disabled: false }, 'enabledOk') })
      : h('button', { type: 'button', id: `disable-${o.id}`, text: t('adm_disable'), onclick: () => patchOfficer(o, { disabled: true }, 'disabledOk') }),
    h('button', { type: 'button', id: `reset-${o.id}`, text: t('resetPw'), onclick: () => { admin.confirming = o.id; render(); $(`#confirm-reset-${o.id}`)?.focus(); } }),
    o.locked ? h('button', { type: 'button', id: `unlock-${o.id}`, text: t('adm_unlock'), onclick: () => patchOfficer(o, { unlock: true }, 'unlockedOk') }) : null);
}

function officerRow(o) {
  const name = nameOf(o);
  return h('tr', { 'data-username': o.username, class: o.disabled ? 'off' : null },
    h('td', { class: 'mono' }, o.username, o.id === state.me?.id ? h('span', { class: 'you', text: ` ${t('adm_you')}` }) : null),
    h('td', { text: o.displayName }),
    h('td', {}, h('label', { class: 'sr-only', for: `role-${o.id}`, text: fill('roleOf', { name }) }),
      h('select', { id: `role-${o.id}` }, roleOptions(o.role))),
    h('td', {}, h('label', { class: 'sr-only', for: `scope-${o.id}`, text: fill('scopeOf', { name }) }),
      h('select', { id: `scope-${o.id}` }, provinceOptions(o.province))),
    h('td', { class: 'state', text: o.disabled ? t('disabledState') : t('adm_active') }),
    h('td', { class: 'locked', text: o.locked ? t('lockedState') : '–' }),
    h('td', { class: 'must-change', text: o.mustChangePassword ? t('yes') : t('no') }),
    h('td', {}, actionsCell(o)));
}

function officersTable() {
  if (!admin.officers) return h('p', { class: 'empty', text: t('loading') });
  if (!admin.officers.length) return h('p', { class: 'empty', text: t('noOfficers') });
  const heads = ['username', 'adm_displayName', 'adm_role', 'adm_scope', 'colStatus', 'colLocked', 'colMustChange', 'colActions'];
  return h('div', { class: 'table-wrap' },
    h('table', { id: 'officers', class: 'officers' },
      h('caption', { text: t('officersTable') }),
      h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, admin.officers.map(officerRow))));
}

function adminView() {
  return h('section', { class: 'admin-page' },
    h('h1', { text: t('adminTitle') }),
    secretBox(),
    addForm(),
    officersTable());
}

page('admin', { view: adminView, nav: 'navAdmin', roles: ['admin'], order: 20, enter: enterAdmin });
