/**
 * The language understanding of Bình An, built once from the bundle: the intent classifier (trained on
 * content/nlu/*.txt and on the knowledge base's questions), the crisis detector, the language detector,
 * the entity extractor and the knowledge retrieval. Every method is a pure function of its arguments.
 */
import type { Bundle } from '../bundle/types.js';
import type { Classification, CrisisSignal, Entities, EntryHit, Lang, Nlu, NluContext } from '../engine/types.js';
import { IntentClassifier } from './classifier.js';
import { asksAboutCrisis, type CrisisKind, DANGER_CUE, detectCrisis, PARENT, pastOrSafe, POLICE, prepareCrisisText, routineBullying, sextortionWords, trappedWords, heldOrHappening } from './crisis.js';
import { CrisisModel, NONE } from './crisis-model.js';
import { EntityExtractor } from './entities.js';
import { LanguageDetector } from './language.js';
import { Retriever } from './retrieval.js';
import { extractTipFacts, type PlaceMatcher } from './tip-facts.js';
import { findOwnIdentity } from './identity.js';
import { placeMatcher } from '../bundle/places.js';
import { LRUCache } from 'lru-cache';

/**
 * What is read from a message's text alone is kept for the texts seen lately: people write the same short
 * things ("ok", "có", "menu", "xin chào", a button's label) over and over, and every answer below is a pure
 * function of the text. Results are shared, so they are frozen.
 */
const MEMO_TEXTS = 5_000;
/** Longer texts are rarely written twice: not kept. */
const MEMO_MAX_CHARS = 300;

