// Strings of the officers' dashboard, Vietnamese first, English as a toggle. No case data here.
// The tip's field names come with the fields' definition (src/cases/tip-fields.ts), served as ./tip-fields.js.
import { TIP_FIELDS } from './tip-fields.js';

const vi = {
  title: 'Bình An – Bàn làm việc cán bộ', lang: 'English', langLabel: 'Switch to English',
  signIn: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', signOut: 'Đăng xuất',
  expired: 'Phiên đăng nhập đã hết hạn hoặc đã kết thúc. Hãy đăng nhập lại.', signedOut: 'Đã đăng xuất.',
  mustChange: 'Bạn cần đổi mật khẩu trước khi làm việc.', current: 'Mật khẩu hiện tại', next: 'Mật khẩu mới (12 ký tự trở lên)',
  next2: 'Nhập lại mật khẩu mới', changePw: 'Đổi mật khẩu', mismatch: 'Hai mật khẩu mới không khớp.',
  queue: 'Hàng đợi tin báo', filters: 'Bộ lọc', status: 'Trạng thái', priority: 'Mức ưu tiên',
  from: 'Từ ngày', to: 'Đến ngày', mine: 'Chỉ tin của tôi', ref: 'Mã tin báo', any: 'Tất cả',
  apply: 'Lọc', reset: 'Xóa lọc', more: 'Tải thêm', empty: 'Không có tin báo nào phù hợp.', exportCsv: 'Xuất CSV',
  counts: 'Số tin theo trạng thái', urgentFlag: 'KHẨN', answered: 'Người báo đã trả lời', relatedN: 'tin liên quan',
  unassigned: 'Chưa ai nhận', loading: 'Đang tải…',
  back: '← Về hàng đợi', print: 'In', reload: 'Tải lại', fields: 'Nội dung tin báo',
  assignedTo: 'Cán bộ phụ trách', disposition: 'Kết quả xử lý', createdAt: 'Nhận lúc',
  updatedAt: 'Cập nhật', version: 'Phiên bản', actions: 'Xử lý', claim: 'Nhận xử lý', change: 'Đổi', assign: 'Giao cho',
  notes: 'Ghi chú nội bộ (người báo không bao giờ thấy)', addNote: 'Thêm ghi chú',
  noteText: 'Ghi chú mới', messages: 'Trao đổi với người báo (ẩn danh)', ask: 'Gửi câu hỏi', question: 'Câu hỏi cho người báo',
  askHint: 'Người báo đọc câu hỏi khi tra cứu bằng mã và mã bí mật; bạn không thể liên lạc trực tiếp với họ.',
  fromOfficer: 'Cán bộ hỏi', fromReporter: 'Người báo trả lời', none: 'Chưa có.', related: 'Tin báo có thể liên quan',
  score: 'độ giống', history: 'Lịch sử xử lý', reporter: 'người báo', system: 'hệ thống', yes: 'Có', no: 'Không', unsure: 'Không chắc',
  conflict: 'Hồ sơ vừa được người khác thay đổi. Hãy bấm “Tải lại” rồi làm lại.', saved: 'Đã lưu.', error: 'Lỗi',
  network: 'Không kết nối được máy chủ.', dispositionNeeded: 'Chọn kết quả xử lý khi đóng tin.',
  s_new: 'Mới', s_triaged: 'Đã phân loại', s_assigned: 'Đã có người nhận', s_forwarded: 'Đã chuyển', s_closed: 'Đã đóng',
  p_urgent: 'Khẩn', p_high: 'Cao', p_normal: 'Bình thường', p_low: 'Thấp',
  c_drugs: 'Ma túy', c_trafficking: 'Mua bán người', c_prostitution: 'Mại dâm', c_child_abuse: 'Xâm hại trẻ em', c_scam: 'Lừa đảo', c_other: 'Khác',
  d_actioned: 'Đã xử lý', d_referred: 'Đã chuyển cơ quan khác', d_duplicate: 'Trùng lặp', d_unfounded: 'Không có cơ sở',
  d_insufficient_info: 'Thiếu thông tin', d_spam: 'Tin rác',
  a_created: 'tạo tin', a_status: 'đổi trạng thái', a_priority: 'đổi mức ưu tiên', a_claim: 'nhận xử lý', a_assign: 'giao việc',
  a_disposition: 'kết quả', a_note: 'thêm ghi chú', a_question: 'hỏi người báo', a_answer: 'người báo trả lời', a_related: 'liên kết tin',
  a_reencrypt: 'mã hóa lại',
  r_officer: 'cán bộ', r_supervisor: 'giám sát', r_admin: 'quản trị',
  newSince: 'MỚI', newSinceTitle: 'Nhận sau lần đăng nhập trước của bạn', nav: 'Các trang', navQueue: 'Tin báo', navAccount: 'Tài khoản',
  draftRestored: 'Bạn đã đăng nhập lại. Nội dung chưa gửi đã được giữ nguyên – hãy kiểm tra rồi gửi.',
  caseReopened: 'Bạn đã đăng nhập lại và quay về hồ sơ đang xem.',
  caseGone: 'Tin báo này không còn tồn tại (có thể đã bị xóa) hoặc không thuộc phạm vi của bạn. Đã quay về hàng đợi.',
  tooLarge: 'Nội dung quá lớn, máy chủ từ chối. Hãy rút ngắn rồi gửi lại; nội dung vẫn còn trong ô.',
  tooLong: 'Nội dung dài {n} ký tự, tối đa {max}. Hãy rút ngắn rồi gửi lại – nội dung vẫn còn trong ô, chưa gửi gì.',
  tooLongShort: 'quá dài', otherPlaces: 'Nơi khác', assignBtn: 'Giao việc', inCharge: 'đang phụ trách',
  pickOfficer: '— Chọn cán bộ —', noDirectory: '— Không tải được danh sách cán bộ —', noOfficerFits: '— Không có cán bộ phù hợp —',
  officersIn: 'Cán bộ ở {province}', officersAll: 'Cán bộ phụ trách mọi tỉnh/thành',
  auditTrail: 'Nhật ký truy cập', auditHint: 'Ai đã mở hoặc thay đổi hồ sơ này, mới nhất trước. Việc xem nhật ký cũng được ghi lại.',
  auditShow: 'Xem nhật ký truy cập', auditRefresh: 'Làm mới nhật ký', unknownOfficer: 'tài khoản không còn',
  au_read: 'mở xem hồ sơ', au_claim: 'nhận xử lý', au_status: 'đổi trạng thái', au_priority: 'đổi mức ưu tiên', au_assign: 'giao việc',
  au_note: 'thêm ghi chú', au_question: 'hỏi người báo', au_audit: 'xem nhật ký truy cập',
  w_ongoing: 'Vẫn đang diễn ra', w_today: 'Hôm nay', w_yesterday: 'Hôm qua', w_this_week: 'Trong tuần này', w_earlier: 'Trước đó', w_unknown: 'Không rõ',
};
const en = {
  title: 'Bình An – Officers’ desk', lang: 'Tiếng Việt', langLabel: 'Chuyển sang tiếng Việt',
  signIn: 'Sign in', username: 'Username', password: 'Password', signOut: 'Sign out',
  expired: 'Your session has expired or ended. Please sign in again.', signedOut: 'Signed out.',
  mustChange: 'You must change your password before working.', current: 'Current password', next: 'New password (12+ characters)',
  next2: 'Repeat the new password', changePw: 'Change password', mismatch: 'The two new passwords differ.',
  queue: 'Tip queue', filters: 'Filters', status: 'Status', priority: 'Priority',
  from: 'From', to: 'To', mine: 'Only mine', ref: 'Reference code', any: 'Any',
  apply: 'Filter', reset: 'Clear', more: 'Load more', empty: 'No tips match.', exportCsv: 'Export CSV',
  counts: 'Tips per status', urgentFlag: 'URGENT', answered: 'Reporter answered', relatedN: 'related tips',
  unassigned: 'Unclaimed', loading: 'Loading…',
  back: '← Back to the queue', print: 'Print', reload: 'Reload', fields: 'The tip',
  assignedTo: 'Officer in charge', disposition: 'Disposition', createdAt: 'Received',
  updatedAt: 'Updated', version: 'Version', actions: 'Actions', claim: 'Claim', change: 'Change', assign: 'Assign to',
  notes: 'Internal notes (never shown to the reporter)', addNote: 'Add note',
  noteText: 'New note', messages: 'Messages with the (anonymous) reporter', ask: 'Send question', question: 'Question for the reporter',
  askHint: 'The reporter reads questions when they look the tip up with its code and secret; you cannot contact them directly.',
  fromOfficer: 'Officer asked', fromReporter: 'Reporter answered', none: 'None yet.', related: 'Possibly related tips',
  score: 'similarity', history: 'History', reporter: 'reporter', system: 'system', yes: 'Yes', no: 'No', unsure: 'Unsure',
  conflict: 'The case was changed by someone else. Press “Reload” and try again.', saved: 'Saved.', error: 'Error',
  network: 'Cannot reach the server.', dispositionNeeded: 'Choose a disposition to close.',
  s_new: 'New', s_triaged: 'Triaged', s_assigned: 'Assigned', s_forwarded: 'Forwarded', s_closed: 'Closed',
  p_urgent: 'Urgent', p_high: 'High', p_normal: 'Normal', p_low: 'Low',
  c_drugs: 'Drugs', c_trafficking: 'Trafficking', c_prostitution: 'Prostitution', c_child_abuse: 'Child abuse', c_scam: 'Scam', c_other: 'Other',
  d_actioned: 'Actioned', d_referred: 'Referred', d_duplicate: 'Duplicate', d_unfounded: 'Unfounded',
  d_insufficient_info: 'Insufficient information', d_spam: 'Spam',
  a_created: 'created', a_status: 'status', a_priority: 'priority', a_claim: 'claimed', a_assign: 'assigned',
  a_disposition: 'disposition', a_note: 'note added', a_question: 'asked the reporter', a_answer: 'reporter answered', a_related: 'linked',
  a_reencrypt: 're-encrypted',
  r_officer: 'officer', r_supervisor: 'supervisor', r_admin: 'admin',
  newSince: 'NEW', newSinceTitle: 'Received since your previous sign-in', nav: 'Pages', navQueue: 'Tips', navAccount: 'Account',
  draftRestored: 'You are signed in again. Your unsent text was kept – check it, then send.',
  caseReopened: 'You are signed in again, back on the case you had open.',
  caseGone: 'This tip no longer exists (it may have been deleted) or is outside your scope. Back to the queue.',
  tooLarge: 'Too large: the server refused it. Shorten it and send again; your text is still in the box.',
  tooLong: 'The text has {n} characters, at most {max}. Shorten it and send again – it is still in the box, nothing was sent.',
  tooLongShort: 'too long', otherPlaces: 'Other places', assignBtn: 'Assign', inCharge: 'in charge',
  pickOfficer: '— Choose an officer —', noDirectory: '— Officer list not available —', noOfficerFits: '— No officer fits —',
  officersIn: 'Officers in {province}', officersAll: 'Officers for all provinces',
  auditTrail: 'Audit trail', auditHint: 'Who opened or changed this case, newest first. Looking at the trail is recorded too.',
  auditShow: 'Show the audit trail', auditRefresh: 'Refresh the trail', unknownOfficer: 'account gone',
  au_read: 'opened the case', au_claim: 'claimed', au_status: 'changed the status', au_priority: 'changed the priority', au_assign: 'assigned',
  au_note: 'added a note', au_question: 'asked the reporter', au_audit: 'viewed the audit trail',
  w_ongoing: 'Still going on', w_today: 'Today', w_yesterday: 'Yesterday', w_this_week: 'This week', w_earlier: 'Earlier', w_unknown: 'Unknown',
};

