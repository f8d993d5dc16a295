/**
 * The officers' words for coded values, defined once, Vietnamese first: statuses, priorities, categories,
 * dispositions, "when", "in danger", roles, history and audit actions, and the few terms an export or a
 * printout needs (column names, the confidentiality marking).
 *
 * Everything else is derived from this module:
 * - the exports (CSV, XLSX; cases/export.ts) write these labels instead of the codes;
 * - the officers' dashboard gets it as /liaison/labels.js (src/web/server.ts), and web/liaison/i18n.js builds
 *   its strings from it (`s_new`, `p_high`, `c_drugs`, … and the terms by their key), so the dashboard, the
 *   printout and the files say the same thing.
 * The tip's field names are with the fields (cases/tip-fields.ts). Like that module, this one imports no app code
 * (the value lists come from the store port and the fields, both plain constants).
 */
import { CASE_STATUSES, DISPOSITIONS, PRIORITIES, ROLES } from '../store/port.js';
import { CATEGORIES, DANGER_ANSWERS } from './tip-fields.js';

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export interface Label { readonly vi: string; readonly en: string }

/** A group of coded values: the dashboard's key prefix ("s_" + "new"), the codes in order, their labels. */
export interface ValueGroup<C extends string = string> {
  readonly key: string;
  readonly values: readonly C[];
  readonly labels: Readonly<Record<C, Label>>;
}

const group = <C extends string>(key: string, values: readonly C[], labels: Record<C, Label>): ValueGroup<C> => ({ key, values, labels });

/** "When did it happen?": the tip flow's options (flows/tip.yaml), in the officers' words. */
export const WHENS = ['ongoing', 'today', 'yesterday', 'this_week', 'earlier', 'unknown'] as const;
/** What a case's history records (store/port.ts HistoryEntry.action). */
export const HISTORY_ACTIONS = ['created', 'status', 'priority', 'claim', 'assign', 'disposition', 'note', 'question', 'answer', 'related', 'reencrypt'] as const;
/** What the audit log records of an officer's reads and changes (cases/service.ts, cases/export.ts). */
export const AUDIT_ACTIONS = ['read', 'claim', 'status', 'priority', 'assign', 'note', 'question', 'audit', 'export'] as const;

export const VALUE_LABELS = {
  status: group('s_', CASE_STATUSES, {
    new: { vi: 'Mới', en: 'New' },
    triaged: { vi: 'Đã phân loại', en: 'Triaged' },
    assigned: { vi: 'Đã có người nhận', en: 'Assigned' },
    forwarded: { vi: 'Đã chuyển', en: 'Forwarded' },
    closed: { vi: 'Đã đóng', en: 'Closed' },
  }),
  priority: group('p_', PRIORITIES, {
    urgent: { vi: 'Khẩn', en: 'Urgent' },
    high: { vi: 'Cao', en: 'High' },
    normal: { vi: 'Bình thường', en: 'Normal' },
    low: { vi: 'Thấp', en: 'Low' },
  }),
  category: group('c_', CATEGORIES, {
    drugs: { vi: 'Ma túy', en: 'Drugs' },
    trafficking: { vi: 'Mua bán người', en: 'Trafficking' },
    prostitution: { vi: 'Mại dâm', en: 'Prostitution' },
    child_abuse: { vi: 'Xâm hại trẻ em', en: 'Child abuse' },
    scam: { vi: 'Lừa đảo', en: 'Scam' },
    other: { vi: 'Khác', en: 'Other' },
  }),
  disposition: group('d_', DISPOSITIONS, {
    actioned: { vi: 'Đã xử lý', en: 'Actioned' },
    referred: { vi: 'Đã chuyển cơ quan khác', en: 'Referred' },
    duplicate: { vi: 'Trùng lặp', en: 'Duplicate' },
    unfounded: { vi: 'Không có cơ sở', en: 'Unfounded' },
    insufficient_info: { vi: 'Thiếu thông tin', en: 'Insufficient information' },
    spam: { vi: 'Tin rác', en: 'Spam' },
  }),
  when: group('w_', WHENS, {
    ongoing: { vi: 'Vẫn đang diễn ra', en: 'Still going on' },
    today: { vi: 'Hôm nay', en: 'Today' },
    yesterday: { vi: 'Hôm qua', en: 'Yesterday' },
    this_week: { vi: 'Trong tuần này', en: 'This week' },
    earlier: { vi: 'Trước đó', en: 'Earlier' },
    unknown: { vi: 'Không rõ', en: 'Unknown' },
  }),
  // No prefix: the dashboard's plain "yes", "no", "unsure".
  danger: group('', DANGER_ANSWERS, {
    yes: { vi: 'Có', en: 'Yes' },
    no: { vi: 'Không', en: 'No' },
    unsure: { vi: 'Không chắc', en: 'Unsure' },
  }),
  role: group('r_', ROLES, {
    officer: { vi: 'cán bộ', en: 'officer' },
    supervisor: { vi: 'giám sát', en: 'supervisor' },
    admin: { vi: 'quản trị', en: 'admin' },
  }),
  history: group('a_', HISTORY_ACTIONS, {
    created: { vi: 'tạo tin', en: 'created' },
    status: { vi: 'đổi trạng thái', en: 'status' },
    priority: { vi: 'đổi mức ưu tiên', en: 'priority' },
    claim: { vi: 'nhận xử lý', en: 'claimed' },
    assign: { vi: 'giao việc', en: 'assigned' },
    disposition: { vi: 'kết quả', en: 'disposition' },
    note: { vi: 'thêm ghi chú', en: 'note added' },
    question: { vi: 'hỏi người báo', en: 'asked the reporter' },
    answer: { vi: 'người báo trả lời', en: 'reporter answered' },
    related: { vi: 'liên kết tin', en: 'linked' },
    reencrypt: { vi: 'mã hóa lại', en: 're-encrypted' },
  }),
  audit: group('au_', AUDIT_ACTIONS, {
    read: { vi: 'mở xem hồ sơ', en: 'opened the case' },
    claim: { vi: 'nhận xử lý', en: 'claimed' },
    status: { vi: 'đổi trạng thái', en: 'changed the status' },
    priority: { vi: 'đổi mức ưu tiên', en: 'changed the priority' },
    assign: { vi: 'giao việc', en: 'assigned' },
    note: { vi: 'thêm ghi chú', en: 'added a note' },
    question: { vi: 'hỏi người báo', en: 'asked the reporter' },
    audit: { vi: 'xem nhật ký truy cập', en: 'viewed the audit trail' },
    export: { vi: 'xuất tệp', en: 'exported' },
  }),
} as const;
export type ValueGroupName = keyof typeof VALUE_LABELS;

