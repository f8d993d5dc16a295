/**
 * Loads flows/, content/ and content/knowledge/ into one immutable Bundle, checking every file and every
 * cross-reference. Hotline numbers are filled in here, once ({{hotline.police}} -> "113"). Every problem
 * names its file and node or entry; nothing half-valid is ever returned.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { loadCampaigns, nameCampaignNodes } from '../campaigns/load.js';
import { join, relative } from 'node:path';
import { normalize } from '../text/normalize.js';
import { HotlineBook } from './hotlines.js';
import { BundleError, parseWith, readYaml, zodMessages, type Problem } from './problems.js';
import {
  answersFileSchema, cannedFileSchema, cannedSchema, commandsFileSchema, entitiesFileSchema, entrySchema, flowSchema, hotlinesFileSchema,
  knowledgeFileSchema, messagesFileSchema, nodeSchema, placesFileSchema, LANGS, MAX_ANSWER_BUBBLES, MAX_ANSWER_CHARS,
  MAX_LABEL, MAX_MORE_BUBBLES, MAX_MORE_CHARS, type Answer, type CannedReply, type FlowNode,
} from './schema.js';
import type { Bundle, Content, Flow, Knowledge, KnowledgeEntry, Lang, Localized, LocalizedList, Topic, Vocabulary } from './types.js';

export { BundleError, formatProblem, type Problem } from './problems.js';

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
    case 'jump': case 'entry': case 'end': break;
  }
  return out;
}

function answerKeys(node: FlowNode): string[] {
  if (!('answer' in node) || node.answer === undefined) return [];
  return Array.isArray(node.answer) ? node.answer : [node.answer];
}

// ---- content -------------------------------------------------------------

function loadTraining(dir: string, root: string, problems: Problem[]): { intents: string[]; training: { intent: string; text: string }[] } {
  const training: { intent: string; text: string }[] = [];
  if (!existsSync(dir)) {
    problems.push({ file: relative(root, dir), message: 'training sentence folder is missing' });
    return { intents: [], training };
  }
  const intents: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    const intent = f.slice(0, -4);
    if (!/^[a-z][a-z0-9_]*$/.test(intent)) {
      problems.push({ file: relative(root, join(dir, f)), message: 'an intent file is named <intent>.txt, in lower_snake_case' });
      continue;
    }
    intents.push(intent);
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#')) training.push({ intent, text: t });
    }
  }
  if (intents.length === 0) problems.push({ file: relative(root, dir), message: 'no intents: add <intent>.txt files of training sentences' });
  return { intents, training };
}

/** Crisis exemplars: one file per crisis kind the code detects, and none.txt; every kind needs examples. */
function loadCrisisTraining(dir: string, root: string, vocab: Vocabulary, problems: Problem[]): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  if (!existsSync(dir)) { problems.push({ file: relative(root, dir), message: 'crisis exemplar folder is missing' }); return out; }
  const expected = new Set([...vocab.crises, 'none']);
  const files = new Set(readdirSync(dir).filter((n) => n.endsWith('.txt')));
  for (const kind of expected) {
    const f = `${kind}.txt`;
    if (!files.has(f)) { problems.push({ file: relative(root, join(dir, f)), message: `no exemplars for crisis kind '${kind}'` }); continue; }
    files.delete(f);
    let n = 0;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#')) { out.push({ kind, text: t }); n++; }
    }
    if (n < 10) problems.push({ file: relative(root, join(dir, f)), message: `at least 10 exemplars are needed (has ${n})` });
  }
  for (const f of files) problems.push({ file: relative(root, join(dir, f)), message: `'${f.slice(0, -4)}' is not a crisis kind (known: ${vocab.crises.join(', ')}, none)` });
  return out;
}

function resolveAnswers(answers: Record<string, Answer>, book: HotlineBook, problems: Problem[]): Record<string, Answer> {
  const out: Record<string, Answer> = Object.create(null);
  for (const [key, a] of Object.entries(answers)) {
    const where = { file: 'content/answers.yaml', node: key };
    out[key] = { ...a, vi: a.vi.map((b) => book.resolve(b, where, problems)), en: a.en.map((b) => book.resolve(b, where, problems)) };
  }
  return out;
}

