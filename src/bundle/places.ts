/**
 * Resolves a typed place (a province, a former province, a city or town, a country, "không rõ") to the
 * canonical name of content/places.yaml. Built once; each lookup is a few linear passes over the words.
 *
 * Two ways a place is found:
 *  - the whole answer is a known name, after leading words such as "tỉnh", "tp", "ở", "huyện" and trailing
 *    particles ("ạ", "nhé") are taken off one at a time (the whole is tried again after each, so "Vũng Tàu",
 *    "Bến Tre" or "Đông Hà" never lose a word to a prefix or a particle);
 *  - otherwise, known names inside a sentence ("xã X, tỉnh Nghệ An", "gần chợ Bavet"), longest first.
 *
 * Diacritics are optional, but when the person typed them they must fit: "ba lần" is not "Ba Lan",
 * "lao động" is not "Lào", "Vĩnh" is not "Vinh". Hỏi/ngã and old/new tone placement ("Hoà"/"Hòa") are
 * told apart only by the marks, not their position.
 */
import { fold, normalize } from '../text/normalize.js';

export interface PlaceEntry { name: string; aliases: string[] }
export interface PlacesFile { provinces: PlaceEntry[]; abroad: PlaceEntry[]; unknown: PlaceEntry }

export type PlaceKind = 'province' | 'abroad' | 'unknown';
export interface PlaceMatch {
  /** The canonical name (a province of content/places.yaml, a place abroad, or the "unknown" name). */
  name: string;
  kind: PlaceKind;
  /** The place inside it that the person named, spelt as in places.yaml ("Vũng Tàu" for TP. Hồ Chí Minh). */
  within?: string;
  /** What to show the person: "TP. Hồ Chí Minh (Vũng Tàu)", or just the name. */
  label: string;
}

/** A word of the text: its normalised form (teencode expanded), and how it was typed. */
interface Tok {
  norm: string;
  /** Index of the typed word it comes from (one typed word may expand into several: "sdt"). */
  word: number;
  /** Folded word plus its diacritic marks, in any order: "hoà" and "hòa" are the same. */
  sig: string;
  /** The word carries diacritics. */
  marked: boolean;
  /** The word was an abbreviation ("ko", "tp"): how it was spelt says nothing. */
  expanded: boolean;
}

interface Target { name: string; kind: PlaceKind; generic: boolean }
interface Alias {
  norm: string[];
  /** The ways it is spelt in places.yaml, one signature per normalised word. */
  spellings: string[][];
  target: Target;
  /** The spelling to show (capitalised in places.yaml: a city, a former province), unless it repeats the name. */
  display?: string;
  /** A one-word name that is also a word of a longer name ("Vinh" in "Vĩnh Long", "Lào" in "Lào Cai"). */
  part: boolean;
  /** Spelt with Vietnamese diacritics in places.yaml ("Nhật", "Huế"). */
  vietnamese: boolean;
}

const MARKS = /[\u0300-\u036f]/g;
const WORD_SEP = /[^\p{L}\p{N}]+/u;

// Hỏi and ngã are often swapped in typing ("Đà Nẳng"): they count as one mark.
const HOI = '\u0309';
const NGA = '\u0303';

function signature(word: string): { sig: string; marked: boolean } {
  const d = word.normalize('NFD');
  const marks = [...(d.match(MARKS) ?? []), ...(word.match(/đ/g) ?? [])].map((m) => (m === HOI ? NGA : m)).sort().join('');
  return { sig: `${fold(word)}|${marks}`, marked: marks.length > 0 };
}

