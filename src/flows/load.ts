/** Loads flows/*.yaml, validates each node, and checks the graph (targets, reachability, answers, triggers). */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { INTENTS } from '../engine/types.js';
import { readYaml, zodMessages, loadContent, BundleError, type Content, type Problem } from '../content/load.js';
import { flowSchema, nodeSchema, type Flow, type FlowNode } from './schema.js';

/** Button labels fit every channel's quick replies (Messenger: 20 characters). */
export const MAX_LABEL = 20;

/** Every node id a node can lead to inside its own flow, with the field that names it. */
export function edges(node: FlowNode): { field: string; target: string }[] {
  const out: { field: string; target: string }[] = [];
  const add = (field: string, target: string | undefined): void => { if (target) out.push({ field, target }); };
  switch (node.type) {
    case 'message': add('next', node.next); break;
    case 'choice':
      node.options.forEach((o, i) => add(`options.${i}.next`, o.next));
      add('next', node.next); add('fail', node.fail); break;
    case 'input': add('next', node.next); add('fail', node.fail); break;
    case 'branch': node.cases.forEach((c, i) => add(`cases.${i}.next`, c.next)); add('default', node.default); break;
    case 'set': add('next', node.next); break;
    case 'action': add('ok', node.ok); add('fail', node.fail); break;
    case 'jump': case 'end': break;
  }
  return out;
}

function answerKeys(node: FlowNode): string[] {
  if (!('answer' in node) || node.answer === undefined) return [];
  return Array.isArray(node.answer) ? node.answer : [node.answer];
}

function parseFlowFile(file: string, rel: string, root: string, problems: Problem[]): Flow | undefined {
  const raw = readYaml(file, root, problems);
  if (raw === undefined) return undefined;
  const head = flowSchema.safeParse(raw);
  if (!head.success) {
    for (const m of zodMessages(head.error)) problems.push({ file: rel, message: m });
    return undefined;
  }
  const nodes = new Map<string, FlowNode>();
  let ok = true;
  head.data.nodes.forEach((rawNode, i) => {
    const id = (rawNode && typeof rawNode === 'object' && typeof (rawNode as { id?: unknown }).id === 'string')
      ? (rawNode as { id: string }).id : `#${i + 1}`;
    const res = nodeSchema.safeParse(rawNode);
    if (!res.success) {
      ok = false;
      for (const m of zodMessages(res.error)) problems.push({ file: rel, node: id, message: m });
      return;
    }
    if (nodes.has(res.data.id)) {
      ok = false;
      problems.push({ file: rel, node: id, message: 'duplicate node id' });
      return;
    }
    const n = res.data;
    if ((n.type === 'message' || n.type === 'choice' || n.type === 'input') && !n.text && !n.answer) {
      ok = false;
      problems.push({ file: rel, node: id, message: 'needs "text" (vi and en) or "answer"' });
    }
    nodes.set(n.id, n);
  });
  if (!ok) return undefined;
  const start = head.data.start ?? (nodes.keys().next().value as string);
  if (!nodes.has(start)) problems.push({ file: rel, message: `start node '${start}' does not exist` });
  return { id: head.data.id, file: rel, triggers: head.data.triggers, start, nodes };
}

