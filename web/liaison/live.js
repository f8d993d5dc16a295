// Live chats: counsellors on duty take chats from people who asked for a human and reply from here.
// The event stream stays open on every page while an officer is signed in (that is what "present"
// means to the server), so the header shows waiting chats anywhere; leaving the dashboard for a
// while takes the counsellor off duty and passes their chats on.
// Counsellors see a random chat id and the channel kind, never who the person is; the person sees
// "counsellor", never a name. Nothing of a chat is kept in the browser beyond this page's memory.
import { t, addStrings, getLang } from './i18n.js';
import { state, h, api, busy, flash, errorText, expire, page, render, renderBar, onRender, $ } from './core.js';

addStrings({
  vi: {
    navLive: 'Trò chuyện trực tiếp', liveTitle: 'Trò chuyện trực tiếp với người cần hỗ trợ',
    liveIntro: 'Bạn không thấy tên hay tài khoản của người đang trò chuyện, và họ chỉ thấy bạn là “Tư vấn viên”. Tin nhắn không được lưu lại sau khi kết thúc.',
    onDuty: 'Tôi đang trực (nhận trò chuyện)', onDutyN: 'Số tư vấn viên đang trực', waitingList: 'Đang chờ', myChats: 'Cuộc trò chuyện của tôi',
    noWaiting: 'Không có ai đang chờ.', noChats: 'Bạn chưa nhận cuộc trò chuyện nào.', offDutyHint: 'Bật “Tôi đang trực” để nhận trò chuyện.',
    take: 'Nhận trò chuyện', waitingFor: 'chờ', minutes: 'phút', justNow: 'vừa xong', reply: 'Trả lời', send: 'Gửi',
    endChat: 'Kết thúc', endConfirm: 'Kết thúc cuộc trò chuyện này? Người dùng sẽ quay lại với bot.', dismiss: 'Đóng',
    ended: 'Đã kết thúc', active: 'Đang trò chuyện', waiting: 'Đang chờ', fromUser: 'Người dùng', fromMe: 'Tôi (tư vấn viên)',
    urgentChat: 'CÓ THỂ KHẨN CẤP', ch_web: 'Web', ch_telegram: 'Telegram', ch_messenger: 'Messenger', ch_zalo: 'Zalo', ch_botframework: 'Bot Framework',
    lang_vi: 'tiếng Việt', lang_en: 'tiếng Anh', replyHint: 'Enter để gửi, Shift+Enter để xuống dòng.',
    n_joined: 'Bạn đã nhận cuộc trò chuyện.', n_requeued: 'Cuộc trò chuyện được chuyển lại hàng chờ.', n_ended_counsellor: 'Bạn đã kết thúc cuộc trò chuyện.',
    n_ended_user: 'Người dùng đã kết thúc cuộc trò chuyện.', n_user_left: 'Người dùng đã rời đi (thoát nhanh hoặc đóng trang).', n_unanswered: 'Hết thời gian chờ.', n_idle: 'Kết thúc vì lâu không có tin nhắn.',
    n_counsellor_gone: 'Kết thúc vì tư vấn viên mất kết nối.', liveLost: 'Mất kết nối trò chuyện trực tiếp; đang thử lại…',
  },
  en: {
    navLive: 'Live chats', liveTitle: 'Live chats with people asking for help',
    liveIntro: 'You do not see the name or account of the person you talk to, and they see you only as “Counsellor”. Messages are not kept after the chat ends.',
    onDuty: 'I am on duty (taking chats)', onDutyN: 'Counsellors on duty', waitingList: 'Waiting', myChats: 'My chats',
    noWaiting: 'Nobody is waiting.', noChats: 'You have not taken a chat.', offDutyHint: 'Turn on “I am on duty” to take chats.',
    take: 'Take chat', waitingFor: 'waiting', minutes: 'min', justNow: 'just now', reply: 'Reply', send: 'Send',
    endChat: 'End', endConfirm: 'End this chat? The person goes back to the bot.', dismiss: 'Close',
    ended: 'Ended', active: 'Active', waiting: 'Waiting', fromUser: 'Person', fromMe: 'Me (counsellor)',
    urgentChat: 'POSSIBLE EMERGENCY', ch_web: 'Web', ch_telegram: 'Telegram', ch_messenger: 'Messenger', ch_zalo: 'Zalo', ch_botframework: 'Bot Framework',
    lang_vi: 'Vietnamese', lang_en: 'English', replyHint: 'Enter sends, Shift+Enter for a new line.',
    n_joined: 'You took the chat.', n_requeued: 'The chat went back to the waiting list.', n_ended_counsellor: 'You ended the chat.',
    n_ended_user: 'The person ended the chat.', n_user_left: 'The person left (quick exit or closed the page).', n_unanswered: 'Nobody took it in time.', n_idle: 'Ended after a long silence.',
    n_counsellor_gone: 'Ended: the counsellor lost the connection.', liveLost: 'Live chat connection lost; retrying…',
  },
});