const dicts = { vi, en };
for (const f of TIP_FIELDS) for (const l of Object.keys(dicts)) dicts[l][f.name] = f.label[l];
let lang = 'vi';
export const getLang = () => lang;
export const setLang = (l) => { lang = Object.hasOwn(dicts, l) ? l : 'vi'; document.documentElement.lang = lang; };
/** A view module adds its own strings (same keys in both languages). */
export function addStrings(more) {
  for (const l of Object.keys(dicts)) Object.assign(dicts[l], more[l] ?? {});
}
/** Own keys only: a key may carry a value someone typed ("constructor" is no string of ours). */
const own = (dict, key) => (Object.hasOwn(dict, key) ? dict[key] : undefined);
/** The string for a key in the current language (the key itself if missing). */
export const t = (key) => own(dicts[lang], key) ?? own(vi, key) ?? key;
/** The string for a key if there is one, else the fallback (a value the reporter typed, shown as is). */
export const tOr = (key, fallback) => own(dicts[lang], key) ?? own(vi, key) ?? fallback;

export const STATUSES = ['new', 'triaged', 'assigned', 'forwarded', 'closed'];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const CATEGORIES = ['drugs', 'trafficking', 'prostitution', 'child_abuse', 'scam', 'other'];
export const DISPOSITIONS = ['actioned', 'referred', 'duplicate', 'unfounded', 'insufficient_info', 'spam'];