/** Cross-checks: targets exist, jumps land, answers exist, every node reachable, each intent routed once. */
function checkGraph(flows: Map<string, Flow>, content: Content | undefined, problems: Problem[]): void {
  const triggered = new Map<string, string>();
  for (const flow of flows.values()) {
    for (const t of flow.triggers) {
      const other = triggered.get(t);
      if (other) problems.push({ file: flow.file, message: `intent '${t}' already starts flow '${other}'` });
      else triggered.set(t, flow.id);
    }
    for (const node of flow.nodes.values()) {
      for (const e of edges(node)) {
        if (!flow.nodes.has(e.target)) problems.push({ file: flow.file, node: node.id, message: `${e.field}: unknown target node '${e.target}'` });
      }
      if (node.type === 'jump') {
        const target = flows.get(node.flow);
        if (!target) problems.push({ file: flow.file, node: node.id, message: `jumps to unknown flow '${node.flow}'` });
        else if (node.node && !target.nodes.has(node.node)) problems.push({ file: flow.file, node: node.id, message: `jumps to unknown node '${node.node}' of flow '${node.flow}'` });
      }
      if (content && 'call' in node && node.call) {
        for (const id of node.call) {
          const h = content.hotlines.find((x) => x.id === id);
          if (!h || h.status !== 'verified' || !h.dial) problems.push({ file: flow.file, node: node.id, message: `call: '${id}' is not a verified hotline with a number in content/hotlines.yaml` });
        }
      }
      if (content) {
        for (const key of answerKeys(node)) {
          if (!content.answers[key]) problems.push({ file: flow.file, node: node.id, message: `unknown answer '${key}' (not in content/answers.yaml)` });
        }
      }
      if (node.type === 'choice') {
        const seen = new Set<string>();
        for (const o of node.options) {
          if (seen.has(o.value)) problems.push({ file: flow.file, node: node.id, message: `duplicate option value '${o.value}'` });
          seen.add(o.value);
          if (!o.next && !node.next) problems.push({ file: flow.file, node: node.id, message: `option '${o.value}' has no next node and the node has no default next` });
          for (const lang of ['vi', 'en'] as const) {
            // Longer labels make Messenger fall back from quick replies to a numbered list.
            if (o.label[lang].length > MAX_LABEL) problems.push({ file: flow.file, node: node.id, message: `option '${o.value}': ${lang} label is longer than ${MAX_LABEL} characters` });
          }
        }
      }
    }
    // Reachability from the start node (jumps into a named node count as entry points too).
    const entries = new Set<string>([flow.start]);
    for (const other of flows.values()) for (const n of other.nodes.values()) if (n.type === 'jump' && n.flow === flow.id && n.node) entries.add(n.node);
    const seen = new Set<string>();
    const queue = [...entries].filter((e) => flow.nodes.has(e));
    while (queue.length) {
      const id = queue.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const n = flow.nodes.get(id);
      if (n) for (const e of edges(n)) if (!seen.has(e.target)) queue.push(e.target);
    }
    for (const id of flow.nodes.keys()) if (!seen.has(id)) problems.push({ file: flow.file, node: id, message: 'unreachable node (no path from the start node)' });
  }
  for (const intent of INTENTS) {
    if (!triggered.has(intent)) problems.push({ file: 'flows/', message: `no flow is triggered by intent '${intent}'` });
  }
  if (content) {
    // Content nobody can reach is content nobody checks: every answer must be used by a flow.
    const used = new Set<string>();
    for (const flow of flows.values()) for (const n of flow.nodes.values()) for (const k of answerKeys(n)) used.add(k);
    for (const key of Object.keys(content.answers)) {
      if (!used.has(key)) problems.push({ file: 'content/answers.yaml', node: key, message: 'answer is not used by any flow' });
    }
  }
}

export function loadFlows(root: string, content: Content | undefined, problems: Problem[]): Map<string, Flow> {
  const dir = join(root, 'flows');
  const flows = new Map<string, Flow>();
  if (!existsSync(dir)) {
    problems.push({ file: 'flows/', message: 'folder is missing' });
    return flows;
  }
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort()) {
    const rel = `flows/${f}`;
    const flow = parseFlowFile(join(dir, f), rel, root, problems);
    if (!flow) continue;
    const dup = flows.get(flow.id);
    if (dup) { problems.push({ file: rel, message: `duplicate flow id '${flow.id}' (also in ${dup.file})` }); continue; }
    flows.set(flow.id, flow);
  }
  checkGraph(flows, content, problems);
  return flows;
}

export interface Bundle {
  flows: Map<string, Flow>;
  content: Content;
}

/** Loads everything; returns the problems found (empty when valid). */
export function checkBundle(root: string): { bundle?: Bundle; problems: Problem[] } {
  const problems: Problem[] = [];
  const content = loadContent(root, problems);
  const flows = loadFlows(root, content, problems);
  if (problems.length || !content) return { problems };
  return { bundle: { flows, content }, problems };
}

/** Loads everything or throws a BundleError naming every file and node at fault. */
export function loadBundle(root: string): Bundle {
  const { bundle, problems } = checkBundle(root);
  if (!bundle) throw new BundleError(problems);
  return bundle;
}
