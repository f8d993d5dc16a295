// Live chats: counsellors on duty take chats from people who asked for a human and reply from here.
// The event stream stays open on every page while an officer is signed in (that is what "present"
// means to the server), so the header shows waiting chats anywhere; leaving the dashboard for a
// while takes the counsellor off duty and passes their chats on.
// Counsellors see a random chat id and the channel kind, never who the person is; the person sees
// "counsellor", never a name. Nothing of a chat is kept in the browser beyond this page's memory.
// In an open chat: ready-made replies (content/canned.yaml) go into the reply box to be adapted, never sent
// as they are; typing is passed on (at most every 3 s) and the person's typing shown; a chat can be handed to
// a colleague on duty; and the person can be asked whether to keep what they wrote as an anonymous tip.
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
    cannedLabel: 'Câu có sẵn', cannedPick: '— Chọn để đưa vào ô trả lời —',
    cannedHint: 'Câu mẫu được đưa vào ô trả lời (theo ngôn ngữ của người dùng) để bạn sửa trước khi gửi.',
    userTyping: 'Người dùng đang nhập…',
    handOverLabel: 'Chuyển cho đồng nghiệp đang trực', handOver: 'Chuyển', noColleagues: 'Không có đồng nghiệp nào khác đang trực.',
    handOverConfirm: 'Chuyển cuộc trò chuyện này cho {name}? Người dùng chỉ được báo là đang chuyển sang một tư vấn viên khác; đồng nghiệp sẽ thấy toàn bộ tin nhắn.',
    handedOver: 'Đã chuyển cuộc trò chuyện cho {name}.',
    tipLabel: 'Lưu thành tin báo ẩn danh (loại tin)', tipPropose: 'Hỏi người dùng',
    tipHint: 'Người dùng được hỏi Có/Không và được nói rõ điều gì sẽ được lưu: chỉ tin nhắn của họ, ẩn danh. Chỉ khi họ đồng ý mới có tin báo.',
    tip_asked: 'Đang chờ người dùng trả lời câu hỏi lưu tin báo ({category})…', tip_saved: 'Đã lưu tin báo {ref}.',
    tip_declined: 'Người dùng không đồng ý lưu; không có gì được lưu.', tip_expired: 'Người dùng chưa trả lời; không có gì được lưu.',
    n_handed_over: 'Chuyển tư vấn viên: một đồng nghiệp đã chuyển cuộc trò chuyện này; các tin nhắn trước đó ở trên.',
    n_tip_offer: 'Đã hỏi người dùng có muốn lưu cuộc trò chuyện thành tin báo ({category}) không.',
    n_tip_saved: 'Người dùng đồng ý: đã lưu tin báo {ref}.', n_tip_declined: 'Người dùng không đồng ý: không có gì được lưu.',
    n_tip_expired: 'Người dùng không trả lời kịp: không có gì được lưu.', n_tip_failed: 'Tin báo chưa lưu được (hệ thống bận hoặc lỗi); người dùng có thể bấm đồng ý lại.',
    e_colleague_not_on_duty: 'Đồng nghiệp này không còn trực.', e_same_counsellor: 'Hãy chọn một đồng nghiệp khác.',
    e_tip_saved: 'Cuộc trò chuyện này đã được lưu thành tin báo.', e_nothing_to_keep: 'Người dùng chưa viết gì để lưu.', e_not_active: 'Hãy nhận cuộc trò chuyện trước.',
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
    cannedLabel: 'Ready-made texts', cannedPick: '— Pick one to put in the reply box —',
    cannedHint: 'The reply goes into the reply box (in the person’s language) for you to adapt before sending.',
    userTyping: 'The person is typing…',
    handOverLabel: 'Hand over to a colleague on duty', handOver: 'Hand over', noColleagues: 'No other colleague is on duty.',
    handOverConfirm: 'Hand this chat to {name}? The person is only told that another counsellor takes over; your colleague sees all messages.',
    handedOver: 'The chat was handed to {name}.',
    tipLabel: 'Keep as an anonymous tip (category)', tipPropose: 'Ask the person',
    tipHint: 'The person is asked Yes/No and told exactly what is kept: only their own messages, anonymously. A tip exists only if they agree.',
    tip_asked: 'Waiting for the person to answer whether to keep a tip ({category})…', tip_saved: 'Tip {ref} stored.',
    tip_declined: 'The person said no; nothing was kept.', tip_expired: 'The person did not answer; nothing was kept.',
    n_handed_over: 'Handed over between counsellors: a colleague passed this chat on; earlier messages are above.',
    n_tip_offer: 'The person was asked whether to keep the chat as a tip ({category}).',
    n_tip_saved: 'The person agreed: tip {ref} stored.', n_tip_declined: 'The person said no: nothing was kept.',
    n_tip_expired: 'The person did not answer in time: nothing was kept.', n_tip_failed: 'The tip could not be stored (busy or a fault); the person may agree again.',
    e_colleague_not_on_duty: 'That colleague is no longer on duty.', e_same_counsellor: 'Choose another colleague.',
    e_tip_saved: 'This chat is already kept as a tip.', e_nothing_to_keep: 'The person has not written anything to keep.', e_not_active: 'Take the chat first.',
  },
});

