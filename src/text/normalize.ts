/**
 * Vietnamese text normaliser shared by the NLU, the global-command matcher and
 * choice matching. Everything here is compiled once at module load; the
 * per-message work is a handful of linear passes over the string.
 */

/** Common chat abbreviations and teencode, keyed by the folded token. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  k: 'khong', ko: 'khong', kh: 'khong', hok: 'khong', hong: 'khong', hem: 'khong', khum: 'khong', kg: 'khong', hk: 'khong', khog: 'khong', khg: 'khong',
  dc: 'duoc', dk: 'duoc', 
  j: 'gi', ji: 'gi',
  sdt: 'so dien thoai', dt: 'dien thoai',
  cs: 'cong an', csgt: 'canh sat giao thong',
  e: 'em',
  r: 'roi', rui: 'roi', roai: 'roi',
  ntn: 'nhu the nao',
  bn: 'bao nhieu', bnhieu: 'bao nhieu',
  vs: 'voi', mn: 'moi nguoi', mng: 'moi nguoi', ng: 'nguoi', ngta: 'nguoi ta',
  ad: 'admin', z: 'vay', v: 'vay', dzay: 'vay', zay: 'vay',
  thui: 'thoi', bik: 'biet', bit: 'biet', bjt: 'biet', trc: 'truoc', ms: 'moi',
  ok: 'ok', oke: 'ok', okie: 'ok', okela: 'ok', uk: 'uh', uhm: 'uh', um: 'uh',
  tks: 'thanks', thx: 'thanks', thank: 'thanks', camon: 'cam on',
  cmnd: 'chung minh nhan dan', cccd: 'can cuoc cong dan',
  mt: 'ma tuy', mtuy: 'ma tuy', ctv: 'cong tac vien', vn: 'viet nam', cpc: 'campuchia',
  ck: 'chong', vk: 'vo', ny: 'nguoi yeu', bme: 'bo me',
  t: 'toi', tui: 'toi', tao: 'toi', mik: 'minh', mk: 'minh',
  wa: 'qua', qa: 'qua', ak: 'a', ah: 'a', nha: 'nha', nhen: 'nha',
  bt: 'biet', lm: 'lam', ntin: 'nhan tin', nt: 'nhan tin', hnay: 'hom nay', hqua: 'hom qua',
};

/** Diacritic folding beyond what NFD + combining-mark removal gives. */
const LETTER_FOLD: Readonly<Record<string, string>> = { đ: 'd', Đ: 'd' };

const COMBINING_MARKS = /[\u0300-\u036f]/g;
// Keep letters and digits (any script) and whitespace; everything else becomes a space.
const NON_WORD = /[^\p{L}\p{N}\s]+/gu;
const SPACES = /\s+/g;
const DJ = /[đĐ]/g;
// Invisible and control characters (including lone surrogates that slipped through).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff\ufffd]/g;
const REPEATS = /(\p{L})\1{2,}/gu;

// Stretched letters ("emmmm", "cuuuuu"): three or more become one, except "u", which folding
// legitimately doubles ("cứu" -> "cuu", "rượu" -> "ruou").
const squeeze = (_run: string, ch: string): string => (ch === 'u' ? 'uu' : ch);

/** Longest message the NLU looks at; longer text is cut (the engine still stores input fields whole). */
export const MAX_NLU_CHARS = 1000;

/** Strips control characters and lone surrogates; keeps the user's text otherwise as typed. */
export function cleanText(raw: string): string {
  return raw.toWellFormed().normalize('NFC').replace(CONTROL, ' ').replace(SPACES, ' ').trim();
}

// English contractions, opened before the apostrophe is dropped: "don't" must not become "don t" (and then,
// read as teencode, "don toi").
const CONTRACTIONS: readonly [RegExp, string][] = [
  [/\b(can)['’]t\b/g, '$1 not'], [/\bwon['’]t\b/g, 'will not'], [/n['’]t\b/g, ' not'], [/['’]m\b/g, ' am'], [/['’]re\b/g, ' are'],
  [/['’]ve\b/g, ' have'], [/['’]ll\b/g, ' will'], [/['’]d\b/g, ' would'], [/['’]s\b/g, ''],
];

/** Lower-case, diacritic-free form: "Cai nghiện ĐÃ" -> "cai nghien da". Punctuation and emoji removed. */
export function fold(text: string): string {
  let t = text.slice(0, MAX_NLU_CHARS).toWellFormed().normalize('NFC').toLowerCase();
  if (t.includes("'") || t.includes('’')) for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
  return t
    .replace(DJ, (ch) => LETTER_FOLD[ch] ?? 'd')
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(NON_WORD, ' ')
    .replace(REPEATS, squeeze)
    .replace(SPACES, ' ')
    .trim();
}

/** Folded tokens with abbreviations expanded: "ko dc j" -> ["khong", "duoc", "gi"]. */
/** Words that make "bn" a quantity ("bao nhiêu") rather than "bạn". */
const QUANTITY = /^(tien|tuoi|lau|ngay|nam|thang|tuan|gio|phut|lan|nguoi|cai|vien|k|nghin|ngan|tr|trieu|dong|usd|km|kg|m|so|muc|phan|phi)$/;

export function tokens(text: string): string[] {
  const out: string[] = [];
  const folded = fold(text);
  if (folded === '') return out;
  const toks = folded.split(' ');
  for (const [i, tok] of toks.entries()) {
    // "bn" is "bạn" (you) unless a quantity follows: "chào bn", "bn ơi" but "bn tiền", "bn tuổi", "bn lâu".
    const expanded = tok === 'bn' && !QUANTITY.test(toks[i + 1] ?? '') ? 'ban' : Object.hasOwn(ABBREVIATIONS, tok) ? ABBREVIATIONS[tok] : undefined;
    if (expanded === undefined) out.push(tok);
    else for (const part of expanded.split(' ')) out.push(part);
  }
  return out;
}

/** The canonical comparison form: folded, abbreviations expanded, single spaces. */
export function normalize(text: string): string {
  return tokens(text).join(' ');
}

/** Syllable unigrams and bigrams (bigrams joined with "_"), the NLU's features. */
export function syllableNgrams(toks: readonly string[]): string[] {
  const feats: string[] = toks.slice();
  for (let i = 0; i + 1 < toks.length; i++) feats.push(`${toks[i]}_${toks[i + 1]}`);
  return feats;
}
