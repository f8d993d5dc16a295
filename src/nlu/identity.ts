/**
 * The reporter's OWN identity in free text (issue #10, item 5): their name, phone, address, ID number or
 * email, but only where the text introduces it as theirs ("tôi là Nguyễn Thị Lan", "số của tôi 0987654321",
 * "nhà tôi ở thôn Đông…", "CCCD của tôi…", "my name is…", "I live at…"). A suspect's details ("số của nó
 * là 09…", "thằng bán hàng tên Tuấn", "nhà bà ta ở…") are evidence and are never flagged.
 *
 * Pure: no I/O, nothing logged, nothing kept between calls. Matching folds diacritics word by word, but every
 * span indexes the original text (NFC or NFD, as typed), and `redacted` keeps the rest of it as typed.
 *
 * How it reads a message: the text becomes a list of items, words and values (phone numbers, emails, ID-shaped
 * numbers found by bounded regexes), each with the strength of the punctuation before it (none, a clause
 * break such as a comma, or a sentence break). First-person words are told apart by their spelling where the
 * person typed diacritics ("tôi" is I, "tối" is evening, "tới" is to) and by their place ("anh tôi", "em gái
 * tôi" are someone else). Then a few cue shapes are matched (`<self> tên/là <name>`, `tên <self> là <name>`,
 * `<label> [của] <self> <value>`, `nhà <self> ở <address>`…). Every pass is linear in the length of the text.
 *
 * Also exports the tokeniser and value finders that src/nlu/tip-facts.ts shares (marked internal).
 */

export type IdentityKind = 'name' | 'phone' | 'address' | 'id_number' | 'email';
export interface IdentitySpan {
  /** UTF-16 offsets in the original text: `text.slice(start, end)` is what would be removed. */
  start: number;
  end: number;
  kind: IdentityKind;
}
export interface OwnIdentity {
  /** Sorted, non-overlapping. Empty when the text introduces nothing of the writer's own. */
  spans: IdentitySpan[];
  /** The text with every span replaced by the marker. */
  redacted: string;
}
export interface IdentityOptions {
  /** What replaces a removed span; default `[đã xóa]`. */
  marker?: string;
}

export const REDACTION_MARKER = '[đã xóa]';

// ---- shared tokeniser (internal) ---------------------------------------------------------------

/** @internal A word or a value of the text, with its offsets in the original. */
export interface Item {
  kind: 'word' | 'phone' | 'email' | 'id';
  start: number;
  end: number;
  /** As typed: NFC, lower case ("tối"). */
  typed: string;
  /** Folded: no diacritics, đ -> d, lower case ("toi"). Values: their digits or the address. */
  f: string;
  /** Folded form and the marks it carried, wherever they sit: "túy" and "tuý" have the same key. */
  key: string;
  /** The punctuation before it: 0 none, 1 a clause break (comma, bracket, dash), 2 a sentence break. */
  brk: 0 | 1 | 2;
  /** The word starts with a capital letter as typed. */
  cap: boolean;
}

/** @internal */
export interface ValueSpan { start: number; end: number; kind: 'phone' | 'email' | 'id' }

const COMBINING = /[\u0300-\u036f]/g;
/** @internal Lower case, diacritics removed, đ -> d, curly apostrophe straightened. */
export function foldWord(w: string): string {
  return w.toLowerCase().replace(/[đ]/g, 'd').normalize('NFD').replace(COMBINING, '').replace(/’/g, "'");
}

/**
 * @internal A word's spelling, told apart from its folded form: the folded letters and the sorted list of
 * its marks (and đ). Old and new tone placement ("hoà"/"hòa", "tuý"/"túy") give the same key.
 */
export function spellingKey(w: string): string {
  const lower = w.toLowerCase();
  const marks = (lower.normalize('NFD').match(COMBINING) ?? []).sort().join('');
  return `${foldWord(lower)}|${marks}${lower.includes('đ') ? 'đ' : ''}`;
}