const LIVE_ROLES = ['officer', 'supervisor', 'admin'];
/** The latest view the server pushed: { onDuty, counsellorsOnDuty, chats }. */
let view = null;
let source = null;
/** What the counsellor is typing per chat (memory only), so a pushed update never loses it. */
const drafts = new Map();
/** The pickers' choices per chat ("handover:<id>", "tip:<id>"), kept across pushed updates. */
const picks = new Map();
/** Ready-made replies and tip categories ({ canned, categories }), loaded once per sign-in. */
let tools = null;
/** Until when (this browser's clock) each chat shows "the person is typing". */
const typingUntil = new Map();
let typingTimer = null;
/** When this counsellor's typing was last passed on, per chat. */
const typingSent = new Map();
/** The counsellor's typing is passed on at most this often. */
const TYPING_EVERY_MS = 3000;
const TYPING_SHOW_MS = 6000;

const waitingCount = () => (view?.onDuty ? view.chats.filter((c) => c.state === 'waiting').length : 0);
const navLabel = () => (waitingCount() ? `${t('navLive')} (${waitingCount()})` : t('navLive'));

function wanted() {
  return !!state.me && !state.me.mustChangePassword && LIVE_ROLES.includes(state.me.role);
}

function openStream() {
  if (source || !wanted()) return;
  source = new EventSource('/api/liaison/live/events');
  source.addEventListener('state', (ev) => {
    setView(JSON.parse(ev.data));
    refresh();
  });
  if (!tools) api('GET', '/live/tools').then((x) => { tools = x; if (state.view === 'live') refresh(); }, () => undefined);
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
  tools = null;
  drafts.clear();
  picks.clear();
  typingUntil.clear();
  typingSent.clear();
}

/** A new view from the server; "the person is typing" is shown until the server's age of it says it is stale. */
function setView(v) {
  view = v;
  const now = Date.now();
  for (const c of v.chats) if (typeof c.userTypingMs === 'number') typingUntil.set(c.id, now - c.userTypingMs + TYPING_SHOW_MS);
  const next = Math.min(...[...typingUntil.values()].filter((at) => at > now));
  clearTimeout(typingTimer);
  if (Number.isFinite(next)) typingTimer = setTimeout(() => { if (state.view === 'live') refresh(); }, next - now + 50);
}

/** Tells the server this counsellor is typing in a chat (at most every few seconds; nothing if it fails). */
function typingPing(chatId) {
  const now = Date.now();
  if (now - (typingSent.get(chatId) ?? 0) < TYPING_EVERY_MS) return;
  typingSent.set(chatId, now);
  api('POST', `/live/chats/${chatId}/typing`).catch(() => undefined);
}

/** A string with {name}-style slots filled. */
const fill = (key, values) => t(key).replace(/\{(\w+)\}/g, (all, k) => (k in values ? values[k] : all));
const categoryText = (value) => (value ? t(`c_${value}`) : '');

