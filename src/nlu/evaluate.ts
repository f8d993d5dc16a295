/**
 * Scores the language understanding on TSV sets; used by the tests and by `npm run nlu:eval`.
 *   intents    text<TAB>accepted intents (| separated)          top-1 accuracy, missed emergencies
 *   questions  text<TAB>accepted entry ids (| separated)        retrieval top-1 accuracy
 *   crises     text<TAB>accepted crisis kinds (| separated)     recall (any kind), and the right kind
 *   in-flow    text<TAB>what was asked (choice|input|place|free_text)   false alarms of the crisis router
 */
import { readFileSync } from 'node:fs';
import type { Classifier, Nlu, NluContext } from '../engine/types.js';

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
      const [text, labels] = l.split('\t');
      return { text: text.trim(), accepted: (labels ?? '').split('|').map((s) => s.trim()).filter(Boolean) };
    });
}

/** Intent top-1 accuracy; an emergency line must come out as emergency (or as a crisis, with an Nlu). */
export function evaluate(classifier: Classifier | Nlu, cases: EvalCase[]): EvalReport {
  const errors: EvalReport['errors'] = [];
  const missedEmergencies: string[] = [];
  let correct = 0;
  for (const c of cases) {
    const r = classifier.classify(c.text);
    if (c.accepted.includes(r.intent)) correct++;
    else errors.push({ text: c.text, accepted: c.accepted, got: r.intent, confidence: Math.round(r.confidence * 100) / 100 });
    const flagged = r.intent === 'emergency' || ('crisis' in classifier && classifier.crisis(c.text) !== undefined);
    if (c.accepted.includes('emergency') && !flagged) missedEmergencies.push(c.text);
  }
  return { total: cases.length, correct, accuracy: cases.length ? correct / cases.length : 0, missedEmergencies, errors };
}

export interface RetrievalReport { total: number; correct: number; accuracy: number; errors: { text: string; accepted: string[]; got: string; score: number }[] }

export function evaluateRetrieval(nlu: Nlu, cases: EvalCase[]): RetrievalReport {
  const errors: RetrievalReport['errors'] = [];
  let correct = 0;
  for (const c of cases) {
    const top = nlu.retrieve(c.text)[0];
    if (top && c.accepted.includes(top.id)) correct++;
    else errors.push({ text: c.text, accepted: c.accepted, got: top?.id ?? '(none)', score: Math.round((top?.score ?? 0) * 100) / 100 });
  }
  return { total: cases.length, correct, accuracy: cases.length ? correct / cases.length : 0, errors };
}

export interface CrisisReport {
  total: number;
  /** Lines flagged as a crisis of any kind. */
  caught: number;
  recall: number;
  /** Lines flagged with an accepted kind. */
  rightKind: number;
  missed: string[];
  wrongKind: { text: string; accepted: string[]; got: string }[];
}

export function evaluateCrises(nlu: Nlu, cases: EvalCase[]): CrisisReport {
  const missed: string[] = [];
  const wrongKind: CrisisReport['wrongKind'] = [];
  let caught = 0;
  let rightKind = 0;
  for (const c of cases) {
    const s = nlu.crisis(c.text);
    if (!s) { missed.push(c.text); continue; }
    caught++;
    if (c.accepted.includes(s.kind)) rightKind++;
    else wrongKind.push({ text: c.text, accepted: c.accepted, got: s.kind });
  }
  return { total: cases.length, caught, recall: cases.length ? caught / cases.length : 1, rightKind, missed, wrongKind };
}

export interface FalseAlarmReport { total: number; alarms: { text: string; answering: string; kind: string }[] }

/** Ordinary answers typed in a flow: the crisis router must stay quiet on every one. */
export function evaluateInFlow(nlu: Nlu, cases: EvalCase[]): FalseAlarmReport {
  const alarms: FalseAlarmReport['alarms'] = [];
  for (const c of cases) {
    const answering = (c.accepted[0] ?? 'input') as NluContext['answering'];
    const s = nlu.crisis(c.text, { answering });
    if (s) alarms.push({ text: c.text, answering: answering as string, kind: s.kind });
  }
  return { total: cases.length, alarms };
}
