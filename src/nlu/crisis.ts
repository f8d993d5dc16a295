/**
 * The crisis router's detector: does a message speak of a crisis happening now, and which kind?
 * Each kind has its own first answer (flows/crisis_*.yaml) with the right number first:
 *
 *   self_harm       thoughts of suicide or of disappearing      Ngày Mai (hours!), 111 for children, 115
 *   self_injury     has just hurt themselves or taken pills     115 first
 *   overdose        someone not breathing, unconscious, "sốc"   115 first
 *   child_danger    a child being hurt or abused                111 first, 113 if it is happening now
 *   trapped_abroad  held, passport taken, ransom, abroad        the consular protection line first
 *   sextortion      threats to spread intimate images           do not pay; 111 for children; police
 *   violence_now    someone being beaten or attacked now        113 first, 115 if hurt
 *   danger_now      locked up, kidnapped, followed, taken       113 first
 *
 * Rules run on the folded, teencode-expanded text, after accented words that fold to a danger word but
 * mean something else have been told apart ("từ từ" is not "tự tử", "mại dâm" is not "đâm", "anh" is not
 * "ảnh"). Recall comes first in free chat; while the person answers a question of a flow the rules are
 * stricter (short answers, button labels and place names never fire), so that a tip is never interrupted
 * by a false alarm. Everything is compiled once at load.
 */
import { REPORT_OPENING } from '../text/phrases.js';
import type { CrisisSignal, NluContext } from '../engine/types.js';
import { normalize } from '../text/normalize.js';

export const CRISIS_KINDS = ['self_harm', 'self_injury', 'overdose', 'child_danger', 'trapped_abroad', 'sextortion', 'violence_now', 'danger_now'] as const;
export type CrisisKind = (typeof CRISIS_KINDS)[number];

const re = (...parts: string[]): RegExp => new RegExp(parts.join(''));
const any = (list: readonly RegExp[], s: string): boolean => list.some((r) => r.test(s));
/** Words of a list, as a regex alternation. */
const words = (s: string): string => `(?:${s.trim().split(/\s*\|\s*/).join('|')})`;

// ---- preparing the text -----------------------------------------------------------

export interface CrisisInput {
  /** Folded, teencode expanded (see text/normalize), after accented words were told apart. */
  norm: string;
  /** The person typed diacritics, so the accented senses were told apart. */
  accented: boolean;
}

/**
 * When the person typed with diacritics, words that fold to the same letters as a danger word but mean
 * something else are rewritten to neutral tokens first. Without diacritics the ambiguity stays and the
 * rules lean to recall (with a few everyday phrases excluded below).
 */
const SENSES: readonly [RegExp, string][] = ([
  // Phrases first, then single words.
  ['tư vấn', 'tuvan'], ['đánh giá', 'danhgia'], ['đánh bạc', 'danhbac'], ['đánh bài', 'danhbai'], ['đánh răng', 'danhrang'],
  ['đánh nhau', 'danhnhau'], ['bán hàng', 'banhang'],
  ['từ từ', 'tuqtu'], ['dâm', 'dxm'], ['anh', 'anhx'], ['danh', 'danhx'], ['dành', 'danhx'], ['đáp', 'dapx'],
  ['tất cả', 'tatca'], ['tắt', 'tatx'], ['tát', 'slapx'], ['công trường', 'congtruongx'], ['bộ', 'box'], ['mà', 'max'], ['mã', 'max'], ['thấy', 'thayx'], ['đăng', 'dangpost'],
  ['tối qua', 'demqua'], ['tối nay', 'demnay'], ['vỏ', 'vox'], ['võ', 'vox'], ['vở', 'vox'], ['từng', 'tungpast'], ['bắn', 'shootx'], ['bạn', 'banx'], ['bán', 'sellx'], ['cấm', 'camx'], ['cam', 'camx'],
] as const).map(([w, to]) => [new RegExp(`(?<![\\p{L}\\p{N}])${w}(?![\\p{L}\\p{N}])`, 'gu'), ` ${to} `]);
const ACCENTED = /[\u0300-\u036f]|đ/;
// Accented tokens back to their plain reading where a rule wants the word itself.
const RESTORE: readonly [RegExp, string][] = [[/\bbanx\b/g, 'ban'], [/\bsellx\b/g, 'ban']];

export function prepareCrisisText(text: string): CrisisInput {
  let lower = text.slice(0, 1000).normalize('NFC').toLowerCase();
  const accented = ACCENTED.test(lower.normalize('NFD'));
  if (accented) for (const [r, to] of SENSES) lower = lower.replace(r, to);
  let norm = normalize(lower);
  for (const [r, to] of RESTORE) norm = norm.replace(r, to);
  // "cấp cứu" (emergency care, the ambulance) is one word: its "cứu" is never "save me" ("chờ xe cấp cứu tới").
  norm = norm.replace(/\bcap cuu\b/g, 'capcuu');
  return { norm, accented };
}

// ---- time: past, safe, now -----------------------------------------------------------