function noticeText(m) {
  return fill(`n_${m.notice ?? 'joined'}`, { category: categoryText(m.category), ref: m.ref ?? '' });
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
      setView(await api('POST', path, body));
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

/** The ready-made replies: picking one puts its text (in the chat's language) into the reply box, to be adapted. */
function cannedPicker(c, replyId) {
  if (!tools?.canned?.length) return null;
  const id = `canned-${c.id}`;
  const lang = getLang();
  const insert = (ev) => {
    const item = tools.canned.find((x) => x.id === ev.target.value);
    ev.target.value = '';
    const box = document.getElementById(replyId);
    if (!item || !box) return;
    const text = item.text[c.lang] ?? item.text.vi;
    const before = box.value.replace(/\s+$/, '');
    box.value = before ? `${before} ${text}` : text;
    drafts.set(c.id, box.value);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    typingPing(c.id);
  };
  return h('div', { class: 'live-canned' },
    h('label', { for: id, text: t('cannedLabel') }),
    h('select', { id, 'aria-describedby': `canned-hint-${c.id}`, onchange: insert },
      h('option', { value: '', text: t('cannedPick') }),
      tools.canned.map((x) => h('option', { value: x.id, text: x.title[lang] ?? x.title.vi }))),
    h('span', { id: `canned-hint-${c.id}`, class: 'hint', text: t('cannedHint') }));
}

/** Hand the chat to a colleague on duty (the person is told only that another counsellor takes over). */
function handOverTool(c) {
  const id = `handover-${c.id}`;
  const colleagues = view.colleagues ?? [];
  if (!colleagues.length) return h('div', { class: 'live-tool live-handover' }, h('span', { class: 'hint', text: t('noColleagues') }));
  const key = `handover:${c.id}`;
  if (!colleagues.some((x) => x.id === picks.get(key))) picks.set(key, colleagues[0].id);
  const select = h('select', { id, onchange: (ev) => picks.set(key, ev.target.value) },
    colleagues.map((x) => h('option', { value: x.id, text: x.name, selected: x.id === picks.get(key) })));
  const go = async () => {
    const to = colleagues.find((x) => x.id === picks.get(key));
    if (!to || !confirm(fill('handOverConfirm', { name: to.name }))) return;
    if (await post(`/live/chats/${c.id}/handover`, { to: to.id })) {
      drafts.delete(c.id);
      flash(fill('handedOver', { name: to.name }));
    }
  };
  return h('div', { class: 'live-tool live-handover' },
    h('label', { for: id, text: t('handOverLabel') }), select,
    h('button', { type: 'button', class: 'handover', text: t('handOver'), onclick: go }));
}

/** Propose to keep the chat as a tip: the person answers yes or no; the panel shows the outcome (reference code only). */
function tipTool(c) {
  const id = `tip-${c.id}`;
  const key = `tip:${c.id}`;
  const categories = tools?.categories?.map((x) => x.value) ?? [];
  if (!categories.length) return null;
  if (!categories.includes(picks.get(key))) picks.set(key, categories[0]);
  const tip = c.tip;
  const locked = tip?.state === 'asked' || tip?.state === 'saved';
  const status = tip ? h('p', { class: `live-tip-state tip-${tip.state}`, role: 'status', text: fill(`tip_${tip.state}`, { category: categoryText(tip.category), ref: tip.ref ?? '' }) }) : null;
  return h('div', { class: 'live-tool live-tip' },
    h('label', { for: id, text: t('tipLabel') }),
    h('select', { id, disabled: locked, 'aria-describedby': `tip-hint-${c.id}`, onchange: (ev) => picks.set(key, ev.target.value) },
      categories.map((v) => h('option', { value: v, text: categoryText(v), selected: v === picks.get(key) }))),
    h('button', { type: 'button', class: 'propose-tip', text: t('tipPropose'), disabled: locked, onclick: () => post(`/live/chats/${c.id}/tip`, { category: picks.get(key) }) }),
    h('span', { id: `tip-hint-${c.id}`, class: 'hint', text: t('tipHint') }),
    status);
}

function chatPanel(c) {
  const replyId = `reply-${c.id}`;
  const form = h('form', { class: 'live-reply' },
    cannedPicker(c, replyId),
    h('label', { for: replyId, text: t('reply') }),
    h('textarea', {
      id: replyId, rows: 2, maxlength: 2000, required: true, 'aria-describedby': `hint-${c.id}`,
      oninput: (ev) => { drafts.set(c.id, ev.target.value); if (ev.target.value.trim()) typingPing(c.id); },
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
    h('div', { class: 'live-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('myChats') }, h('ol', { class: 'live-lines' },
      (c.messages ?? []).map((m) => (m.from === 'system'
        ? h('li', { class: `live-msg from-system notice-${m.notice ?? 'joined'}`, text: `${timeOf(m.at)} · ${noticeText(m)}` })
        : h('li', { class: `live-msg from-${m.from}${m.urgent ? ' urgent' : ''}` },
          h('span', { class: 'who-msg', text: `${m.from === 'user' ? t('fromUser') : t('fromMe')} · ${timeOf(m.at)}` }),
          h('p', { text: m.text })))))),
    c.state !== 'ended' && (typingUntil.get(c.id) ?? 0) > Date.now() ? h('p', { class: 'live-user-typing', role: 'status', text: t('userTyping') }) : null,
    c.state === 'active' ? form : null,
    c.state === 'active' ? h('div', { class: 'live-tools' }, handOverTool(c), tipTool(c)) : null);
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
