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
 * Finds earlier open tips of the same category and province that read like the new one and links
 * both ways (push.related, plus a 'related' history entry on each). Returns the links made.
 */
export async function linkRelated(store: Store, cipher: FieldCipher, created: CaseRecord, plain: TipFields, now: Date = new Date()): Promise<RelatedLink[]> {
  const page = await store.queryCases(
    { category: [plain.category], province: [plain.province], status: ['new', 'triaged', 'assigned', 'forwarded'] },
    { limit: RELATED_CANDIDATES, order: 'newest' },
  );
  const candidates = page.items.filter((c) => c.id !== created.id && c.createdAt <= created.createdAt);
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
    .map((c, i) => ({ caseId: c.id, ref: c.ref, score: Math.round(scores[i] * 1000) / 1000 }))
    .filter((l) => l.score >= RELATED_MIN_SCORE)
    .sort((x, y) => y.score - x.score)
    .slice(0, RELATED_MAX_LINKS);
  if (links.length === 0) return [];
  const at = now.toISOString();
  const entry = (to: string): HistoryEntry => ({ at, by: 'system', action: 'related', to });
  await store.updateCase(created.id, { push: { related: links, history: links.map((l) => entry(l.ref)) } });
  for (const l of links) {
    await store.updateCase(l.caseId, { push: { related: [{ caseId: created.id, ref: created.ref, score: l.score }], history: [entry(created.ref)] } });
  }
  return links;
}