const PAST = /\b(hom qua|dem qua|demqua|sang qua|chieu qua|tuan truoc|thang truoc|nam ngoai|nam truoc|nam 20\d\d|truoc day|da tung|tungpast|hoi truoc|luc truoc|hom truoc|may hom truoc|hom no|dot truoc|ngay truoc|hoi nho|ngay xua|hoi do|yesterday|last (night|week|month|year)|(days?|weeks?|months?|years?) ago|used to)\b|(?<!\d )\b(nam|thang|tuan) roi\b/;
const SAFE_NOW = /\b((tron|chay|thoat) ve (duoc|nha|nuoc|vn|roi)|ngung chay|het chay mau|cam (duoc )?mau( roi)?|mau (da )?(ngung|cam|het chay)|moi (duoc |dc )?ve (nuoc|nha|vn|viet nam) (roi|duoc)|moi (duoc |dc )?ve(?! (vn|viet nam|nuoc|nha|neu))|vua (duoc |dc )?ve|just got back|stopped bleeding|ve roi|tro ve|duoc cuu ve|duoc giai cuu|giai cuu ve|ve duoc nha|an toan roi|da an toan|gio an toan|da thoat|thoat ra roi|thoat duoc roi|da ve nha|ve nha roi|ve nuoc roi|da ve nuoc|da ve|ve ke|ve duoc roi|da duoc giai cuu|duoc cuu roi|da tron ve|gio yen roi|yen roi|safe now|now safe|home now|back home|got out|escaped|was rescued|came back)\b/;
const STILL_NOW = /\b(dang|van con|van dang|van bi|bay gio|hien tai|hien gio|luc nay|ngay luc nay|gio (co|lai|dang|bi|no|ho|em|toi)|cuu|now|right now|still|currently)\b|\b(hay|thuong xuyen|suot ngay|ngay nao cung|toi nao cung|cu) (dung|den|bam|theo|nhin|danh|vao|doa|nhan)\b/;
const NOW = /\b(dang|van dang|van bi|bay gio|ngay bay gio|hien gio|luc nay|ngay luc nay|toi nay|dem nay|demnay|sap|cuu|gio (no|ho|han|bon no|thang do)|now|right now|currently|is being|are being|am being|keeps?|just)\b/;
// A question about a crisis topic rather than a crisis: "dấu hiệu sốc thuốc là gì", "nếu có người bị nhốt thì
// gọi ai", "bị phạt bao nhiêu năm". Without a sign that it is happening to someone now, the knowledge base
// answers it (its answers give the same numbers).
const INFO_QUESTION = re('\\b', words(`gia su | nghe noi | bang cach nao | thu doan | chieu tro | gia nhu | lam sao (biet|nhan biet|nhan ra|de biet) | dau hieu | the nao la | la gi | la j | co phai .{0,30}(khong|ko) |
  (bi|se bi) (phat|xu ly|tu|truy cuu|di tu) | phat (tu|bao nhieu) | bao nhieu nam | co toi (gi|khong) | pham toi (gi|khong) | luat .{0,20}(the nao|sao) |
  duoc (ho tro|giup|nha nuoc) | ho tro (gi|nhung gi) | tro ve | ve nuoc | trong truong hop | what (are|is) | what happens | signs? (of|that) |
  how (do|can|would) (i|you|we|someone) (tell|know|recognise|recognize|spot) | could (this|it|that) be | do i have | am i (depressed|addicted|a victim) | mua o dau | where (can|do) (i|you) (buy|get|find) | is it (illegal|a crime|legal|dangerous|bad) | if (someone|a person|you|my) |
  what (should|do) (you|people) do | is .{0,30}(illegal|dangerous|addictive) | (is|are) (that|this|it) (abuse|illegal|normal|a crime|safe) | bad for (your|my) health |
  co sao (khong|ko)$ | co nguy hiem (khong|ko) | how (do|can|should) (i|we) help | dangerous$ | (co )?nen hoi | hoi thang | should (i|we) ask`), '\\b');
// Signs that it is happening to someone now, which a question does not outweigh.
const HAPPENING = /\b(is|am|are) (unconscious|not breathing|bleeding|locked|trapped|being|dying|held)\b|\bsap (khong|chet|ngat|xiu|het)\b|\b(dang|vua|bay gio|ngay luc nay|luc nay|hien gio|now|right now|just|currently|toi nay|dem nay|demnay|cuu|help me|save me)\b|\b(em|toi|minh|tao|tui|con|ban toi|ban em|ban minh|i|my (friend|son|daughter|wife|husband|brother|sister)) (bi|dang bi|vua bi|is being|am being|has been|was just|got)\b/;
/** The message asks about a crisis topic in general, or hypothetically, not about one happening now. */

export function asksAboutCrisis(norm: string): boolean {
  if (HAPPENING.test(norm)) return false;
  // "nếu" is hypothetical ("nếu có người sốc thuốc thì..."), except in a threat ("nó dọa ... nếu không chuyển tiền").
  const hypothetical = /\bneu\b/.test(norm) && !/\b(doa|de doa|bao|noi|bat|ep|doi|danh)\b.{0,40}\bneu\b/.test(norm) && !/\bneu (khong|ko|chua|em khong|toi khong|minh khong)\b/.test(norm);
  return hypothetical || INFO_QUESTION.test(norm);
}

/**
 * Words of danger (folded). The crisis model and the classifier's emergency class only speak for a message
 * that has at least one: a weather question or a nightmare is never a crisis, whatever the statistics say.
 */
export const DANGER_CUE = re('\\b', words(`chet | tu tu | tu sat | bien mat | khong muon song | song nua | ket thuc | chay mau | mau chay | toan mau | cat | rach | nhot | giam |
  giu | danh | dap | dam | chem | doa | de doa | giet | cuu | so qua | so lam | dang so | rat so | ep | chuoc | thuoc | ngat | khong tho | kho tho | ngung tho | bat tinh |
  xam hai | so mo | hiep | cuong | bat coc | mac ket | bi ket | tron | nhay | treo | qua lieu | soc | co giat | khoa than | anh nong | nude | clip | video | tung |
  tong tien | troi | dot | ho chieu | tien chuoc | dao | sung | khoa cua | bi khoa | ganh nang | ngao | phe | bat dong | xiu | guc | bam tim | chich | nguy hiem |
  khan cap | tai nan | bi thuong | thuyen | vay | go cua | im lang | khong biet .{0,10}dau | dang chay | chay tron | theo doi | bam theo |
  help | kill | die | dead | dying | blood | bleeding | cut | pills | overdose | od | locked | trapped | beat | beating | hit | hitting | rape | abuse | threat | threatening |
  khoc | run | hoang | tuyet vong | so hai | lo qua | bien gioi | cua khau | casino | song bac | nha nghi | bo tron |
  blackmail | nudes | hurt | knife | gun | breathing | unconscious | ransom | passport | scared | suicide | end it | jump | poison | burn | tied | kidnap\\w* | emergency | danger |
  afraid | crying | shaking | panic | border | casino | compound | alone | pushed | van | took | paracetamol | tablets | swallowed`), '\\b');

/** Fear of the police, said in the message. */
export const POLICE = /\b(cong an|cs|canh sat|bi bat|bat giu|police|cops?|arrest(ed)?|get (us|me) in trouble)\b/;

const ASKS_FOR_NUMBER = /\b(so dien thoai|so goi|goi so|so nao|cac so|nhung so|danh ba|hotline|tong dai|duong day nong|numbers?|phone|sdt)\b/;

/** The sentence places the danger in the past, or says the person is safe now. */
/** Someone doing harm right now ("đang cầm dao", "đang đánh"): whatever else is said ("anh ta về rồi" is the
 * abuser coming home, not the writer being safe), it is not over. */
const DOING_HARM_NOW = /\b(dang|van dang|lai dang) (cam (dao|keo|gay|sung|bua|rieu)|danh|dam|chem|bop co|doa giet|doi giet|de doa|duoi|khoa cua|nhot|cuong hiep|hiep)\b|\b(is|are) (hitting|beating|stabbing|strangling|threatening|holding a knife)\b/;