const LIVE_ROLES = ['officer', 'supervisor', 'admin'];
/** The latest view the server pushed: { onDuty, counsellorsOnDuty, chats }. */
let view = null;
let source = null;
/** What the counsellor is typing per chat (memory only), so a pushed update never loses it. */
const drafts = new Map();

const waitingCount = () => (view?.onDuty ? view.chats.filter((c) => c.state === 'waiting').length : 0);
const navLabel = () => (waitingCount() ? `${t('navLive')} (${waitingCount()})` : t('navLive'));

function wanted() {
  return !!state.me && !state.me.mustChangePassword && LIVE_ROLES.includes(state.me.role);
}

function openStream() {
  if (source || !wanted()) return;
  source = new EventSource('/api/liaison/live/events');
  source.addEventListener('state', (ev) => {
    view = JSON.parse(ev.data);
    refresh();
  });
  source.addEventListener('signed-out', () => { closeStream(); expire(); });
  source.addEventListener('open', () => { if ($('#live-lost')) refresh(); });
  source.addEventListener('error', () => {
    if (!source) return;
    if (source.readyState === EventSource.CLOSED) {
      // Refused (401 after a sign-out or expiry, 403): ask the API, which ends the session in the page if so.
      closeStream();
      api('GET', '/me').then(() => setTimeout(openStream, 3000), () => undefined);
    } else if (state.view === 'live') {
      const lost = $('#live-lost');
      if (lost) lost.hidden = false;
    }
  });
}

function closeStream() {
  if (source) source.close();
  source = null;
  view = null;
  drafts.clear();
}

onRender(() => {
  if (wanted()) openStream();
  else if (source) closeStream();
  titleBadge();
});

function titleBadge() {
  const n = waitingCount();
  document.title = `${n ? `(${n}) ` : ''}${t('title')}`;
}

/** A pushed update: the header's count everywhere, the page itself only when it is open. */
function refresh() {
  renderBar();
  titleBadge();
  if (state.view !== 'live') return;
  const active = document.activeElement;
  const focusId = active?.id;
  const caret = active && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
  const main = $('#main');
  main.replaceChildren(liveView());
  if (focusId) {
    const el = document.getElementById(focusId);
    if (el) { el.focus(); if (caret && 'setSelectionRange' in el) { try { el.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ } } }
  }
  for (const log of document.querySelectorAll('.live-log')) log.scrollTop = log.scrollHeight;
}

async function post(path, body) {
  return busy(async () => {
    try {
      view = await api('POST', path, body);
      flash(null);
      refresh();
      return true;
    } catch (e) {
      if (e.status !== 401) flash(errorText(e), 'error');
      return false;
    }
  });
}

const since = (iso) => {
  const min = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  return min < 1 ? t('justNow') : `${min} ${t('minutes')}`;
};
const timeOf = (iso) => new Date(iso).toLocaleTimeString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' });

function waitingItem(c) {
  return h('li', { class: `live-waiting${c.urgent ? ' urgent' : ''}`, 'data-chat': c.id },
    c.urgent ? h('span', { class: 'flag urgent', text: t('urgentChat') }) : null,
    h('span', { class: 'badge', text: t(`ch_${c.channel}`) }),
    h('span', { class: 'badge', text: t(`lang_${c.lang}`) }),
    h('span', { class: 'meta', text: `${t('waitingFor')} ${since(c.waitingSince)}` }),
    h('button', { type: 'button', class: 'primary take', text: t('take'), disabled: !view.onDuty, onclick: () => post(`/live/chats/${c.id}/take`) }));
}

