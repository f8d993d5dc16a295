/**
 * Related tips: "possibly the same matter". When a tip arrives, earlier open tips of the same
 * category and province are compared with it by TF-IDF cosine similarity over normalised
 * Vietnamese (folded syllables and syllable bigrams). Links above a threshold are stored on both
 * cases with their score, for an officer to judge; nothing is ever merged automatically.
 */
// The tfidf folder's index only loads TfIdf; natural's own index loads storage modules that print to stdout.
import { TfIdf } from 'natural/lib/natural/tfidf';
import type { CaseRecord, HistoryEntry, RelatedLink, Store, TipFields } from '../store/port.js';
import { syllableNgrams, tokens } from '../text/normalize.js';
import type { FieldCipher } from './cipher.js';

export const RELATED_MIN_SCORE = 0.25;
export const RELATED_MAX_LINKS = 5;
/** How many earlier open tips of the same category and province are compared (newest first). */
export const RELATED_CANDIDATES = 200;

/**
 * "Possible flood": someone filing the same tip again and again to drown the queue. A tip is flagged
 * when, counting itself, at least FLOOD_MIN_TIPS tips of its category and province that read alike
 * (link score >= FLOOD_MIN_SCORE) were created within FLOOD_WINDOW_MS of each other.
 *
 * Why 0.6: two people independently describing the same matter in their own words score about
 * 0.3-0.4 (the karaoke tips in tests/cases-related.test.ts), while one text pasted again with
 * punctuation, diacritics or a word or two changed scores 0.7-1.0 (the flood tips there). 0.6 sits
 * between the two, above RELATED_MIN_SCORE, so separate witnesses of one busy place are not called
 * a flood and lightly edited copies still are. Copies reworded more heavily than that fall below
 * it: they stay "related" only, which an officer sees anyway.
 *
 * Only a flag for the officer: nothing is hidden, merged or deleted because of it.
 */
export const FLOOD_MIN_SCORE = 0.6;
export const FLOOD_MIN_TIPS = 5;
export const FLOOD_WINDOW_MS = 60 * 60 * 1000;

/**
 * Syllables too common to say anything about the matter; dropped as unigrams only (bigrams that
 * contain them, like "ma_tuy", stay).
 */
const STOP = new Set([
  'co', 'mot', 'nhung', 'cac', 'la', 'va', 'cua', 'thi', 'ma', 'de', 'duoc', 'khong', 'toi', 'em', 'minh',
  'nay', 'do', 'kia', 'vao', 'ra', 'voi', 'cho', 'tai', 'o', 'trong', 'khi', 'da', 'dang', 'se', 'rat', 'hay', 'hoac',
  'nguoi', 'nhieu', 'it', 'lai', 'cung', 'con', 'van', 'roi', 'nua', 'nen', 'vi', 'neu', 'tu', 'den', 'len', 'xuong',
  'gi', 'ai', 'nao', 'the', 'nhu', 'a', 'oi', 'nhe', 'nha', 'u', 'uh', 'ok',
]);

/** The features of a tip's text: folded syllables (without stop syllables) and syllable bigrams. */
export function tipFeatures(f: Pick<TipFields, 'what' | 'involved' | 'place'>): string[] {
  const toks = tokens([f.what, f.involved, f.place].filter(Boolean).join(' . '));
  return syllableNgrams(toks).filter((t) => !STOP.has(t));
}

function termCounts(feats: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of feats) m.set(f, (m.get(f) ?? 0) + 1);
  return m;
}

/**
 * Cosine similarity of the first document with each of the others, TF-IDF weighted over the whole
 * set (natural's TfIdf supplies the idf: 1 + ln(N / (1 + df)), always positive here).
 */
export function similarities(first: readonly string[], others: readonly (readonly string[])[]): number[] {
  const tfidf = new TfIdf();
  const docs = [first, ...others];
  for (const d of docs) tfidf.addDocument(d.slice());
  const vec = (d: readonly string[]): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [term, n] of termCounts(d)) out.set(term, n * tfidf.idf(term));
    return out;
  };
  const norm = (v: Map<string, number>): number => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0));
  const a = vec(first);
  const na = norm(a);
  return others.map((d) => {
    const b = vec(d);
    const nb = norm(b);
    if (na === 0 || nb === 0) return 0;
    let dot = 0;
    for (const [term, w] of a) { const x = b.get(term); if (x !== undefined) dot += w * x; }
    return dot / (na * nb);
  });
}

