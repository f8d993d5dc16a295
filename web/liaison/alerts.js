// The live queue's event stream and the alerts for new urgent tips. While an officer who works cases is
// signed in, one EventSource (GET /api/liaison/events) brings every change in their scope: a case id, its
// code, priority and status, never its content. Pages subscribe with onCase(); a new urgent tip raises a
// banner (role="alert"), a count in the tab title, and, if the officer turned them on, a short sound and a
// desktop notification that carries only "Tin khẩn mới BA-…". Nothing is stored in the browser.
import { t, addStrings } from './i18n.js';
import { state, h, expire, onRender, setTitleCount } from './core.js';

addStrings({
  vi: {
    alertUrgent: 'Tin khẩn mới', alertOpen: 'Mở', alertDismiss: 'Đã biết', alertList: 'Tin khẩn mới chưa mở',
    alertSound: 'Âm báo tin khẩn', alertNotify: 'Thông báo trên máy', alertNotifyOn: 'Đã bật thông báo trên máy',
    alertNotifyDenied: 'Trình duyệt đang chặn thông báo của trang này', alertsLabel: 'Cảnh báo tin khẩn',
    streamLost: 'Mất kết nối cập nhật trực tiếp; đang thử lại… (hàng đợi vẫn tải lại được bằng nút “Lọc”)',
  },
  en: {
    alertUrgent: 'New urgent tip', alertOpen: 'Open', alertDismiss: 'Dismiss', alertList: 'New urgent tips not opened yet',
    alertSound: 'Sound for urgent tips', alertNotify: 'Desktop notifications', alertNotifyOn: 'Desktop notifications on',
    alertNotifyDenied: 'The browser blocks notifications from this page', alertsLabel: 'Urgent tip alerts',
    streamLost: 'Live updates lost; retrying… (the queue still reloads with “Filter”)',
  },
});

const CASE_ROLES = ['officer', 'supervisor', 'admin'];
const listeners = [];
/** New urgent tips the officer has not opened or dismissed: id → reference code, oldest first. */
const unseen = new Map();
const prefs = { sound: false };
let source = null;
let lost = false;
let opener = () => {};
let audio = null;

/** Calls fn({kind, id, ref, priority, status, version}) for every case change in the officer's scope. */
export function onCase(fn) { listeners.push(fn); }
/** How the banner's "Open" button opens a case (the case page registers it). */
export function setOpener(fn) { opener = fn; }
/** The officer opened this case: its alert is done. */
export function seen(id) {
  if (unseen.delete(id)) draw();
}

const wanted = () => !!state.me && !state.me.mustChangePassword && CASE_ROLES.includes(state.me.role);

function open() {
  if (source || !wanted()) return;
  source = new EventSource('/api/liaison/events');
  source.addEventListener('ready', () => { if (lost) { lost = false; draw(); } });
  source.addEventListener('case', (ev) => {
    const c = JSON.parse(ev.data);
    if (c.kind === 'created' && c.priority === 'urgent') raise(c);
    for (const fn of listeners) { try { fn(c); } catch { /* one page's failure must not stop the others */ } }
  });
  source.addEventListener('signed-out', () => { close(); expire(); });
  source.onerror = () => {
    // EventSource retries by itself (the server sets `retry:`); a closed one means the server said no (401).
    if (source?.readyState === EventSource.CLOSED) { close(); return; }
    if (!lost) { lost = true; draw(); }
  };
}

function close() {
  source?.close();
  source = null;
  lost = false;
}

function raise(c) {
  unseen.set(c.id, c.ref);
  draw();
  if (prefs.sound) beep();
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    try { new Notification(`${t('alertUrgent')} ${c.ref}`, { tag: c.id }); } catch { /* not available (e.g. no service worker on mobile) */ }
  }
}

/** Two short tones through Web Audio (the context is made on the officer's click, as browsers require). */
function beep() {
  if (!audio) return;
  const now = audio.currentTime;
  for (const [at, freq] of [[0, 880], [0.25, 660]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.15, now + at);
    gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.2);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.2);
  }
}

/** The sound and notification switches, for the queue page. */
export function alertSettings() {
  const sound = h('input', { type: 'checkbox', id: 'alert-sound', checked: prefs.sound });
  sound.addEventListener('change', () => {
    prefs.sound = sound.checked;
    if (prefs.sound && !audio && typeof AudioContext !== 'undefined') audio = new AudioContext();
    if (prefs.sound) beep();
  });
  const perm = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  const notify = perm === 'granted' ? h('span', { class: 'hint', id: 'alert-notify-on', text: t('alertNotifyOn') })
    : perm === 'denied' ? h('span', { class: 'hint', text: t('alertNotifyDenied') })
      : perm === 'default' ? h('button', {
        type: 'button', id: 'alert-notify', text: t('alertNotify'),
        // Asked once, on the officer's own click; the browser remembers the answer.
        onclick: async () => { try { await Notification.requestPermission(); } catch { /* ignore */ } wrap.replaceWith(alertSettings()); },
      }) : null;
  const wrap = h('div', { class: 'alert-settings', role: 'group', 'aria-label': t('alertsLabel') },
    h('div', { class: 'field check' }, sound, h('label', { for: 'alert-sound', text: t('alertSound') })), notify);
  return wrap;
}

/** Draws the banner of unopened urgent tips (or removes it) and the count in the tab title. */
function draw() {
  setTitleCount(unseen.size);
  let banner = document.getElementById('alert-banner');
  if (!banner) {
    banner = h('div', { id: 'alert-banner', class: 'alert-banner', role: 'alert', 'aria-label': t('alertList') });
    document.querySelector('header.bar').after(banner);
  }
  const items = [...unseen].map(([id, ref]) => h('li', {},
    h('strong', { text: `${t('alertUrgent')}: ` }), h('span', { class: 'ref', text: ref }), ' ',
    h('button', { type: 'button', class: 'primary', 'data-alert-open': ref, text: t('alertOpen'), onclick: () => { seen(id); opener(id); } })));
  // (replaceChildren would write a null as the text "null": only elements go in.)
  banner.replaceChildren(...[
    items.length ? h('ul', {}, items) : null,
    items.length ? h('button', { type: 'button', id: 'alert-dismiss', text: t('alertDismiss'), onclick: () => { unseen.clear(); draw(); } }) : null,
    lost ? h('p', { class: 'stream-lost', text: t('streamLost') }) : null,
  ].filter((x) => x !== null));
  banner.hidden = !items.length && !lost;
}

onRender(() => {
  if (wanted()) open();
  else { close(); unseen.clear(); }
  draw();
});
