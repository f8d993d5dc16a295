/**
 * What a reporter's story already tells, for prefilling the tip form (issue #10, item 3): the category, the
 * province or country, when it happened, and who or what is involved (licence plates, suspects' phone
 * numbers, links, social-media accounts, bank accounts), and the story itself as the description when it is
 * long enough to be one.
 *
 * Only what is stated: every field comes from words in the text, and a field stays unset when the text says
 * nothing of it or says two contradicting things (two provinces, "hôm qua" and "tháng trước"). The category
 * is never guessed as 'other'. The writer's own phone, email or address (src/nlu/identity.ts) is never listed
 * as involved, and a place inside their own address is not taken for the place of the tip.
 *
 * Pure: no I/O, nothing logged, nothing kept between calls. Vietnamese with or without diacritics, teencode
 * (through src/text/normalize's expansions) and English. Words typed with diacritics are held to their
 * spelling ("tối qua" is last night, "tôi qua" is not; "Lào" is Laos, "lao động" is not). Reads at most the
 * first MAX_FACTS_CHARS characters (places: the first 600 words), in time linear in that.
 *
 * Category, when a story fits several: trafficking (taking people across a border, selling them, holding their
 * papers) wins; then a child in sexual exploitation, abuse or violence is child_abuse, never "prostitution" (the
 * child is a victim, and the tip belongs with child protection); otherwise the strongest category, and none
 * when two are equally strong.
 */
import { CATEGORIES, type Category } from '../cases/tip-fields.js';
import { cleanText, tokens } from '../text/normalize.js';
import { findEmails, findPhones, foldWord, inLex, itemize, lexicon, ownSpans, spellingKey, type Item } from './identity.js';

/**
 * One word, folded and teencode expanded ("hnay" -> hom, nay). normalize.ts looks teencode up in a plain
 * object, so "constructor" throws there (reported); such a word is kept folded as it is.
 */
function expand(word: string): string[] {
  try {
    return tokens(word);
  } catch {
    return [foldWord(word)];
  }
}

/** The option values of flows/tip.yaml's `category` question. */
/** The tip's categories: one list, src/cases/tip-fields.ts (the flow's options are checked against it). */
export const TIP_CATEGORIES = CATEGORIES;
export type TipCategory = Category;
/** The option values of flows/tip.yaml's `when` question that a story can state ('unknown' is never stated). */
export const TIP_WHENS = ['ongoing', 'today', 'yesterday', 'this_week', 'earlier'] as const;
export type TipWhen = (typeof TIP_WHENS)[number];

/**
 * Maps typed text to a canonical place (one of the 34 provinces, a country, or "unknown"): the engine's
 * `places` option, `placeResolver(bundle.content.places)` of src/bundle/places.ts (a name), or a matcher that
 * also says the kind of place (`{ name, kind: 'province' | 'abroad' | 'unknown' }`).
 */
export type PlaceMatcher = (text: string) => string | PlaceFound | undefined;
export interface PlaceFound { name: string; kind?: string }
export interface TipFactsOptions { places: PlaceMatcher }

export type InvolvedKind = 'plate' | 'phone' | 'url' | 'handle' | 'email' | 'account';
export interface InvolvedItem {
  kind: InvolvedKind;
  /** As shown in the form: the text as typed ("15A-123.45"), or "Facebook: Tuấn Béo", "STK: 0123456789". */
  value: string;
  /** Offsets in the original text. */
  start: number;
  end: number;
}

export interface TipFacts {
  category?: TipCategory;
  /** The canonical name the place question would store: a province or a country. Set when exactly one is named. */
  province?: string;
  when?: TipWhen;
  /** Plates, suspects' phones, links, handles, emails and bank accounts, as typed, in order, without repeats. */
  involved: string[];
  /** The story itself (cleaned), when it has at least WHAT_MIN_WORDS words. */
  what?: string;
  /** Every distinct place named outside the writer's own address, in order (for "which one?" buttons). */
  places: string[];
  /** `involved` with kinds and offsets. */
  items: InvolvedItem[];
}

/** Words a message needs to be taken as the description ("what happened") of a tip. */
export const WHAT_MIN_WORDS = 12;
/**
 * Facts are read from this many first characters (cut at a space): ten times the longest description the tip
 * form keeps (2,000), so that a pasted wall of text costs a bounded time. `what` is still the whole text.
 */
export const MAX_FACTS_CHARS = 20_000;
/** Places are looked for in this many first words. */
const PLACE_SCAN_WORDS = 600;

// ---- the text as expanded tokens ---------------------------------------------------------------

interface Tok {
  /** Folded, teencode expanded ("hnay" gives "hom", "nay"). */
  t: string;
  /** The word it comes from (an index into the items). */
  item: number;
  /** The token opens a clause (its word follows punctuation). */
  brk: number;
}

function expandedTokens(items: Item[]): Tok[] {
  const out: Tok[] = [];
  const cache = new Map<string, string[]>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind !== 'word') { out.push({ t: '#', item: i, brk: it.brk }); continue; }
    let parts = cache.get(it.typed);
    if (!parts) cache.set(it.typed, (parts = expand(it.typed)));
    for (let k = 0; k < parts.length; k++) out.push({ t: parts[k], item: i, brk: k === 0 ? it.brk : 0 });
  }
  return out;
}

