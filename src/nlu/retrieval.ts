/**
 * Retrieval over the knowledge base: which entries answer a message.
 *
 * Two views of each entry, combined:
 *   - a MiniSearch index (BM25+) of every way the entry is asked (its question and paraphrases, both
 *     languages) and, with less weight, of its answer, over Vietnamese-normalised terms: folded syllables
 *     with teencode expanded, plus syllable bigrams ("cai_nghien"), so compounds and word order count;
 *     long words also match with one typo;
 *   - a multinomial naive Bayes over the same terms with the entries as classes, which weighs every
 *     word of a paraphrase set rather than the single best-matching paraphrase.
 * Slang for substances is expanded to their names ("cỏ" -> "cần sa", "whippets" -> "bóng cười N2O").
 * An entry's rank is then weighted by:
 *   - the intent classifier's belief in the entry's intent (the two models agree or not),
 *   - the thread: a short follow-up ("có mất tiền không", "bao lâu", "nó có gây nghiện ko") is read
 *     with the topic being talked about and favours that topic and the entries related to the last answer,
 *   - entities: a substance, country or relation named now or earlier in the thread.
 * The confidence is separate from the rank: how much of the message the best paraphrase explains and how
 * much of the paraphrase the message covers (inverse-document-frequency weighted), in [0, 1].
 * Everything is built once at start-up; a search takes well under a millisecond.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { LRUCache } from 'lru-cache';
import type { Knowledge, KnowledgeEntry } from '../bundle/types.js';
import type { EntitiesFile } from '../bundle/schema.js';
import type { Entities, EntryHit, Thread } from '../engine/types.js';
import { syllableNgrams, tokens as vnTokens } from '../text/normalize.js';
// natural's Porter stemmer alone (its index loads storage back-ends with side effects).
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer';

// English words with an English ending are stemmed ("addicted", "addiction" -> "addict"); Vietnamese syllables
// never end that way, so they pass unchanged.
const ENGLISH_ENDING = /^[a-z]{4,}(?:ing|ed|es|s|ion|ions|ive|ly|ment|ness|ity|ies|er|ers)$/;
const stemCache = new Map<string, string>();
function stem(w: string): string {
  if (!ENGLISH_ENDING.test(w)) return w;
  let s = stemCache.get(w);
  if (s === undefined) { s = (PorterStemmer as { stem(w: string): string }).stem(w); if (stemCache.size < 50_000) stemCache.set(w, s); }
  return s;
}
const tokens = (text: string): string[] => vnTokens(text).map(stem);

interface Doc {
  id: number;
  entry: string;
  terms: string[];
  /** A way of asking (1) or the answer's text (less). */
  weight: number;
}

export interface RetrievalContext {
  thread?: Thread;
  /** Entities named in this message. */
  entities?: Entities;
  /** The intent classifier's probability for an intent (0..1). */
  intentP?: (intent: string) => number;
}

// Words that make a message a follow-up to what was just said.
const ANAPHORA = /\b(no|cai do|viec do|chuyen do|ke do|nguoi do|ben do|so do|cho do|vay thi|the thi|the con|con .{1,20} thi sao|thi sao|ho co|it|they|them|he|she)\b/;
/** A way of asking written for entries of this many topics says nothing of its own ("bao lâu", "ở đâu"); two
 * entries may share a real question ("gọi cấp cứu có bị công an bắt không"). */
const SHARED_TOPICS = 3;
/** How far ahead (rank ratio) one entry sharing such a way of asking must be to answer it outside its thread. */
const CLEAR_LEAD = 2;
/** A message longer than this is never a follow-up, whatever words it has. */
const LONG = 14;
/** At most this many syllables (Vietnamese) or words: a follow-up, read in the thread's topic. */
const SHORT = 8;
const ANSWER_WEIGHT = 0.35;
const NB_ALPHA = 0.02;
/** How much the naive Bayes posterior counts next to the BM25 score (normalised to the best candidate). */
const NB_WEIGHT = 3;
const CANDIDATES = 30;
/** A term in more than this share of the documents is left out of the BM25 query. */
const COMMON_SHARE = 0.04;
/** How well an entry of the current topic must fit a short follow-up to be preferred to other topics. */
const FOLLOW_UP_FIT = 0.35;
/** A short follow-up's fit is measured on the entry's document found by its own words if that one ranked at
 * least this share of the best (found with the topic's words too). */