/** The words of a text, typed form and normalised form side by side. */
function words(text: string): { toks: Tok[]; typed: string[]; caps: boolean[] } {
  // English contractions, as the normaliser opens them ("don't" must not leave a teencode "t").
  const t = text.normalize('NFC').replace(/n['’]t\b/gi, ' not').replace(/['’](s|re|m|ve|ll|d)\b/gi, '').replace(/['’]/g, '');
  const asTyped = t.split(WORD_SEP).filter(Boolean);
  const typed = asTyped.map((w) => w.toLowerCase());
  const caps = asTyped.map((w) => /^\p{Lu}/u.test(w));
  const toks: Tok[] = [];
  typed.forEach((w, i) => {
    const n = normalize(w);
    if (!n) return;
    const parts = n.split(' ');
    const { sig, marked } = signature(w);
    const expanded = parts.length > 1 || parts[0] !== fold(w);
    for (const p of parts) toks.push({ norm: p, word: i, sig, marked, expanded });
  });
  return { toks, typed, caps };
}

/** A few words as spelt: each word's normalised form and signature. */
interface Phrase { norm: string[]; sig: string[] }
const phrase = (spelt: string): Phrase => {
  const { toks } = words(spelt);
  return { norm: toks.map((t) => t.norm), sig: toks.map((t) => t.sig) };
};
const byLength = (a: Phrase, b: Phrase): number => b.norm.length - a.norm.length;

/** Leading words taken off an answer, longest first; the whole is tried again after each. */
const PREFIXES = [
  'thành phố', 'thị xã', 'thị trấn', 'đặc khu', 'khu vực', 'địa bàn', 'chúng tôi', 'nhà tôi', 'nhà em', 'city of', 'province of',
  'tỉnh', 'tp', 'huyện', 'quận', 'phường', 'xã', 'vùng', 'ở', 'tại', 'bên', 'sang', 'qua', 'đi', 'đến', 'nước', 'là',
  'tôi', 'em', 'mình', 'cũng', 'chắc', 'có lẽ', 'in', 'at', 'from', 'to', 'the',
].map(phrase).sort(byLength);
/** Words right before a place in a sentence ("ở Huế", "sang Nhật", "đi Lào"). */
const LEADS = ['ở', 'tại', 'sang', 'bên', 'qua', 'đi', 'đến', 'từ', 'về', 'nước', 'xứ', 'tỉnh', 'tp', 'thành phố', 'in', 'to', 'from', 'at']
  .map(phrase).sort(byLength);
/** Trailing words taken off an answer: particles, and "city"/"province"/"Việt Nam". */
const SUFFIXES = [
  'việt nam', 'vietnam', 'city', 'province', 'tỉnh', 'ạ', 'á', 'nha', 'nhé', 'nhỉ', 'nhen', 'đấy', 'đó', 'đây', 'hả', 'luôn', 'lắm', 'nữa', 'thôi', 'mà',
].map(phrase).sort(byLength);
/** Words that say what kind of place a name is; a spelling made of them and the name's own words repeats it. */
const KIND_WORDS = new Set(['tp', 'thanh', 'pho', 'tinh', 'city', 'province', 'of', 'the']);
/** Words that only lead a name ("sang Lào", "tp Huế", "xứ Hàn"). */
const LEAD_WORDS = new Set(['nuoc', 'sang', 'ben', 'qua', 'o', 'tp', 'tinh', 'thanh', 'pho', 'xu', 'di']);
/** An alias "nước X", "sang X" or "bên X" with X capitalised: X alone is the country when it is the whole answer. */
const BARE = /^(nước|sang|bên)\s+(\p{Lu}.*)$/u;
/** Catch-all places abroad: a specific country named with them wins. */
const GENERIC = /^(nuoc ngoai|chau au)\b/;
/** "không rõ" inside a sentence counts only in a short answer. */
const UNKNOWN_MAX_WORDS = 4;
const MAX_STRIPS = 6;

const startsWith = (toks: readonly Tok[], words: readonly string[], from: number): boolean =>
  words.every((w, i) => toks[from + i]?.norm === w);

/** The words at `from` are the phrase, as typed: diacritics, when typed, must fit ("độ" is not "đó"). */
const isPhrase = (toks: readonly Tok[], p: Phrase, from: number): boolean =>
  startsWith(toks, p.norm, from) && p.sig.every((sg, i) => { const t = toks[from + i]; return t.expanded || !t.marked || t.sig === sg; });

function strip(toks: Tok[]): Tok[] | undefined {
  for (const p of PREFIXES) if (toks.length > p.norm.length && isPhrase(toks, p, 0)) return toks.slice(p.norm.length);
  for (const s of SUFFIXES) {
    const at = toks.length - s.norm.length;
    if (at > 0 && isPhrase(toks, s, at)) return toks.slice(0, at);
  }
  return undefined;
}

/**
 * Does the span fit one of the alias's spellings? A word typed with diacritics must carry the same marks;
 * a word typed without them fits (people often skip them), except in `strict` mode, where it must be spelt
 * the same too. An abbreviation always fits.
 */
function fits(alias: Alias, span: readonly Tok[], strict: boolean): boolean {
  return alias.spellings.some((sp) => sp.length === span.length
    && span.every((t, i) => t.expanded || t.sig === sp[i] || (!strict && !t.marked)));
}

export function placeMatcher(places: PlacesFile): (text: string) => PlaceMatch | undefined {
  const index = new Map<string, Alias>();
  const bare = new Map<string, { target: Target; sig: string[] }>();
  const targets: Target[] = [
    ...places.provinces.map((p) => ({ p, kind: 'province' as const })),
    ...places.abroad.map((p) => ({ p, kind: 'abroad' as const })),
    { p: places.unknown, kind: 'unknown' as const },
  ].map(({ p, kind }) => ({ name: p.name, kind, generic: kind === 'abroad' && GENERIC.test(normalize(p.name)) }));
  const all = [...places.provinces, ...places.abroad, places.unknown];

  all.forEach((p, i) => {
    const target = targets[i];
    const nameWords = new Set(fold(p.name).split(' '));
    const nameCompact = fold(p.name).replace(/ /g, '');
    for (const spelt of [p.name, ...p.aliases]) {
      const { toks } = words(spelt);
      if (toks.length === 0) continue;
      const key = toks.map((t) => t.norm).join(' ');
      let a = index.get(key);
      if (!a) index.set(key, (a = { norm: toks.map((t) => t.norm), spellings: [], target, part: false, vietnamese: false }));
      if (a.target !== target) continue; // the first place that claims a spelling keeps it (tests forbid clashes)
      a.spellings.push(toks.map((t) => t.sig));
      if (toks.some((t) => t.marked)) a.vietnamese = true;
      const f = fold(spelt);
      const repeats = f.replace(/ /g, '') === nameCompact || f.split(' ').every((w) => nameWords.has(w) || KIND_WORDS.has(w));
      if (!a.display && spelt !== p.name && /^\p{Lu}/u.test(spelt) && !repeats) a.display = spelt;
      const b = BARE.exec(spelt);
      if (b && target.kind === 'abroad') {
        const bw = words(b[2]);
        bare.set(bw.typed.map((w) => fold(w)).join(' '), { target, sig: bw.typed.map((w) => signature(w).sig) });
      }
    }
  });
  // A one-word name is "part" of a longer one when that longer name adds more than a lead word ("sang Lào"
  // does not make "Lào" a part; "Lào Cai" does).
  const inLonger = new Set([...index.keys()].filter((k) => k.includes(' '))
    .flatMap((k) => { const ws = k.split(' '); return ws.filter((w) => ws.some((o) => o !== w && !LEAD_WORDS.has(o))); }));
  for (const [k, a] of index) if (!k.includes(' ') && inLonger.has(k)) a.part = true;
  // Names inside a sentence, by first word, longest first.
  const byFirst = new Map<string, Alias[]>();
  for (const [k, a] of index) {
    if (k.length < 3) continue; // "hn", "sg", "tq": only as the whole answer
    const list = byFirst.get(a.norm[0]) ?? [];
    list.push(a);
    byFirst.set(a.norm[0], list);
  }
  for (const list of byFirst.values()) list.sort((x, y) => y.norm.length - x.norm.length || y.norm.join(' ').length - x.norm.join(' ').length);

  // A name that explains itself already ("Đài Loan (Taiwan)") is shown as it is.
  const result = (target: Target, within?: string): PlaceMatch => ({
    name: target.name, kind: target.kind, ...(within ? { within } : {}),
    label: within && !target.name.includes('(') ? `${target.name} (${within})` : target.name,
  });

  /** The whole of `toks` is one known name. */
  const whole = (toks: Tok[], typed: string[], caps: boolean[], stripped: boolean): PlaceMatch | undefined => {
    const a = index.get(toks.map((t) => t.norm).join(' '));
    if (a && fits(a, toks, false)) return result(a.target, a.display);
    // "Anh", "Mỹ", "Đức", "UK": a country's short name as the whole answer, or capitalised after "ở", "sang"...
    // ("ở Anh", not "bên anh").
    const ws = [...new Set(toks.map((t) => t.word))];
    const b = bare.get(ws.map((w) => fold(typed[w])).join(' '));
    if (b && (!stripped || caps[ws[0]]) && ws.every((w, i) => { const s = signature(typed[w]); return !s.marked || s.sig === b.sig[i]; })) return result(b.target);
    return undefined;
  };

  /** Known names inside the text: the longest at each place, never overlapping. */
  const inside = (toks: Tok[]): { a: Alias; at: number }[] => {
    const marked = toks.some((t) => t.marked);
    const found: { a: Alias; at: number; len: number }[] = [];
    for (let i = 0; i < toks.length; i++) {
      for (const a of byFirst.get(toks[i].norm) ?? []) {
        const len = a.norm.length;
        if (!startsWith(toks, a.norm, i)) continue;
        const oneWord = len === 1;
        if (oneWord && a.part && !marked) continue; // "vinh" of an unlisted "Vĩnh ...", typed without marks
        // A one-syllable Vietnamese name ("Nhật", "Huế", "Lào", "Vinh") is also a syllable of other words
        // ("cập nhật", "chủ nhật"): inside a sentence it counts only right after "ở", "sang", "đi"...
        if (oneWord && (a.part || a.vietnamese) && !(i > 0 && LEADS.some((l) => l.norm.length <= i && isPhrase(toks, l, i - l.norm.length)))) continue;
        if (!fits(a, toks.slice(i, i + len), oneWord && marked)) continue;
        found.push({ a, at: i, len });
        break;
      }
    }
    found.sort((x, y) => y.len - x.len || x.at - y.at);
    const used = new Set<number>();
    const kept: { a: Alias; at: number }[] = [];
    for (const f of found) {
      const span = Array.from({ length: f.len }, (_, k) => f.at + k);
      if (span.some((k) => used.has(k))) continue;
      span.forEach((k) => used.add(k));
      kept.push({ a: f.a, at: f.at });
    }
    return kept.sort((x, y) => x.at - y.at);
  };

  return (text: string) => {
    const { toks, typed, caps } = words(text);
    if (toks.length === 0) return undefined;
    let cur = toks;
    for (let i = 0; i <= MAX_STRIPS; i++) {
      const hit = whole(cur, typed, caps, cur[0] !== toks[0]);
      if (hit) return hit;
      const next = strip(cur);
      if (!next) break;
      cur = next;
    }
    const hits = inside(toks);
    const placesHit = hits.filter((h) => h.a.target.kind !== 'unknown');
    if (placesHit.length > 0) {
      const specific = placesHit.filter((h) => !h.a.target.generic);
      const chosen = specific.length > 0 ? specific : placesHit;
      const distinct = new Set(chosen.map((h) => h.a.target));
      if (distinct.size > 1) return undefined; // two different places: ask which one
      return result(chosen[0].a.target, chosen.find((h) => h.a.display)?.a.display);
    }
    const unknown = hits.find((h) => h.a.target.kind === 'unknown');
    const wordCount = new Set(toks.map((t) => t.word)).size;
    if (unknown && wordCount <= UNKNOWN_MAX_WORDS) return result(unknown.a.target);
    return undefined;
  };
}

/** The canonical name for a typed place, or undefined (the engine's `places` option). */
export function placeResolver(places: PlacesFile): (text: string) => string | undefined {
  const match = placeMatcher(places);
  return (text: string) => match(text)?.name;
}