class TextMemo<V extends {}> {
  private readonly lru = new LRUCache<string, { v: V | undefined }>({ max: MEMO_TEXTS });
  constructor(private readonly compute: (text: string) => V | undefined) {}
  get(text: string): V | undefined {
    if (text.length > MEMO_MAX_CHARS) return this.compute(text);
    let hit = this.lru.get(text);
    if (!hit) {
      const v = this.compute(text);
      hit = { v: v === undefined ? v : deepFreeze(v) };
      this.lru.set(text, hit);
    }
    return hit.v;
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export interface NluOptions {
  /** Below this top-1 confidence the bot asks instead of guessing. */
  threshold?: number;
  /** The crisis model's probability from which a message the rules did not name is a crisis (default 0.7). */
  crisisThreshold?: number;
}

/** The crisis model's examples: the exemplars, and every ordinary question the bot knows as "none". */
export function crisisExamples(bundle: Bundle): { kind: string; text: string }[] {
  const out = [...bundle.content.crisisTraining];
  for (const e of bundle.knowledge.entries.values()) for (const text of [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en]) out.push({ kind: NONE, text });
  for (const t of bundle.content.training) if (t.intent !== 'emergency') out.push({ kind: NONE, text: t.text });
  return out;
}

/** The knowledge base's questions, labelled with their entries' intents: more ways to say each intent. */
export function trainingSentences(bundle: Bundle): { intent: string; text: string }[] {
  const out = [...bundle.content.training];
  const written = new Map<string, number>();
  for (const t of out) written.set(t.intent, (written.get(t.intent) ?? 0) + 1);
  // Intents with their own training sentences keep them; an intent the content introduced without many
  // (prostitution, online_scam...) learns from its knowledge entries' questions. Taking every entry's
  // questions for every intent would let the largest topics outweigh the rest.
  for (const e of bundle.knowledge.entries.values()) {
    if ((written.get(e.intent) ?? 0) >= MIN_WRITTEN) continue;
    for (const text of [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en]) out.push({ intent: e.intent, text });
  }
  return out;
}

/** How sure the crisis model must be that a message in an open crisis makes it worse. */
const ESCALATION_P = 0.9;
/** Thoughts of suicide that turn into "locked in, not answering" are an attempt, maybe now: the ambulance. */
const WORSE: Readonly<Record<string, CrisisKind>> = { self_harm: 'self_injury' };
const OTHER_PRONOUN = /\b(no|chau|con|ban ay|ban do|she|he|her|him|they|them)\b/;

/** An intent with at least this many sentences of its own is trained on them alone. */
const MIN_WRITTEN = 50;

export class BinhAnNlu implements Nlu {
  readonly classifier: IntentClassifier;
  /** The same model trained on every knowledge question too: retrieval's prior over intents. */
  private readonly questionPrior: IntentClassifier;
  readonly retriever: Retriever;
  readonly crisisModel: CrisisModel;
  private readonly crisisThreshold: number;
  private readonly languages: LanguageDetector;
  private readonly extractor: EntityExtractor;
  private readonly places: PlaceMatcher;

  constructor(bundle: Bundle, opts: NluOptions = {}) {
    this.classifier = new IntentClassifier(trainingSentences(bundle), { threshold: opts.threshold });
    this.questionPrior = new IntentClassifier([...bundle.content.training, ...[...bundle.knowledge.entries.values()]
      .flatMap((e) => [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en].map((text) => ({ intent: e.intent, text })))], { threshold: opts.threshold });
    this.retriever = new Retriever(bundle.knowledge, bundle.content.entities);
    this.places = placeMatcher(bundle.content.places);
    this.crisisModel = new CrisisModel(crisisExamples(bundle));
    this.crisisThreshold = opts.crisisThreshold ?? 0.7;
    const vi: string[] = [];
    const en: string[] = [];
    for (const e of bundle.knowledge.entries.values()) {
      vi.push(e.q.vi, ...e.ask.vi, ...e.answer.vi);
      en.push(e.q.en, ...e.ask.en, ...e.answer.en);
    }
    for (const m of Object.values(bundle.content.messages)) { vi.push(m.vi); en.push(m.en); }
    for (const a of Object.values(bundle.content.answers)) { vi.push(...a.vi); en.push(...a.en); }
    this.languages = new LanguageDetector({ vi, en });
    this.extractor = new EntityExtractor(bundle.content.entities, bundle.content.places, vi);
  }

  private readonly memo = {
    classify: new TextMemo((t) => this.classifier.classify(t)),
    prior: new TextMemo((t) => new Map(this.questionPrior.distribution(t).map((d) => [d.intent, d.confidence]))),
    entities: new TextMemo((t) => this.extractor.extract(t)),
    language: new TextMemo((t) => this.languages.detect(t)),
    crisisText: new TextMemo((t) => prepareCrisisText(t)),
  };

  classify(text: string): Classification {
    return this.memo.classify.get(text) as Classification;
  }

  /** The message has a word of danger in it (see crisis.ts DANGER_CUE). */
  dangerWords(text: string): boolean {
    const input = this.memo.crisisText.get(text) as ReturnType<typeof prepareCrisisText>;
    return DANGER_CUE.test(input.norm);
  }

  language(text: string): Lang | undefined {
    return this.memo.language.get(text);
  }

  crisis(text: string, ctx: NluContext = {}): CrisisSignal | undefined {
    const input = this.memo.crisisText.get(text) as ReturnType<typeof prepareCrisisText>;
    const rule = detectCrisis(input, ctx);
    if (rule) return rule;
    // Right after a crisis answer, the same crisis getting worse ("she's not answering anymore", "cháu vừa
    // khóa trái cửa, gọi mãi không trả lời") is worded without danger words: the model alone decides, strictly.
    const open = ctx.thread?.crisis;
    if (open && !ctx.answering && !asksAboutCrisis(input.norm) && !pastOrSafe(input.norm, input.accented) && input.norm.split(' ').length >= 3) {
      const p = this.crisisModel.predict(text);
      if (p && p.crisis >= ESCALATION_P) {
        const e = this.extractor.extract(text);
        return { kind: WORSE[open] ?? open, aboutOther: e.relation !== undefined || OTHER_PRONOUN.test(input.norm), child: e.who === 'child', now: true, police: POLICE.test(input.norm), parent: PARENT.test(input.norm) };
      }
    }
    // While a question is answered, only the rules speak: an ordinary answer must never raise an alarm.
    if (ctx.answering || pastOrSafe(input.norm, input.accented) || asksAboutCrisis(input.norm)) return undefined;
    // Outside a question, the crisis model adds recall for crises worded in ways the rules do not know.
    // A greeting or a word or two is too little for the model to judge, and a message with no word of
    // danger in it ("mai Hà Nội có mưa không") is never a crisis.
    if (input.norm.split(' ').length < 5 || !DANGER_CUE.test(input.norm) || routineBullying(input.norm)) return undefined;
    const p = this.crisisModel.predict(text);
    if (!p || p.crisis < this.crisisThreshold || p.kindP < 0.4) return undefined;
    if (p.kind === 'sextortion' && !sextortionWords(input.norm)) return undefined;
    // Taken or held without the words of a trap abroad: a danger now, or (a passport photo sent) no crisis.
    let kind = p.kind;
    if (kind === 'trapped_abroad' && !trappedWords(input.norm)) {
      if (!heldOrHappening(input.norm)) return undefined;
      kind = 'danger_now';
    }
    const e = this.extractor.extract(text);
    return { kind, aboutOther: e.relation !== undefined, child: e.who === 'child' || (e.age !== undefined && e.age < 18), police: POLICE.test(input.norm), parent: e.relation !== undefined && PARENT.test(input.norm) };
  }

  storyFacts(text: string): Record<string, string> {
    const f = extractTipFacts(text, { places: this.places });
    return {
      ...(f.category ? { category: f.category } : {}),
      ...(f.province ? { province: f.province } : {}),
      ...(f.when ? { when: f.when } : {}),
      ...(f.involved.length ? { involved: f.involved.join(', ').slice(0, 1000) } : {}),
      ...(f.what ? { what: f.what.slice(0, 2000) } : {}),
    };
  }

  ownIdentity(text: string, lang: Lang = 'vi'): { found: string[]; redacted: string } {
    const src = text.toWellFormed();
    const r = findOwnIdentity(src, lang === 'en' ? { marker: '[removed]' } : {});
    return { found: r.spans.map((x) => src.slice(x.start, x.end)), redacted: r.redacted };
  }

  entities(text: string): Entities {
    return this.memo.entities.get(text) as Entities;
  }

  retrieve(text: string, ctx: NluContext = {}): EntryHit[] {
    // The same words in the same thread (topic, last entry, what was named) are answered from the same hits.
    const key = text.length > MEMO_MAX_CHARS ? undefined : `${ctx.thread ? JSON.stringify(ctx.thread) : ''}\u0000${text}`;
    const hit = key === undefined ? undefined : this.retrieved.get(key);
    if (hit) return [...hit];
    const dist = this.memo.prior.get(text) as Map<string, number>;
    const hits = this.retriever.search(text, { thread: ctx.thread, entities: this.entities(text), intentP: (i) => dist.get(i) ?? 0 });
    if (key !== undefined) this.retrieved.set(key, deepFreeze(hits));
    return [...hits];
  }

  private readonly retrieved = new LRUCache<string, EntryHit[]>({ max: MEMO_TEXTS });
}
