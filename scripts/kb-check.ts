/**
 * `node scripts/kb-check.mjs [ROOT] [topic-file ...]`: checks the knowledge files alone (schema, lengths,
 * hotline references, sources, duplicates) and prints entry counts; the whole bundle is checked by
 * `npx binhan flows check`. Built with esbuild into a single file so content writers can run it anywhere.
 */
import { checkBundle, formatProblem } from '../src/bundle/load';
import { CRISIS_KINDS } from '../src/nlu/crisis';

const root = process.argv[2] ?? process.cwd();
const only = process.argv.slice(3).map((f) => f.replace(/^.*content\/knowledge\//, 'content/knowledge/'));
const result = checkBundle(root, { messages: [], commands: [], actions: {}, crises: CRISIS_KINDS });
const { problems } = result;
const bundle = result.knowledge ? { knowledge: result.knowledge } : undefined;
const mine = problems.filter((p) => (p.file.startsWith('content/knowledge/') || p.file === 'content/hotlines.yaml' || p.file === 'content/entities.yaml')
  && (only.length === 0 || only.includes(p.file)));
for (const p of mine) console.log(formatProblem(p));
console.log(`${mine.length} problem(s)`);
if (bundle) {
  for (const t of bundle.knowledge.topics.values()) console.log(`${t.file}: topic '${t.id}' (${t.intent}), ${t.entries.length} entries`);
  console.log(`${bundle.knowledge.entries.size} entries in all`);
}
process.exitCode = mine.length ? 1 : 0;
