/** The knowledge base at a glance: the topic table README.md shows ("What Bình An knows"), made from the content. */
import type { Bundle } from './types.js';

export function knowledgeTable(bundle: Bundle): string {
  const rows = [...bundle.knowledge.topics.values()].sort((a, b) => a.id.localeCompare(b.id)).map((t) => {
    const entries = t.entries.map((id) => bundle.knowledge.entries.get(id)).filter((e) => e !== undefined);
    const more = entries.filter((e) => e.more).length;
    const sources = new Set(entries.flatMap((e) => e.sources.map((s) => s.url ?? s.doc))).size;
    const asks = entries.reduce((n, e) => n + 2 + e.ask.vi.length + e.ask.en.length, 0);
    return `| ${t.label.vi} (${t.label.en}) | \`${t.id}\` | \`${t.intent}\` | ${entries.length} | ${more} | ${asks} | ${sources} |`;
  });
  const all = [...bundle.knowledge.entries.values()];
  const total = `| **all topics** | | | **${all.length}** | **${all.filter((e) => e.more).length}** | **${all.reduce((n, e) => n + 2 + e.ask.vi.length + e.ask.en.length, 0)}** | **${new Set(all.flatMap((e) => e.sources.map((s) => s.url ?? s.doc))).size}** |`;
  return [
    '| topic | id | intent | entries | with "Xem thêm" | ways of asking (vi + en) | distinct sources |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    total,
  ].join('\n');
}
