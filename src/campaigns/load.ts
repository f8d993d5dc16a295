/**
 * Loads content/campaigns/*.yaml: each file is checked against the schema (problems name the file and the item),
 * then against the rules the schema cannot see — the id matches the file name, item and question ids are unique,
 * a post-quiz names an earlier pre-quiz and has no questions of its own, every source cited exists, a story's
 * scenes lead to scenes that exist and every scene is reached. Each campaign is then compiled into a flow
 * (compile.ts) that the bundle checks like any other (targets, hotline placeholders, labels, entries, jumps).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml, type Problem } from '../bundle/problems.js';
import { campaignSchema, type Campaign } from './schema.js';
import { compileCampaign, compileCampaignList } from './compile.js';
import { encodePayload, MAX_PAYLOAD } from '../engine/payload.js';

export interface LoadedCampaigns {
  campaigns: Map<string, Campaign>;
  /** Raw flow objects, one per campaign, for the bundle's flow parser. */
  flows: { rel: string; raw: unknown }[];
}

/**
 * A problem the flow checks found in a compiled campaign names the campaign's item, not the compiled node
 * ("node 'i2': …" becomes "node 'law_and_help': … (compiled node i2)"): node ids are positional, `i<item index>…`.
 */
export function nameCampaignNodes(problems: Problem[], campaigns: ReadonlyMap<string, Campaign>): void {
  for (const p of problems) {
    const m = /^content\/campaigns\/([a-z0-9_]+)\.ya?ml$/.exec(p.file);
    const hit = p.node ? /^i(\d+)/.exec(p.node) : null;
    if (!m || !hit) continue;
    const item = campaigns.get(m[1])?.items[Number(hit[1])];
    if (item) { p.message = `${p.message} (compiled node ${p.node})`; p.node = item.id; }
  }
}

export function loadCampaigns(root: string, problems: Problem[]): LoadedCampaigns {
  const dir = join(root, 'content', 'campaigns');
  const out: LoadedCampaigns = { campaigns: new Map(), flows: [] };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort()) {
    const rel = `content/campaigns/${f}`;
    const raw = readYaml(join(dir, f), root, problems);
    if (raw === undefined) continue;
    const parsed = campaignSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const itemAt = i.path[0] === 'items' && typeof i.path[1] === 'number' ? (raw as { items?: { id?: unknown }[] }).items?.[i.path[1]]?.id : undefined;
        problems.push({ file: rel, ...(typeof itemAt === 'string' ? { node: itemAt } : {}), message: i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message });
      }
      continue;
    }
    const c = parsed.data;
    const before = problems.length;
    checkCampaign(c, f, rel, problems);
    if (out.campaigns.has(c.id)) problems.push({ file: rel, message: `duplicate campaign id '${c.id}'` });
    if (problems.length > before) continue;
    const flow = compileCampaign(c);
    // Every button's payload (flow.node:value) travels through Telegram's 64-byte callback data.
    for (const n of flow.nodes as { id: string; options?: { value: string }[] }[]) {
      for (const o of n.options ?? []) {
        const payload = encodePayload({ kind: 'option', flow: flow.id as string, node: n.id, value: o.value });
        if (Buffer.byteLength(payload) > MAX_PAYLOAD) problems.push({ file: rel, message: `the button value '${o.value}' makes a payload of ${Buffer.byteLength(payload)} bytes (at most ${MAX_PAYLOAD}): shorten the campaign id or the value` });
      }
    }
    if (problems.length > before) continue;
    out.campaigns.set(c.id, c);
    out.flows.push({ rel, raw: flow });
  }
  if (out.campaigns.size) out.flows.push({ rel: 'content/campaigns/', raw: compileCampaignList([...out.campaigns.values()]) });
  return out;
}

function checkCampaign(c: Campaign, file: string, rel: string, problems: Problem[]): void {
  const at = (node: string, message: string): void => { problems.push({ file: rel, node, message }); };
  if (file.replace(/\.ya?ml$/, '') !== c.id) problems.push({ file: rel, message: `the id '${c.id}' must match the file name` });
  if (c.dates.to < c.dates.from) problems.push({ file: rel, message: 'dates.to is before dates.from' });
  const sources = new Set<string>();
  for (const s of c.sources) {
    if (sources.has(s.id)) problems.push({ file: rel, message: `sources: duplicate id '${s.id}'` });
    sources.add(s.id);
  }
  const cite = (node: string, ids: readonly string[] | undefined): void => {
    for (const id of ids ?? []) if (!sources.has(id)) at(node, `cites source '${id}', which is not in sources`);
  };
  const seen = new Set<string>();
  const quizzes = new Map<string, 'pre' | 'post'>();
  for (const item of c.items) {
    if (seen.has(item.id)) at(item.id, 'duplicate item id');
    seen.add(item.id);
    switch (item.type) {
      case 'message': cite(item.id, item.sources); if (item.image && !item.alt) at(item.id, 'an image needs "alt" text (vi and en)'); break;
      case 'story': {
        cite(item.id, item.sources);
        const scenes = new Set(item.scenes.map((s) => s.id));
        if (scenes.size !== item.scenes.length) at(item.id, 'duplicate scene id');
        const reached = new Set([item.scenes[0].id]);
        for (const s of item.scenes) {
          for (const ch of s.choices) {
            if (ch.next && !scenes.has(ch.next)) at(item.id, `scene '${s.id}': choice '${ch.value}' leads to '${ch.next}', which is not a scene`);
            if (ch.next) reached.add(ch.next);
          }
          if (new Set(s.choices.map((ch) => ch.value)).size !== s.choices.length) at(item.id, `scene '${s.id}': duplicate choice value`);
        }
        for (const s of item.scenes) if (!reached.has(s.id)) at(item.id, `scene '${s.id}' is never reached`);
        if (!item.scenes.some((s) => s.choices.some((ch) => !ch.next))) at(item.id, 'the story never ends (no choice without "next")');
        break;
      }
      case 'quiz': {
        quizzes.set(item.id, item.phase);
        if (item.phase === 'pre') {
          if (!item.questions) { at(item.id, 'a pre-quiz needs questions'); break; }
          if (item.of) at(item.id, '"of" is for a post-quiz');
          const ids = new Set<string>();
          for (const q of item.questions) {
            if (ids.has(q.id)) at(item.id, `duplicate question id '${q.id}'`);
            ids.add(q.id);
            if (!q.choices.some((ch) => ch.value === q.correct)) at(item.id, `question '${q.id}': "correct" is not one of its choices`);
            if (new Set(q.choices.map((ch) => ch.value)).size !== q.choices.length) at(item.id, `question '${q.id}': duplicate choice value`);
            cite(item.id, [q.source]);
          }
        } else {
          if (!item.of || quizzes.get(item.of) !== 'pre') at(item.id, 'a post-quiz names an earlier pre-quiz in "of"');
          if (item.questions) at(item.id, 'a post-quiz repeats its pre-quiz\'s questions and has none of its own');
        }
        break;
      }
      case 'poll':
        if (new Set(item.choices.map((ch) => ch.value)).size !== item.choices.length) at(item.id, 'duplicate choice value');
        break;
      default: break;
    }
  }
  const pre = [...quizzes].filter(([, p]) => p === 'pre').length;
  const post = [...quizzes].filter(([, p]) => p === 'post').length;
  if (pre > 0 && post === 0) problems.push({ file: rel, message: 'a pre-quiz without a post-quiz measures nothing: add one with "of"' });
}