const OWN_FIT_SHARE = 0.8;
/** How much a candidate counts with no fit at all, next to 1 + its fit (0..1). */
const FIT_FLOOR = 1;

export class Retriever {
  private readonly topicWords = new Map<string, string[]>();
  private readonly substanceWords = new Map<string, string[]>();
  private readonly index: MiniSearch<Doc>;
  /** Search results of the queries seen lately (a pure function of the query; not mutated). */
  private readonly searched = new LRUCache<string, SearchResult[]>({ max: 2_000 });
  private readonly docs: Doc[] = [];
  private readonly idf = new Map<string, number>();
  /** How many documents each indexed term (unigram or bigram) is in. */
  private readonly termDocs = new Map<string, number>();
  private readonly entries: Map<string, KnowledgeEntry>;
  /** Naive Bayes: per entry, term counts (paraphrases only) and the log denominator. */
  private readonly nbCounts = new Map<string, Map<string, number>>();
  private readonly nbLogDenom = new Map<string, number>();
  /** Ways of asking that say nothing of their own ("bao lâu", "how long"), written for entries of several (SHARED_TOPICS) topics:
   * the entries that have each. Such a message is about the thread, or it is unclear. */
  private readonly sharedAsks = new Map<string, Set<string>>();

  constructor(knowledge: Knowledge, entities?: EntitiesFile) {
    this.entries = knowledge.entries;
    for (const t of knowledge.topics.values()) this.topicWords.set(t.id, tokens(`${t.label.vi} ${t.label.en}`));
    for (const s of entities?.substances ?? []) this.substanceWords.set(s.id, tokens(`${s.name.vi} ${s.name.en}`));
    const vocabulary = new Set<string>();
    for (const e of knowledge.entries.values()) {
      const counts = new Map<string, number>();
      for (const text of [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en]) {
        const terms = tokens(text);
        if (!terms.length) continue;
        this.docs.push({ id: this.docs.length, entry: e.id, terms, weight: 1 });
        for (const f of syllableNgrams(terms)) { counts.set(f, (counts.get(f) ?? 0) + 1); vocabulary.add(f); }
      }
      for (const lang of ['vi', 'en'] as const) {
        const terms = tokens(`${e.label[lang]} ${e.answer[lang].join(' ')}`);
        if (terms.length) this.docs.push({ id: this.docs.length, entry: e.id, terms, weight: ANSWER_WEIGHT });
      }
      this.nbCounts.set(e.id, counts);
    }
    const askedBy = new Map<string, Set<string>>();
    for (const e of knowledge.entries.values()) {
      for (const text of [...e.ask.vi, ...e.ask.en]) {
        const key = tokens(text).join(' ');
        if (key) askedBy.set(key, (askedBy.get(key) ?? new Set<string>()).add(e.id));
      }
    }
    for (const [key, ids] of askedBy) {
      if (new Set([...ids].map((id) => this.entries.get(id)?.topic)).size >= SHARED_TOPICS) this.sharedAsks.set(key, ids);
    }
    for (const [id, counts] of this.nbCounts) {
      let sum = 0;
      for (const n of counts.values()) sum += n;
      this.nbLogDenom.set(id, Math.log(sum + NB_ALPHA * vocabulary.size));
    }
    const asks = this.docs.filter((d) => d.weight === 1);
    const df = new Map<string, number>();
    for (const d of asks) for (const t of new Set(d.terms)) df.set(t, (df.get(t) ?? 0) + 1);
    const n = asks.length;
    for (const [t, k] of df) this.idf.set(t, Math.log(1 + (n - k + 0.5) / (k + 0.5)));
    this.index = new MiniSearch<Doc>({
      fields: ['text'],
      storeFields: ['entry', 'weight'],
      extractField: (doc, field) => (field === 'text' ? syllableNgrams(doc.terms).join(' ') : (doc as unknown as Record<string, string>)[field]),
      tokenize: (text) => text.split(' ').filter(Boolean),
      processTerm: (term) => term,
      searchOptions: { tokenize: (text) => text.split(' ').filter(Boolean), processTerm: (term) => term },
    });
    this.index.addAll(this.docs);
    for (const d of this.docs) for (const t of new Set(syllableNgrams(d.terms))) this.termDocs.set(t, (this.termDocs.get(t) ?? 0) + 1);
    this.commonAbove = Math.max(50, Math.round(this.docs.length * COMMON_SHARE));
  }