export function pastOrSafe(norm: string, accented = false): boolean {
  if (DOING_HARM_NOW.test(norm)) return false;
  if (SAFE_NOW.test(norm)) return true;
  // Without diacritics "toi qua" is "tối qua" (last night); with them it was rewritten, and "tôi qua" is "I went".
  return (PAST.test(norm) || (!accented && /\btoi qua\b/.test(norm))) && !STILL_NOW.test(norm);
}

// ---- who ----------------------------------------------------------------------------------

const CHILD_AGE = /\b(\d{1,2}) ?(tuoi|t|years? old|yo)\b|\blop (\d{1,2})\b|\b(?:i am|i m|im|em|con|chau|be|no|she|he|she is|he is) (\d{1,2})\b/;
const CHILD_WORD = re('\\b', words(`tre em | tre con | tre nho | dua tre | dua nho | dua be | em be | be gai | be trai | chau be | co be | cau be | con be | thang be |
  cac be | mot be | be khoc | con nit | hoc sinh | con toi | con gai toi | con trai toi | con minh | con em | chau toi | con nha | con cua | cac tre | tre mo coi |
  bao tro | tre lang thang | child | children | kid | kids | my son | my daughter | little girl | little boy | teenager | minor`), '\\b');
// A young writer at school: "em bị bắt nạt ở trường", "bạn cùng lớp", "thầy cô", "cô chủ nhiệm".
const SCHOOL_CHILD = re('\\b', words(`o truong | den truong | di hoc | ban cung lop | cung lop | lop hoc | thay co | co giao | thay giao | co chu nhiem |
  giao vien chu nhiem | bi bat nat | bat nat | cong truong | so ve nha | ve (nha )?(la|thi) bi danh | hoc ky | thi cuoi ky | thi vao 10 | bo me em | ba me em | bo me chau | bi duoi hoc | at school | my teacher |
  classmates? | bullied`), '\\b');

/** The writer seems to be a child or teenager, or to speak of one. */
export function childSignal(norm: string): boolean {
  const age = CHILD_AGE.exec(norm);
  if (age) {
    const grade = age[3] !== undefined ? Number(age[3]) : undefined;
    const n = Number(age[1] ?? age[4]);
    if (grade !== undefined ? grade <= 12 : n > 0 && n < 18) return true;
  }
  return CHILD_WORD.test(norm) || SCHOOL_CHILD.test(norm);
}

// Someone else is the one in danger: a relation named by the writer, or "nó"/"cô ấy" doing something.
const OTHER = re('\\b(ban|banx|con|em|anhx?|chi|me|bo|ba|chong|vo|nguoi yeu|chau|co|chu|cau|di) (toi|minh|tui|tao|ngoai toi|noi toi|cua (toi|minh|em))\\b|\\b',
  words(`ban than | con gai | con trai | em trai | em gai | hang xom | nguoi nha | nguoi than | ban ay | banx ay | co ay | anhx? ay | chi ay | cau ay | ban be |
  dua be | con be | thang be | be gai | be trai | dua nho | hoc sinh | co nguoi | mot nguoi | nguoi ta`),
  '\\b|\\bno (dang|bi|muon|dinh|noi|vua|da)\\b|\\bdua tre\\b|\\bmy (friend|son|daughter|child|kid|brother|sister|cousin|student|pupil|neighbou?r)s?\\b|\\b(a friend|my friend|a classmate|a student|a pupil|the kid|the child|neighbou?rs?|(the|a) little (boy|girl)|(boy|girl|kid|child) next door)\\b');
const SELF_SUBJECT = /\b(em|toi|minh|tao|tui|to|i|me|myself)\b/;
// The writer is the one it happens to: "em bị...", "nó dọa em", "I am being...", "blackmailing me".
const SELF_VICTIM = /\b(em|toi|minh|tao|tui|i|me) (bi|dang bi|vua bi|lai bi|van bi|am being|was|got|have been|has been)\b|\b(doa|de doa|ep|bat|danh|tong tien|threaten\w*|blackmail\w*|extort\w*|hurting|hitting) (em|toi|minh|tao|tui|me)\b|\b(cua|of) (em|toi|minh|me)\b.{0,20}\b(tung|gui|post|send|share)|\bmy (nudes|pics|photos|video)\b|\bour (video|pics|photos|call|chat|videos)\b/;
/** A parent or grandparent writing about their child. */
export const PARENT = /\b(con|chau) (toi|minh|nha toi|ngoai toi|noi toi|cua toi)\b|\bcon (gai|trai) (toi|minh|nha toi)\b|\bmy (son|daughter|child|kid|grandson|granddaughter)s?\b/;
// Someone else is the one it happens to: "con tôi bị...", "bạn em đang...", "my son was...".
const OTHER_VICTIM = /\b(ban|banx|con|em|anhx?|chi|chau|be|dua be|con gai|con trai|ban cung lop|ban cung phong|ban than) (toi|minh|tui|em|ngoai toi|noi toi|cua (toi|minh|em))( \d+ ?(tuoi|t))? .{0,12}(bi|dang bi|vua|dang|noi|muon|hay)\b|\bmy (son|daughter|child|kid|friend|brother|sister|student|pupil)s?\b.{0,30}\b(is|was|has|got|says|said|told|keeps)\b/;

// ---- per kind ----------------------------------------------------------------------------