/** A phrase to look for, spelled as it is written with diacritics. */
interface Cue<T> {
  toks: string[];
  /** Spelling keys of its words, checked against words typed with diacritics. */
  keys: string[];
  tag: T;
  weight: number;
  /** Typed without diacritics it is also something else ("bi ban": "bị bán" sold, "bị bắn" shot, "bị bạn" by a friend): weight 1. */
  bareWeak: boolean;
  /** Extra condition at the token where it ends. */
  when?: (ctx: CueContext) => boolean;
}
interface CueContext { toks: Tok[]; items: Item[]; start: number; end: number }

function cues<T>(table: readonly [T, number, string, ((c: CueContext) => boolean)?][]): Map<string, Cue<T>[]> {
  const index = new Map<string, Cue<T>[]>();
  for (const [tag, weight, list, when] of table) {
    for (const phrase of list.split('|').map((p) => p.trim()).filter(Boolean)) {
      const bareWeak = phrase.startsWith('~');
      const words = phrase.replace(/^~/, '').split(/\s+/);
      const toks = words.flatMap((w) => expand(w));
      const cue: Cue<T> = { toks, keys: words.map(spellingKey), tag, weight, bareWeak, ...(when ? { when } : {}) };
      const first = toks[0];
      let list2 = index.get(first);
      if (!list2) index.set(first, (list2 = []));
      list2.push(cue);
    }
  }
  for (const l of index.values()) l.sort((a, b) => b.toks.length - a.toks.length);
  return index;
}

const NEGATION = new Set(['khong', 'chang', 'chua', 'not', 'never', 'without']);

/**
 * The cues found: at each position the longest phrase that is there, not crossing punctuation, not negated
 * just before; then overlapping ones give way to the longest ("bán làm vợ" over "bị bán", "bán ma túy" over "ma túy").
 */