/**
 * Above this score two tips read as the same text (a few words changed): they are linked even from different
 * provinces — a trafficking recruiter's offer or a scam script reported from two places, or the reporter naming
 * where they are in one tip and the destination in the other. Same-province tips link from RELATED_MIN_SCORE.
 */
export const RELATED_ACROSS_PROVINCES_SCORE = 0.6;

/**
 * Finds earlier open tips of the same category that read like the new one — in its province from
 * RELATED_MIN_SCORE, elsewhere from RELATED_ACROSS_PROVINCES_SCORE — and links both ways (push.related,
 * plus a 'related' history entry on each). Returns the links made.
 */
export async function linkRelated(store: Store, cipher: FieldCipher, created: CaseRecord, plain: TipFields, now: Date = new Date()): Promise<RelatedLink[]> {
  const open: CaseRecord['status'][] = ['new', 'triaged', 'assigned', 'forwarded'];
  const [local, anywhere] = await Promise.all([
    store.queryCases({ category: [plain.category], province: [plain.province], status: open }, { limit: RELATED_CANDIDATES, order: 'newest' }),
    store.queryCases({ category: [plain.category], status: open }, { limit: RELATED_CANDIDATES, order: 'newest' }),
  ]);
  const seen = new Set<string>();
  const candidates = [...local.items, ...anywhere.items].filter((c) => {
    if (c.id === created.id || c.createdAt > created.createdAt || seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
  if (candidates.length === 0) return [];
  const mine = tipFeatures(plain);
  if (mine.length === 0) return [];
  const theirs = candidates.map((c) => {
    try {
      return tipFeatures(cipher.openFields(c.fields));
    } catch {
      return []; // sealed with a key this server no longer has: cannot compare
    }
  });
  const scores = similarities(mine, theirs);
  const links: RelatedLink[] = candidates
    .map((c, i): RelatedLink => ({
      caseId: c.id, ref: c.ref, score: Math.round(scores[i] * 1000) / 1000, at: c.createdAt,
      ...(c.fields.province === plain.province ? {} : { elsewhere: true as const }),
    }))
    .filter((l) => l.score >= (l.elsewhere ? RELATED_ACROSS_PROVINCES_SCORE : RELATED_MIN_SCORE))
    .sort((x, y) => y.score - x.score)
    .slice(0, RELATED_MAX_LINKS);
  if (links.length === 0) return [];
  const at = now.toISOString();
  const entry = (to: string): HistoryEntry => ({ at, by: 'system', action: 'related', to });
  await store.updateCase(created.id, { push: { related: links, history: links.map((l) => entry(l.ref)) } });
  for (const l of links) {
    const back: RelatedLink = { caseId: created.id, ref: created.ref, score: l.score, at: created.createdAt, ...(l.elsewhere ? { elsewhere: true as const } : {}) };
    await store.updateCase(l.caseId, { push: { related: [back], history: [entry(created.ref)] } });
  }
  return links;
}

/**
 * Whether a case looks like part of a flood, from its own related links alone (pure): the largest
 * group of tips, this one included, linked to it with score >= FLOOD_MIN_SCORE and all created
 * within FLOOD_WINDOW_MS of each other. `size` counts that group, or null below FLOOD_MIN_TIPS.
 * Links written before creation times were stored (no `at`) do not count, nor links to another province.
 *
 * A new tip keeps at most RELATED_MAX_LINKS links of its own, while earlier tips collect a link
 * from every later one, so in a long burst the later tips report a smaller size (still >= the
 * minimum) than the first ones: `size` is "at least this many".
 */
export function floodOf(c: CaseRecord): { size: number } | null {
  const own = Date.parse(c.createdAt);
  if (!Number.isFinite(own)) return null;
  const times = [own];
  const seen = new Set<string>([c.id]);
  for (const l of c.related) {
    if (l.score < FLOOD_MIN_SCORE || !l.at || l.elsewhere || seen.has(l.caseId)) continue;
    const t = Date.parse(l.at);
    if (!Number.isFinite(t) || Math.abs(t - own) > FLOOD_WINDOW_MS) continue;
    seen.add(l.caseId);
    times.push(t);
  }
  if (times.length < FLOOD_MIN_TIPS) return null;
  times.sort((a, b) => a - b);
  // The best window [s, s + FLOOD_WINDOW_MS] that holds this tip starts at one of the times.
  let size = 0;
  for (const s of times) {
    if (s > own) break;
    if (s + FLOOD_WINDOW_MS < own) continue;
    let n = 0;
    for (const t of times) if (t >= s && t <= s + FLOOD_WINDOW_MS) n++;
    size = Math.max(size, n);
  }
  return size >= FLOOD_MIN_TIPS ? { size } : null;
}