// Idioms with "chết" that mean "very" ("mệt muốn chết", "cười chết"), removed before the self-harm rules.
const DEATH_IDIOMS = /\b(met|doi|nong|lanh|ret|khat|so|cuoi|ngon|thom|dep|tuc|ngai|buon ngu|dau|xau ho|ngu|xinh|de thuong|nho)( (muon|gan|sap|den|nhu|phat))? chet\b|\bchet (tiet|cuoi|me|thoi|that|roi ha)\b|\bcuoi chet\b|\bchet (doi|nguoi) (khong|ko)\b/g;
const SELF_HARM = [
  re('\\b(muon|dinh|se|sap|chi muon|rat muon|van muon|cu muon|nghi den|nghi toi|tinh|quyet dinh|thay muon|co y dinh|lai muon|chac|thoi) (chet|tu tu|tu sat|ket lieu|ket thuc (cuoc song|cuoc doi|tat ca|moi thu|ban than)|bien mat|roi xa the gioi|nhay (cau|lau|song|xuong)|treo co|di theo|tu hai|tu lam dau|di luon|buong (xuoi|tay|het|bo)|ra di)\\b'),
  re('\\b', words(`khong (muon|thiet|con muon) song | khong (muon|con muon) ton tai | chan song | song (de lam gi|lam gi nua|chi them|khong con y nghia|that vo nghia|lam gi|the nay) |
    khong con .{0,15}(de|ma) song | khong con mat mui nao .{0,10}song | chet (di|quach|phat) cho (xong|roi|nhe) | chet cho xong | chet cho roi | giai thoat (khoi|cho) |
    tu tu | tu sat | ket lieu (ban than|doi minh|cuoc doi) | bien mat (khoi|mai mai|cho xong|di cho) | khong ai can (em|toi|minh|con) | chet di cho |
    tot hon neu (khong co|thieu) (em|toi|minh|con|tao) | (di|bien mat) luon cho (xong|nhe|roi) | ngu .{0,12}(khong|chang) (bao gio )?(day|tinh) (nua|lai) |
    khong (phai )?(thuc day|tinh day) nua | (thu|loi) (tuyet menh|tu biet|vinh biet) | thu de lai cho | viet xong thu de lai | loi cuoi |
    khong dang (duoc )?song | cuoc doi (nay )?vo nghia | vinh biet | tam biet (the gioi|cuoc doi|tat ca moi nguoi) | khong muon co (gang )?nua |
    neu (em|toi|minh|tao|con) (chet|mat di|bien mat) | (em|toi|minh|tao) (mat|chet|bien mat) di (cung|thi) (chang|khong|chac) |
    ghet ban than .{0,20}(chet|song|bien mat) | (ra song|nhay song|ra cau|nhay cau) cho (xong|roi|nhe) | ganh nang (cua|cho) (ca nha|gia dinh|moi nguoi|bo me) |
    (em|toi|minh|con) (di|chet|mat) (thi|roi) .{0,20}(nhe|do kho|het kho|vui hon|tot hon) | (tinh|dinh|muon|se|sap) .{0,12}(mua|uong|kiem|tim) .{0,10}thuoc (diet chuot|chuot|tru sau|ngu) |
    ket thuc (tatca|tat ca|moi thu|cuoc doi)`), '\\b'),
  /\b(uong|dung|can|nhay|an|hit)\b.{0,40}\b(bao nhieu|may vien|the nao|o dau|tang may|cach nao)\b.{0,30}\bchet\b|\bcach (tu tu|chet|ket lieu)\b/,
  re('\\b', words(`want(s|ed)? to die | wanna die | kill (my|him|her)self | killing myself | end (my life|it all|everything|it tonight|it now) | wants? to end it |
    suicid(e|al) | (do not|dont) want to (live|be alive|exist|be here) | better off (dead|without me) | self ?harm | hurt(ing)? myself | no reason to live |
    want to disappear | take my (own )?life | (painless|easy|quick) way to die | how (do i|to|can i) (die|end it) | last message | goodbye forever |
    if i (die|died|was gone) | not (wake|waking) up (again|tomorrow) | sorry for everything`), '\\b'),
];
const SELF_HARM_NEGATED = /\b(khong|chua bao gio|chang|khong he) (muon|dinh|co y dinh|nghi den|nghi toi) (chet|tu tu|tu sat)\b|\b(not|never) (suicidal|going to kill myself)\b/;

const SELF_INJURY = [
  /\b(vua|da|dang|moi|lai|lo) .{0,15}(?!cua (minh|nguoi|chan)\b)(rach|cat|cua|ram|dam|khia|cao) (vao )?(tay|co tay|dui|chan|nguoi|bung|minh|sau)\b|\btu (dam|cat|rach|dot) (minh|tay|vao)\b|\b(vua|da) nhay (tu|xuong|khoi|qua)\b/,
  /\b(rach|cat) (tay|co tay) (roi|chay mau|nhieu mau|sau)\b|\b(em|toi|minh|tao|tui) cat (roi|tay|sau)\b|\bcat sau\b|\bcat tay\b/,
  /\b(mau chay|chay mau) (nhieu|khong (cam|ngung|dung|ngu)|qua|het)\b|\b(dung|nam|ngoi) (o|tren|giua) duong ray\b|\b(toan|day|be bet|tham ca|tham) mau\b/,
  /\b(vua|da|dang|moi|lo) (uong|nuot) .{0,25}(thuoc|paracetamol|panadol|vien)\b/,
  /\b(uong|nuot) (het|ca|nua|\d+) .{0,12}(vi|lo|hop|vien|lieu|nam)\b|\b(uong|nuot) .{0,25}(thuoc (ngu|chuot|tru sau|diet co|an than)|an than)\b.{0,30}\b(roi|xong)\b/,
  /\b(uong|nuot) .{0,12}(thuoc chuot|thuoc tru sau|thuoc diet co|nuoc tay|xang|axit|thuoc doc)\b|\bdot than\b/,
  /\b(dang )?(o|dung|ngoi|treo) (tren|o|ngoai) (san thuong|mai nha|noc nha|lan can|tang thuong|cua so|mep cau|thanh cau|mep|cau)\b|\bmep (cau|san thuong|mai)\b|\bnhin xuong .{0,20}(chong mat|so|cao)\b/,
  re('\\b', words(`i (just )?cut myself | i have cut | took (a lot of|all (my|the)|too many|a bottle of|a handful of) (pills|tablets) | swallowed .{0,20}(pills|tablets|bleach|poison) |
    drank (bleach|poison) | i am bleeding | took (like |about |around )?\\d+ (paracetamol|pills|tablets|sleeping pills) | overdosed on (pills|tablets) | bleeding wrists? | slit (my|her|his) wrists? | (window )?ledge | on the roof | edge of (the )?(bridge|roof|building)`), '\\b'),
];

const OVERDOSE = [
  re('\\b', words(`soc (thuoc|ma tuy|heroin|da|ke|lac|hang) | qua lieu | ngung tho | khong (tho|the tho|con tho) | tho khong (duoc|noi) | kho tho | tho (rat )?cham |
    bat tinh | ngat xiu | bi ngat | ngat roi | ngat di | co giat | giat (dung dung|lien tuc|manh|bat) | sui bot mep | tim dap (nhanh|manh|loan|\\d+) |
    (lay|goi|vo|keo) (mai )?(khong|chang) (tinh|day|mo mat) | khong (goi|lay) day duoc | khong mo mat | tim tai | moi tim | mat y thuc | khong phan ung |
    guc (xuong|nga|tai cho) | nga guc | tay chan lanh | tai met | ngay to | nam (im|bat dong|li|ngat) | ngat trong | goi (khong|ko) (duoc|tra loi|thua) |
    nga xuong .{0,15}khong (dung|day) | khong dung day (duoc|noi) | (ngao|phe|sang|lo) (da|ke|thuoc|ma tuy|lac|hang) .{0,30}(la het|dap dau|hoang loan|co giat|dien cuong|ngat|bat tinh|khong tinh|tu cat|nhay)`), '\\b'),
  re('\\b', words(`overdos(e|ed|ing) | od(d|ed)? | not breathing | can not breathe | cant breathe | stopped breathing | unconscious | will not wake up | wont wake up |
    passed out | having a seizure | seizing | turning blue | lips (are )?blue | blue lips | not responding | unresponsive | (is not|isnt|not) waking up | took too much`), '\\b'),
];