  /** The entry is what the conversation is about: the thread's topic, written for its open crisis, linked to
   * its last answer, or (a parent asking about their child: "có cần thuê luật sư cho cháu không" after "con
   * trai tôi 16 tuổi") written for parents of that child. */
  private ofThread(thread: Thread, id: string): boolean {
    const e = this.entries.get(id) as KnowledgeEntry;
    const last = thread.entry ? this.entries.get(thread.entry) : undefined;
    return e.topic === thread.topic || (thread.crisis !== undefined && e.tags.includes(`crisis:${thread.crisis}`))
      || (last !== undefined && (last.related.includes(id) || e.related.includes(last.id)))
      || (thread.entities.relation === 'child' && e.tags.includes('relation:child'));
  }

  /** Terms in more documents than this (function words: "có", "không", "bị") carry no weight in BM25
   * and cost the most to score, so the BM25 query leaves them out; naive Bayes still sees them. */
  private readonly commonAbove: number;

  /** The BM25 query: distinctive terms only; long unknown words may match a known one with one typo. */
  private query(terms: string[]): { text: string; fuzzy: Set<string> } {
    const kept = syllableNgrams(terms).filter((t) => (this.termDocs.get(t) ?? 0) <= this.commonAbove);
    const fuzzy = new Set(kept.filter((t) => t.length >= 6 && !t.includes('_') && !this.termDocs.has(t)));
    return { text: [...new Set(kept)].join(' '), fuzzy };
  }

  get size(): { entries: number; documents: number } {
    return { entries: this.entries.size, documents: this.docs.length };
  }

