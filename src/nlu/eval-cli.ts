/**
 * `npm run nlu:eval`: the figures of the language understanding, on the sets in tests/fixtures/:
 * intent accuracy (public dev set and the check set), retrieval top-1 on the held-out questions, crisis
 * recall, and false alarms of the crisis router on ordinary in-flow answers. `-- --verbose` lists errors.
 * Exit code 1 when a crisis is missed or an in-flow answer raises a false alarm.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgramBundle } from '../app/vocabulary.js';
import { PACKAGE_ROOT } from '../app/index.js';
import { BinhAnNlu } from './index.js';
import { evaluate, evaluateCrises, evaluateInFlow, evaluateRetrieval, readEvalSet } from './evaluate.js';

const verbose = process.argv.includes('--verbose');
const fixtures = join(PACKAGE_ROOT, 'tests', 'fixtures');
const bundle = loadProgramBundle(PACKAGE_ROOT);
const t0 = performance.now();
const nlu = new BinhAnNlu(bundle, { threshold: Number(process.env.NLU_THRESHOLD ?? 0.45) });
const buildMs = performance.now() - t0;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const out = (s: string): void => { process.stdout.write(`${s}\n`); };
let failed = false;

out(`knowledge: ${bundle.knowledge.entries.size} entries in ${bundle.knowledge.topics.size} topics; NLU built in ${buildMs.toFixed(0)} ms`);
for (const [name, file] of [['public dev set', join(PACKAGE_ROOT, '..', 'shared', 'nlu', 'intents-dev.tsv')], ['dev set (copy)', join(fixtures, 'intents-dev.tsv')], ['check set', join(fixtures, 'intents-check.tsv')]] as const) {
  if (!existsSync(file)) continue;
  const r = evaluate(nlu, readEvalSet(file));
  out(`intent accuracy, ${name}: ${pct(r.accuracy)} (${r.correct}/${r.total}); missed emergencies: ${r.missedEmergencies.length}`);
  if (r.missedEmergencies.length) failed = true;
  if (verbose) for (const e of r.errors) out(`    ${e.got.padEnd(20)} (${e.confidence.toFixed(2)}) expected ${e.accepted.join('|')}: ${e.text}`);
}
for (const [name, file] of [['held-out questions', 'questions-heldout.tsv'], ['dev questions', 'questions-dev.tsv']] as const) {
  const path = join(fixtures, file);
  if (!existsSync(path)) continue;
  const r = evaluateRetrieval(nlu, readEvalSet(path));
  out(`retrieval top-1, ${name}: ${pct(r.accuracy)} (${r.correct}/${r.total})`);
  if (verbose) for (const e of r.errors) out(`    got ${e.got} (${e.score.toFixed(2)}) expected ${e.accepted.join('|')}: ${e.text}`);
}
const crisisFile = join(fixtures, 'crisis.tsv');
if (existsSync(crisisFile)) {
  const r = evaluateCrises(nlu, readEvalSet(crisisFile));
  out(`crisis recall: ${pct(r.recall)} (${r.caught}/${r.total}); right kind: ${pct(r.rightKind / Math.max(1, r.total))} (${r.rightKind}/${r.total})`);
  if (r.missed.length) failed = true;
  for (const m of r.missed) out(`    MISSED: ${m}`);
  if (verbose) for (const w of r.wrongKind) out(`    got ${w.got} expected ${w.accepted.join('|')}: ${w.text}`);
}
const inFlowFile = join(fixtures, 'in-flow.tsv');
if (existsSync(inFlowFile)) {
  const r = evaluateInFlow(nlu, readEvalSet(inFlowFile));
  out(`false alarms on ordinary in-flow answers: ${r.alarms.length} of ${r.total}`);
  if (r.alarms.length) failed = true;
  for (const a of r.alarms) out(`    ALARM ${a.kind} (${a.answering}): ${a.text}`);
}
process.exitCode = failed ? 1 : 0;