function chatPanel(c) {
  const replyId = `reply-${c.id}`;
  const form = h('form', { class: 'live-reply' },
    h('label', { for: replyId, text: t('reply') }),
    h('textarea', {
      id: replyId, rows: 2, maxlength: 2000, required: true, 'aria-describedby': `hint-${c.id}`,
      oninput: (ev) => drafts.set(c.id, ev.target.value),
      onkeydown: (ev) => { if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ev.target.form.requestSubmit(); } },
    }),
    h('span', { id: `hint-${c.id}`, class: 'hint', text: t('replyHint') }),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', text: t('send') }),
      h('button', { type: 'button', class: 'end', text: t('endChat'), onclick: () => { if (confirm(t('endConfirm'))) post(`/live/chats/${c.id}/end`); } })));
  form.querySelector('textarea').value = drafts.get(c.id) ?? '';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = form.querySelector('textarea').value.trim();
    if (!text) return;
    if (await post(`/live/chats/${c.id}/messages`, { text })) {
      drafts.delete(c.id);
      const box = document.getElementById(replyId);
      if (box) { box.value = ''; box.focus(); }
    }
  });
  return h('section', { class: `card live-chat state-${c.state}${c.urgent ? ' urgent' : ''}`, 'data-chat': c.id, 'aria-label': `${t(`ch_${c.channel}`)} · ${t(c.state)}` },
    h('div', { class: 'title-row' },
      h('h3', {}, c.urgent ? h('span', { class: 'flag urgent', text: t('urgentChat') }) : null, ' ',
        h('span', { class: 'badge', text: t(`ch_${c.channel}`) }), ' ', h('span', { class: 'badge', text: t(`lang_${c.lang}`) }), ' ',
        h('span', { class: 'badge state', text: t(c.state) })),
      c.state === 'ended' ? h('button', { type: 'button', class: 'dismiss', text: t('dismiss'), onclick: () => post(`/live/chats/${c.id}/dismiss`) }) : null),
    h('ol', { class: 'live-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('myChats') },
      (c.messages ?? []).map((m) => (m.from === 'system'
        ? h('li', { class: 'live-msg from-system', text: `${timeOf(m.at)} · ${t(`n_${m.notice ?? 'joined'}`)}` })
        : h('li', { class: `live-msg from-${m.from}${m.urgent ? ' urgent' : ''}` },
          h('span', { class: 'who-msg', text: `${m.from === 'user' ? t('fromUser') : t('fromMe')} · ${timeOf(m.at)}` }),
          h('p', { text: m.text }))))),
    c.state === 'active' ? form : null);
}

function liveView() {
  if (!view) return h('section', { class: 'live-page' }, h('h1', { text: t('liveTitle') }), h('p', { class: 'empty', text: t('loading') }));
  const duty = h('input', { type: 'checkbox', id: 'duty', checked: view.onDuty, onchange: (ev) => post('/live/duty', { on: ev.target.checked }) });
  const waiting = view.chats.filter((c) => c.state === 'waiting');
  const mine = view.chats.filter((c) => c.mine);
  return h('section', { class: 'live-page' },
    h('h1', { text: t('liveTitle') }),
    h('p', { class: 'hint', text: t('liveIntro') }),
    h('p', { id: 'live-lost', class: 'flash error', hidden: true, text: t('liveLost') }),
    h('div', { class: 'card duty-row' },
      h('div', { class: 'field check' }, duty, h('label', { for: 'duty', text: t('onDuty') })),
      h('span', { class: 'meta', id: 'on-duty-count', text: `${t('onDutyN')}: ${view.counsellorsOnDuty}` })),
    h('section', { class: 'card', id: 'live-waiting', 'aria-labelledby': 'h-waiting' },
      h('h2', { id: 'h-waiting', text: `${t('waitingList')} (${waiting.length})` }),
      !view.onDuty ? h('p', { class: 'hint', text: t('offDutyHint') }) : null,
      waiting.length ? h('ul', { class: 'live-list' }, waiting.map(waitingItem)) : h('p', { class: 'empty', text: t('noWaiting') })),
    h('section', { id: 'live-mine', 'aria-labelledby': 'h-mine' },
      h('h2', { id: 'h-mine', text: t('myChats') }),
      mine.length ? mine.map(chatPanel) : h('p', { class: 'empty', text: t('noChats') })));
}

page('live', {
  view: liveView, nav: navLabel, roles: LIVE_ROLES, order: 15,
  enter: () => { if (!source) openStream(); else render(); },
});