  search(text: string, ctx: RetrievalContext = {}, limit = 5): EntryHit[] {
    const raw = tokens(text);
    if (raw.length === 0) return [];
    const thread = ctx.thread;
    const named = ctx.entities ?? {};
    const short = raw.length <= SHORT || (raw.length <= LONG && ANAPHORA.test(raw.join(' ')));
    const medium = !short && raw.length <= LONG;
    // Slang names the substance: search with its name too.
    const q = named.substance ? [...raw, ...(this.substanceWords.get(named.substance) ?? [])] : raw;
    // Per entry: its best rank and that document, and the document that best fits the message's own words.
    const best = new Map<string, { rank: number; doc: number; own?: number; ownRank?: number }>();
    const collect = (terms: string[], weight: number, own: boolean): void => {
      const { text: query, fuzzy } = this.query(terms);
      if (!query) return;
      // The same query (the same words, or the same follow-up in the same topic) is searched once.
      let results = this.searched.get(query);
      if (!results) {
        results = this.index.search(query, {
          // One typo in long unknown words; bigrams and short syllables must match exactly.
          fuzzy: (term) => (fuzzy.has(term) ? 1 : false),
          weights: { fuzzy: 0.4, prefix: 0 },
        });
        this.searched.set(query, results);
      }
      for (const r of results) {
        const entry = r.entry as string;
        const score = r.score * weight * (r.weight as number);
        const prev = best.get(entry) ?? { rank: -1, doc: r.id as number };
        if (score > prev.rank) { prev.rank = score; prev.doc = r.id as number; }
        if (own && score > (prev.ownRank ?? -1)) { prev.ownRank = score; prev.own = r.id as number; }
        best.set(entry, prev);
      }
    };
    collect(q, 1, true);
    // A short follow-up ("bao lâu", "có mất tiền không") is also read with the topic being talked about.
    const topicWords = thread?.topic ? this.topicWords.get(thread.topic) : undefined;
    if (short && topicWords) collect([...q, ...topicWords], 0.9, false);
    const qSet = new Set(raw);
    const substance = named.substance ?? thread?.entities.substance;
    const country = named.country ?? thread?.entities.country;
    // Naive Bayes over the best candidates only, as a probability among them.
    const candidates = [...best.entries()].sort((a, b) => b[1].rank - a[1].rank).slice(0, CANDIDATES);
    const nb = this.naiveBayes(syllableNgrams(q), candidates.map(([id]) => id));
    const top = candidates[0]?.[1].rank ?? 1;
    const hits: (EntryHit & { rank: number; anchored: boolean })[] = [];
    for (const [id, b] of candidates) {
      const e = this.entries.get(id) as KnowledgeEntry;
      // The fit is measured on the document that best matched the message's own words, not on one reached
      // through the topic's words ("what should I screenshot for the police" after a scam).
      // (when that document matched nearly as strongly on its own).
      const doc = this.docs[b.own !== undefined && (b.ownRank ?? 0) >= OWN_FIT_SHARE * b.rank ? b.own : b.doc];
      const score = this.confidence(qSet, doc.terms) * (doc.weight === 1 ? 1 : 0.6);
      let rank = b.rank / top + NB_WEIGHT * (nb.get(id) ?? 0);
      // The classifier reads the message alone; in a thread, the topic being talked about is likely too.
      if (ctx.intentP) rank *= 0.6 + 0.8 * (thread?.topic === e.topic && !named.substance && !named.country ? Math.max(ctx.intentP(e.intent), 0.5) : ctx.intentP(e.intent));
      // A follow-up belongs to the topic being talked about, unless it names something else.
      // (An entry of the topic found only through the topic's own words, fitting none of the message's, is not favoured.)
      // A medium-length message that names nothing new is still more likely about the topic than not.
      const unnamed = !named.substance && !named.country;
      if (thread?.topic) {
        rank *= e.topic === thread.topic ? (score > 0 ? (short ? 2 : medium && unnamed ? 1.5 : 1.15) : 1)
          : short && unnamed ? 0.6 : medium && unnamed ? 0.7 : 1;
      }
      if (short && thread?.entry && (e.related.includes(thread.entry) || this.entries.get(thread.entry)?.related.includes(id))) rank *= 1.2;
      rank *= this.tagWeight(e, 'substance', substance, named.substance !== undefined);
      rank *= this.tagWeight(e, 'country', country, named.country !== undefined);
      // About a child: said so, or an age under 18 given now or earlier ("con trai tôi 16 tuổi").
      const age = named.age ?? thread?.entities.age;
      if ((named.who === 'child' || thread?.entities.who === 'child' || (age !== undefined && age < 18)) && e.tags.includes('who:child')) rank *= 1.25;
      // Right after a crisis answer, the entries written for that crisis's follow-ups come first.
      // (and those written for another crisis come after: the overdose checklist is not for a cut wrist).
      if (thread?.crisis) rank *= e.tags.includes(`crisis:${thread.crisis}`) ? 2 : e.tags.some((x) => x.startsWith('crisis:')) ? 0.5 : 1;
      // The person the conversation is about (named now or earlier in the thread: "cháu" after "con trai tôi 16 tuổi").
      const relation = named.relation ?? thread?.entities.relation;
      // (an entry written only for another relation, a friend's arrest, fits a parent's question less).
      if (relation) rank *= e.tags.includes(`relation:${relation}`) ? 1.25 : e.tags.some((x) => x.startsWith('relation:')) ? 0.7 : 1;
      const anchored = (named.substance !== undefined && e.tags.includes(`substance:${named.substance}`))
        || (thread?.crisis !== undefined && e.tags.includes(`crisis:${thread.crisis}`))
        || (named.country !== undefined && e.tags.includes(`country:${named.country}`))
        || (short && e.topic === thread?.topic && !named.substance && !named.country && score > 0);
      // A candidate whose ways of asking fit the message's own words ranks above one carried by context alone.
      rank *= FIT_FLOOR + score;
      hits.push({ id, rank, anchored, score });
    }
    hits.sort((a, b) => b.rank - a.rank);
    // A short follow-up that an entry of the current topic answers well is about that topic, even if
    // another topic has the same words ("how long does it take" after rehab is not about tips).
    // Entries written for the open crisis's follow-ups, and those linked to the last answer, count as the thread
    // too. Another topic's entry that fits the words much better still wins ("bao lâu thì hết trong nước tiểu").
    // "Bao lâu", "how long": asked in the words several topics' entries share. Only the thread's own entries
    // answer it (one asked that way, or one that fits it well); with none, the candidates are returned as unclear (the engine asks which one is meant)
    // rather than the best-ranked entry of another topic ("mất bao lâu" after a scam compound is not rehab).
    const shared = this.sharedAsks.get(raw.join(' '));
    if (shared) {
      const own = hits.filter((h) => thread !== undefined && this.ofThread(thread, h.id) && (shared.has(h.id) || h.score >= FOLLOW_UP_FIT));
      if (own.length) return own.slice(0, limit).map(({ id, score, rank }) => ({ id, score, rank, anchored: true }));
      // Unless what else is known of the conversation (the classifier's reading of it) puts one far ahead.
      const sharing = hits.filter((h) => shared.has(h.id));
      if (!(sharing[0] && sharing[0].rank >= CLEAR_LEAD * (sharing[1]?.rank ?? 0))) {
        return sharing.slice(0, limit).map(({ id, score, rank }) => ({ id, score, rank, unclear: true }));
      }
    }
    if (short && thread?.topic && !named.substance && !named.country) {
      const ofThread = (h: EntryHit): boolean => this.ofThread(thread, h.id);
      const bestElsewhere = Math.max(0, ...hits.filter((h) => !ofThread(h)).map((h) => h.score));
      const inTopic = (h: EntryHit): boolean => ofThread(h) && h.score >= FOLLOW_UP_FIT && h.score >= bestElsewhere - 0.4;
      const lead = Math.max(0, ...hits.filter((h) => !inTopic(h)).map((h) => h.rank));
      for (const h of hits) if (inTopic(h)) h.rank += lead;
      hits.sort((a, b) => b.rank - a.rank);
    }
    return hits.slice(0, limit).map(({ id, score, rank, anchored }) => ({ id, score, rank, ...(anchored ? { anchored } : {}) }));
  }