function resolveLocalized(l: Localized, book: HotlineBook, where: Omit<Problem, 'message'>, problems: Problem[]): Localized {
  return { vi: book.resolve(l.vi, where, problems), en: book.resolve(l.en, where, problems) };
}

/** Counsellors' ready-made replies: each item checked on its own (a problem names it), numbers only by hotline id. */
function loadCanned(raw: unknown, book: HotlineBook, problems: Problem[]): CannedReply[] {
  const file = 'content/canned.yaml';
  const parsed = parseWith(cannedFileSchema, raw, file, problems);
  if (!parsed) return [];
  const out: CannedReply[] = [];
  const ids = new Set<string>();
  parsed.canned.forEach((item, i) => {
    const rawId = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : `#${i + 1}`;
    const c = parseWith(cannedSchema, item, file, problems, rawId);
    if (!c) return;
    const where = { file, node: c.id };
    if (ids.has(c.id)) { problems.push({ ...where, message: 'duplicate reply id' }); return; }
    ids.add(c.id);
    const text = resolveLocalized(c.text, book, where, problems);
    for (const lang of LANGS) {
      const left = PLACEHOLDER.exec(text[lang]);
      if (left) problems.push({ ...where, message: `text.${lang}: unknown placeholder ${left[0]} (only {{hotline.<id>}} is filled in)` });
    }
    out.push({ id: c.id, title: c.title, text });
  });
  return out;
}

function loadContent(root: string, vocab: Vocabulary, problems: Problem[]): { content: Content; book: HotlineBook; intents: string[] } | undefined {
  const dir = join(root, 'content');
  const read = <T>(name: string, schema: Parameters<typeof parseWith<T>>[0]): T | undefined =>
    parseWith(schema, readYaml(join(dir, name), root, problems), `content/${name}`, problems);
  const hotlinesFile = read('hotlines.yaml', hotlinesFileSchema);
  const answersFile = read('answers.yaml', answersFileSchema);
  const messagesFile = read('messages.yaml', messagesFileSchema);
  const commandsFile = read('commands.yaml', commandsFileSchema);
  const placesFile = read('places.yaml', placesFileSchema);
  const entitiesFile = read('entities.yaml', entitiesFileSchema);
  const cannedRaw = readYaml(join(dir, 'canned.yaml'), root, problems);
  const { intents, training } = loadTraining(join(dir, 'nlu'), root, problems);
  const crisisTraining = loadCrisisTraining(join(dir, 'nlu', 'crisis'), root, vocab, problems);
  if (!answersFile || !hotlinesFile || !messagesFile || !commandsFile || !placesFile || !entitiesFile) return undefined;

  const ids = new Set<string>();
  for (const h of hotlinesFile.hotlines) {
    if (ids.has(h.id)) problems.push({ file: 'content/hotlines.yaml', node: h.id, message: 'duplicate hotline id' });
    ids.add(h.id);
  }
  const book = new HotlineBook(hotlinesFile.hotlines);

  const messages: Record<string, Localized> = Object.create(null);
  for (const [key, m] of Object.entries(messagesFile.messages)) messages[key] = resolveLocalized(m, book, { file: 'content/messages.yaml', node: key }, problems);
  const needed = new Set(vocab.messages);
  for (const key of needed) if (!messages[key]) problems.push({ file: 'content/messages.yaml', node: key, message: 'message is missing (the program says it)' });
  for (const key of Object.keys(messages)) if (!needed.has(key)) problems.push({ file: 'content/messages.yaml', node: key, message: 'message key is not used by the program' });
  for (const key of Object.keys(messagesFile.intent_labels)) {
    if (!intents.includes(key)) problems.push({ file: 'content/messages.yaml', node: `intent_labels.${key}`, message: `'${key}' is not an intent (no content/nlu/${key}.txt)` });
  }
  for (const intent of intents) {
    const l = messagesFile.intent_labels[intent];
    if (!l) problems.push({ file: 'content/messages.yaml', node: `intent_labels.${intent}`, message: 'every intent needs a short label' });
    else for (const lang of LANGS) if (l[lang].length > MAX_LABEL * 2) problems.push({ file: 'content/messages.yaml', node: `intent_labels.${intent}`, message: `${lang} label is longer than ${MAX_LABEL * 2} characters` });
  }

  const knownCommands = new Set(vocab.commands);
  for (const c of vocab.commands) if (!commandsFile.commands[c]) problems.push({ file: 'content/commands.yaml', node: c, message: 'command phrases are missing' });
  for (const c of Object.keys(commandsFile.commands)) if (!knownCommands.has(c)) problems.push({ file: 'content/commands.yaml', node: c, message: 'not a command the engine knows' });

  return {
    book,
    intents,
    content: {
      answers: resolveAnswers(answersFile.answers, book, problems),
      hotlines: hotlinesFile.hotlines,
      messages,
      intentLabels: messagesFile.intent_labels,
      commands: commandsFile.commands,
      yes: commandsFile.yes,
      no: commandsFile.no,
      unsure: commandsFile.unsure ?? [],
      endLive: commandsFile.end_live,
      training,
      crisisTraining,
      places: placesFile,
      entities: entitiesFile,
      canned: loadCanned(cannedRaw, book, problems),
    },
  };
}

