/**
 * Intent classifier: natural's naive Bayes over syllable unigrams and bigrams of the
 * normalised text, plus high-recall emergency rules. Trained once at start-up from
 * content/nlu/*.txt; classification is pure and does no I/O.
 */
// Import the classifier module alone: natural's index also loads its storage back-ends, which
// read a .env file into process.env and print to stdout as a side effect.
import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier';
import { INTENTS, type Classification, type Classifier, type Intent } from '../engine/types.js';
import { tokens, syllableNgrams } from '../text/normalize.js';
import { soundsLikeEmergency } from './emergency.js';

export interface ClassifierOptions {
  /** Below this top-1 confidence the bot asks instead of guessing. */
  threshold?: number;
  /** Emergency wins whenever its probability reaches this (recall first). */
  emergencyFloor?: number;
}

/** natural's apparatus-backed Bayes model; we use its sparse API and read its counts in log space. */
interface BayesModel {
  addExample(observation: Record<number, string>, label: string): void;
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  totalExamples: number;
  smoothing: number;
}

function features(text: string): string[] {
  return [...new Set(syllableNgrams(tokens(text)))];
}

export class IntentClassifier implements Classifier {
  readonly threshold: number;
  private readonly emergencyFloor: number;
  private readonly model: BayesModel;
  private readonly labels: Intent[];
  private readonly logPrior: Map<string, number>;
  private readonly known = new Set<string>();

  constructor(training: readonly { intent: Intent; text: string }[], opts: ClassifierOptions = {}) {
    this.threshold = opts.threshold ?? 0.5;
    this.emergencyFloor = opts.emergencyFloor ?? 0.3;
    const bayes = new BayesClassifier();
    this.model = (bayes as unknown as { classifier: BayesModel }).classifier;
    for (const { intent, text } of training) {
      const feats = features(text);
      if (feats.length === 0) continue;
      for (const f of feats) this.known.add(f);
      this.model.addExample({ ...feats }, intent);
    }
    this.labels = INTENTS.filter((i) => this.model.classTotals[i] !== undefined);
    this.logPrior = new Map(this.labels.map((l) => [l, Math.log(this.model.classTotals[l] / this.model.totalExamples)]));
  }

  classify(text: string): Classification {
    const toks = tokens(text);
    const normalized = toks.join(' ');
    const feats = [...new Set(syllableNgrams(toks))].filter((f) => this.known.has(f));
    const ruleEmergency = soundsLikeEmergency(normalized);
    if (feats.length === 0) {
      if (ruleEmergency) return { intent: 'emergency', confidence: 1, alternatives: [] };
      return { intent: 'out_of_scope', confidence: 0, alternatives: [] };
    }
    // Log-space naive Bayes with natural's smoothed counts, then softmax to a distribution.
    const scores = this.labels.map((label) => {
      const counts = this.model.classFeatures[label];
      const total = this.model.classTotals[label];
      let s = this.logPrior.get(label) as number;
      for (const f of feats) s += Math.log((counts[f] ?? this.model.smoothing) / total);
      return { intent: label, score: s };
    });
    const max = Math.max(...scores.map((s) => s.score));
    // Scale by feature count so long messages do not produce overconfident 0/1 posteriors.
    const temp = Math.max(1, Math.sqrt(feats.length));
    let sum = 0;
    const probs = scores.map((s) => { const p = Math.exp((s.score - max) / temp); sum += p; return { intent: s.intent, confidence: p }; });
    for (const p of probs) p.confidence /= sum;
    probs.sort((a, b) => b.confidence - a.confidence);
    const emergencyP = probs.find((p) => p.intent === 'emergency')?.confidence ?? 0;
    if (ruleEmergency || emergencyP >= this.emergencyFloor) {
      return { intent: 'emergency', confidence: ruleEmergency ? Math.max(emergencyP, 0.9) : emergencyP, alternatives: probs.filter((p) => p.intent !== 'emergency').slice(0, 3) };
    }
    const [top, ...rest] = probs;
    return { intent: top.intent, confidence: top.confidence, alternatives: rest.slice(0, 3) };
  }
}