  /** Posterior probabilities of the candidate entries given the terms (uniform prior). */
  private naiveBayes(terms: string[], candidates: string[]): Map<string, number> {
    const out = new Map<string, number>();
    if (!candidates.length) return out;
    const logs = candidates.map((id) => {
      const counts = this.nbCounts.get(id) as Map<string, number>;
      const denom = this.nbLogDenom.get(id) as number;
      let s = 0;
      for (const t of terms) s += Math.log((counts.get(t) ?? 0) + NB_ALPHA) - denom;
      return s;
    });
    const max = Math.max(...logs);
    const temp = Math.max(1, Math.sqrt(terms.length));
    const ps = logs.map((l) => Math.exp((l - max) / temp));
    const sum = ps.reduce((a, b) => a + b, 0);
    candidates.forEach((id, i) => out.set(id, ps[i] / sum));
    return out;
  }

  /** An entry tagged for the named thing is favoured; one tagged only for another thing is not. */
  private tagWeight(e: KnowledgeEntry, kind: 'substance' | 'country', id: string | undefined, namedNow: boolean): number {
    if (!id) return 1;
    const tags = e.tags.filter((t) => t.startsWith(`${kind}:`));
    if (tags.length === 0) return 1;
    if (tags.includes(`${kind}:${id}`)) return namedNow ? 1.5 : 1.3;
    return namedNow ? 0.6 : 0.85;
  }

  /** The harmonic mean of how much of the message the document explains, and of the document the message covers. */
  private confidence(q: Set<string>, doc: string[]): number {
    const d = new Set(doc);
    let qAll = 0;
    let dAll = 0;
    let both = 0;
    for (const t of q) {
      const w = this.idf.get(t);
      if (w === undefined) continue;
      qAll += w;
      if (d.has(t)) both += w;
    }
    for (const t of d) dAll += this.idf.get(t) ?? 0;
    if (both === 0 || qAll === 0 || dAll === 0) return 0;
    const a = both / qAll;
    const b = both / dAll;
    return (2 * a * b) / (a + b);
  }
}