const ABUSER = re('\\b', words(`bo duong | cha duong | chu duong | me ke | bo | me | cha | chu | bac | ong ngoai | ong noi | ong ay | ong gia | thay | thay giao | co giao |
  thay day them | anh ho | chi ho | nguoi yeu cua me | chong cua me | ban trai cua me | hang xom | nguoi la | chu nha | ong chu | ba chu | bao mau | hlv | huan luyen vien |
  anh lop | nguoi lon | di ghe | me ghe | bo ghe | anh trai | anhx? (toi|em|minh|ho) | chi (toi|em|minh|ho) | ba (em|con|chau|tao|tui|no) | ma (em|con) | stepfather | stepdad | stepmom | my dad | my father | my mom | my mother | my uncle | teacher | coach | his dad | her dad | his father | her father`), '\\b');
const ABUSE = re('\\b', words(`danh | dap | bop co | quat (em|con|chau|vao) | lay roi | (quat|danh) bang roi | xam hai | so mo | so soang | so (nguoi|vao|nguc|vung kin|em|con|chau|no) | hiep (dam|dxm) | dam o | cuong buc |
  lam nhuc | nhot | bo doi | bo mac | de doa | bat (nhin|xem|cham|so|coi do) | bat .{0,20}coi (do|quan|ao) | keu ra .{0,10}(phong|rieng) | lam chuyen do |
  vao phong .{0,12}(ban dem|buoi toi|luc ngu|dem) | di (dieu )?thuoc | dot | tra tan | slapx | tat (em|con|chau|vao mat|vao mom) | troi | dap do | dap pha | nem do |
  bat (em|con|chau) quy | (doa|se|thi) giet | neu .{0,12}(mach|ke|noi) .{0,25}(giet|danh) | tron (trong|duoi|sau) | gam giuong | trong tu (quan ao)? | ga (cho|chong) | ep (lay chong|cuoi) | bat .{0,25}(khong|dung) (duoc )?ke |
  lam (nhung )?(chuyen|viec) .{0,10}khong muon | chuyen nguoi lon | ve (nha )?(la|thi) bi danh | khoa .{0,10}(ngoai|trong) |
  hurt(s|ing)? | hits? | hitting | beat(s|ing)? | burn(s|ed|ing)? | cigarettes? | touch(es|ing)? (me|her|him) | abus(e|es|ing|ed) | rap(e|es|ing|ed) | bruises | lock(s|ed)? (him|her) (out|in|outside)`), '\\b');
// A partner (husband, wife, boyfriend) hurting the writer is domestic violence: 113 first, not the child line.
const PARTNER = /\b(chong|vo (toi|anhx?|minh|tao|no|cua|em)|nguoi yeu|ban trai|ban gai|bo cua con|my (husband|wife|boyfriend|girlfriend|partner))\b(?! cua (me|bo|ba|chi|em|con))/;
// The one being hurt is an adult in the family, the child a witness: 113 first.
const ADULT_VICTIM = /\b(danh|dap|chem|dam|bop co|slapx) (me|chi|vo|co|di) ?(em|toi|minh|con|chau|cua)?\b/;
const CHILD_VICTIM = /\b(danh|dap|chem|dam|bop co|slapx|nhot|troi) (em|con|chau|no|be)\b/;
const FIRST_PERSON_CHILD = /\b(em|con|chau|tui|minh) (bi|hay bi|thuong bi|lai bi|van bi|dang bi|so ve nha)\b|\b(danh|dap|so|bat|nhot|quat) (em|con|chau)\b/;
// A child writing in English about a parent or carer hurting them ("my stepdad hits me when mom is at work").
const EN_CHILD_ABUSE = /\b(stepdad|stepfather|step dad|dad|father|mom|mum|mother|stepmom|stepmother|uncle|grandpa|grandfather|teacher|coach|(mom|mum|mother) s boyfriend)\b.{0,40}\b(hits?|beats?|hurts?|touch(es)?|burns?|slaps?|kicks?|whips?) me\b/;

const ABROAD = re('\\b', words(`campuchia | cam pu chia | cambodia | myanmar | mianma | mien dien | burma | lao | laos | trung quoc | china | thai lan | thailand |
  dai loan | taiwan | malaysia | ma lai | han quoc | korea | nhat ban | japan | dubai | a rap | saudi | nga | russia | angola | phnom penh | kampot | koh kong |
  myawaddy | tachileik | tam giac vang | golden triangle | vientiane | bokeo | nuoc ngoai | ben kia bien gioi | ben kia | xu nguoi | casino | song bac | dac khu |
  khu lua dao | cong ty lua dao | o lua dao | bavet | poipet | sihanoukville | shwe kokko | (o|ben|sang|qua) (cam|camx|nga) | abroad | overseas | scam compound | compound`), '\\b');
const TRAPPED = re('\\b', words(`bi giu (ho chieu|giay to|lai|o) | giu .{0,8}(ho chieu|giay to|passport|cmnd|can cuoc) | thu (ho chieu|giay to) | lay (ho chieu|giay to) |
  bi nhot | bi giam | bi khoa | khong cho (ve|ra|nghi|lien lac|roi) | khong (duoc|the) (ve|ra|roi) | khong (ve|ra|roi|thoat) (duoc|dc) | khong ve duoc | bi giu trong |
  chich dien | dien giat | chi tieu | danh (con|em|toi|minh|nguoi) | doi (nha|gia dinh|bo me|me) .{0,15}(gui|chuyen) tien | ban (em|toi|minh|con|no) (qua|sang) |
  beat (people|us|me|them) | try(ing)? to (leave|escape) | mac ket | bi ket | ket lai | ket o |
  bi ban (sang|qua|cho|lai) | (dua|cho) (em|toi|minh|con|chung toi|chung em) (sang|qua|vuot) .{0,40}(so|lo|khong biet) | cua khau .{0,30}(so|lo) | bi ep (lam|lua|danh bac|di khach|ban dam|lao dong) | bi danh | bi tra tan | doi (tien )?chuoc | tien chuoc | chuoc (nguoi|ra|ve) |
  bi bat lam | tron (ra|thoat|duoc|khoi) | bo tron | bi lua (sang|qua) | bi dua (sang|qua) | cuu | moi cho ve | (dong|nop|tra) .{0,60}moi (duoc )?(cho )?ve |
  boi thuong hop dong | bi chuyen cong ty | bi ban (qua|sang)? ?cong ty | lam khong luong | khong (tra|cho) luong | no \\d+ ?k | trapped | stuck |
  took (my|our|his|her) passports? | can not (leave|go home|come home|get out) | held (captive|against) | forced to (work|scam) | ransom | sold to | locked`), '\\b');

