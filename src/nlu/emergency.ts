/**
 * High-recall rules for danger happening now. They run on the normalised form
 * (folded, abbreviations expanded) and are compiled once at load.
 *
 * A present-danger phrase fires the rule unless the sentence is clearly about
 * the past ("đêm qua tôi thấy ...") with no sign that the danger goes on now.
 */
const DANGER_NOW: readonly RegExp[] = [
  /\bcuu (toi|em|minh|voi|tui|con|chau|me|bo|ban|nguoi|chung toi|chung em|nó|no|gap|vs)\b/,
  /^(cuu|cuu voi|cuu minh|help|sos)\b/,
  /\b(sos|khan cap|nguy hiem qua|nguy kich)\b/,
  /\bdang bi (nhot|giam|danh|bat|bat coc|de doa|ep|dua|cuong hiep|hiep dam|xam hai|truy duoi|theo doi|khoa|troi|giu|ban|chuoc|tra tan|hanh hung|bao hanh|dam|cho|cho di|lua|dan)\b/,
  /\b(bi|dang) (nhot|giam|khoa trai|khoa|troi|cam tu) (trong|o|tai|lai|khong|ko)\b/,
  /\b(nhot|giam|giu) (toi|em|minh|chung toi|chung em|con|chau|ban)\b/,
  /\b(khong|ko) (cho|dc|duoc) (ve|ra ngoai|ra|thoat|di dau)\b/,
  /\b(soc thuoc|soc ma tuy|soc heroin|qua lieu|sốc|ngung tho|khong tho duoc|kho tho|co giat|bat tinh|ngat xiu|sui bot mep|tim dap nhanh qua|ngat)\b/,
  /\b(muon|dinh|se) (tu tu|chet|ket lieu|nhay cau|tu sat)\b/,
  /\b(tu tu|tu sat|nhay lau|nhay cau)\b/,
  /\b(doa|de doa|se) giet\b/,
  /\bgiet (toi|em|minh|chung toi|con|ban)\b/,
  /\b(dang|bi) (ep|dua|cho|ban) .{0,30}(bien gioi|sang trung quoc|qua campuchia|sang campuchia|sang lao|qua bien gioi)\b/,
  /\b(bat coc|bi bat coc)\b/,
  /\b(help me|save me|locked (in|up)|held captive|kidnapp?ed|overdos(e|ing)|can ?t breathe|being (beaten|attacked|held|trafficked|taken)|emergency|in danger|going to kill|trapped)\b/,
  /\b(dang|ngay bay gio|bay gio) .{0,40}(danh|nhot|giam|chem|dam|bat coc|cuong hiep|hiep dam|xam hai)\b/,
];

const PAST = /\b(hom qua|dem qua|toi qua|sang qua|chieu qua|tuan truoc|thang truoc|nam ngoai|nam truoc|truoc day|da tung|hoi truoc|luc truoc|hom truoc|may hom truoc|ngay truoc|nam roi|thang roi|tuan roi|yesterday|last (night|week|month|year)|ago)\b/;
// "số gọi công an khẩn cấp" asks for a number; it is not itself a call for help.
const ASKS_FOR_NUMBER = /\b(so dien thoai|so goi|goi so|so nao|cac so|nhung so|danh ba|hotline|tong dai|duong day nong|numbers?|phone|sdt)\b/;
const FIRST_PERSON_DANGER = /\b(cuu|dang bi|help me|save me)\b/;
// "giờ mình an toàn rồi", "she is home now": the danger is over, the person wants to tell or report.
const SAFE_NOW = /\b(an toan roi|da an toan|gio an toan|da thoat|thoat ra roi|thoat duoc roi|da ve nha|ve nha roi|da duoc giai cuu|duoc cuu roi|safe now|now safe|home now|back home|got out|escaped)\b/;
const STILL_NOW = /\b(dang|van con|van dang|bay gio|hien tai|hien gio|luc nay|cuu|now|right now|still)\b/;

/** True when the normalised sentence speaks of danger happening now. */
export function soundsLikeEmergency(normalized: string): boolean {
  let hit = false;
  for (const re of DANGER_NOW) {
    if (re.test(normalized)) { hit = true; break; }
  }
  if (!hit) return false;
  if (pastOrSafe(normalized)) return false;
  if (ASKS_FOR_NUMBER.test(normalized) && !FIRST_PERSON_DANGER.test(normalized)) return false;
  return true;
}

/** The sentence places the danger in the past, or says the person is safe now. */
export function pastOrSafe(normalized: string): boolean {
  if (SAFE_NOW.test(normalized)) return true;
  return PAST.test(normalized) && !STILL_NOW.test(normalized);
}
