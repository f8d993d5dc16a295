/** `npm run nlu:eval [-- FILE]`: top-1 accuracy and missed emergencies on a TSV set (default: the public dev set). */
import { join } from 'node:path';
import { loadBundle } from '../flows/load.js';
import { PACKAGE_ROOT } from '../app/index.js';
import { IntentClassifier } from './classifier.js';
import { evaluate, readEvalSet } from './evaluate.js';

const file = process.argv[2] ?? join(PACKAGE_ROOT, 'tests', 'fixtures', 'intents-dev.tsv');
const bundle = loadBundle(PACKAGE_ROOT);
const nlu = new IntentClassifier(bundle.content.training, { threshold: Number(process.env.NLU_THRESHOLD ?? 0.45) });
const r = evaluate(nlu, readEvalSet(file));
process.stdout.write(`${file}\ntop-1 accuracy: ${(r.accuracy * 100).toFixed(1)}% (${r.correct}/${r.total}); missed emergencies: ${r.missedEmergencies.length}\n`);
for (const e of r.errors) process.stdout.write(`  ${e.got.padEnd(18)} (${e.confidence.toFixed(2)}) expected ${e.accepted.join('|')}: ${e.text}\n`);
process.exitCode = r.missedEmergencies.length ? 1 : 0;