const MEDIA = re('\\b', words(`hinh | clip | video | pics? | photos? | nudes? | videos? | sext(ed|ing)? | quay len | quay trom | camera .{0,10}(giau|len) |
  (gui|chup|tung|phat tan|dang|dangpost|xoa|co|giu|nhieu|nhung|cac|may|tam|ghep|gui them|cua) anh | anh (nong|nude|khoa than|nhay cam|sex|rieng tu|cua (em|toi|minh|con|chau)|cu)`), '\\b');
const INTIMATE = re('\\b', words(`nong | nude | khoa than | nhay cam | sex | rieng tu | khong mac (do|quan ao|ao|quan) | do lot | vung kin | nguc | thay do | coi do |
  quay len | nha nghi | 18 | intimate | naked | explicit | sexted | sexting`), '\\b');
const SPREAD = re('\\b', words(`tung | phat tan | dang len | dangpost | dang (face|facebook|fb|mang|tiktok|nhom|len mang) | gui .{0,25}cho (bo me|ba me|ban be|gia dinh|moi nguoi|nguoi than|truong|lop|thay co|chong|vo|me|bo) |
  share | shares | leak | leaks | post | posts | posting | cong khai | send .{0,20}to my (school|parents|friends|family|contacts)`), '\\b');
const THREAT = re('\\b', words(`doa | de doa | tong tien | doi tien | doi \\d+ | doi .{0,10}(trieu|nghin|k|usd|do|dola|tr) | bat (em|toi|minh|con|tao) (gui|chuyen|tra|dua|nop) |
  khong (tra|chuyen|gui|dua) .{0,10}thi | khong thi | neu khong | neu .{0,12}khong (gui|tra|chuyen|dua) | neu .{0,15}(block|chan|bao cong an|noi voi|ke) | tra tien | chuyen tien | chuyen khoan | bat gui them | doi gui them |
  dua tien | nop tien | (danh|danhx) sach ban be | list ban be | threat(en|ening|s|ened)? | blackmail(ing|ed)? | extort(ing|ed|ion)? | or else | unless | or (she|he|they) (will )?(post|share|send|leak) |
  wants? .{0,8}(\\$|\\d+|money) | contacts | friend list`), '\\b');
const GROOMED = re('\\b', words(`(du|ep|bat|doi|nho|xin|yeu cau|ru|bao|keu|xui) .{0,24}(gui|chup|quay|cho xem) .{0,12}(anh|hinh|clip|video) (nong|nude|khoa than|nhay cam|sex|rieng tu|vung kin|nguc|khong mac (do|quan ao|ao|quan)) |
  (du|ep|bat|yeu cau|xui|bao|keu) .{0,15}(coi do|coi quan|coi ao|khoa than|lo nguc|chup vung kin) .{0,20}(video|call|qua mang|online|zalo|facebook|fb|tiktok|game|chat|messenger|telegram|discord|instagram|camera) |
  (video|call|qua mang|online|zalo|facebook|fb|tiktok|game|chat|messenger|telegram|discord|instagram) .{0,30}(du|ep|bat|yeu cau|xui|bao|keu) .{0,15}(coi do|coi quan|coi ao|khoa than|lo nguc|chup vung kin)`), '\\b');
const SEXTORTION_EN = /\b(sextortion|blackmail(ing|ed)? me|threaten(ing|s|ed)? to (post|share|send|leak|spread) (my|our|her|his) (photos|pics|nudes|videos|images))\b/;

const VIOLENCE = [
  /\b(dang|van dang|dang bi|bay gio|ngay bay gio|luc nay) .{0,30}(danh|dap|chem|dam|bop co|slapx|hanh hung|tan cong|cuong hiep|hiep (dam|dxm)|xam hai|bao hanh|hanh ha)\b/,
  /\b(bi|vua bi|dang bi) (dam|chem|shootx|ban (chet|trung|vao)|cat co|danh (hoi dong|dap|tu vong)|hiep)\b/,
  /\bcam (dao|rua|kiem|gay|bua|sung|hung khi|mac|ong tuyp|bat) .{0,25}(duoi|ruot|doa|chem|dam|danh|giet|di|vao|dung|kiem)\b|\b(doa|se|doi|dinh) (giet|chem|dam) (toi|em|minh|ca nha|con|chi|me|het)\b|\brut dao\b|\bdam vao (tay|nguoi|bung|co|lung|nguc|dui)\b/,
  /\b(dang|luc nay|ngay luc nay) .{0,15}(danh nhau|danhnhau|an cuop|cuop|hon chien)\b|\bbi .{0,20}(danh|chem|dam) .{0,30}(chay mau|bi thuong|gay (tay|chan)|bat tinh)\b|\bbi .{0,12}hiep\b|\bdang (ep|cuong ep|cuong buc) (em|toi|minh)\b|\bchan duong (danh|cuop)\b|\btat (axit|a xit|xang)\b|\bda vao (bung|nguoi|mat|dau)\b|\b(danh|dap) .{0,10}gay (tay|chan|xuong)\b/,
  /\b(chong|vo|nguoi yeu|ban trai|no|han|ong ay|thang do|ho) .{0,8}(nam toc|loi|keo le|dap|danh|dam|chem|bop co|slapx|ton|dap dau) (toi|em|minh|tao|tui|me|chi)\b/,
  /\b(bi|vua bi|da bi|hom qua bi) .{0,30}(hiep dam|hiep dxm|cuong hiep|cuong buc)\b|\b(was|got|been) (raped|sexually assaulted)\b/,
  /\b(being|getting|got) (beaten|attacked|stabbed|hit|raped|assaulted|shot)\b|\bbeaten up\b|\b(has|with|holding) a (knife|gun|machete)\b|\b(is|are) (hitting|beating|attacking|stabbing|choking) (me|us|her|him|my)\b|\bhe (hits|beats|is hitting|is beating) (me|my)\b|\bsomeone is attacking\b/,
];
// Without diacritics, folded "dam" is both "đâm" (stab) and "dâm" (as in mại dâm, dâm ô): these pairs are
// the sex word ("hiếp dâm", rape, stays: it is violence). With diacritics, "dâm" was already rewritten.
const SEX_DAM = /\b(mai|mua|ban|khieu|tu|o|thu) dam\b|\bdam (o|duc|dang|thu|ban|loan)\b/g;
// Everyday phrases that contain a violence word: "đánh giá", "danh sách", "đáp án", "xe đâm vào cột"...
const NOT_VIOLENCE = /\bdanh (sach|gia|tinh|tieng|thiep|muc|hieu|du|nghia|so|bac|bai|rang|ranh|de|dau|nhau cho vui|thuc|may|chu|bong|lua)\b|\bdap (an|ung|lai|xe)\b|\b(xe|o to|xe may|xe tai|tai nan|va cham) .{0,15}dam (vao|phai|nhau)?\b|\bdam (xe|sam)\b|\bbi ban be\b/g;

