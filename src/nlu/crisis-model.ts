/**
 * A statistical second opinion for the crisis router: a multinomial naive Bayes over syllable unigrams and
 * bigrams, with one class per crisis kind and a "none" class. It is trained once at start-up on the crisis
 * exemplars of content/nlu/crisis/<kind>.txt and, for "none", on content/nlu/crisis/none.txt plus every
 * ordinary question the bot knows (the knowledge base's paraphrases and the intents' training sentences),
 * so that a question *about* a crisis topic ("dấu hiệu sốc thuốc là gì") stays a question.
 *
 * The rules (crisis.ts) name the kind when they can; the model catches crises worded in ways the rules do not
 * know, and gives their kind. Pure and deterministic; one prediction is a few dozen microseconds.
 */
import { syllableNgrams, tokens } from '../text/normalize.js';

const ALPHA = 0.1;
export const NONE = 'none';

export interface CrisisPrediction {
  /** Probability that the text is a crisis of some kind (1 - P(none)). */
  crisis: number;
  /** The most probable crisis kind and its probability among the kinds. */
  kind: string;
  kindP: number;
}

export class CrisisModel {
  private readonly classes: string[] = [];
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly logDenom = new Map<string, number>();
  private readonly logPrior = new Map<string, number>();
  private readonly known = new Set<string>();

  constructor(examples: readonly { kind: string; text: string }[]) {
    const docs = new Map<string, number>();
    for (const { kind, text } of examples) {
      const feats = [...new Set(syllableNgrams(tokens(text)))];
      if (!feats.length) continue;
      let c = this.counts.get(kind);
      if (!c) { c = new Map(); this.counts.set(kind, c); this.classes.push(kind); }
      for (const f of feats) { c.set(f, (c.get(f) ?? 0) + 1); this.known.add(f); }
      docs.set(kind, (docs.get(kind) ?? 0) + 1);
    }
    // Equal priors: how many examples a kind has says nothing about how often it happens.
    for (const k of this.classes) {
      let sum = 0;
      for (const n of (this.counts.get(k) as Map<string, number>).values()) sum += n;
      this.logDenom.set(k, Math.log(sum + ALPHA * this.known.size));
      this.logPrior.set(k, 0);
    }
  }

  predict(text: string): CrisisPrediction | undefined {
    const feats = [...new Set(syllableNgrams(tokens(text)))].filter((f) => this.known.has(f));
    if (feats.length === 0 || !this.counts.has(NONE)) return undefined;
    const scores = this.classes.map((k) => {
      const c = this.counts.get(k) as Map<string, number>;
      const d = this.logDenom.get(k) as number;
      let s = this.logPrior.get(k) as number;
      for (const f of feats) s += Math.log((c.get(f) ?? 0) + ALPHA) - d;
      return { k, s };
    });
    const max = Math.max(...scores.map((x) => x.s));
    // A temperature that grows with the message, so long messages are not 0/1 certain.
    const temp = Math.max(1, Math.sqrt(feats.length));
    const ps = scores.map((x) => ({ k: x.k, p: Math.exp((x.s - max) / temp) }));
    const sum = ps.reduce((a, b) => a + b.p, 0);
    const none = (ps.find((x) => x.k === NONE)?.p ?? 0) / sum;
    const kinds = ps.filter((x) => x.k !== NONE).sort((a, b) => b.p - a.p);
    const kindSum = kinds.reduce((a, b) => a + b.p, 0);
    return { crisis: 1 - none, kind: kinds[0].k, kindP: kinds[0].p / kindSum };
  }
}