// ---- knowledge -----------------------------------------------------------

const PLACEHOLDER = /\{\{[^}]*\}\}/;

function checkBubbles(list: LocalizedList, maxBubbles: number, maxChars: number, field: string, where: Omit<Problem, 'message'>, problems: Problem[]): void {
  for (const lang of LANGS) {
    const b = list[lang];
    if (b.length > maxBubbles) problems.push({ ...where, message: `${field}.${lang}: at most ${maxBubbles} bubbles (has ${b.length})` });
    const chars = b.reduce((n, x) => n + x.length, 0);
    if (chars > maxChars) problems.push({ ...where, message: `${field}.${lang}: at most ${maxChars} characters in all (has ${chars})` });
    for (const x of b) if (PLACEHOLDER.test(x)) problems.push({ ...where, message: `${field}.${lang}: unknown placeholder ${PLACEHOLDER.exec(x)?.[0]}` });
  }
}

function loadKnowledge(root: string, book: HotlineBook, intents: readonly string[], entityIds: { substance: Set<string>; relation: Set<string>; country: Set<string>; crisis: Set<string> }, problems: Problem[]): Knowledge {
  const dir = join(root, 'content', 'knowledge');
  const topics = new Map<string, Topic>();
  const entries = new Map<string, KnowledgeEntry>();
  if (!existsSync(dir)) {
    problems.push({ file: 'content/knowledge/', message: 'folder is missing' });
    return { topics, entries };
  }
  const intentSet = new Set(intents);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const rel = `content/knowledge/${f}`;
    const file = parseWith(knowledgeFileSchema, readYaml(join(dir, f), root, problems), rel, problems);
    if (!file) continue;
    const t = file.topic;
    if (topics.has(t.id)) { problems.push({ file: rel, message: `duplicate topic id '${t.id}' (also in ${topics.get(t.id)?.file})` }); continue; }
    if (!intentSet.has(t.intent)) problems.push({ file: rel, node: 'topic', message: `intent '${t.intent}' is not an intent (no content/nlu/${t.intent}.txt)` });
    for (const lang of LANGS) if (t.label[lang].length > MAX_LABEL) problems.push({ file: rel, node: 'topic', message: `label.${lang} is longer than ${MAX_LABEL} characters` });
    const topic: Topic = { id: t.id, intent: t.intent, label: t.label, overview: t.overview, file: rel, entries: [] };
    topics.set(t.id, topic);
    file.entries.forEach((raw, i) => {
      const rawId = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `#${i + 1}`;
      const e = parseWith(entrySchema, raw, rel, problems, rawId);
      if (!e) return;
      const where = { file: rel, node: e.id };
      if (entries.has(e.id)) { problems.push({ ...where, message: `duplicate entry id (also in ${entries.get(e.id)?.file})` }); return; }
      const intent = e.intent ?? t.intent;
      if (!intentSet.has(intent)) problems.push({ ...where, message: `intent '${intent}' is not an intent (no content/nlu/${intent}.txt)` });
      for (const lang of LANGS) if (e.label[lang].length > MAX_LABEL) problems.push({ ...where, message: `label.${lang} is longer than ${MAX_LABEL} characters` });
      if (!e.ask.vi.some((a) => !/[\u0300-\u036f]/.test(a.normalize('NFD')) && !/[đĐ]/.test(a))) {
        problems.push({ ...where, message: 'ask.vi: give at least one paraphrase typed without diacritics' });
      }
      for (const tag of e.tags) {
        const [kind, id] = tag.split(':') as ['substance' | 'relation' | 'country' | 'who' | 'crisis', string];
        if (kind === 'who' ? !['child', 'adult'].includes(id) : !entityIds[kind].has(id)) problems.push({ ...where, message: `tag '${tag}' names nothing in content/entities.yaml, content/places.yaml or the crisis kinds` });
      }
      for (const src of e.sources) if (src.doc && !existsSync(join(root, src.doc.replace(/#.*$/, '')))) problems.push({ ...where, message: `sources: no file ${src.doc} in this project` });
      for (const id of e.call ?? []) if (!book.verified(id)) problems.push({ ...where, message: `call: '${id}' is not a verified hotline with a number in content/hotlines.yaml` });
      const res = (list: LocalizedList): LocalizedList => ({ vi: list.vi.map((b) => book.resolve(b, where, problems)), en: list.en.map((b) => book.resolve(b, where, problems)) });
      const entry: KnowledgeEntry = {
        id: e.id, topic: t.id, intent, file: rel, label: e.label, q: e.q, ask: e.ask,
        answer: res(e.answer), ...(e.more ? { more: res(e.more) } : {}),
        related: e.related, tags: e.tags, call: e.call ?? [], sources: e.sources, checked: e.checked,
      };
      checkBubbles(entry.answer, MAX_ANSWER_BUBBLES, MAX_ANSWER_CHARS, 'answer', where, problems);
      if (entry.more) checkBubbles(entry.more, MAX_MORE_BUBBLES, MAX_MORE_CHARS, 'more', where, problems);
      entries.set(e.id, entry);
      topic.entries.push(e.id);
    });
  }
  // Cross-references, and paraphrases that would make two entries of one topic indistinguishable. Across
  // topics a short follow-up ("có mất tiền không") may be shared: the thread of the conversation decides.
  const seen = new Map<string, string>();
  for (const topic of topics.values()) {
    const ov = entries.get(topic.overview);
    if (!ov || ov.topic !== topic.id) problems.push({ file: topic.file, node: 'topic', message: `overview '${topic.overview}' is not an entry of this file` });
  }
  for (const e of entries.values()) {
    for (const r of e.related) {
      if (r === e.id) problems.push({ file: e.file, node: e.id, message: 'related: an entry is not related to itself' });
      else if (!entries.has(r)) problems.push({ file: e.file, node: e.id, message: `related: unknown entry '${r}'` });
    }
    for (const text of [e.q.vi, e.q.en, ...e.ask.vi, ...e.ask.en]) {
      const k = `${e.topic}:${normalize(text)}`;
      const other = seen.get(k);
      if (other && other !== e.id) problems.push({ file: e.file, node: e.id, message: `the question "${text}" is also asked by entry '${other}'` });
      else seen.set(k, e.id);
    }
  }
  return { topics, entries };
}

// ---- flows ---------------------------------------------------------------

function parseFlowFile(file: string, rel: string, root: string, problems: Problem[]): Flow | undefined {
  const raw = readYaml(file, root, problems);
  if (raw === undefined) return undefined;
  return parseFlow(raw, rel, problems);
}

/** A flow from its parsed YAML (or a campaign compiled into one): every node checked, problems named by file and node. */
function parseFlow(raw: unknown, rel: string, problems: Problem[]): Flow | undefined {
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
  const draft = head.data.draft;
  if (draft && !nodes.has(draft.review)) problems.push({ file: rel, message: `draft.review: no node '${draft.review}' in this flow` });
  if (draft && ![...nodes.values()].some((n) => n.type === 'action' && n.var === draft.sent)) problems.push({ file: rel, message: `draft.sent: no action node keeps its result in '${draft.sent}'` });
  return { id: head.data.id, file: rel, triggers: head.data.triggers, phrases: head.data.phrases, ...(head.data.topic ? { topic: head.data.topic } : {}), ...(draft ? { draft } : {}), start, nodes };
}

/** Fills hotline numbers into the flows' own texts (once, at load). */
function resolveFlowTexts(flow: Flow, book: HotlineBook, problems: Problem[]): void {
  for (const [id, node] of flow.nodes) {
    const where = { file: flow.file, node: id };
    let n: FlowNode = node;
    if ('text' in n && n.text) n = { ...n, text: resolveLocalized(n.text, book, where, problems) } as FlowNode;
    if (n.type === 'input' && n.invalid) n = { ...n, invalid: resolveLocalized(n.invalid, book, where, problems) };
    if (n.type === 'choice' && n.again) n = { ...n, again: resolveLocalized(n.again, book, where, problems) };
    if (n.type === 'choice') n = { ...n, options: n.options.map((o) => ({ ...o, label: resolveLocalized(o.label, book, where, problems) })) };
    flow.nodes.set(id, n);
  }
}

/** Cross-checks: targets exist, jumps land, answers exist, every node reachable, each trigger routed once. */
function checkGraph(flows: Map<string, Flow>, content: Content, knowledge: Knowledge, intents: readonly string[], vocab: Vocabulary, book: HotlineBook, problems: Problem[]): void {
  const triggered = new Map<string, string>();
  const triggerNames = new Set([...intents, ...vocab.crises.map((c) => `crisis.${c}`)]);
  const actions = new Map(Object.entries(vocab.actions));
  for (const flow of flows.values()) {
    if (flow.topic && !knowledge.topics.has(flow.topic)) problems.push({ file: flow.file, message: `topic: unknown knowledge topic '${flow.topic}' (known: ${[...knowledge.topics.keys()].join(', ')})` });
    for (const t of flow.triggers) {
      if (!triggerNames.has(t)) problems.push({ file: flow.file, message: `trigger '${t}' is neither an intent (content/nlu/<intent>.txt) nor a crisis kind (crisis.<kind>)` });
      const other = triggered.get(t);
      if (other) problems.push({ file: flow.file, message: `'${t}' already starts flow '${other}'` });
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
      if (node.type === 'entry' && !knowledge.entries.has(node.entry)) problems.push({ file: flow.file, node: node.id, message: `unknown knowledge entry '${node.entry}' (not in content/knowledge/)` });
      if (node.type === 'action') {
        const takes = actions.get(node.action);
        if (!takes) problems.push({ file: flow.file, node: node.id, message: `unknown action '${node.action}' (known: ${[...actions.keys()].join(', ')})` });
        else {
          for (const a of Object.keys(node.args)) if (!takes.includes(a)) problems.push({ file: flow.file, node: node.id, message: `args: '${a}' is not an argument of ${node.action} (it takes: ${takes.join(', ') || 'none'})` });
          for (const a of takes) if (!(a in node.args)) problems.push({ file: flow.file, node: node.id, message: `args: ${node.action} needs '${a}' mapped to a flow variable (args: { ${a}: <variable> })` });
        }
      }
      if ('call' in node && node.call) {
        for (const id of node.call) {
          if (!book.verified(id)) problems.push({ file: flow.file, node: node.id, message: `call: '${id}' is not a verified hotline with a number in content/hotlines.yaml` });
        }
      }
      for (const key of answerKeys(node)) {
        if (!content.answers[key]) problems.push({ file: flow.file, node: node.id, message: `unknown answer '${key}' (not in content/answers.yaml)` });
      }
      if (node.type === 'choice') {
        const seen = new Set<string>();
        for (const o of node.options) {
          if (seen.has(o.value)) problems.push({ file: flow.file, node: node.id, message: `duplicate option value '${o.value}'` });
          seen.add(o.value);
          if (!o.next && !node.next) problems.push({ file: flow.file, node: node.id, message: `option '${o.value}' has no next node and the node has no default next` });
          for (const lang of LANGS) {
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
  // Every intent is either answered from the knowledge base (a topic's intent) or starts exactly one flow.
  const topicIntents = new Set([...knowledge.topics.values()].map((t) => t.intent));
  for (const intent of intents) {
    if (!triggered.has(intent) && !topicIntents.has(intent)) problems.push({ file: 'flows/', message: `no flow is triggered by intent '${intent}' and no knowledge topic answers it` });
  }
  for (const c of vocab.crises) if (!triggered.has(`crisis.${c}`)) problems.push({ file: 'flows/', message: `no flow is triggered by crisis kind 'crisis.${c}'` });
  // Content nobody can reach is content nobody checks: every answer must be used by a flow.
  const used = new Set<string>();
  for (const flow of flows.values()) for (const n of flow.nodes.values()) for (const k of answerKeys(n)) used.add(k);
  for (const key of Object.keys(content.answers)) {
    if (!used.has(key)) problems.push({ file: 'content/answers.yaml', node: key, message: 'answer is not used by any flow' });
  }
}

function loadFlows(root: string, problems: Problem[], extra: readonly { rel: string; raw: unknown }[] = []): Map<string, Flow> {
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
  // Campaigns (content/campaigns/), compiled into flows: checked like the others, problems named by the campaign file.
  for (const { rel, raw } of extra) {
    const flow = parseFlow(raw, rel, problems);
    if (!flow) continue;
    if (flows.has(flow.id)) { problems.push({ file: rel, message: `flow id '${flow.id}' is taken by ${flows.get(flow.id)!.file}` }); continue; }
    flows.set(flow.id, flow);
  }
  return flows;
}

// ---- the bundle ----------------------------------------------------------

/** A country's tag id: its folded name with underscores ("Hàn Quốc" -> han_quoc). */
export const countryId = (name: string): string => normalize(name).replace(/ /g, '_');

/** Loads everything; returns the problems found (empty when valid). */
export function checkBundle(root: string, vocab: Vocabulary): { bundle?: Bundle; problems: Problem[]; knowledge?: Knowledge } {
  const problems: Problem[] = [];
  const loaded = loadContent(root, vocab, problems);
  const campaigns = loadCampaigns(root, problems);
  const flows = loadFlows(root, problems, campaigns.flows);
  if (!loaded) return { problems };
  const { content, book, intents } = loaded;
  const entityIds = {
    substance: new Set(content.entities.substances.map((s) => s.id)),
    relation: new Set(content.entities.relations.map((s) => s.id)),
    country: new Set(content.places.abroad.map((p) => countryId(p.name))),
    crisis: new Set<string>(vocab.crises),
  };
  const knowledge = loadKnowledge(root, book, intents, entityIds, problems);
  for (const flow of flows.values()) resolveFlowTexts(flow, book, problems);
  checkGraph(flows, content, knowledge, intents, vocab, book, problems);
  // The web chat page names its hotlines by id too ({{hotline.police}}, {{hotline.police.dial}} for tel: links).
  const page = join(root, 'web', 'index.html');
  const webPage = existsSync(page) ? book.resolve(readFileSync(page, 'utf8'), { file: 'web/index.html' }, problems) : undefined;
  nameCampaignNodes(problems, campaigns.campaigns);
  if (problems.length) return { problems, knowledge };
  return { bundle: { flows, content, knowledge, intents, campaigns: campaigns.campaigns, ...(webPage ? { webPage } : {}) }, problems, knowledge };
}

/** Loads everything or throws a BundleError naming every file and node at fault. */
export function loadBundle(root: string, vocab: Vocabulary): Bundle {
  const { bundle, problems } = checkBundle(root, vocab);
  if (!bundle) throw new BundleError(problems);
  return bundle;
}

export type { Bundle, Flow, Knowledge, KnowledgeEntry, Topic, Content, Lang, Localized } from './types.js';