const DANGER_NOW = [
  /\bcuu (toi|em|minh|voi|tui|con|chau|me|bo|ban|banx|nguoi|chung toi|chung em|no|gap|vs|chi|anhx?)\b/,
  /^(cuu|cuu voi|cuu minh|help|sos|cuu em|cuu toi)\b/,
  /\b(sos|khan cap|nguy hiem qua|nguy kich|help me|save me|emergency)\b/,
  /\bdang bi (nhot|giam|danh|bat|bat coc|de doa|ep|dua|cuong hiep|hiep (dam|dxm)|xam hai|truy duoi|theo doi|khoa|troi|giu|chuoc|tra tan|hanh hung|bao hanh|cho di|lua|dan)\b/,
  /\b(bi|dang) (nhot|giam|khoa trai|khoa|troi|cam tu) (trong|o|tai|lai|khong|ko)\b/,
  /\b(nhot|giam|giu) (toi|em|minh|chung toi|chung em|con|chau|ban)\b/,
  /\b(khong) (cho|duoc) (ve|ra ngoai|thoat|di dau)\b/,
  /\b(doa|de doa|se) giet\b|\bgiet (toi|em|minh|chung toi|con|ban)\b/,
  /\b(dang|bi) (ep|dua|cho|cho ve) .{0,30}(bien gioi|cua khau|sang trung quoc|qua campuchia|sang campuchia|sang lao|qua bien gioi)\b/,
  /\b(chu|ghi|nhan|nhan tin|tin nhan) cuu\b|(?<!\b(tra|nghien|cap|giai|cuu) )\bcuu$/,
  /\b(bat coc|bi bat coc)\b/,
  /\b(bam theo|theo duoi|di theo|theo sau|theo doi) .{0,40}(khong dam|so qua|so lam|lo qua|chay)\b|\bco (nguoi|xe|thang|may thang) (cu |dang |van )?(bam|di|chay) theo\b/,
  /\b(tai xe|taxi|grab|xe om|xe) .{0,30}(khong (di )?dung duong|cho (em|toi|minh) di dau|khong tra loi|khong cho xuong)\b/,
  /\bkeo .{0,12}len xe\b/,
  /\bbi .{0,25}giu (trong|o|lai|tai)\b/,
  /\b(co nguoi|nguoi la|thang|ai do|may thang|bon) .{0,12}(dang )?(co )?(mo|pha|danh|dap|go|xong vao|cay) cua\b|\bsomeone is (trying to )?(break|get|come) in(to)?\b/,
  /\block(ed|s)? (the|us|me|them|her|him) ?(front |back |main )?(door|doors|in|inside|up)\b|\btook (my|our) (phones?|passports?)\b|\b(wo not|will not|do not|dont|wont) let (me|us|her|him|them) (leave|go|out)\b/,
  /\bpushed (her|him|me|them) into (a|the) (van|car|truck)\b|\b(locked (in|up)|held captive|kidnapp?ed|being (held|trafficked|taken|followed)|going to kill|trapped|in danger|someone is following|strangers? car|(does|do) not know where (she|he|i|we) (is|am|are))\b/,
  /\b(dang|ngay bay gio|bay gio) .{0,40}(nhot|giam|bat coc|cuong hiep|hiep (dam|dxm))\b/,
];
/** Other pupils: bullying at school, answered by the knowledge base unless it is happening now. */
const PEERS = /\b(may dua|bon no|tui no|chung no|ban cung lop|trong lop|cung lop|dan anh|dan chi|bon (con|thang) (lop|truong)|classmates|kids at school|other (kids|students|pupils))\b/;
const HABITUAL = /\b(hay|thuong|thuong xuyen|suot|lien tuc|cu (say|ruou|nhau|ve)|may nam|nhieu nam|nhieu lan|often|always|every (day|night|evening|time)|most (days|nights|evenings)|for years)\b/;
const FIRST_PERSON_DANGER = /\b(cuu|dang bi|help me|save me|locked (us|me)|took my (phone|passport)|let (me|us) (leave|go|out))\b/;

/** Words that alone never make a crisis while the person is answering a question. */
const ANSWER_WORDS = /^(co|khong|chua|roi|ok|uh|vang|da|dung|sai|khong chac|khong biet|khong ro|khong nho|xong|xong roi|yes|no|not sure|maybe|idk|dont know|skip|bo qua|gui|send|huy|sua|tiep tuc|continue|menu)$/;

/**
 * The crisis a message speaks of, if any. `ctx.answering` makes the rules stricter: a crisis typed as the
 * answer to a question still interrupts, but ordinary answers never do.
 */
