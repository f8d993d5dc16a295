// Keyboard shortcuts for officers who triage all day, with a help overlay on "?". None fires while the
// officer types in a field or holds Ctrl/Alt/Meta, so browser and screen-reader keys stay theirs.
import { t, addStrings } from './i18n.js';
import { state, h, go } from './core.js';

addStrings({
  vi: {
    keysTitle: 'Phím tắt', keysClose: 'Đóng', k_search: 'Đến ô tìm kiếm', k_next: 'Tin tiếp theo trong hàng đợi', k_prev: 'Tin trước đó',
    k_open: 'Mở tin đang chọn', k_pick: 'Chọn/bỏ chọn tin đang đứng (giám sát viên)', k_queue: 'Về hàng đợi', k_help: 'Hiện bảng này', k_esc: 'Đóng bảng này',
  },
  en: {
    keysTitle: 'Keyboard shortcuts', keysClose: 'Close', k_search: 'Go to the search box', k_next: 'Next tip in the queue', k_prev: 'Previous tip',
    k_open: 'Open the focused tip', k_pick: 'Select/unselect the focused tip (supervisors)', k_queue: 'Back to the queue', k_help: 'Show this list', k_esc: 'Close this list',
  },
});

const KEYS = [['/', 'k_search'], ['j', 'k_next'], ['k', 'k_prev'], ['Enter', 'k_open'], ['x', 'k_pick'], ['g', 'k_queue'], ['?', 'k_help'], ['Esc', 'k_esc']];

function typing(el) {
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && el.type !== 'checkbox';
}

function moveRow(step) {
  const rows = [...document.querySelectorAll('.case-row')];
  if (!rows.length) return;
  const at = rows.indexOf(document.activeElement?.closest?.('.case-row'));
  const next = rows[at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + step))];
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}

export function showShortcuts() {
  let dlg = document.getElementById('shortcuts');
  if (!dlg) {
    dlg = h('dialog', { id: 'shortcuts', 'aria-labelledby': 'shortcuts-title' });
    document.body.append(dlg);
  }
  dlg.replaceChildren(
    h('h2', { id: 'shortcuts-title', text: t('keysTitle') }),
    h('dl', { class: 'keys' }, KEYS.map(([k, label]) => [h('dt', {}, h('kbd', { text: k })), h('dd', { text: t(label) })])),
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', class: 'primary', id: 'shortcuts-close', text: t('keysClose'), onclick: () => dlg.close() })));
  if (!dlg.open) dlg.showModal();
}

document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.defaultPrevented) return;
  if (!state.me || state.me.mustChangePassword || typing(ev.target)) return;
  if (document.querySelector('dialog[open]') && ev.key !== '?') return;
  const inQueue = state.view === 'queue';
  switch (ev.key) {
    case '?': ev.preventDefault(); showShortcuts(); break;
    case '/': if (inQueue) { ev.preventDefault(); document.getElementById('f-search')?.focus(); } break;
    case 'j': if (inQueue) { ev.preventDefault(); moveRow(1); } break;
    case 'k': if (inQueue) { ev.preventDefault(); moveRow(-1); } break;
    case 'x': {
      const box = document.activeElement?.closest?.('li.pickable')?.querySelector('input.pick');
      if (inQueue && box && !box.disabled) { ev.preventDefault(); box.click(); document.activeElement.focus(); }
      break;
    }
    case 'g': if (state.view !== 'queue' && state.view !== 'login') { ev.preventDefault(); go('queue'); } break;
    default: break;
  }
});
