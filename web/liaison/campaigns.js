// Campaign broadcasts (issue #13): supervisors and admins send one campaign item (its opening, or a message item)
// to the people who opted in to "Nhận tin phòng chống". A dry-run first counts the recipients per channel; then
// start, pause, resume or cancel. Progress comes from the server (counts only, never an address) and refreshes
// every few seconds while a broadcast runs. Every action is audited on the server.
import { t, addStrings, getLang } from './i18n.js';
import { state, h, api, busy, errorText, field, fmt, page, render, onLeave } from './core.js';

addStrings({
  vi: {
    navBroadcasts: 'Gửi tin chiến dịch', bcTitle: 'Gửi tin chiến dịch',
    bcHint: 'Chỉ gửi cho người đã đồng ý “Nhận tin phòng chống”: nhiều nhất 1 tin mỗi tuần, không bao giờ từ 22 giờ đến 7 giờ sáng (việc gửi tự chờ đến sáng), ai đã dừng nhận tin thì không nhận. Trang này chỉ có số lượng, không có địa chỉ của ai.',
    bcCampaign: 'Chiến dịch', bcItem: 'Nội dung gửi', bcOpening: 'Lời mở đầu của chiến dịch', bcDry: 'Đếm người nhận', bcStart: 'Bắt đầu gửi',
    bcRecipients: 'Người nhận theo kênh', bcChannel: 'Kênh', bcCount: 'Số người', bcSendable: 'Gửi được?', bcYes: 'Có', bcNo: 'Không (nền tảng chưa cho phép)',
    bcTotal: 'Tổng số sẽ nhận: {n}', bcNight: 'Bây giờ là ban đêm ở Việt Nam: việc gửi sẽ chờ đến 7 giờ sáng.',
    bcList: 'Các đợt gửi', bcNone: 'Chưa có đợt gửi nào.', bcRefresh: 'Làm mới', bcCreated: 'Bắt đầu lúc', bcStatus: 'Trạng thái', bcProgress: 'Tiến độ',
    bcProgressText: 'đã gửi {sent} · chờ {queued} · bỏ qua {skipped} · lỗi {failed}', bcActions: 'Thao tác',
    bcPause: 'Tạm dừng', bcResume: 'Tiếp tục', bcCancel: 'Hủy đợt gửi', bcPollAudience: '(đối tượng theo câu trả lời khảo sát: không gửi được)',
    bs_draft: 'Nháp', bs_running: 'Đang gửi', bs_paused: 'Tạm dừng', bs_cancelled: 'Đã hủy', bs_done: 'Đã xong',
    bcStarted: 'Đã bắt đầu gửi.', bcPaused: 'Đã tạm dừng.', bcResumed: 'Đã tiếp tục gửi.', bcCancelled: 'Đã hủy đợt gửi.',
    e_broadcast_unavailable: 'Máy chủ này chưa có kênh nào được phép gửi tin chiến dịch.', e_busy: 'Đang có một đợt gửi chạy hoặc tạm dừng: hãy để nó xong hoặc hủy trước.',
    e_too_soon: 'Người nhận được hứa nhiều nhất 1 tin mỗi tuần: đợt gửi trước mới cách đây chưa đủ 7 ngày.',
    e_audience_unsupported: 'Chỉ gửi được cho “tất cả người đăng ký”: câu trả lời khảo sát được đếm ẩn danh, không gắn với ai, nên không chọn người theo câu trả lời được.',
    e_unknown_campaign: 'Không có chiến dịch này.', e_unknown_item: 'Chỉ gửi được lời mở đầu hoặc một mục tin nhắn của chiến dịch.',
    e_bad_state: 'Đợt gửi đang ở trạng thái không cho phép thao tác này. Hãy làm mới.',
  },
  en: {
    navBroadcasts: 'Broadcasts', bcTitle: 'Campaign broadcasts',
    bcHint: 'Sent only to people who chose “Prevention news”: at most 1 message a week, never between 22:00 and 07:00 (sending waits for the morning), never to anyone who stopped. This page shows counts only, nobody’s address.',
    bcCampaign: 'Campaign', bcItem: 'What to send', bcOpening: 'The campaign’s opening', bcDry: 'Count recipients', bcStart: 'Start sending',
    bcRecipients: 'Recipients per channel', bcChannel: 'Channel', bcCount: 'People', bcSendable: 'Can send?', bcYes: 'Yes', bcNo: 'No (the platform does not allow it yet)',
    bcTotal: 'Will receive: {n}', bcNight: 'It is night in Viet Nam now: sending will wait for 07:00.',
    bcList: 'Broadcasts', bcNone: 'No broadcast yet.', bcRefresh: 'Refresh', bcCreated: 'Started', bcStatus: 'Status', bcProgress: 'Progress',
    bcProgressText: 'sent {sent} · waiting {queued} · skipped {skipped} · failed {failed}', bcActions: 'Actions',
    bcPause: 'Pause', bcResume: 'Resume', bcCancel: 'Cancel broadcast', bcPollAudience: '(audience by poll answer: cannot be sent)',
    bs_draft: 'Draft', bs_running: 'Sending', bs_paused: 'Paused', bs_cancelled: 'Cancelled', bs_done: 'Done',
    bcStarted: 'Sending has started.', bcPaused: 'Paused.', bcResumed: 'Sending again.', bcCancelled: 'Broadcast cancelled.',
    e_broadcast_unavailable: 'No channel on this server may send campaign messages yet.', e_busy: 'A broadcast is running or paused: let it finish or cancel it first.',
    e_too_soon: 'Subscribers were promised at most 1 message a week: the last broadcast was less than 7 days ago.',
    e_audience_unsupported: 'Only “all subscribers” can be sent: poll answers are counted anonymously, linked to nobody, so nobody can be picked by their answer.',
    e_unknown_campaign: 'No such campaign.', e_unknown_item: 'Only the opening or a message item of the campaign can be sent.',
    e_bad_state: 'The broadcast’s status does not allow this now. Refresh the page.',
  },
});