// Letters with their combining marks, digits, and an apostrophe inside a word ("I'm", "don't").
const WORD = /[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}]|['’](?=\p{L}))*/gu;
// (A dot between two words without a space is part of a name: "TP.HCM", "15A-123.45".)
const SENTENCE_BREAK = /[!?;\n…]|\.\s|\.\./;
const CLAUSE_BREAK = /[,()[\]{}"“”«»–—]|\s-\s/;
const CAPITAL = /^\p{Lu}/u;

function gapBreak(gap: string): 0 | 1 | 2 {
  if (gap === ' ' || gap.length === 0 || /^[ \t]+$/.test(gap)) return 0;
  if (SENTENCE_BREAK.test(gap)) return 2;
  return CLAUSE_BREAK.test(gap) ? 1 : 0;
}

// A Vietnamese phone number as typed: +84 / (+84) / 84 / 0, then 9 or 10 digits, in groups separated by
// single spaces, dots or dashes ("0912 000 111", "+84 912.000.111", "024 3826 1234"). Bounded repetition and
// no nested ambiguity, so a long run of digits costs a constant per starting position.
const PHONE = /(?<![\p{L}\p{N}+])(?:\(\+?84\)|\+84|84|0)[ .-]?\d(?:[ .-]?\d){8,9}(?!\p{N})/gu;
const MOBILE = /^0(?:3[2-9]|5[2689]|7[06-9]|8[1-9]|9\d)\d{7}$/;
const LANDLINE = /^02\d{9}$/;
const EMAIL = /(?<![\p{L}\p{N}._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,4}/gu;
// CCCD (12 digits), CMND (9 digits), plain or in groups of 3 or 4; a passport number (a letter and 7 digits).
const ID_NUMBER = /(?<![\p{L}\p{N}])(?:\d{12}|\d{9}|\d{3}[ .]\d{3}[ .]\d{3}(?:[ .]\d{3})?|\d{4}[ .]\d{4}[ .]\d{4}|[A-Za-z]\d{7})(?![\p{L}\p{N}])/gu;

/** The national form of a phone number's digits, if it is a valid Vietnamese mobile or landline number. */
function phoneDigits(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  const national = /^\(?\+?84/.test(raw) ? `0${digits.slice(2)}` : digits;
  return MOBILE.test(national) || LANDLINE.test(national) ? national : undefined;
}

/** @internal Valid Vietnamese phone numbers, with their digits (national form, leading 0). */
export function findPhones(text: string): (ValueSpan & { digits: string })[] {
  const out: (ValueSpan & { digits: string })[] = [];
  for (const m of text.matchAll(PHONE)) {
    let raw = m[0];
    let digits = phoneDigits(raw);
    if (!digits) {
      // "0912 000 111 2 lần": the last group was taken too; try the number one digit shorter.
      const cut = raw.replace(/[ .-]?\d$/, '');
      digits = phoneDigits(cut);
      if (digits) raw = cut;
    }
    if (digits) out.push({ start: m.index, end: m.index + raw.length, kind: 'phone', digits });
  }
  return out;
}

/** @internal Email addresses (trailing dots are not part of them). */
export function findEmails(text: string): ValueSpan[] {
  const out: ValueSpan[] = [];
  for (const m of text.matchAll(EMAIL)) {
    const raw = m[0].replace(/[.-]+$/, '');
    if (/\.[A-Za-z]{2,}$/.test(raw)) out.push({ start: m.index, end: m.index + raw.length, kind: 'email' });
  }
  return out;
}

function findIdNumbers(text: string): ValueSpan[] {
  const out: ValueSpan[] = [];
  for (const m of text.matchAll(ID_NUMBER)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'id' });
  return out;
}

/**
 * @internal The text as items: values (phones, emails, ID-shaped numbers) and the words outside them, in
 * order, each with the punctuation break before it.
 */
export function itemize(text: string): Item[] {
  // Each distinct word is folded once per call (nothing is kept between calls).
  const cache = new Map<string, { typed: string; f: string; key: string; cap: boolean }>();
  // Values first; an earlier or longer one wins an overlap (phones before ID-shaped numbers).
  const found = [...findPhones(text), ...findEmails(text), ...findIdNumbers(text)]
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const values: ValueSpan[] = [];
  for (const v of found) if (!values.length || v.start >= values[values.length - 1].end) values.push(v);

  const items: Item[] = [];
  let prevEnd = 0;
  let vi = 0;
  const push = (kind: Item['kind'], start: number, end: number): void => {
    const raw = text.slice(start, end);
    const brk = items.length === 0 ? 2 : start - prevEnd === 1 && text.charCodeAt(prevEnd) === 32 ? 0 : gapBreak(text.slice(prevEnd, start));
    prevEnd = end;
    if (kind !== 'word') {
      const f = raw.replace(/[\s.()-]/g, '').toLowerCase();
      items.push({ kind, start, end, typed: raw, f, key: f, brk, cap: false });
      return;
    }
    let w = cache.get(raw);
    if (w === undefined) {
      const typed = raw.normalize('NFC').toLowerCase().replace(/’/g, "'");
      cache.set(raw, (w = { typed, f: foldWord(typed), key: spellingKey(typed), cap: CAPITAL.test(raw) }));
    }
    items.push({ kind, start, end, typed: w.typed, f: w.f, key: w.key, brk, cap: w.cap });
  };
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const end = start + m[0].length;
    while (vi < values.length && values[vi].end <= start) { push(values[vi].kind, values[vi].start, values[vi].end); vi++; }
    if (vi < values.length && values[vi].start < end) continue; // inside a value
    push('word', start, end);
  }
  while (vi < values.length) { push(values[vi].kind, values[vi].start, values[vi].end); vi++; }
  return items;
}

// ---- lexicon -----------------------------------------------------------------------------------

interface Lex { spell: Set<string>; bare: boolean }
/** @internal */
export type Lexicon = Map<string, Lex>;
/**
 * Words by their folded form, with their spellings. A word typed with diacritics must be one of the
 * spellings ("tối" is not "tôi"); a word typed without diacritics matches when `bare` (the default), or,
 * for entries written with a trailing "!", never ("to" is not "tớ").
 */
export function lexicon(entries: readonly string[]): Lexicon {
  const out = new Map<string, Lex>();
  for (const e of entries) {
    const strict = e.endsWith('!');
    const w = (strict ? e.slice(0, -1) : e).normalize('NFC');
    const f = foldWord(w);
    let lex = out.get(f);
    if (!lex) out.set(f, (lex = { spell: new Set(), bare: false }));
    lex.spell.add(spellingKey(w));
    if (!strict) lex.bare = true;
  }
  return out;
}
/** @internal The item is a word of the lexicon, spelled as it is there (or typed without diacritics). */
export const inLex = (it: Item | undefined, lex: Lexicon): boolean => {
  if (!it || it.kind !== 'word') return false;
  const l = lex.get(it.f);
  if (!l) return false;
  return it.typed === it.f ? l.bare : l.spell.has(it.key);
};
/** Folded word sets (membership by folded form only). */
const set = (s: string): ReadonlySet<string> => new Set(s.trim().split(/\s+/));

// The writer: strong pronouns are the writer wherever they stand (unless they are a possessor: "anh tôi");
// soft ones ("em", "con", "cháu") only at the start of a clause ("Dạ em tên là Lan" but not "một em tên Hoa").
const SELF_STRONG = lexicon(['tôi', 'tui', 'tao', 't', 'mik', 'mk', 'mình', 'tớ!']);
const SELF_SOFT = lexicon(['em', 'e', 'con', 'cháu']);
// "X tôi" where X is one of these is "my X", not "I".
const POSSESSOR = set(`em anh chi con chau ban vo chong me bo ba ma ong co chu di bac cau mo thim yeu xom sep nghiep ny ck vk
  gia dinh nha cua lop truong ty cty que ho ruot gai trai ngoai noi nuoi be ut ca bme hang`);
// "nó bảo tôi là…": what follows is reported speech, not an introduction.
const SPEECH_VERB = set('bao noi hua lua doa ep chui mang hoi nhan khai ke keu tuong nghi');
const DISCOURSE = set('da vang chao xin thua oi a va nhung thi nen vi ma hi hello alo ok oke uh u ah um');
const GREETED = set('ban anh chi ad admin bot em moi ca nha page shop');
// "em gái", "em ấy", "con tôi": someone else.
const NOT_SELF_NEXT = set('be gai trai ay do kia nho ho no ta nay ut ruot re dau toi tui minh cua ong ba chu di bac nguoi ban');
const THIRD = lexicon(['nó', 'no', 'hắn', 'họ', 'ho', 'thằng', 'gã!', 'mụ!', 'lão!', 'kẻ!', 'bọn', 'chúng', 'người', 'chủ', 'đối',
  'he', 'she', 'they', 'his', 'her', 'their', 'him', 'them', 'man', 'woman', 'guy', 'dealer', 'broker', 'boss']);
const DEMONSTRATIVE = set('ta ay kia do');

const LA = lexicon(['là', 'la', 'is']);
const TEN = lexicon(['tên']);
const CUA = lexicon(['của', 'cua', 'of']);
const CO = lexicon(['có', 'co']);
const O = lexicon(['ở', 'o', 'tại', 'tai']);
const NHA = lexicon(['nhà']);
const QUE = lexicon(['quê']);
const SONG = lexicon(['sống', 'song']);

// Name values. Spelled: "tài" (a name) is not "tại" (at), "Hiền" is not "hiện".
const NAME_STOP = lexicon(`là và ở số sđt đt nhà tuổi học lớp đang địa quê sống làm muốn cần xin báo hỏi thấy biết có không ko k từ
  đến của tôi tui em mình này ấy đó thì mà nhưng vì nên rồi ạ à nhé nha đi về với cho bị được sẽ đã cũng rất hiện tại hôm qua người
  sau trước giờ lúc khi nè đây vậy ơi hay hoặc zalo email mail phone cccd cmnd ở
  and i am my from live in is the at number or but with im i'm age years call calling here ok thanks please`.split(/\s+/).filter(Boolean));
const NAME_STOP_FIRST = lexicon(`là của tôi tui em mình gì không ko người một ai này đó ấy như nào đang đã sẽ bị được`.split(/\s+/));
const NAME_STOP_FIRST_EN = set('the a an not so very from here calling writing reporting');
// What "tôi là …" / "I am …" says when it is not a name.
const ROLE = set(`nguoi me bo ba ma hoc sinh nhan vien giao co chu ban hang xom nan cong bac si y ta con chau ong tre be
  phu huynh can nu dan mot cu chong vo ny tai xe lai tho khach quan tu
  victim student mother father parent teacher nurse worker girl boy woman man resident neighbour neighbor friend vietnamese
  scared afraid worried sorry not so very from here a an the calling writing reporting living working also just still ok fine
  good sure going trying looking asking new in at with no`);
const SURNAME = lexicon(['nguyễn', 'nguyen', 'trần', 'tran', 'lê!', 'phạm', 'pham', 'hoàng', 'hoang', 'huỳnh', 'huynh', 'phan',
  'vũ!', 'võ!', 'đặng', 'dang', 'bùi', 'bui', 'đỗ!', 'ngô!', 'dương', 'duong', 'lý!', 'đinh', 'dinh', 'trịnh', 'trinh',
  'trương', 'truong', 'lưu!', 'lương', 'luong', 'quách', 'quach', 'kiều', 'kieu', 'đoàn', 'doan', 'vương', 'vuong', 'triệu',
  'trieu', 'thạch!', 'diệp', 'diep', 'lâm!', 'hồ!', 'hà!', 'tạ!', 'tô!', 'châu!', 'lại!', 'mai!', 'cao!', 'giang!', 'tôn!',
  'hứa!', 'lữ!', 'khúc!', 'tăng!', 'thái!']);

// Labels of values.
type LabelKind = 'phone' | 'id' | 'email' | 'any';
const LABELS: readonly { words: string[]; kind: LabelKind }[] = ([
  ['so dien thoai', 'phone'], ['so dt', 'phone'], ['so sdt', 'phone'], ['so di dong', 'phone'], ['so zalo', 'phone'],
  ['dien thoai', 'phone'], ['di dong', 'phone'], ['sdt', 'phone'], ['dt', 'phone'], ['dtdd', 'phone'], ['zalo', 'phone'],
  ['phone number', 'phone'], ['phone', 'phone'], ['mobile', 'phone'], ['cell', 'phone'], ['number', 'any'], ['so', 'any'],
  ['so can cuoc cong dan', 'id'], ['so can cuoc', 'id'], ['the can cuoc', 'id'], ['can cuoc cong dan', 'id'], ['can cuoc', 'id'],
  ['so cccd', 'id'], ['so cmnd', 'id'], ['so cmt', 'id'], ['cccd', 'id'], ['cmnd', 'id'], ['cmt', 'id'],
  ['chung minh nhan dan', 'id'], ['chung minh thu', 'id'], ['chung minh', 'id'], ['so dinh danh', 'id'], ['ma dinh danh', 'id'],
  ['dinh danh', 'id'], ['so ho chieu', 'id'], ['ho chieu', 'id'], ['passport number', 'id'], ['passport', 'id'],
  ['national id', 'id'], ['id number', 'id'], ['id card', 'id'], ['id', 'id'],
  ['dia chi email', 'email'], ['email address', 'email'], ['email', 'email'], ['e mail', 'email'], ['mail', 'email'], ['gmail', 'email'],
  ['thu dien tu', 'email'],
] as const).map(([w, kind]) => ({ words: w.split(' '), kind }));
const LABEL_FIRST = new Set(LABELS.map((l) => l.words[0]));
// Between a label and its value: "là", "is", "số", "là số".
const VALUE_FILLER = set('la is are so sdt dt at on day nhe ne nay number');
const CONTACT_VERB = set('goi lien nhan nt alo call text contact reach email mail phone ring');
const CONTACT_PARTICLE = set('lai cho voi ve den he lac tin back');
const CONTACT_VIA = set('qua theo o tai vao bang at on via toi');
const SELF_OBJECT = lexicon(['tôi', 'tui', 't', 'mình', 'mik', 'mk', 'em', 'e', 'me', 'tớ!']);
const OR = set('hoac hay or va and');

// Address values.
const ADDRESS_UNIT = lexicon(['thôn', 'xóm', 'ấp', 'bản', 'tổ', 'khu', 'kp', 'xã', 'phường', 'thị', 'huyện', 'quận', 'đường', 'phố',
  'ngõ', 'ngách', 'hẻm', 'kiệt', 'chung', 'tòa', 'toà', 'căn', 'lô', 'số', 'tỉnh', 'tp', 'thành', 'village', 'street', 'st', 'road', 'rd', 'ward', 'district', 'lane', 'alley', 'apartment',
  'apt', 'block', 'hamlet', 'commune', 'house', 'no']);
// Unit words that are also everyday words when typed without diacritics ("xa" far, "quan" officials, "so" scared):
// a unit only before a name or a number.
const UNIT_NEEDS_NEXT = set('ap ban to xa quan pho hem kiet toa lo so thi chung can khu no house');
// Where an address ends: the next clause ("…, tôi thấy"). Spelled: "chợ" is not "cho", "Cô Tô" is not "có".
const ADDRESS_STOP = lexicon(`tôi tui em mình nó hắn họ và nhưng thì mà có thấy bị đang muốn cần xin rồi nên vì để nếu khi lúc hôm sđt
  email zalo cccd cmnd liên gọi báo kể là cho nhận nghe biết còn
  and but i my he she they we you phone call number when`.split(/\s+/).filter(Boolean));
// "số tôi gọi là 0912…": the number I called, not mine.
const AFTER_OWNER_VERB = set('goi nhan thay nghe lay xin co biet duoc tim luu called saw got dialled dialed');

// Words that can open a cue of each kind (a quick test before the full one, most words open none).
const SELF_FORMS = ['toi', 'tui', 'tao', 't', 'mik', 'mk', 'minh', 'to', 'em', 'e', 'con', 'chau'];
const NAME_OPENERS = new Set([...SELF_FORMS, 'ten', 'my', "i'm", 'im', 'i', 'call', 'this']);
const ADDRESS_OPENERS = new Set([...SELF_FORMS, 'nha', 'dia', 'que', 'my', 'i']);
const VALUE_OPENERS = new Set([...LABEL_FIRST, ...CONTACT_VERB, 'my']);

// ---- the reading -------------------------------------------------------------------------------

class Reader {
  readonly spans: IdentitySpan[] = [];
  /** Index of the last item of each own span (for "Tôi là Lan, 0987654321" and "… hoặc 0912…"). */
  private readonly ownLast = new Set<number>();
  /** Items already inside an own span. */
  private readonly taken = new Set<number>();
  private readonly allCaps: boolean;

  constructor(private readonly text: string, private readonly it: Item[]) {
    this.allCaps = !/\p{Ll}/u.test(text.slice(0, 4000));
  }

  private w(i: number): Item | undefined { const x = this.it[i]; return x && x.kind === 'word' ? x : undefined; }
  private f(i: number): string { const x = this.it[i]; return x && x.kind === 'word' ? x.f : ''; }
  /** Items i..j are in one clause (no punctuation break among them after i). */
  private joined(i: number, j: number): boolean {
    for (let k = i + 1; k <= j; k++) if (!this.it[k] || this.it[k].brk > 0) return false;
    return true;
  }

  private add(first: number, last: number, kind: IdentityKind): void {
    this.spans.push({ start: this.it[first].start, end: this.it[last].end, kind });
    for (let k = first; k <= last; k++) this.taken.add(k);
    this.ownLast.add(last);
  }

  /** A third person is named at i ("nó", "thằng", "ông ta", "người đàn ông"). */
  private third(i: number): boolean {
    const x = this.it[i];
    if (!x || x.kind !== 'word') return false;
    if (inLex(x, THIRD)) return true;
    const next = this.w(i + 1);
    return !!next && next.brk === 0 && DEMONSTRATIVE.has(next.f) && POSSESSOR.has(x.f) && x.f !== 'nha';
  }

  /** The writer as the subject at i: "tôi", "mình", and "em"/"con"/"cháu" at the start of a clause. */
  selfSubject(i: number): boolean {
    const x = this.w(i);
    if (!x) return false;
    const prev = x.brk === 0 ? this.w(i - 1) : undefined;
    if (inLex(x, SELF_STRONG)) {
      // "Minh" with a capital and no diacritics, inside a sentence, is a person called Minh.
      if (x.f === 'minh' && x.typed === 'minh' && x.cap && x.brk === 0 && !this.allCaps) return false;
      if (prev && (POSSESSOR.has(prev.f) || SPEECH_VERB.has(prev.f))) {
        // "Chào bạn tôi là Lan": a greeting, not "my friend".
        const before = this.w(i - 2);
        return !!before && prev.brk === 0 && /^(chao|hello|hi|alo)$/.test(before.f) && GREETED.has(prev.f);
      }
      return true;
    }
    if (inLex(x, SELF_SOFT)) {
      const next = this.w(i + 1);
      if (next && next.brk === 0 && NOT_SELF_NEXT.has(next.f)) return false;
      if (!prev) return true;
      if (DISCOURSE.has(prev.f)) return true;
      const before = this.w(i - 2);
      return !!before && prev.brk === 0 && /^(chao|hello|hi|alo)$/.test(before.f) && GREETED.has(prev.f);
    }
    return false;
  }

  /** The writer as a possessor at i ("số [của] tôi", "tên em"). */
  private selfPossessor(i: number): boolean {
    const x = this.w(i);
    if (!x || x.brk > 0) return false;
    if (inLex(x, SELF_STRONG)) return !(x.f === 'minh' && x.typed === 'minh' && x.cap && !this.allCaps);
    if (inLex(x, SELF_SOFT)) {
      const next = this.w(i + 1);
      return !(next && next.brk === 0 && NOT_SELF_NEXT.has(next.f));
    }
    return x.f === 'my';
  }

  // ---- names ----

  /** The name starting at j: capitalised words, or lowercase ones after a strong cue ("tên là lan"). */
  private name(j: number, strong: boolean): void {
    const first = this.w(j);
    if (!first || first.brk > 1 || this.taken.has(j) || !/^\p{L}+$/u.test(first.typed)) return;
    const capMode = first.cap && !this.allCaps;
    if (NAME_STOP_FIRST_EN.has(first.f) || (!capMode && inLex(first, NAME_STOP_FIRST))) return;
    const surname = inLex(first, SURNAME);
    if (!strong) {
      if (ROLE.has(first.f) && !surname) return;
      if (!capMode && !surname) return;
    }
    let k = j;
    const max = capMode || surname ? 5 : 4;
    while (k - j < max) {
      const x = this.w(k);
      if (!x || !/^\p{L}+$/u.test(x.typed) || this.taken.has(k)) break;
      if (k > j) {
        if (x.brk > 0) break;
        if (capMode ? !x.cap : inLex(x, NAME_STOP)) break;
        // "năm nay", "năm ngoái": the name ended.
        if (x.f === 'nam' && /^(nay|ngoai|truoc|roi)$/.test(this.f(k + 1))) break;
      } else if (!strong && !capMode && inLex(x, NAME_STOP)) break;
      k++;
    }
    if (k === j) return;
    if (!strong && !capMode && k - j < 2) return; // "tôi là nguyễn": a surname alone is not enough
    this.add(j, k - 1, 'name');
  }

  private names(): void {
    const n = this.it.length;
    for (let i = 0; i < n; i++) {
      const x = this.w(i);
      if (!x || !NAME_OPENERS.has(x.f)) continue;
      // <self> [có] tên [thật|đầy đủ|gọi] [là] <name>; <self> họ <surname>
      if (this.selfSubject(i)) {
        let j = i + 1;
        if (inLex(this.w(j), CO) && this.joined(i, j)) j++;
        if (inLex(this.w(j), TEN) && this.joined(i, j)) {
          j++;
          for (let s = 0; s < 3 && /^(that|day|du|goi|khai|sinh)$/.test(this.f(j)) && this.w(j)?.brk === 0; s++) j++;
          if (inLex(this.w(j), LA) && this.w(j)?.brk === 0) j++;
          this.name(j, true);
          continue;
        }
        if (this.f(i + 1) === 'ho' && this.joined(i, i + 1) && (this.w(i + 1)?.typed === 'họ' || this.w(i + 1)?.typed === 'ho') && inLex(this.w(i + 2), SURNAME)) {
          this.name(i + 2, true);
          continue;
        }
        if (inLex(this.w(i + 1), LA) && this.joined(i, i + 1)) { this.name(i + 2, false); continue; }
      }
      // tên [thật] [của] <self> [là] <name>  ("họ tên tôi:", "tên của em là")
      if (inLex(x, TEN)) {
        let j = i + 1;
        if (this.f(j) === 'that' && this.w(j)?.brk === 0) j++;
        if (inLex(this.w(j), CUA) && this.w(j)?.brk === 0) j++;
        if (this.selfPossessor(j)) {
          j++;
          if (inLex(this.w(j), LA) && this.w(j)?.brk === 0) j++;
          this.name(j, true);
          continue;
        }
      }
      // English: "my name is", "my full name is", "call me <Name>", "I'm <Name>", "this is <Name>" (opening).
      if (x.f === 'my' && this.f(i + 1) === 'name') {
        let j = i + 2;
        if (/^(is|s)$/.test(this.f(j))) j++;
        this.name(j, true);
        continue;
      }
      if (x.f === 'my' && this.f(i + 1) === 'full' && this.f(i + 2) === 'name') {
        this.name(i + (this.f(i + 3) === 'is' ? 4 : 3), true);
        continue;
      }
      if ((x.f === "i'm" || x.f === 'im' || (x.f === 'i' && this.f(i + 1) === 'am')) && (x.brk > 0 || DISCOURSE.has(this.f(i - 1)) || i === 0)) {
        this.name(i + (x.f === 'i' ? 2 : 1), false);
        continue;
      }
      if (x.f === 'call' && this.f(i + 1) === 'me' && this.w(i + 2)?.cap) { this.name(i + 2, false); continue; }
      if (x.f === 'this' && this.f(i + 1) === 'is' && (i === 0 || (x.brk > 0 && i < 4))) this.name(i + 2, false);
    }
  }

  // ---- phones, ID numbers, emails ----

  private labelAt(i: number): { len: number; kind: LabelKind } | undefined {
    const x = this.w(i);
    if (!x || !LABEL_FIRST.has(x.f)) return undefined;
    // "số" typed with diacritics must be "số" (not "sợ", "sở", "sổ").
    if (x.f === 'so' && x.typed !== 'so' && x.typed !== 'số') return undefined;
    for (const l of LABELS) {
      let ok = true;
      for (let k = 0; k < l.words.length && ok; k++) {
        const y = this.w(i + k);
        ok = !!y && y.f === l.words[k] && (k === 0 || y.brk === 0);
      }
      if (ok) return { len: l.words.length, kind: l.kind };
    }
    return undefined;
  }

  /** The value for a label kind at or just after j (skipping "là", "số", "is"…). */
  private valueAfter(j: number, kind: LabelKind): number | undefined {
    for (let s = 0; s < 3; s++) {
      const x = this.it[j];
      if (!x || x.brk > 1) return undefined;
      if (x.kind !== 'word') {
        if (this.taken.has(j)) return undefined;
        return (kind === 'any' ? x.kind !== 'email' : kind === x.kind) ? j : undefined;
      }
      if (!VALUE_FILLER.has(x.f) && !inLex(x, LA)) return undefined;
      j++;
    }
    return undefined;
  }

  private ownValue(v: number): void {
    const x = this.it[v];
    this.add(v, v, x.kind === 'phone' ? 'phone' : x.kind === 'email' ? 'email' : 'id_number');
  }

  /** An own span ends earlier in this sentence, and no one else is named since. */
  private ownContext(i: number): boolean {
    for (let k = i - 1; k >= 0 && i - k < 40; k--) {
      if (this.ownLast.has(k)) return true;
      if (this.third(k) && !this.taken.has(k)) return false;
      if (this.it[k].brk === 2) return false;
    }
    return false;
  }

  private labelled(): void {
    const n = this.it.length;
    for (let i = 0; i < n; i++) {
      const x = this.it[i];
      // A value right after an own span ("Tôi là Lan, 0987654321") or after "hoặc" following an own value.
      if (x.kind !== 'word') {
        if (this.taken.has(i) || x.brk > 1) continue;
        if (this.ownLast.has(i - 1)) { this.ownValue(i); continue; }
        if (OR.has(this.f(i - 1)) && this.ownLast.has(i - 2) && this.it[i - 2].kind === x.kind) this.ownValue(i);
        continue;
      }
      if (!VALUE_OPENERS.has(x.f)) continue;
      const label = this.labelAt(i);
      if (label) {
        let j = i + label.len;
        let own: boolean | undefined;
        if (inLex(this.w(j), CUA) && this.w(j)?.brk === 0) {
          j++;
          own = this.selfPossessor(j);
          if (own) j++;
          else continue; // "số của nó", "số của thằng bán hàng"
        } else if (this.selfPossessor(j) && this.f(j) !== 'my') {
          if (AFTER_OWNER_VERB.has(this.f(j + 1)) && this.w(j + 1)?.brk === 0) continue;
          own = true;
          j++;
        } else if (this.third(j) && this.w(j)?.brk === 0) {
          continue; // "số nó là…"
        }
        if (own === undefined) {
          // "tôi [có] sđt 0987…"; "Tôi là Lan, sđt 0987…" (a label opening a clause after an own span).
          const p = x.brk === 0 ? i - 1 : -1;
          if (p >= 0 && this.selfSubject(p)) own = true;
          else if (p >= 1 && inLex(this.w(p), CO) && this.selfSubject(p - 1) && this.joined(p - 1, i)) own = true;
          else if ((x.brk > 0 || OR.has(this.f(i - 1))) && this.ownContext(i)) own = true;
        }
        if (!own) continue;
        const v = this.valueAfter(j, label.kind);
        if (v !== undefined) { this.ownValue(v); i = v; }
        continue;
      }
      // "my (phone|email|…) [number] is <value>"
      if (x.f === 'my') {
        const l = this.labelAt(i + 1);
        if (l) {
          const v = this.valueAfter(i + 1 + l.len, l.kind);
          if (v !== undefined) { this.ownValue(v); i = v; }
        }
        continue;
      }
      // "gọi cho tôi theo số 0987…", "liên hệ em qua zalo 09…", "call me at…", "email me at…"
      if (CONTACT_VERB.has(x.f)) {
        let j = i + 1;
        for (let s = 0; s < 2 && CONTACT_PARTICLE.has(this.f(j)) && this.w(j)?.brk === 0; s++) j++;
        if (!inLex(this.w(j), SELF_OBJECT) || this.w(j)?.brk !== 0) continue;
        if (this.w(j)?.f === 'em' && NOT_SELF_NEXT.has(this.f(j + 1))) continue;
        // Someone else does the calling: "nó nhắn cho tôi qua số 0912…".
        let other = false;
        for (let k = i - 1; k >= 0 && i - k <= 4 && !other; k--) {
          if (this.third(k)) other = true;
          if (this.it[k].brk > 0) break;
        }
        if (other) continue;
        j++;
        if (CONTACT_VIA.has(this.f(j)) && this.w(j)?.brk === 0) j++;
        const l = this.labelAt(j);
        if (l) j += l.len;
        const v = this.valueAfter(j, l ? l.kind : x.f === 'email' || x.f === 'mail' ? 'email' : 'phone');
        if (v !== undefined) { this.ownValue(v); i = v; }
      }
    }
  }

  // ---- addresses ----

  private unit(i: number): boolean {
    const x = this.w(i);
    if (!x || !inLex(x, ADDRESS_UNIT)) return false;
    if (x.typed === x.f && UNIT_NEEDS_NEXT.has(x.f)) {
      const next = this.it[i + 1];
      return !!next && next.brk === 0 && (next.cap || /^\d/.test(next.typed) || inLex(next, ADDRESS_UNIT));
    }
    if (x.f === 'so') return /^\d/.test(this.it[i + 1]?.typed ?? ''); // "số 5", not "số điện thoại"
    return true;
  }

  private addressHead(i: number): boolean {
    const x = this.w(i);
    return !!x && (this.unit(i) || (x.cap && !this.allCaps) || /^\d/.test(x.typed));
  }

  /** The address starting at j; `strong` cues ("nhà tôi ở") take it as it is, weak ones need a detail. */
  private address(j: number, strong: boolean, cueEnd: number): void {
    let k = j;
    let last = -1;
    while (k < this.it.length && k - j < 16) {
      const x = this.it[k];
      if (x.brk === 2 || x.kind !== 'word' || this.taken.has(k)) break;
      if (k > j && x.brk === 1 && !this.addressHead(k)) break;
      if (k === j && x.brk > 1) break;
      if (inLex(x, ADDRESS_STOP) && !this.unit(k) && !(x.f === 'so' && /^\d/.test(this.it[k + 1]?.typed ?? ''))) break;
      if (x.end - this.it[j].start > 160) break;
      last = k;
      k++;
    }
    if (last < 0) {
      // "nhà tôi ở …": the place itself was left out or elided; the elision is still flagged.
      if (strong) {
        const rest = /^\s*(…|\.{2,}|x{3,})/.exec(this.text.slice(cueEnd, cueEnd + 12));
        if (rest) {
          const start = cueEnd + rest[0].length - rest[1].length;
          this.spans.push({ start, end: start + rest[1].length, kind: 'address' });
        }
      }
      return;
    }
    if (!strong) {
      let detail = false;
      for (let m = j; m <= last && !detail; m++) detail = this.unit(m) || /^\d/.test(this.it[m].typed);
      if (!detail) return;
    }
    this.add(j, last, 'address');
  }

  private addresses(): void {
    const n = this.it.length;
    for (let i = 0; i < n; i++) {
      const x = this.w(i);
      if (!x || !ADDRESS_OPENERS.has(x.f) || this.taken.has(i)) continue;
      // nhà [của] <self> [thì] [nằm] ở/tại <address>
      if (inLex(x, NHA)) {
        let j = i + 1;
        if (inLex(this.w(j), CUA) && this.w(j)?.brk === 0) j++;
        if (!this.selfPossessor(j)) continue;
        j++;
        if (/^(thi|nam)$/.test(this.f(j)) && this.w(j)?.brk === 0) j++;
        if (inLex(this.w(j), O) && this.w(j)?.brk === 0) { this.address(j + 1, true, this.it[j].end); continue; }
        continue;
      }
      // địa chỉ [nhà] [của] <self> [là] <address>
      if (x.f === 'dia' && this.f(i + 1) === 'chi' && this.w(i + 1)?.brk === 0) {
        let j = i + 2;
        if (this.f(j) === 'nha' && this.w(j)?.brk === 0) j++;
        if (inLex(this.w(j), CUA) && this.w(j)?.brk === 0) j++;
        if (!this.selfPossessor(j)) continue;
        j++;
        if (inLex(this.w(j), LA) && this.w(j)?.brk === 0) j++;
        this.address(j, true, this.it[j - 1].end);
        continue;
      }
      // quê <self> [ở] <address> (a detail needed)
      if (inLex(x, QUE) && this.selfPossessor(i + 1)) {
        const j = inLex(this.w(i + 2), O) ? i + 3 : i + 2;
        this.address(j, false, this.it[j - 1].end);
        continue;
      }
      // <self> [hiện] [sống|cư trú|trú] ở/tại <address> (a detail needed; "đang ở" is where they are, not home)
      if (this.selfSubject(i)) {
        let j = i + 1;
        if (/^(hien|van)$/.test(this.f(j)) && this.w(j)?.brk === 0) j++;
        if (inLex(this.w(j), SONG) || (this.f(j) === 'cu' && this.f(j + 1) === 'tru') || this.f(j) === 'tru') {
          j += this.f(j) === 'cu' ? 2 : 1;
          if (inLex(this.w(j), O) && this.w(j)?.brk === 0) j++;
          this.address(j, false, this.it[j - 1].end);
          continue;
        }
        if (inLex(this.w(j), O) && this.w(j)?.brk === 0) this.address(j + 1, false, this.it[j].end);
        continue;
      }
      // English: "my address is", "I live at" (taken as it is), "I live in/on" (a detail needed), "my home is at".
      if (x.f === 'my' && this.f(i + 1) === 'address') {
        const j = this.f(i + 2) === 'is' ? i + 3 : i + 2;
        this.address(j, true, this.it[j - 1].end);
        continue;
      }
      if (x.f === 'my' && /^(home|house)$/.test(this.f(i + 1)) && this.f(i + 2) === 'is' && /^(at|in|on)$/.test(this.f(i + 3))) {
        this.address(i + 4, this.f(i + 3) === 'at', this.it[i + 3].end);
        continue;
      }
      if (x.f === 'i' && this.f(i + 1) === 'live' && /^(at|in|on)$/.test(this.f(i + 2))) {
        this.address(i + 3, this.f(i + 2) === 'at', this.it[i + 2].end);
      }
    }
  }

  read(): void {
    this.names();
    this.labelled();
    this.addresses();
    // A value right after an own address ("nhà tôi ở thôn Đông, 0987654321") is own too.
    this.labelled();
  }
}

/**
 * @internal The own spans of a text already itemized (`text` well-formed): sorted, merged, non-overlapping.
 */
export function ownSpans(text: string, items: Item[]): IdentitySpan[] {
  const reader = new Reader(text, items);
  reader.read();
  const spans = reader.spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: IdentitySpan[] = [];
  for (const s of spans) {
    const prev = merged[merged.length - 1];
    if (prev && s.start < prev.end) { if (s.end > prev.end) prev.end = s.end; continue; }
    merged.push({ ...s });
  }
  return merged;
}

/**
 * The writer's own name, phone, address, ID number or email, where the text introduces it as theirs, and the
 * text with them removed. Linear in the length of the text; no backtracking regexes.
 */
export function findOwnIdentity(text: string, opts: IdentityOptions = {}): OwnIdentity {
  const marker = opts.marker ?? REDACTION_MARKER;
  const src = text.toWellFormed();
  const merged = ownSpans(src, itemize(src));
  let redacted = '';
  let at = 0;
  for (const s of merged) { redacted += src.slice(at, s.start) + marker; at = s.end; }
  redacted += src.slice(at);
  return { spans: merged, redacted };
}
