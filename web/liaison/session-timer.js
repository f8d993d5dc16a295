// Two minutes before the idle sign-out, a dialog says so and offers to stay signed in (one request to the
// server renews the session). What the officer was typing stays in the page either way; after a sign-out
// the case reopens with it once they sign in again (app.js, the draft).
import { t, addStrings } from './i18n.js';
import { state, h, api, activity, expire, onRender } from './core.js';

addStrings({
  vi: {
    idleTitle: 'Phiên làm việc sắp kết thúc', idleText: 'Vì không có thao tác, bạn sẽ tự động đăng xuất sau {s} giây. Nội dung đang soạn vẫn được giữ.',
    idleStay: 'Tiếp tục làm việc', idleLeave: 'Đăng xuất ngay',
  },
  en: {
    idleTitle: 'Your session is about to end', idleText: 'With no activity, you will be signed out in {s} seconds. What you are typing is kept.',
    idleStay: 'Stay signed in', idleLeave: 'Sign out now',
  },
});

/** How long before the sign-out the warning shows. */
export const WARN_MS = 2 * 60_000;
let timer = null;

function dialog() {
  let dlg = document.getElementById('idle-warning');
  if (!dlg) {
    dlg = h('dialog', { id: 'idle-warning', role: 'alertdialog', 'aria-labelledby': 'idle-title', 'aria-describedby': 'idle-text' });
    dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); stay(); });
    document.body.append(dlg);
  }
  return dlg;
}

async function stay() {
  const dlg = dialog();
  try {
    await api('GET', '/me');
    dlg.close();
  } catch {
    dlg.close();
  }
}

function tick() {
  const idle = state.session?.idleMs;
  if (!state.me || !idle) return;
  const left = activity.at + idle - Date.now();
  const dlg = dialog();
  if (left <= 0) { if (dlg.open) dlg.close(); expire(); return; }
  if (left > WARN_MS) { if (dlg.open) dlg.close(); return; }
  const text = t('idleText').replace('{s}', String(Math.ceil(left / 1000)));
  if (!dlg.open) {
    dlg.replaceChildren(
      h('h2', { id: 'idle-title', text: t('idleTitle') }),
      h('p', { id: 'idle-text', text }),
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', id: 'idle-leave', text: t('idleLeave'), onclick: () => { dlg.close(); document.getElementById('logout')?.click(); } }),
        h('button', { type: 'button', class: 'primary', id: 'idle-stay', text: t('idleStay'), onclick: stay })));
    dlg.showModal();
    document.getElementById('idle-stay').focus();
  } else {
    document.getElementById('idle-text').textContent = text;
  }
}

onRender(() => {
  if (state.me && !timer) timer = setInterval(tick, 1000);
  if (!state.me && timer) { clearInterval(timer); timer = null; if (document.getElementById('idle-warning')?.open) dialog().close(); }
});
