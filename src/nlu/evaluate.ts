/** Scores a classifier on a TSV set: text<TAB>accepted intents (| separated). Used by tests and `npm run nlu:eval`. */
import { readFileSync } from 'node:fs';
import type { Classifier } from '../engine/types.js';

export interface EvalCase { text: string; accepted: string[] }
export interface EvalReport {
  total: number;
  correct: number;
  accuracy: number;
  missedEmergencies: string[];
  errors: { text: string; accepted: string[]; got: string; confidence: number }[];
}

export function readEvalSet(file: string): EvalCase[] {
  return readFileSync(file, 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [text, intents] = l.split('\t');
      return { text: text.trim(), accepted: (intents ?? '').split('|').map((s) => s.trim()).filter(Boolean) };
    });
}

export function evaluate(classifier: Classifier, cases: EvalCase[]): EvalReport {
  const errors: EvalReport['errors'] = [];
  const missedEmergencies: string[] = [];
  let correct = 0;
  for (const c of cases) {
    const r = classifier.classify(c.text);
    if (c.accepted.includes(r.intent)) correct++;
    else errors.push({ text: c.text, accepted: c.accepted, got: r.intent, confidence: Math.round(r.confidence * 100) / 100 });
    if (c.accepted.includes('emergency') && r.intent !== 'emergency') missedEmergencies.push(c.text);
  }
  return { total: cases.length, correct, accuracy: cases.length ? correct / cases.length : 0, missedEmergencies, errors };
}