export function detectCrisis(input: CrisisInput, ctx: NluContext = {}): CrisisSignal | undefined {
  const norm = input.norm;
  if (!norm) return undefined;
  const count = norm.split(' ').length;
  const answering = ctx.answering !== undefined;
  if (answering && ((count <= 2 && !/\b(cuu|sos|help|khan cap)\b/.test(norm)) || ANSWER_WORDS.test(norm))) return undefined;
  const child = childSignal(norm);
  const other = OTHER_VICTIM.test(norm) || (OTHER.test(norm) && !SELF_VICTIM.test(norm));
  const now = NOW.test(norm) || /\b(vua|just|right now)\b/.test(norm);
  const police = POLICE.test(norm);
  const parent = PARENT.test(norm);
  const signal = (kind: CrisisKind, aboutOther = other): CrisisSignal => ({ kind, aboutOther, child: child || kind === 'child_danger', now, police, parent: aboutOther && parent });
  const over = pastOrSafe(norm, input.accented);
  // While a form is being filled in, a danger must be spoken of as happening now to interrupt it.
  const strict = answering && !NOW.test(norm);

  // A question about a crisis topic is answered from the knowledge base; thoughts of suicide never are.
  const info = asksAboutCrisis(norm);

  // Self-harm first: its answer is gentle and never police-only. Past thoughts still get care.
  const noIdioms = norm.replace(DEATH_IDIOMS, ' ');
  const askingHowToDie = SELF_HARM[2].test(noIdioms);
  if (!over && !info && !askingHowToDie && (any(SELF_INJURY, noIdioms) || (/\btreo co\b/.test(noIdioms) && !/\b(muon|dinh|se|nghi|tinh|sap) .{0,6}treo co\b/.test(noIdioms)))) return signal('self_injury', other && !/(?<!\b(ban|banx|con|em|anhx?|chi|chau|be|bo|me) )\b(em|toi|minh|tui|tao|i) (vua|da|dang|moi|lo|cut|took|just|cat|uong)\b/.test(norm));
  const generalSelfHarmQuestion = /\b(dau hieu|signs? of|lam sao (giup|de giup|biet)|how (do|can) i (help|tell|know))\b/.test(norm) && !HAPPENING.test(norm);
  if (any(SELF_HARM, noIdioms) && !SELF_HARM_NEGATED.test(noIdioms) && !(answering && over) && !generalSelfHarmQuestion) {
    return signal('self_harm', other && !/\b(em|toi|minh|tao|tui|i) (muon|dinh|chi muon|rat muon|khong muon|want|wanna|do not|ghet|se|chac)\b/.test(noIdioms));
  }
  // "Báo tin xâm hại trẻ em", "tôi muốn tố giác ...": a request to file a tip about it (the tip asks whether anyone
  // is in danger now), unless it says the danger is happening now.
  if (REPORT_OPENING.test(norm) && !NOW.test(norm)) return undefined;
  if (!SAFE_NOW.test(norm) && !info && ABROAD.test(norm) && TRAPPED.test(norm) && /\b(doi|moi tha|chuoc|van|dang|khong cho|bi ban|bi giu)\b/.test(norm) && !strict) return signal('trapped_abroad');
  if (over || info) return undefined;

  if (any(OVERDOSE, norm) && !(strict && !/\b(soc|qua lieu|overdos|ngung tho|khong tho|bat tinh)/.test(norm))) return signal('overdose');
  const violenceText = (input.accented ? norm : norm.replace(SEX_DAM, ' ')).replace(NOT_VIOLENCE, ' ');

  if (ABROAD.test(norm) && TRAPPED.test(norm.replace(/\b(khong|chua|ko) bi (nhot|giam|giu|danh|khoa)\b/g, ' ')) && !strict) return signal('trapped_abroad');

  const media = MEDIA.test(norm);
  const sextortion = SEXTORTION_EN.test(norm) || GROOMED.test(norm)
    || (media && THREAT.test(norm)) || (media && INTIMATE.test(norm) && SPREAD.test(norm));
  if (sextortion && !strict) return signal('sextortion');

  // A child being hurt: the child writing ("bố dượng hay đánh em") or someone writing about a child.
  const abuse = ABUSE.test(violenceText);
  const partner = PARTNER.test(violenceText) && !CHILD_AGE.test(norm);
  const adultVictim = ADULT_VICTIM.test(violenceText) && !CHILD_VICTIM.test(violenceText);
  // "hay chặn đường đánh em", "most evenings he beats...": it keeps happening, but not as a danger now (the
  // knowledge base answers bullying and domestic violence; a child hurt at home is still child_danger).
  const habitual = HABITUAL.test(violenceText) && !NOW.test(violenceText) && !/\b(vua|just)\b/.test(violenceText);
  const peerBullying = habitual && PEERS.test(violenceText);
  const childAbuse = abuse && !partner && !adultVictim && !peerBullying
    && (child || (ABUSER.test(violenceText) && (FIRST_PERSON_CHILD.test(violenceText) || /\b(em|con|chau|be|no)\b/.test(violenceText))))
    || (EN_CHILD_ABUSE.test(violenceText) && !partner);
  if (childAbuse && !strict) return signal('child_danger', other && (OTHER_VICTIM.test(norm) || !FIRST_PERSON_CHILD.test(violenceText)));

  if (any(VIOLENCE, violenceText) && !habitual && !(answering && !NOW.test(violenceText) && !/\b(dang|vua)\b/.test(violenceText))) {
    return signal(child && !partner && !adultVictim ? 'child_danger' : 'violence_now');
  }

  if (any(DANGER_NOW, violenceText)) {
    if (ASKS_FOR_NUMBER.test(norm) && !FIRST_PERSON_DANGER.test(norm)) return undefined;
    if (strict && !FIRST_PERSON_DANGER.test(norm) && !/\b(bat coc|kidnapp?ed|sos|khan cap)\b/.test(norm)) return undefined;
    return signal(child ? 'child_danger' : 'danger_now');
  }
  void SELF_SUBJECT;
  return undefined;
}

/** Bullying by other pupils that keeps happening but is not happening now: the knowledge base's to answer. */
export function routineBullying(norm: string): boolean {
  return HABITUAL.test(norm) && PEERS.test(norm) && !NOW.test(norm) && !/\b(vua|just)\b/.test(norm);
}

/** Signs that something is being done to someone now, or that they are held or forced. */
export function heldOrHappening(norm: string): boolean {
  return HAPPENING.test(norm) || /\b(khoa cua|bi khoa|nhot|giam|bat (tiep|lam|di)|ep (lam|tiep|di)|locked|forced)\b/.test(norm);
}

/** The words being trapped abroad needs: held, kept, unable to leave, sold, a ransom (a passport photo sent to a
 * recruiter at home is a warning sign, not a trap). */
export function trappedWords(norm: string): boolean {
  return TRAPPED.test(norm) && !SAFE_NOW.test(norm);
}

/** The words a sextortion needs: images that are intimate or used in a threat (a clip of a fight posted
 * to mock someone is bullying, not sextortion). */
export function sextortionWords(norm: string): boolean {
  return SEXTORTION_EN.test(norm) || GROOMED.test(norm) || (MEDIA.test(norm) && (THREAT.test(norm) || INTIMATE.test(norm)));
}

/** True when the text speaks of a crisis happening now (any kind): e.g. a tip's wording makes it urgent. */
export function soundsLikeCrisis(text: string): boolean {
  return detectCrisis(prepareCrisisText(text)) !== undefined;
}