const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const bc = { data: null, campaign: '', item: 'opening', dry: null, loading: false };
let timer = null;

function stopTimer() { if (timer) { clearInterval(timer); timer = null; } }
onLeave(stopTimer);

async function load() {
  bc.loading = true;
  try {
    bc.data = await busy(() => api('GET', '/broadcasts'));
    if (!bc.campaign && bc.data.campaigns.length) bc.campaign = bc.data.campaigns[0].id;
  } catch (e) {
    bc.data = null;
    state.msg = errorText(e);
  } finally {
    bc.loading = false;
  }
  stopTimer();
  if (state.view === 'broadcasts' && bc.data?.broadcasts.some((b) => b.status === 'running')) timer = setInterval(refresh, 3000);
  if (state.view === 'broadcasts') render();
}

/** Redraws the progress only (what the supervisor is choosing stays). */
async function refresh() {
  if (state.view !== 'broadcasts') { stopTimer(); return; }
  try {
    bc.data = await api('GET', '/broadcasts');
    const list = document.getElementById('bc-list');
    if (list) list.replaceWith(listCard());
    if (!bc.data.broadcasts.some((b) => b.status === 'running')) stopTimer();
  } catch { /* the next refresh tries again */ }
}

async function act(fn, ok) {
  try {
    await busy(fn);
    state.msg = { text: t(ok), kind: 'info' };
  } catch (e) {
    state.msg = errorText(e);
  }
  await load();
}

function chooser() {
  const campaigns = bc.data?.campaigns ?? [];
  const current = campaigns.find((c) => c.id === bc.campaign);
  const lang = getLang();
  const form = h('form', { id: 'bc-form', class: 'filters', 'aria-label': t('bcTitle') },
    field('bc-campaign', t('bcCampaign'), h('select', { onchange: (ev) => { bc.campaign = ev.target.value; bc.item = 'opening'; bc.dry = null; render(); } },
      campaigns.map((c) => h('option', { value: c.id, selected: c.id === bc.campaign, text: `${c.title[lang] ?? c.title.vi}${c.audience === 'poll' ? ` ${t('bcPollAudience')}` : ''}` })))),
    field('bc-item', t('bcItem'), h('select', { onchange: (ev) => { bc.item = ev.target.value; bc.dry = null; } },
      (current?.items ?? ['opening']).map((i) => h('option', { value: i, selected: i === bc.item, text: i === 'opening' ? t('bcOpening') : i })))),
    h('div', { class: 'field buttons' },
      h('button', { type: 'submit', id: 'bc-dry', text: t('bcDry') }),
      h('button', { type: 'button', id: 'bc-start', class: 'primary', disabled: !bc.dry || bc.dry.total === 0, text: t('bcStart'),
        onclick: () => act(() => api('POST', '/broadcasts', { campaign: bc.campaign, item: bc.item }).then(() => { bc.dry = null; }), 'bcStarted') })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      bc.dry = await busy(() => api('POST', '/broadcasts/dry-run', { campaign: bc.campaign, item: bc.item }));
      state.msg = null;
    } catch (e) {
      bc.dry = null;
      state.msg = errorText(e);
    }
    render();
  });
  return form;
}

