/**
 * Intent classifier: a multinomial naive Bayes over syllable unigrams and bigrams of the
 * normalised text, with natural's Bayes model keeping the per-class feature counts, plus
 * high-recall emergency rules. Trained once at start-up from content/nlu/*.txt;
 * classification is pure and does no I/O.
 */
// Import the classifier module alone: natural's index also loads its storage back-ends, which
// read a .env file into process.env and print to stdout as a side effect.
import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier';
import type { Classification, Classifier, Intent } from '../engine/types.js';
import { tokens, syllableNgrams } from '../text/normalize.js';
import { detectCrisis, pastOrSafe, prepareCrisisText } from './crisis.js';

export interface ClassifierOptions {
  /** Below this top-1 confidence the bot asks instead of guessing. */
  threshold?: number;
  /** Emergency wins whenever its probability reaches this (recall first). */
  emergencyFloor?: number;
  /** Additive (Lidstone) smoothing of feature counts. */
  alpha?: number;
}

/**
 * natural's apparatus Bayes model, used through its sparse API. Constructed with smoothing = alpha,
 * it stores count + alpha for every feature seen in a class and answers alpha for unseen ones:
 * exactly the Lidstone-smoothed numerator of a multinomial model.
 */
interface BayesModel {
  addExample(observation: Record<number, string>, label: string): void;
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  smoothing: number;
}

/** Training features. Not a name Object.prototype has ("constructor"): natural's counts are plain objects. */
function features(text: string): string[] {
  return [...new Set(syllableNgrams(tokens(text)))].filter((f) => !(f in Object.prototype));
}

export class IntentClassifier implements Classifier {
  readonly threshold: number;
  private readonly emergencyFloor: number;
  private readonly alpha: number;
  private readonly model: BayesModel;
  private readonly labels: Intent[];
  private readonly logPrior = new Map<string, number>();
  /** log of each class's smoothed feature total (the multinomial denominator). */
  private readonly logDenominator = new Map<string, number>();
  private readonly known = new Set<string>();

  constructor(training: readonly { intent: Intent; text: string }[], opts: ClassifierOptions = {}) {
    const order: Intent[] = [];
    this.threshold = opts.threshold ?? 0.45;
    this.emergencyFloor = opts.emergencyFloor ?? 0.35;
    this.alpha = opts.alpha ?? 0.05;
    this.model = (new BayesClassifier(undefined, this.alpha) as unknown as { classifier: BayesModel }).classifier;
    const docs = new Map<string, number>();
    for (const { intent, text } of training) {
      const feats = features(text);
      if (feats.length === 0) continue;
      for (const f of feats) this.known.add(f);
      this.model.addExample({ ...feats }, intent);
      if (!docs.has(intent)) order.push(intent);
      docs.set(intent, (docs.get(intent) ?? 0) + 1);
    }
    this.labels = order;
    const totalDocs = [...docs.values()].reduce((a, b) => a + b, 0);
    const vocabulary = this.known.size;
    for (const label of this.labels) {
      const counts = this.model.classFeatures[label];
      let sum = 0;
      let seen = 0;
      for (const k in counts) { sum += counts[k]; seen++; }
      this.logDenominator.set(label, Math.log(sum + this.alpha * (vocabulary - seen)));
      // A flattened prior: class sizes in the training files say little about real traffic.
      this.logPrior.set(label, 0.5 * Math.log((docs.get(label) as number) / totalDocs));
    }
  }

  /** The probability of every intent for a text (the emergency rules aside), highest first. */
  distribution(text: string): { intent: Intent; confidence: number }[] {
    const toks = tokens(text);
    const feats = [...new Set(syllableNgrams(toks))].filter((f) => this.known.has(f));
    if (feats.length === 0) return [];
    const scores = this.labels.map((label) => {
      const counts = this.model.classFeatures[label];
      const denom = this.logDenominator.get(label) as number;
      let s = this.logPrior.get(label) as number;
      // Own keys only: the counts are a plain object, and a feature may be "constructor".
      for (const f of feats) s += Math.log(Object.hasOwn(counts, f) ? counts[f] : this.alpha) - denom;
      return { intent: label, score: s };
    });
    let max = -Infinity;
    for (const sc of scores) if (sc.score > max) max = sc.score;
    // Softmax with a temperature that grows with the message, so long messages are not 0/1 certain.
    const temp = Math.max(1, Math.sqrt(feats.length));
    let sum = 0;
    const probs = scores.map((sc) => { const p = Math.exp((sc.score - max) / temp); sum += p; return { intent: sc.intent, confidence: p }; });
    for (const p of probs) p.confidence /= sum;
    return probs.sort((a, b) => b.confidence - a.confidence);
  }

  classify(text: string): Classification {
    const toks = tokens(text);
    const normalized = toks.join(' ');
    const feats = [...new Set(syllableNgrams(toks))].filter((f) => this.known.has(f));
    const ruleEmergency = detectCrisis(prepareCrisisText(text)) !== undefined;
    if (feats.length === 0) {
      if (ruleEmergency) return { intent: 'emergency', confidence: 1, alternatives: [] };
      return { intent: 'out_of_scope', confidence: 0, alternatives: [] };
    }
    const probs = this.distribution(text);
    const emergencyP = probs.find((p) => p.intent === 'emergency')?.confidence ?? 0;
    // Recall first: emergency wins from a low floor, unless the sentence itself says the danger is
    // over or in the past; then it must win outright, like any other intent.
    const floor = pastOrSafe(normalized) ? 0.5 : this.emergencyFloor;
    if (ruleEmergency || emergencyP >= floor) {
      return { intent: 'emergency', confidence: ruleEmergency ? Math.max(emergencyP, 0.9) : emergencyP, alternatives: probs.filter((p) => p.intent !== 'emergency').slice(0, 3) };
    }
    const [top, ...rest] = probs;
    return { intent: top.intent, confidence: top.confidence, alternatives: rest.slice(0, 3) };
  }
}