/**
 * Terms shared by the dashboard, the exports and the printout, by the dashboard's string key. `marking` is the
 * confidentiality marking every export and printout carries.
 */
export const TERMS = {
  ref: { vi: 'Mã tin báo', en: 'Reference code' },
  createdAt: { vi: 'Nhận lúc', en: 'Received' },
  updatedAt: { vi: 'Cập nhật', en: 'Updated' },
  status: { vi: 'Trạng thái', en: 'Status' },
  priority: { vi: 'Mức ưu tiên', en: 'Priority' },
  assignedTo: { vi: 'Cán bộ phụ trách', en: 'Officer in charge' },
  disposition: { vi: 'Kết quả xử lý', en: 'Disposition' },
  fields: { vi: 'Nội dung tin báo', en: 'The tip' },
  marking: { vi: 'MẬT — tài liệu nội bộ', en: 'CONFIDENTIAL — internal document' },
  printedBy: { vi: 'In bởi', en: 'Printed by' },
  exportedBy: { vi: 'Xuất bởi', en: 'Exported by' },
  vnTime: { vi: 'giờ Việt Nam', en: 'Viet Nam time' },
  sheetCases: { vi: 'Tin báo', en: 'Tips' },
} as const satisfies Record<string, Label>;
export type Term = keyof typeof TERMS;

/** A term in a language. */
export const term = (key: Term, lang: Lang): string => TERMS[key][lang];

/** The label of a coded value in a language; a value the group does not know (or none) is given back as it is. */
export function valueLabel(name: ValueGroupName, value: string | null | undefined, lang: Lang): string | null | undefined {
  const labels = VALUE_LABELS[name].labels as Readonly<Record<string, Label>>;
  return value !== null && value !== undefined && Object.hasOwn(labels, value) ? labels[value][lang] : value;
}

/** The group whose dashboard key prefix is `key` (a tip field's `valueKey`), if any. */
export function groupOfKey(key: string): ValueGroupName | undefined {
  return (Object.keys(VALUE_LABELS) as ValueGroupName[]).find((n) => VALUE_LABELS[n].key === key);
}

/** What /liaison/labels.js gives the dashboard: the same data, as an ES module. */
export function labelsModule(): string {
  return `export const VALUE_LABELS = ${JSON.stringify(VALUE_LABELS)};\nexport const TERMS = ${JSON.stringify(TERMS)};\n`;
}