function dryCard() {
  if (!bc.dry) return null;
  return h('section', { class: 'card', id: 'bc-dry-result', 'aria-live': 'polite' },
    h('h2', { text: t('bcRecipients') }),
    h('table', { class: 'chart-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('bcChannel') }), h('th', { scope: 'col', text: t('bcCount') }), h('th', { scope: 'col', text: t('bcSendable') }))),
      h('tbody', {}, bc.dry.channels.map((c) => h('tr', {},
        h('th', { scope: 'row', text: t(`ch_${c.channel}`) }), h('td', { text: String(c.count) }), h('td', { text: c.sendable ? t('bcYes') : t('bcNo') }))))),
    h('p', {}, h('strong', { id: 'bc-total', text: fill('bcTotal', { n: bc.dry.total }) })),
    bc.dry.night ? h('p', { class: 'hint', text: t('bcNight') }) : null);
}

function listCard() {
  const items = bc.data?.broadcasts ?? [];
  const title = (id) => { const c = bc.data?.campaigns.find((x) => x.id === id); return c ? c.title[getLang()] ?? c.title.vi : id; };
  return h('section', { class: 'card', id: 'bc-list' },
    h('div', { class: 'title-row' }, h('h2', { text: t('bcList') }), h('button', { type: 'button', id: 'bc-refresh', text: t('bcRefresh'), onclick: load })),
    items.length === 0 ? h('p', { class: 'empty', text: t('bcNone') }) : h('table', { class: 'chart-table' },
      h('thead', {}, h('tr', {}, [t('bcCampaign'), t('bcItem'), t('bcCreated'), t('bcStatus'), t('bcProgress'), t('bcActions')].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, items.map((b) => h('tr', { 'data-id': b.id },
        h('th', { scope: 'row', text: title(b.campaign) }),
        h('td', { text: b.item === 'opening' ? t('bcOpening') : b.item }),
        h('td', { text: fmt(b.createdAt) }),
        h('td', { class: 'bc-status', text: t(`bs_${b.status}`) }),
        h('td', { class: 'bc-progress', text: fill('bcProgressText', b.counts) }),
        h('td', {},
          b.status === 'running' ? h('button', { type: 'button', class: 'bc-pause', text: t('bcPause'), onclick: () => act(() => api('POST', `/broadcasts/${b.id}/pause`), 'bcPaused') }) : null,
          b.status === 'paused' ? h('button', { type: 'button', class: 'bc-resume', text: t('bcResume'), onclick: () => act(() => api('POST', `/broadcasts/${b.id}/resume`), 'bcResumed') }) : null,
          b.status === 'running' || b.status === 'paused' ? h('button', { type: 'button', class: 'bc-cancel', text: t('bcCancel'), onclick: () => act(() => api('POST', `/broadcasts/${b.id}/cancel`), 'bcCancelled') }) : null))))));
}

function broadcastsView() {
  return h('section', { class: 'broadcasts-page' },
    h('div', { class: 'title-row' }, h('h1', { text: t('bcTitle') })),
    h('p', { class: 'hint', text: t('bcHint') }),
    bc.data ? [chooser(), dryCard(), listCard()] : h('p', { class: 'empty', text: bc.loading ? t('loading') : '' }));
}

page('broadcasts', { view: broadcastsView, nav: 'navBroadcasts', roles: ['supervisor', 'admin'], order: 40, enter: load });
