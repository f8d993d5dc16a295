/** Dev tool: like golden-play, but prints the top retrieval hits (with the thread) before each reply. */
import { BinhAnNlu } from '../src/nlu/index';
const orig = BinhAnNlu.prototype.retrieve;
BinhAnNlu.prototype.retrieve = function (this: BinhAnNlu, text, ctx = {}) {
  const hits = orig.call(this, text, ctx);
  process.stdout.write(`    ~ thread=${ctx.thread?.topic ?? '-'}/${ctx.thread?.entry ?? '-'} ${JSON.stringify(ctx.thread?.entities ?? {})}\n`);
  for (const h of hits) process.stdout.write(`    ~ ${h.id} score=${h.score.toFixed(2)} rank=${(h.rank ?? 0).toFixed(2)}\n`);
  return hits;
};
const cls = BinhAnNlu.prototype.classify;
BinhAnNlu.prototype.classify = function (this: BinhAnNlu, text, ctx) {
  const c = cls.call(this, text, ctx);
  process.stdout.write(`    ~ intent=${c.intent} ${c.confidence.toFixed(2)} alt=${c.alternatives.slice(0, 2).map((a) => `${a.intent}:${a.confidence.toFixed(2)}`).join(',')}\n`);
  return c;
};
require('./golden-play');