interface Hit<T> { cue: Cue<T>; start: number; end: number; weight: number }
function findCues<T>(index: Map<string, Cue<T>[]>, toks: Tok[], items: Item[]): Hit<T>[] {
  const out: Hit<T>[] = [];
  for (let p = 0; p < toks.length; p++) {
    const list = index.get(toks[p].t);
    if (!list) continue;
    for (const cue of list) {
      const n = cue.toks.length;
      if (p + n > toks.length) continue;
      let ok = true;
      for (let k = 0; k < n && ok; k++) ok = toks[p + k].t === cue.toks[k] && (k === 0 || toks[p + k].brk === 0);
      if (!ok || !spelled(cue, toks, items, p)) continue;
      // The longest phrase here decides: if it does not count ("vẫn còn sợ"), a shorter one ("vẫn") does not either.
      if (negated(toks, p) || (cue.when && !cue.when({ toks, items, start: p, end: p + n }))) break;
      let weight = cue.weight;
      if (cue.bareWeak) {
        let bare = true;
        for (let k = toks[p].item; k <= toks[p + n - 1].item && bare; k++) bare = items[k].typed === items[k].f;
        if (bare) weight = Math.min(weight, 1);
      }
      out.push({ cue, start: p, end: p + n, weight });
      break;
    }
  }
  if (out.length < 2) return out;
  const byLength = [...out].sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const used = new Uint8Array(toks.length);
  const kept: Hit<T>[] = [];
  for (const h of byLength) {
    let free = true;
    for (let k = h.start; k < h.end && free; k++) free = used[k] === 0;
    if (!free) continue;
    used.fill(1, h.start, h.end);
    kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Words typed with diacritics must be spelled as the cue spells them (words typed without match any). */
function spelled(cue: Cue<unknown>, toks: Tok[], items: Item[], p: number): boolean {
  const first = toks[p].item;
  const last = toks[p + cue.toks.length - 1].item;
  if (last - first + 1 !== cue.keys.length) return true; // teencode: "hnay" stands for two words
  for (let k = 0; k < cue.keys.length; k++) {
    const it = items[first + k];
    if (it.typed !== it.f && it.key !== cue.keys[k]) return false;
  }
  return true;
}

function negated(toks: Tok[], p: number): boolean {
  for (let k = p - 1; k >= 0 && k >= p - 2; k--) {
    if (NEGATION.has(toks[k].t)) return true;
    if (toks[k].brk > 0) break;
  }
  return false;
}

const next = (c: CueContext, k = 0): string => c.toks[c.end + k]?.t ?? '';
const nextOpensClause = (c: CueContext): boolean => c.end >= c.toks.length || c.toks[c.end].brk > 0;

// ---- category ----------------------------------------------------------------------------------

/** D drugs, T trafficking, P prostitution, C child abuse, S scam; M a minor, X sexual, V violence, H a hotel context. */
type Sig = 'D' | 'T' | 'P' | 'C' | 'S' | 'M' | 'X' | 'V' | 'H';

const CATEGORY_CUES = cues<Sig>([
  ['D', 3, `ma túy | ma tuý | hê rô in | heroin | heroine | hàng trắng | thuốc lắc | hút đá | chơi đá | đập đá | bay lắc | bay ke |
    thuốc phiện | cần sa | cỏ mỹ | cocaine | ketamine | methamphetamine | meth | cannabis | marijuana | weed | drug | drugs |
    nước vui | tem giấy | con nghiện | tiêm chích | chích hút | mdma | ecstasy | opium | chất cấm | dealing drugs | drug dealer |
    ketamin | ma túy tổng hợp | bán ma túy | buôn ma túy`],
  ['D', 1, 'nghiện | cai nghiện | addict | addicted'],
  ['T', 3, `buôn người | mua bán người | ~bán người | trafficking | trafficked | trafficker | traffickers | ~bị bán sang | ~bán sang |
    ~bị bán qua | ~bán qua | ~bị bán | giữ hộ chiếu | thu hộ chiếu | tịch thu hộ chiếu | lấy hộ chiếu | cầm hộ chiếu | giữ giấy tờ |
    thu giấy tờ | giam lỏng | không cho về | cưỡng bức lao động | lao động cưỡng bức | ép làm việc | ép lao động | forced labour |
    forced labor | debt bondage | took his passport | took her passport | took my passport | took their passport | took passports |
    kept his passport | kept her passport | confiscated | bán làm vợ | bán cô dâu | tiền chuộc | chuộc người | ransom | sold to |
    was sold | were sold | bị lừa sang | ~lừa sang | bị lừa qua`],
  ['T', 1, `môi giới | đưa sang | dẫn sang | đưa qua | dụ sang | xuất khẩu lao động | sang làm việc | qua làm việc | broker |
    recruiter | job abroad | lấy chồng nước ngoài | bị nhốt | nhốt`],
  ['P', 3, `mại dâm | bán dâm | mua dâm | gái gọi | gái bao | gái bán hoa | chăn dắt | má mì | tú bà | đi khách | bán thân |
    kích dục | prostitution | prostitute | prostitutes | brothel | pimp | escort | escorts | sex work | sex worker | sex workers |
    sexual services | dịch vụ người lớn | quan hệ với khách | tay vịn`],
  ['P', 1, 'tiếp khách | gọi gái | dẫn gái | chở gái | đưa gái | chân dài | ôm khách'],
  ['C', 3, `xâm hại | ấu dâm | dâm ô | child abuse | abusing children | molest | molested | molesting | paedophile | pedophile |
    grooming | child porn | csam | bạo hành trẻ | ngược đãi trẻ | bạo lực trẻ em | hiếp dâm trẻ`],
  ['X', 1, `hiếp dâm | cưỡng hiếp | quan hệ tình dục | tình dục | sờ mó | sàm sỡ | quấy rối | khiêu dâm | ảnh nóng | clip nóng |
    khỏa thân | khoả thân | ngủ với | làm tình | rape | raped | sexual | sex | naked | nude | nudes`],
  ['V', 1, `đánh đập | bạo hành | ngược đãi | hành hạ | bị đánh | đánh con | đánh cháu | đánh bé | bỏ đói | xích | beat | beaten |
    beating | abuse | abused | abusing`],
  ['M', 1, `bé gái | bé trai | em bé | cháu bé | trẻ em | trẻ nhỏ | trẻ con | con nít | đứa trẻ | đứa bé | học sinh | vị thành niên |
    chưa thành niên | chưa đủ 18 | dưới 18 tuổi | dưới 16 tuổi | cô bé | cậu bé | underage | minor | minors | child | children |
    kid | kids | schoolgirl | schoolboy | teenager | teenage`],
  ['H', 1, `đến khách sạn | vào khách sạn | lên khách sạn | đến nhà nghỉ | vào nhà nghỉ | đi nhà nghỉ | to a hotel | to the hotel |
    to a motel | hẹn | hẹn hò | dẫn đi | chở đi`],
  ['S', 3, `lừa đảo | scam | scammed | scammer | scammers | fraud | lừa tiền | chiếm đoạt | giả danh công an | mạo danh | sàn ảo |
    fake job | investment scam | phishing | lừa đảo trực tuyến`],
  ['S', 2, `việc nhẹ lương cao | làm nhiệm vụ | nạp tiền | app vay | vay online | tín dụng đen | bị lừa | đa cấp | otp |
    tuyển cộng tác viên | chuyển khoản cho`],
  ['S', 1, 'chuyển tiền | đầu tư | việc làm online | cộng tác viên | lừa'],
]);

// "15 tuổi", "15t", "15 years old", "lớp 8": an age under 18.
function minorAge(toks: Tok[]): boolean {
  for (let p = 0; p + 1 < toks.length; p++) {
    const n = /^\d{1,2}$/.test(toks[p].t) ? Number(toks[p].t) : NaN;
    if (Number.isNaN(n)) {
      const m = /^(\d{1,2})(t|yo)$/.exec(toks[p].t);
      if (m && Number(m[1]) < 18 && Number(m[1]) > 0) return true;
      if (toks[p].t === 'lop' && /^\d{1,2}$/.test(toks[p + 1].t) && Number(toks[p + 1].t) <= 12) return true;
      continue;
    }
    const u = toks[p + 1].t;
    const ageWord = u === 'tuoi' || u === 't' || u === 'yo' || (u === 'years' && toks[p + 2]?.t === 'old') || (u === 'year' && toks[p + 2]?.t === 'old');
    if (ageWord && n > 0 && n < 18) return true;
  }
  return false;
}

function category(toks: Tok[], items: Item[]): TipCategory | undefined {
  const score: Record<Sig, number> = { D: 0, T: 0, P: 0, C: 0, S: 0, M: 0, X: 0, V: 0, H: 0 };
  const best = new Map<Cue<Sig>, number>();
  // A phrase counts once, with its best weight.
  for (const h of findCues(CATEGORY_CUES, toks, items)) best.set(h.cue, Math.max(best.get(h.cue) ?? 0, h.weight));
  for (const [cue, weight] of best) score[cue.tag] += weight;
  if (minorAge(toks)) score.M += 1;
  // Taking people across a border, holding their papers or selling them is trafficking, whatever else is said.
  if (score.T >= 3) return 'trafficking';
  // A child in sexual exploitation, abuse or violence: child abuse (the child is a victim, never "prostitution").
  if (score.C >= 3) return 'child_abuse';
  if (score.M > 0 && (score.X > 0 || score.P > 0 || score.H >= 2 || (score.V > 0 && score.D < 3 && score.S < 3))) return 'child_abuse';
  const ranked = (['drugs', 'trafficking', 'prostitution', 'scam'] as const)
    .map((c) => ({ c, s: score[c === 'drugs' ? 'D' : c === 'trafficking' ? 'T' : c === 'prostitution' ? 'P' : 'S'] }))
    .sort((a, b) => b.s - a.s);
  if (ranked[0].s < 2 || ranked[0].s === ranked[1].s) return undefined;
  return ranked[0].c;
}

// ---- when --------------------------------------------------------------------------------------

/** O still going on, o "đang" (only when nothing more precise is said), and the four times. */
type WhenSig = 'O' | 'o' | 'today' | 'yesterday' | 'this_week' | 'earlier';

// "em vẫn còn sợ", "tôi đang lo": the writer's feelings now, not the events.
const FEELING = new Set(`so lo buon am nho run hoang hoi nghi muon can thac boi phan ngai tuc gian dau rat khoc tim doc viet nhan
  phan van chua biet con scared afraid worried think remember feel want wonder thinking feeling trying hoping o`.split(/\s+/));
const notFeeling = (c: CueContext): boolean => !FEELING.has(next(c));
// "hôm nay tôi muốn báo…": the day of writing, not of the events.
const REPORTING = new Set('muon xin viet nhan bao ke hoi gui lien quyet can moi xin'.split(' '));
const SUBJECT = new Set('no ho toi em minh co thang nguoi chung bon han anh chi ong ba xe may chiec mot hai i he she they we my the a'.split(' '));
const notReporting = (c: CueContext): boolean => {
  const a = next(c);
  const b = next(c, 1);
  return !(REPORTING.has(a) || (['toi', 'em', 'minh', 'i', 'we'].includes(a) && (REPORTING.has(b) || b === 'want' || b === 'am' || b === 'would')));
};
// Typed without diacritics, "toi qua" is also "tôi qua" (I go over), "dem qua" "đem qua" (bring over): only
// before a new clause or a subject ("toi qua no lai den").
const bareNeedsSubject = (c: CueContext): boolean => {
  const it = c.items[c.toks[c.start].item];
  if (it.typed !== it.f) return true;
  return nextOpensClause(c) || SUBJECT.has(next(c));
};

const WHEN_CUES = cues<WhenSig>([
  ['O', 1, `tối nào cũng | đêm nào cũng | ngày nào cũng | tuần nào cũng | sáng nào cũng | chiều nào cũng | hôm nào cũng |
    tháng nào cũng | hằng ngày | hàng ngày | hằng đêm | hàng đêm | hằng tuần | hàng tuần | mỗi ngày | mỗi tối | mỗi đêm | mỗi tuần |
    thường xuyên | liên tục | đang diễn ra | đang xảy ra | hiện vẫn | đến giờ vẫn | tới giờ vẫn | đến nay vẫn | tới nay vẫn |
    cho đến bây giờ | đến bây giờ vẫn | suốt ngày | suốt đêm | every day | every night | every week | every evening |
    every morning | each night | each day | ongoing | currently | daily | nightly | all the time | is happening | are happening |
    is still going on | still going on`],
  ['O', 1, 'vẫn đang | vẫn còn | vẫn tiếp tục | vẫn thường | vẫn | hiện đang | still | keeps | keep', notFeeling],
  ['o', 1, 'đang | thường | right now | now', notFeeling],
  ['today', 1, `sáng nay | trưa nay | chiều nay | tối nay | đêm nay | lúc nãy | ban nãy | vừa nãy | vừa xong | this morning |
    this afternoon | this evening | tonight | earlier today | just now | an hour ago | hours ago`],
  ['today', 1, 'hôm nay | today', notReporting],
  ['yesterday', 1, 'hôm qua | trưa qua | yesterday | last night'],
  ['yesterday', 1, 'tối qua | đêm qua | sáng qua | chiều qua', bareNeedsSubject],
  ['this_week', 1, `tuần này | mấy hôm nay | mấy ngày nay | mấy bữa nay | mấy hôm trước | vài hôm trước | mấy ngày trước |
    vài ngày trước | mấy bữa trước | hôm kia | bữa kia | đầu tuần | this week | few days ago | couple of days ago |
    earlier this week`],
  ['earlier', 1, `tuần trước | tuần rồi | tháng trước | tháng rồi | năm trước | năm ngoái | hồi trước | trước đây | dạo trước |
    mấy tháng trước | vài tháng trước | mấy năm trước | vài năm trước | mấy tuần trước | vài tuần trước | last week | last month |
    last year | weeks ago | months ago | years ago | a while ago | long ago | hồi tết | tết năm ngoái`],
]);

const NUMBER_WORDS = new Map(Object.entries({
  mot: 1, hai: 2, ba: 3, bon: 4, tu: 4, nam: 5, sau: 6, bay: 7, tam: 8, chin: 9, muoi: 10,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1, an: 1,
}));
const UNIT_DAYS = new Map(Object.entries({ ngay: 1, hom: 1, bua: 1, day: 1, days: 1, tuan: 7, week: 7, weeks: 7, thang: 30, month: 30, months: 30, nam: 365, year: 365, years: 365 }));

/** "3 ngày trước", "cách đây 2 tháng", "5 days ago". */
function numberedTimes(toks: Tok[]): WhenSig[] {
  const out: WhenSig[] = [];
  for (let p = 0; p + 1 < toks.length; p++) {
    const unit = UNIT_DAYS.get(toks[p + 1].t);
    if (unit === undefined) continue;
    const n = /^\d{1,3}$/.test(toks[p].t) ? Number(toks[p].t) : NUMBER_WORDS.get(toks[p].t);
    if (n === undefined || n <= 0) continue;
    if (toks[p + 1].brk > 0) continue;
    const after = toks[p + 2]?.t;
    const before = p >= 2 && toks[p - 2].t === 'cach' && toks[p - 1].t === 'day';
    if (!(after === 'truoc' || after === 'ago' || before)) continue;
    out.push(n * unit <= 6 ? 'this_week' : 'earlier');
  }
  return out;
}

function when(toks: Tok[], items: Item[]): TipWhen | undefined {
  const found = new Set<WhenSig>(findCues(WHEN_CUES, toks, items).map((h) => h.cue.tag));
  for (const s of numberedTimes(toks)) found.add(s);
  if (found.has('O')) return 'ongoing';
  const times = (['today', 'yesterday', 'this_week', 'earlier'] as const).filter((t) => found.has(t));
  if (times.length === 1) return times[0];
  if (times.length > 1) return undefined; // two different times: ask
  return found.has('o') ? 'ongoing' : undefined;
}

// ---- places ------------------------------------------------------------------------------------

// Words before a place: "ở Huế", "sang Lào", "tại hp", "from Saigon".
const LOCATIVE = lexicon(['ở', 'o', 'tại', 'tai', 'sang', 'qua', 'bên', 'ben', 'đến', 'den', 'tới', 'toi', 'về', 've', 'vào', 'vao',
  'từ', 'tu', 'ra', 'lên', 'len', 'xuống', 'xuong', 'đi', 'di', 'tỉnh', 'tinh', 'tp', 'phố', 'nước', 'nuoc', 'quê', 'que', 'miền',
  'in', 'at', 'to', 'from', 'near', 'city', 'province', 'visit']);

/**
 * Place names that fold to everyday words. `spell`: with diacritics in the text, the name must be typed so;
 * `cue`: it needs a word like "ở", "sang" before it; `capital`: it must be capitalised; `notNext`: it is not
 * a place before these words ("lao động").
 */
const FALSE_FRIENDS = new Map<string, { spell?: string[]; cue?: boolean; capital?: boolean; notNext?: string[] }>(Object.entries({
  lao: { spell: ['lào'], cue: true, notNext: ['dong', 'cong'] },
  'sang lao': { spell: ['sang lào'], notNext: ['dong', 'cong'] },
  'qua lao': { spell: ['qua lào'], notNext: ['dong', 'cong'] },
  'ben lao': { spell: ['bên lào'], notNext: ['dong', 'cong'] },
  'nuoc lao': { spell: ['nước lào'] },
  nhat: { spell: ['nhật'], cue: true },
  'ba lan': { spell: ['ba lan'], capital: true },
  'hoa binh': { capital: true },
  'hai duong': { spell: ['hải dương'] },
  vinh: { spell: ['vinh'], cue: true },
  hue: { spell: ['huế'], cue: true },
  'thu do': { spell: ['thủ đô'] },
  'ma lai': { spell: ['mã lai'] },
  'a rap': { spell: ['ả rập'] },
  'viet tri': { spell: ['việt trì'] },
  'my tho': { spell: ['mỹ tho'] },
  'hoi an': { spell: ['hội an'], capital: true },
  'long an': { capital: true },
  'ha nam': { spell: ['hà nam'] },
  'nam dinh': { spell: ['nam định'] },
}));
const FALSE_FRIEND_KEYS = new Map([...FALSE_FRIENDS].map(([k, v]) => [k, (v.spell ?? []).map((s) => s.split(' ').map(spellingKey).join(' '))]));

// Words no place name starts with: n-grams starting with them are not looked up ("ở" and "tại" are read
// as the word before a place).
// (Not "da", "do", "lam", "tu", "ma": "Đà Nẵng", "Đồ Sơn", "Lâm Đồng", "Từ Sơn", "Mã Lai".)
const NOT_A_START = new Set(`o tai va la co cua khong mot nhung cac thi no toi em dang se bi duoc cho voi rat cung nay roi
  nguoi hay hoac vi nen khi luc thay biet di den ve vao ra the a and is of to in at on or`.split(/\s+/));

interface Place { name: string; kind?: string }
/** The matcher's answer; a matcher that throws (the normaliser does on "constructor") found nothing. */
function lookUp(matcher: PlaceMatcher, text: string): Place | undefined {
  let r: string | PlaceFound | undefined;
  try {
    r = matcher(text);
  } catch {
    return undefined;
  }
  return typeof r === 'string' ? { name: r } : r ? { name: r.name, ...(r.kind ? { kind: r.kind } : {}) } : undefined;
}

function placesNamed(items: Item[], matcher: PlaceMatcher, skip: (i: number) => boolean, accented: boolean): Place[] {
  const found: Place[] = [];
  const words: number[] = [];
  for (let i = 0; i < items.length && words.length < PLACE_SCAN_WORDS; i++) if (items[i].kind === 'word') words.push(i);
  const cache = new Map<string, Place | undefined>();
  const at = (w: number, n: number): Place | undefined => {
    const ids = words.slice(w, w + n);
    if (ids.length < n) return undefined;
    for (let k = 0; k < n; k++) {
      const it = items[ids[k]];
      if (skip(ids[k]) || /^\d/.test(it.typed) || (k > 0 && (it.brk > 0 || ids[k] !== ids[k - 1] + 1))) return undefined;
    }
    const gram = ids.map((i) => items[i].typed).join(' ');
    if (!cache.has(gram)) cache.set(gram, lookUp(matcher, gram));
    return cache.get(gram);
  };
  let w = 0;
  while (w < words.length) {
    if (NOT_A_START.has(items[words[w]].f)) { w++; continue; }
    let n = 1;
    let place: Place | undefined;
    for (; n <= 4 && !(place = at(w, n)); n++);
    if (!place) { w++; continue; }
    // The matcher also finds a name inside a longer text ("hai phong co"): keep the words of the name itself.
    while (n > 1 && at(w, n - 1)?.name === place.name) n--;
    while (n > 1 && at(w + 1, n - 1)?.name === place.name) { w++; n--; }
    if (acceptPlace(items, words.slice(w, w + n), accented)) found.push(place);
    w += n;
  }
  return found;
}

function acceptPlace(items: Item[], ids: number[], accented: boolean): boolean {
  const first = items[ids[0]];
  const folded = ids.map((i) => items[i].f).join(' ');
  const before = first.brk === 0 ? items[ids[0] - 1] : undefined;
  const cued = !!before && before.kind === 'word' && inLex(before, LOCATIVE);
  const after = items[ids[ids.length - 1] + 1];
  const friend = FALSE_FRIENDS.get(folded);
  if (friend) {
    if (friend.notNext && after && after.brk === 0 && friend.notNext.includes(after.f)) return false;
    const typedKey = ids.map((i) => items[i].key).join(' ');
    const spellOk = !accented || (FALSE_FRIEND_KEYS.get(folded) ?? []).includes(typedKey);
    if (friend.spell && !spellOk) return false;
    if (friend.capital && !first.cap && !cued) return false;
    if (friend.cue && !cued) return false;
    return true;
  }
  // A short single word ("hp", "sg", "tq", "Huế") is a place only after "ở", "sang", "tại"…
  if (ids.length === 1 && first.f.length <= 4) return cued;
  return true;
}

// ---- involved ----------------------------------------------------------------------------------

// A licence plate: province code, series (letters, maybe a digit), number ("15A-123.45", "29A1-234.56", "51F 12345").
const PLATE = /(?<![\p{L}\p{N}])[1-9]\d[ -]?[A-Z]{1,2}\d?[ .-]?(?:\d{3}[ .]?\d{2}|\d{4,5})(?![\p{L}\p{N}])/giu;
const URL = /^(?:https?:\/\/|www\.)\S+$/i;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,5}(?:com|net|org|vn|info|biz|xyz|top|io|me|cc|online|site|shop|club|app|asia|link|live|store|tk|co|us|ru|cn|kr|jp|la|kh|tv|fun|vip|pro|win|bet|ly|gl)(?::\d{1,5})?(?:[/?#]\S*)?$/i;
const HANDLE = /^@[A-Za-z0-9_.]{2,32}$/;
const TRIM_LEFT = /^[("'“‘<[{«]+/;
const TRIM_RIGHT = /[)"'”’>\]}».,;:!?…]+$/;

const PLATFORMS = new Map(Object.entries({
  facebook: 'Facebook', fb: 'Facebook', face: 'Facebook', zalo: 'Zalo', telegram: 'Telegram', tele: 'Telegram', tiktok: 'TikTok',
  instagram: 'Instagram', insta: 'Instagram', ig: 'Instagram', messenger: 'Messenger', wechat: 'WeChat', viber: 'Viber',
  whatsapp: 'WhatsApp', twitter: 'Twitter', kakaotalk: 'KakaoTalk', kakao: 'KakaoTalk', youtube: 'YouTube',
}));
// "facebook tên …", "zalo nick …": the next word names the account ("là", "trang" only introduce a display name).
const ACCOUNT_WORDS = new Set('nick nickname ten tai khoan tk id acc account name user username handle'.split(' '));
const ACCOUNT_INTRO = new Set('la is page trang group nhom'.split(' '));
const SELF_OWNER = lexicon(['tôi', 'tui', 't', 'mình', 'mik', 'mk', 'em', 'e', 'my', 'tớ!']);
const BANK_FIRST = new Set(['stk', 'so', 'tai', 'tk', 'account', 'bank']);
const BANK_LABELS: readonly string[][] = ['stk', 'so tai khoan', 'so tk', 'tai khoan ngan hang', 'tk ngan hang', 'account number', 'bank account', 'so tai khoan ngan hang']
  .map((l) => l.split(' ')).sort((a, b) => b.length - a.length);

function involvedItems(text: string, items: Item[], allCaps: boolean): InvolvedItem[] {
  const out: InvolvedItem[] = [];
  for (const m of text.matchAll(PLATE)) {
    out.push({ kind: 'plate', value: m[0], start: m.index, end: m.index + m[0].length });
  }
  for (const p of findPhones(text)) out.push({ kind: 'phone', value: text.slice(p.start, p.end), start: p.start, end: p.end });
  for (const e of findEmails(text)) out.push({ kind: 'email', value: text.slice(e.start, e.end), start: e.start, end: e.end });
  // Links and handles, one whitespace-separated token at a time (anchored tests: no scanning regex).
  for (const m of text.matchAll(/\S+/g)) {
    const t0 = m[0];
    if (t0.length > 300 || (!t0.includes('.') && !t0.includes('@') && !t0.includes('/'))) continue;
    const left = TRIM_LEFT.exec(m[0])?.[0].length ?? 0;
    let tok = m[0].slice(left);
    tok = tok.replace(TRIM_RIGHT, '');
    if (tok.length < 3) continue;
    const start = m.index + left;
    if (HANDLE.test(tok.replace(/\.+$/, ''))) {
      const h = tok.replace(/\.+$/, '');
      out.push({ kind: 'handle', value: h, start, end: start + h.length });
    } else if (!tok.includes('@') || /^https?:/i.test(tok) || (tok.includes('/') && tok.indexOf('/') < tok.indexOf('@'))) {
      if (URL.test(tok) || DOMAIN.test(tok)) out.push({ kind: 'url', value: tok, start, end: start + tok.length });
    }
  }
  const w = (i: number): Item | undefined => (items[i]?.kind === 'word' ? items[i] : undefined);
  for (let i = 0; i < items.length; i++) {
    const x = w(i);
    if (!x) continue;
    // "facebook tên Tuấn Béo", "zalo: hoahong88", "nick tele là abc_123"
    const platform = PLATFORMS.get(x.f);
    if (platform && text[x.end] !== '.') {
      let j = i + 1;
      if (inLex(w(j), SELF_OWNER) && w(j)!.brk === 0) continue; // the writer's own
      if (w(j)?.f === 'cua' && w(j)!.brk === 0) {
        if (inLex(w(j + 1), SELF_OWNER)) continue;
        // "facebook của thằng đó tên …": skip to the account words.
        j++;
        for (let s = 0; s < 3 && w(j) && w(j)!.brk === 0 && !ACCOUNT_WORDS.has(w(j)!.f) && !ACCOUNT_INTRO.has(w(j)!.f); s++) j++;
      }
      let named = text.slice(x.end, items[j]?.start ?? x.end).includes(':');
      let introduced = named;
      for (let s = 0; s < 3 && w(j) && w(j)!.brk === 0 && (ACCOUNT_WORDS.has(w(j)!.f) || ACCOUNT_INTRO.has(w(j)!.f)); s++, j++) {
        if (ACCOUNT_WORDS.has(w(j)!.f)) named = true;
        introduced = true;
      }
      const v = w(j);
      if (!v || v.brk > 1 || (v.brk === 1 && !introduced)) continue;
      const raw = text.slice(v.start, v.end);
      if (/^[A-Za-z0-9_.]{3,40}$/.test(raw) && (/[\d_.]/.test(raw) || named) && !PLATFORMS.has(v.f)) {
        out.push({ kind: 'handle', value: `${platform}: ${raw}`, start: x.start, end: v.end });
        i = j;
        continue;
      }
      if (v.cap && !allCaps && /^\p{L}+$/u.test(v.typed)) {
        let k = j;
        while (k + 1 < items.length && k - j < 3 && w(k + 1)?.cap && w(k + 1)!.brk === 0) k++;
        out.push({ kind: 'handle', value: `${platform}: ${text.slice(v.start, items[k].end)}`, start: x.start, end: items[k].end });
        i = k;
      }
      continue;
    }
    // "STK: 0123456789", "số tài khoản Vietcombank 0123 4567 89"
    if (!BANK_FIRST.has(x.f)) continue;
    for (const label of BANK_LABELS) {
      if (!label.every((l, k) => w(i + k)?.f === l && (k === 0 || w(i + k)!.brk === 0))) continue;
      let j = i + label.length;
      if (w(j)?.f === 'cua') j++;
      if (inLex(w(j), SELF_OWNER)) break;
      for (let s = 0; s < 3 && w(j) && !/^\d/.test(w(j)!.typed) && w(j)!.brk === 0; s++) j++; // "là", a bank's name
      let k = j;
      let digits = 0;
      while (items[k] && (k === j || items[k].brk === 0) && /^\d+$/.test(items[k].f) && digits + items[k].f.length <= 19) { digits += items[k].f.length; k++; }
      if (digits >= 6) out.push({ kind: 'account', value: `STK: ${text.slice(items[j].start, items[k - 1].end)}`, start: items[i].start, end: items[k - 1].end });
      break;
    }
  }
  return out;
}

const sameness = (x: InvolvedItem): string => {
  switch (x.kind) {
    case 'plate': return `plate:${x.value.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase()}`;
    case 'phone': { const d = x.value.replace(/\D/g, ''); return `phone:${/^84/.test(d) && !x.value.startsWith('0') ? `0${d.slice(2)}` : d}`; }
    case 'url': return `url:${x.value.toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/+$/, '')}`;
    default: return `${x.kind}:${x.value.toLowerCase()}`;
  }
};

// ---- the whole -----------------------------------------------------------------------------------

interface Range { start: number; end: number }
/** For each range of `xs` (sorted by start), whether it overlaps one of `spans` (sorted, non-overlapping). */
function overlaps(xs: readonly Range[], spans: readonly Range[]): boolean[] {
  const out: boolean[] = [];
  let j = 0;
  for (const x of xs) {
    while (j < spans.length && spans[j].end <= x.start) j++;
    out.push(j < spans.length && spans[j].start < x.end);
  }
  return out;
}

/** What the story states, for prefilling the tip form. Never throws; linear in the length of the text. */
export function extractTipFacts(text: string, opts: TipFactsOptions): TipFacts {
  const whole = text.toWellFormed();
  let cut = whole.length;
  if (cut > MAX_FACTS_CHARS) {
    const space = whole.lastIndexOf(' ', MAX_FACTS_CHARS);
    cut = space > MAX_FACTS_CHARS / 2 ? space : MAX_FACTS_CHARS;
    if (/[\ud800-\udbff]/.test(whole[cut - 1])) cut--; // not between the halves of an emoji
  }
  const src = whole.slice(0, cut);
  const items = itemize(src);
  const own = ownSpans(src, items);
  const allCaps = !/\p{Ll}/u.test(src.slice(0, 4000));

  // Involved: not the writer's own; the earliest and longest of overlapping finds (a link holding a phone
  // number is the link).
  const all = involvedItems(src, items, allCaps).sort((a, b) => a.start - b.start || b.end - a.end);
  const mine = overlaps(all, own);
  const found = all.filter((_, k) => !mine[k]);
  const kept: InvolvedItem[] = [];
  const seen = new Set<string>();
  for (const x of found) {
    const prev = kept[kept.length - 1];
    if (prev && x.start < prev.end) continue;
    const k = sameness(x);
    if (seen.has(k)) continue;
    seen.add(k);
    kept.push(x);
  }

  const toks = expandedTokens(items);
  const facts: TipFacts = { involved: kept.map((x) => x.value), places: [], items: kept };
  const cat = category(toks, items);
  if (cat) facts.category = cat;
  const w = when(toks, items);
  if (w) facts.when = w;

  // Places: not inside the writer's own address, a link or an account name; never "không rõ".
  const accented = items.some((it) => it.kind === 'word' && it.typed !== it.f && /[^\x00-\x7f]/.test(it.typed));
  const ownWords = overlaps(items, own);
  const inLinks = overlaps(items, kept.filter((x) => x.kind !== 'plate' && x.kind !== 'phone'));
  const named = placesNamed(items, opts.places, (i) => ownWords[i] || inLinks[i], accented);
  const unknown = lookUp(opts.places, 'không rõ')?.name;
  const distinct = [...new Set(named.filter((p) => p.kind !== 'unknown' && p.name !== unknown).map((p) => p.name))];
  // "nước ngoài" says abroad; a named country says more.
  const abroad = lookUp(opts.places, 'nước ngoài')?.name;
  const specific = distinct.length > 1 && abroad ? distinct.filter((p) => p !== abroad) : distinct;
  facts.places = specific;
  if (specific.length === 1) facts.province = specific[0];

  let words = 0;
  for (let i = 0; i < items.length && words < WHAT_MIN_WORDS; i++) if (items[i].kind === 'word' && /\p{L}/u.test(items[i].typed)) words++;
  if (words >= WHAT_MIN_WORDS) facts.what = cleanText(whole);
  return facts;
}
