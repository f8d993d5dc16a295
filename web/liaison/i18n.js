// Strings of the officers' dashboard, Vietnamese first, English as a toggle. No case data here.
// The tip's field names come with the fields' definition (src/cases/tip-fields.ts), served as ./tip-fields.js;
// the words for coded values (statuses, priorities, categories, dispositions, "when", roles, history and audit
// actions) and the terms the exports and printouts share come from src/cases/labels.ts, served as ./labels.js,
// the same words the CSV and XLSX exports write. Neither is repeated here.
import { TIP_FIELDS } from './tip-fields.js';
import { VALUE_LABELS, TERMS } from './labels.js';

const vi = {
  title: 'Bình An – Bàn làm việc cán bộ', lang: 'English', langLabel: 'Switch to English',
  signIn: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', signOut: 'Đăng xuất',
  expired: 'Phiên đăng nhập đã hết hạn hoặc đã kết thúc. Hãy đăng nhập lại.', signedOut: 'Đã đăng xuất.',
  mustChange: 'Bạn cần đổi mật khẩu trước khi làm việc.', current: 'Mật khẩu hiện tại', next: 'Mật khẩu mới (12 ký tự trở lên)',
  next2: 'Nhập lại mật khẩu mới', changePw: 'Đổi mật khẩu', mismatch: 'Hai mật khẩu mới không khớp.',
  queue: 'Hàng đợi tin báo', filters: 'Bộ lọc',
  from: 'Từ ngày', to: 'Đến ngày', mine: 'Chỉ tin của tôi', any: 'Tất cả',
  apply: 'Lọc', reset: 'Xóa lọc', more: 'Tải thêm', empty: 'Không có tin báo nào phù hợp.', exportCsv: 'Xuất CSV',
  counts: 'Số tin theo trạng thái', urgentFlag: 'KHẨN', answered: 'Người báo đã trả lời', relatedN: 'tin liên quan',
  unassigned: 'Chưa ai nhận', loading: 'Đang tải…',
  back: '← Về hàng đợi', print: 'In', reload: 'Tải lại',
  version: 'Phiên bản', actions: 'Xử lý', claim: 'Nhận xử lý', change: 'Đổi', assign: 'Giao cho',
  notes: 'Ghi chú nội bộ (người báo không bao giờ thấy)', addNote: 'Thêm ghi chú',
  noteText: 'Ghi chú mới', messages: 'Trao đổi với người báo (ẩn danh)', ask: 'Gửi câu hỏi', question: 'Câu hỏi cho người báo',
  askHint: 'Người báo đọc câu hỏi khi tra cứu bằng mã và mã bí mật; bạn không thể liên lạc trực tiếp với họ.',
  fromOfficer: 'Cán bộ hỏi', fromReporter: 'Người báo trả lời', none: 'Chưa có.', related: 'Tin báo có thể liên quan',
  score: 'độ giống', history: 'Lịch sử xử lý', reporter: 'người báo', system: 'hệ thống',
  conflict: 'Hồ sơ vừa được người khác thay đổi. Hãy bấm “Tải lại” rồi làm lại.', saved: 'Đã lưu.', error: 'Lỗi',
  network: 'Không kết nối được máy chủ.', dispositionNeeded: 'Chọn kết quả xử lý khi đóng tin.',
  newSince: 'Chưa xem', newSinceTitle: 'Đến sau lần đăng nhập trước của bạn', nav: 'Các trang', navQueue: 'Tin báo', navAccount: 'Tài khoản',
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
};
const en = {
  title: 'Bình An – Officers’ desk', lang: 'Tiếng Việt', langLabel: 'Chuyển sang tiếng Việt',
  signIn: 'Sign in', username: 'Username', password: 'Password', signOut: 'Sign out',
  expired: 'Your session has expired or ended. Please sign in again.', signedOut: 'Signed out.',
  mustChange: 'You must change your password before working.', current: 'Current password', next: 'New password (12+ characters)',
  next2: 'Repeat the new password', changePw: 'Change password', mismatch: 'The two new passwords differ.',
  queue: 'Tip queue', filters: 'Filters',
  from: 'From', to: 'To', mine: 'Only mine', any: 'Any',
  apply: 'Filter', reset: 'Clear', more: 'Load more', empty: 'No tips match.', exportCsv: 'Export CSV',
  counts: 'Tips per status', urgentFlag: 'URGENT', answered: 'Reporter answered', relatedN: 'related tips',
  unassigned: 'Unclaimed', loading: 'Loading…',
  back: '← Back to the queue', print: 'Print', reload: 'Reload',
  version: 'Version', actions: 'Actions', claim: 'Claim', change: 'Change', assign: 'Assign to',
  notes: 'Internal notes (never shown to the reporter)', addNote: 'Add note',
  noteText: 'New note', messages: 'Messages with the (anonymous) reporter', ask: 'Send question', question: 'Question for the reporter',
  askHint: 'The reporter reads questions when they look the tip up with its code and secret; you cannot contact them directly.',
  fromOfficer: 'Officer asked', fromReporter: 'Reporter answered', none: 'None yet.', related: 'Possibly related tips',
  score: 'similarity', history: 'History', reporter: 'reporter', system: 'system',
  conflict: 'The case was changed by someone else. Press “Reload” and try again.', saved: 'Saved.', error: 'Error',
  network: 'Cannot reach the server.', dispositionNeeded: 'Choose a disposition to close.',
  newSince: 'Unseen', newSinceTitle: 'Came after your previous sign-in', nav: 'Pages', navQueue: 'Tips', navAccount: 'Account',
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
};

const dicts = { vi, en };
for (const l of Object.keys(dicts)) {
  for (const f of TIP_FIELDS) dicts[l][f.name] = f.label[l];
  // "s_new", "p_high", "c_drugs", … : each group's key prefix and its values.
  for (const g of Object.values(VALUE_LABELS)) for (const v of g.values) dicts[l][`${g.key}${v}`] = g.labels[v][l];
  for (const [key, label] of Object.entries(TERMS)) dicts[l][key] = label[l];
}
let lang = 'vi';
export const getLang = () => lang;
export const setLang = (l) => { lang = Object.hasOwn(dicts, l) ? l : 'vi'; document.documentElement.lang = lang; };
/** A view module adds its own strings (same keys in both languages). */
export function addStrings(more) {
  for (const l of Object.keys(dicts)) {
    for (const [k, v] of Object.entries(more[l] ?? {})) {
      // One dictionary for every page: a key another module already says differently would change that page's words.
      if (Object.hasOwn(dicts[l], k) && dicts[l][k] !== v) console.error(`dashboard string "${k}" (${l}) is defined twice with different words`);
      dicts[l][k] = v;
    }
  }
}
/** Own keys only: a key may carry a value someone typed ("constructor" is no string of ours). */
const own = (dict, key) => (Object.hasOwn(dict, key) ? dict[key] : undefined);
/** The string for a key in the current language (the key itself if missing). */
export const t = (key) => own(dicts[lang], key) ?? own(vi, key) ?? key;
/** The string for a key if there is one, else the fallback (a value the reporter typed, shown as is). */
export const tOr = (key, fallback) => own(dicts[lang], key) ?? own(vi, key) ?? fallback;

/** The coded values in their order (cases/labels.ts, from the store's own lists). */
export const STATUSES = VALUE_LABELS.status.values;
export const PRIORITIES = VALUE_LABELS.priority.values;
export const CATEGORIES = VALUE_LABELS.category.values;
export const DISPOSITIONS = VALUE_LABELS.disposition.values;
