/**
 * The dialog engine: a pure step function (session, input) -> (session', messages, events).
 *
 * No I/O happens here. Effects (store a case, look one up, delete data, hand off) are
 * requested with `action` events; the runtime performs them and feeds the result back
 * in as an `action_result` input. Sessions are plain JSON between turns.
 */
import type { Bundle } from '../flows/load.js';
import type { Flow, FlowNode, ChoiceNode, ChoiceOption, InputNode, Condition } from '../flows/schema.js';
import type { MessageKey, Command } from '../content/schema.js';
import { COMMANDS } from '../content/schema.js';
import { cleanText, normalize } from '../text/normalize.js';
import { parseInput } from './inputs.js';
import {
  newSession, type Classifier, type Classification, type EngineEvent, type Input, type Intent, type Lang,
  type Localized, type OutChoice, type OutMessage, type Position, type Session, type StepResult,
} from './types.js';

export interface EngineOptions {
  /** Idle time after which a conversation in the middle of a flow starts over (default 30 min). */
  idleTimeoutMs?: number;
  /** Below this NLU confidence the bot asks a clarifying question instead of guessing. */
  threshold?: number;
  /** Resolves a typed place to its canonical name, or undefined. */
  places?: (text: string) => string | undefined;
}

const MAX_NODES_PER_STEP = 64;
const DEFAULT_RETRIES = 2;
const RESUME = 'resume';
const PAYLOAD = /^([a-z0-9_]+)\.([a-z0-9_]+):([a-z0-9_]+)$/;
const BY_NUMBER = /^(?:so )?(\d{1,2})$/;
const PLACEHOLDER = /\{\{\s*([a-z0-9_.]+)\s*\}\}/gi;

/** One turn's working state. */
class Turn {
  readonly messages: OutMessage[] = [];
  readonly events: EngineEvent[] = [];
  /** Values for this turn's messages only, never stored (see Input.once). */
  once: Record<string, unknown> = {};
  hops = 0;
  constructor(public s: Session, readonly input: Input) {}
}

export class Engine {
  private readonly flows: Map<string, Flow>;
  private readonly byIntent = new Map<Intent, string>();
  private readonly commands = new Map<string, Command>();
  private readonly yes: Set<string>;
  private readonly no: Set<string>;
  private readonly idleTimeoutMs: number;
  private readonly threshold: number;
  private readonly hotlines: Map<string, { number: string; dial: string }>;
  /** Per choice node: normalised label/synonym -> option value (built once). */
  private readonly optionIndex = new Map<ChoiceNode, Map<string, string>>();

  constructor(private readonly bundle: Bundle, private readonly nlu: Classifier, private readonly opts: EngineOptions = {}) {
    this.flows = bundle.flows;
    for (const f of this.flows.values()) for (const t of f.triggers) this.byIntent.set(t as Intent, f.id);
    for (const cmd of COMMANDS) for (const phrase of bundle.content.commands[cmd]) this.commands.set(normalize(phrase), cmd);
    this.yes = new Set(bundle.content.yes.map(normalize));
    this.no = new Set(bundle.content.no.map(normalize));
    this.hotlines = new Map(bundle.content.hotlines.filter((h) => h.status === 'verified').map((h) => [h.id, h]));
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30 * 60_000;
    this.threshold = opts.threshold ?? 0.5;
    for (const f of this.flows.values()) {
      for (const n of f.nodes.values()) {
        if (n.type !== 'choice') continue;
        const idx = new Map<string, string>();
        for (const o of n.options) {
          for (const l of [o.label.vi, o.label.en, ...(o.synonyms ?? [])]) {
            const k = normalize(l);
            if (k && !idx.has(k)) idx.set(k, o.value);
          }
        }
        this.optionIndex.set(n, idx);
      }
    }
  }

  /** Processes one input. Never throws on user input; never mutates `prev`. */
  step(prev: Session | undefined, input: Input): StepResult {
    const s: Session = prev ? structuredClone(prev) : newSession();
    const t = new Turn(s, input);
    if (input.kind === 'action_result') {
      this.onActionResult(t, input.action, input.ok, input.data, input.once);
      return this.finish(t);
    }
    const idle = s.lastActive !== undefined && input.now - s.lastActive > this.idleTimeoutMs;
    s.lastActive = input.now;
    if (idle && (s.at || s.pending || s.resume)) {
      this.reset(t);
      t.events.push({ type: 'session_reset', reason: 'timeout' });
      this.say(t, 'session_expired');
      if (input.kind === 'choice') { this.startIntent(t, 'menu'); return this.finish(t); }
    }
    if (s.pending) {
      // A previous turn stopped before its action completed (e.g. a crash): ask for it again.
      const node = this.node(s.pending.node);
      if (node?.type === 'action') { this.requestAction(t, s.pending.node.flow, node); return this.finish(t); }
      s.pending = undefined;
    }
    switch (input.kind) {
      case 'start': this.reset(t); this.startIntent(t, 'greeting'); break;
      case 'attachment': this.say(t, 'attachment_received'); this.reprompt(t); break;
      case 'choice': this.onChoicePayload(t, input.payload); break;
      case 'text': this.onText(t, input.text); break;
    }
    return this.finish(t);
  }

  /** The messages that re-show where the session is waiting (used after a duplicate delivery). */
  prompt(session: Session | undefined): OutMessage[] {
    const t = new Turn(session ? structuredClone(session) : newSession(), { kind: 'start', id: '', now: 0 });
    if (t.s.at) this.renderWaiting(t, t.s.at);
    else this.say(t, 'duplicate_message');
    return t.messages;
  }

  // ---- inputs -------------------------------------------------------------

  private onText(t: Turn, raw: string): void {
    const text = cleanText(raw);
    const norm = normalize(text);
    if (norm === '') {
      this.say(t, 'empty_input');
      this.reprompt(t);
      return;
    }
    const cmd = this.commands.get(norm);
    if (cmd && cmd !== 'skip') { this.onCommand(t, cmd); return; }

    const at = t.s.at;
    const node = at ? this.node(at) : undefined;
    const cls = this.nlu.classify(text);
    if (cls.intent === 'emergency') {
      t.events.push({ type: 'intent', intent: 'emergency', confidence: cls.confidence });
      this.emergency(t, at, node, text);
      return;
    }
    if (at && node?.type === 'choice') { this.onChoiceText(t, at, node, norm, cls); return; }
    if (at && node?.type === 'input') { this.onInputText(t, at, node, text, cmd === 'skip'); return; }
    t.events.push({ type: 'intent', intent: cls.intent, confidence: cls.confidence });
    this.route(t, cls);
  }

  private onChoicePayload(t: Turn, payload: string): void {
    const s = t.s;
    if (payload === RESUME) { this.resume(t); return; }
    if (payload.startsWith('cmd:')) {
      const cmd = payload.slice(4) as Command;
      if ((COMMANDS as readonly string[]).includes(cmd)) {
        if (cmd === 'skip') { this.onSkip(t); return; }
        this.onCommand(t, cmd);
        return;
      }
    } else if (payload.startsWith('intent:')) {
      const intent = payload.slice(7) as Intent;
      if (this.byIntent.has(intent)) { this.reset(t); this.startIntent(t, intent); return; }
    } else {
      const m = PAYLOAD.exec(payload);
      if (m) {
        const pos = { flow: m[1], node: m[2] };
        const node = this.node(pos);
        const option = node?.type === 'choice' ? node.options.find((o) => o.value === m[3]) : undefined;
        if (node?.type === 'choice' && option) {
          if (s.at && s.at.flow === pos.flow && s.at.node === pos.node) { this.choose(t, pos, node, option); return; }
          // A tap on an old menu: the top-level menu's buttons always work; others do not.
          const menuFlow = this.byIntent.get('menu');
          if (pos.flow === menuFlow && pos.node === this.flows.get(menuFlow)?.start) {
            this.reset(t);
            this.choose(t, pos, node, option);
            return;
          }
          this.say(t, 'stale_button');
          this.reprompt(t);
          return;
        }
      }
    }
    // Unknown or forged payload: polite answer, no state change.
    this.say(t, 'stale_button');
    this.reprompt(t);
  }

  private onCommand(t: Turn, cmd: Command): void {
    switch (cmd) {
      case 'menu':
        this.reset(t);
        t.events.push({ type: 'session_reset', reason: 'menu' });
        this.startIntent(t, 'menu');
        return;
      case 'cancel':
        if (t.s.at || t.s.resume) {
          this.reset(t);
          t.events.push({ type: 'session_reset', reason: 'cancel' });
          this.say(t, 'cancelled');
        } else this.say(t, 'nothing_to_cancel');
        this.startIntent(t, 'menu');
        return;
      case 'delete_data':
        this.reset(t);
        this.startIntent(t, 'delete_data');
        return;
      case 'lang_en': case 'lang_vi':
        t.s.lang = cmd === 'lang_en' ? 'en' : 'vi';
        this.say(t, 'lang_switched');
        if (t.s.at) this.renderWaiting(t, t.s.at);
        else this.startIntent(t, 'menu');
        return;
      case 'skip':
        this.onSkip(t);
        return;
    }
  }

  private onSkip(t: Turn): void {
    const at = t.s.at;
    const node = at ? this.node(at) : undefined;
    if (at && node?.type === 'input' && node.optional) {
      t.s.vars[node.var] = null;
      delete t.s.labels[node.var];
      this.complete(t, at, node.next);
      return;
    }
    this.say(t, 'not_understood');
    this.reprompt(t);
  }

  private onChoiceText(t: Turn, at: Position, node: ChoiceNode, norm: string, cls: Classification): void {
    if (t.s.resume && normalize(this.msg(t.s.lang, 'continue_label')) === norm) { this.resume(t); return; }
    const option = this.matchOption(node, norm);
    if (option) { this.choose(t, at, node, option); return; }
    // Not an answer to the question: maybe a new question altogether.
    if (node.nlu !== false && cls.confidence >= this.threshold && cls.intent !== 'out_of_scope' && cls.intent !== 'greeting') {
      t.events.push({ type: 'intent', intent: cls.intent, confidence: cls.confidence });
      this.reset(t);
      this.startIntent(t, cls.intent);
      return;
    }
    this.retry(t, at, node, 'retry_choice');
  }

  private onInputText(t: Turn, at: Position, node: InputNode, text: string, isSkip: boolean): void {
    if (isSkip && node.optional) { this.onSkip(t); return; }
    const parsed = parseInput(node.input, text, t.input.now, node.min, node.max, this.opts.places);
    if (!parsed.ok) { this.retry(t, at, node, parsed.error, node.invalid); return; }
    t.s.vars[node.var] = parsed.value;
    delete t.s.labels[node.var];
    if (node.input === 'secret') t.s.transient = [...new Set([...(t.s.transient ?? []), node.var])];
    this.complete(t, at, node.next);
  }

  private onActionResult(t: Turn, action: string, ok: boolean, data?: Record<string, unknown>, once?: Record<string, unknown>): void {
    const p = t.s.pending;
    if (!p || p.action !== action) return; // late or foreign result: ignore
    t.s.pending = undefined;
    const node = this.node(p.node);
    if (node?.type !== 'action') return;
    if (node.var) {
      t.s.vars[node.var] = { ok, ...(data ?? {}) };
      if (once) t.once = { [node.var]: once };
    }
    this.goto(t, p.node.flow, ok ? node.ok : node.fail);
  }

  // ---- routing ------------------------------------------------------------

  private route(t: Turn, cls: Classification): void {
    if (cls.confidence >= this.threshold && cls.intent !== 'out_of_scope') {
      t.s.clarifying = false;
      this.startIntent(t, cls.intent);
      return;
    }
    if (cls.intent === 'out_of_scope' && cls.confidence >= this.threshold) {
      t.s.clarifying = false;
      this.startIntent(t, 'out_of_scope');
      return;
    }
    if (t.s.clarifying) {
      // Asked once already: do not ask again, show the menu.
      t.s.clarifying = false;
      this.say(t, 'not_understood');
      this.startIntent(t, 'menu');
      return;
    }
    t.s.clarifying = true;
    const options = [cls.intent, ...cls.alternatives.map((a) => a.intent)]
      .filter((i, k, all) => i !== 'out_of_scope' && i !== 'greeting' && i !== 'goodbye' && all.indexOf(i) === k && this.byIntent.has(i))
      .slice(0, 3);
    const lang = t.s.lang;
    const choices: OutChoice[] = options.map((i) => ({ id: `intent:${i}`, label: this.bundle.content.intentLabels[i][lang] }));
    choices.push({ id: 'cmd:menu', label: this.msg(lang, 'main_menu_label') });
    t.messages.push({ text: this.msg(lang, 'clarify'), choices });
  }

  private startIntent(t: Turn, intent: Intent): void {
    const flow = this.byIntent.get(intent);
    if (!flow) return;
    Object.assign(t.s, { runId: t.input.id, vars: {}, labels: {}, returnTo: undefined });
    t.events.push({ type: 'flow_started', flow });
    this.goto(t, flow, (this.flows.get(flow) as Flow).start);
  }

  private emergency(t: Turn, at: Position | undefined, node: FlowNode | undefined, text: string): void {
    // Keep what the person was in the middle of, so nothing typed is lost.
    let resume: Position | undefined = at;
    if (at && node?.type === 'input' && node.input === 'text') {
      const parsed = parseInput('text', text, t.input.now, node.min, node.max);
      if (parsed.ok) {
        t.s.vars[node.var] = parsed.value;
        resume = node.next ? { flow: at.flow, node: node.next } : undefined;
      }
    }
    const keep = { vars: t.s.vars, labels: t.s.labels, runId: t.s.runId };
    this.reset(t);
    if (resume) t.s.resume = { ...resume, ...keep };
    t.events.push({ type: 'emergency' });
    const flow = this.byIntent.get('emergency') as string;
    t.events.push({ type: 'flow_started', flow });
    this.goto(t, flow, (this.flows.get(flow) as Flow).start);
  }

  private resume(t: Turn): void {
    const r = t.s.resume;
    t.s.resume = undefined;
    t.s.at = undefined;
    if (!r || !this.node(r)) { this.startIntent(t, 'menu'); return; }
    Object.assign(t.s, { vars: r.vars, labels: r.labels, runId: r.runId });
    this.goto(t, r.flow, r.node);
  }

  // ---- running nodes ------------------------------------------------------

  private choose(t: Turn, at: Position, node: ChoiceNode, option: ChoiceOption): void {
    const s = t.s;
    if (s.resume) s.resume = undefined;
    if (node.var) {
      s.vars[node.var] = option.value;
      s.labels[node.var] = option.label;
    }
    if (option.set) Object.assign(s.vars, option.set);
    const next = option.next ?? node.next;
    if (option.edit) s.returnTo = { flow: at.flow, node: node.next ?? at.node, armed: false };
    this.complete(t, at, next);
  }

  /** An answer was accepted: clear the retry count and move on. */
  private complete(t: Turn, at: Position, next: string | undefined): void {
    t.s.retries = 0;
    t.s.at = undefined;
    t.s.clarifying = false;
    if (next) this.goto(t, at.flow, next);
    else this.endFlow(t, at.flow);
  }

  private retry(t: Turn, at: Position, node: ChoiceNode | InputNode, key: MessageKey, custom?: Localized): void {
    t.s.retries += 1;
    if (t.s.retries > (node.retries ?? DEFAULT_RETRIES)) {
      t.s.retries = 0;
      if (node.fail) { t.s.at = undefined; this.goto(t, at.flow, node.fail); return; }
      this.reset(t);
      this.say(t, 'way_out');
      this.startIntent(t, 'menu');
      return;
    }
    t.messages.push({ text: custom ? custom[t.s.lang] : this.msg(t.s.lang, key) });
    this.renderWaiting(t, at);
  }

  private goto(t: Turn, flowId: string, nodeId: string): void {
    let pos: Position | undefined = { flow: flowId, node: nodeId };
    while (pos) {
      if (++t.hops > MAX_NODES_PER_STEP) {
        // A loop without a question in a flow: stop safely at the menu.
        this.reset(t);
        this.say(t, 'not_understood');
        return;
      }
      pos = this.exec(t, pos);
    }
  }

  /** Runs one node; returns the next position to run, or undefined when waiting or done. */
  private exec(t: Turn, pos: Position): Position | undefined {
    const s = t.s;
    const node = this.node(pos);
    if (!node) { this.reset(t); return undefined; }
    const rt = s.returnTo;
    if (rt && (node.type === 'choice' || node.type === 'input')) {
      if (!rt.armed) rt.armed = true;
      else if (rt.flow !== pos.flow || rt.node !== pos.node) {
        s.returnTo = undefined;
        return { flow: rt.flow, node: rt.node };
      } else s.returnTo = undefined;
    }
    const next = (id: string | undefined): Position | undefined => {
      if (id) return { flow: pos.flow, node: id };
      this.endFlow(t, pos.flow);
      return undefined;
    };
    switch (node.type) {
      case 'message':
        this.sayNode(t, node);
        return next(node.next);
      case 'choice':
      case 'input':
        s.at = pos;
        this.renderWaiting(t, pos);
        return undefined;
      case 'branch': {
        const hit = node.cases.find((c) => this.test(s, c.when));
        return { flow: pos.flow, node: hit ? hit.next : node.default };
      }
      case 'set':
        Object.assign(s.vars, node.values);
        return { flow: pos.flow, node: node.next };
      case 'action':
        this.sayNode(t, node);
        this.requestAction(t, pos.flow, node);
        return undefined;
      case 'jump': {
        if (node.flow !== pos.flow) {
          t.events.push({ type: 'flow_completed', flow: pos.flow });
          t.events.push({ type: 'flow_started', flow: node.flow });
          Object.assign(s, { runId: t.input.id, vars: {}, labels: {}, returnTo: undefined });
        }
        const target = this.flows.get(node.flow) as Flow;
        return { flow: node.flow, node: node.node ?? target.start };
      }
      case 'end':
        this.sayNode(t, node);
        this.endFlow(t, pos.flow);
        return undefined;
    }
  }

  private requestAction(t: Turn, flow: string, node: Extract<FlowNode, { type: 'action' }>): void {
    t.s.at = undefined;
    t.s.pending = { action: node.action, node: { flow, node: node.id } };
    t.events.push({ type: 'action', action: node.action, args: { ...t.s.vars }, runId: t.s.runId ?? t.input.id });
    for (const v of t.s.transient ?? []) delete t.s.vars[v];
    t.s.transient = undefined;
  }

  private endFlow(t: Turn, flow: string): void {
    t.events.push({ type: 'flow_completed', flow });
    // Transcripts are not kept: a finished flow forgets its answers.
    t.s.at = undefined;
    t.s.vars = {};
    t.s.labels = {};
    t.s.returnTo = undefined;
    t.s.runId = undefined;
  }

  private reset(t: Turn): void {
    const { lang, lastActive } = t.s;
    t.s = Object.assign(newSession(lang), { lastActive });
  }

  private test(s: Session, c: Condition): boolean {
    const v = lookup(s.vars, c.var);
    if (c.exists !== undefined) return (v !== undefined && v !== null) === c.exists;
    if (c.in) return c.in.includes(v as string);
    return v === c.equals;
  }

  // ---- rendering ----------------------------------------------------------

  private finish(t: Turn): StepResult {
    return { session: t.s, messages: t.messages, events: t.events };
  }

  private node(pos: Position): FlowNode | undefined {
    return this.flows.get(pos.flow)?.nodes.get(pos.node);
  }

  private msg(lang: Lang, key: MessageKey): string {
    return this.bundle.content.messages[key][lang];
  }

  private say(t: Turn, key: MessageKey): void {
    t.messages.push({ text: this.msg(t.s.lang, key) });
  }

  private reprompt(t: Turn): void {
    if (t.s.at) this.renderWaiting(t, t.s.at);
    else this.startIntent(t, 'menu');
  }

  /** Says a node's answers and text (templated); returns the messages added. */
  private sayNode(t: Turn, node: FlowNode): OutMessage[] {
    const added: OutMessage[] = [];
    if (!('text' in node) && !('answer' in node)) return added;
    const lang = t.s.lang;
    const answers = node.answer === undefined ? [] : Array.isArray(node.answer) ? node.answer : [node.answer];
    for (const key of answers) for (const b of this.bundle.content.answers[key][lang]) added.push({ text: b });
    if (node.text) added.push({ text: this.template(t.s, node.text[lang], t.once) });
    if ('call' in node && node.call && added.length) {
      added[added.length - 1].calls = node.call.map((id) => {
        const h = this.hotlines.get(id) as { number: string; dial: string };
        return { label: this.msg(lang, 'call_label').replace('{{number}}', h.number), dial: h.dial };
      });
    }
    t.messages.push(...added);
    return added;
  }

  private renderWaiting(t: Turn, pos: Position): void {
    const node = this.node(pos);
    if (!node || (node.type !== 'choice' && node.type !== 'input')) return;
    const added = this.sayNode(t, node);
    const lang = t.s.lang;
    const choices: OutChoice[] = [];
    if (node.type === 'choice') {
      for (const o of node.options) choices.push({ id: `${pos.flow}.${pos.node}:${o.value}`, label: o.label[lang] });
      // Last, so that typed numbers (1, 2...) still match the question's own options in order.
      if (t.s.resume) choices.push({ id: RESUME, label: this.msg(lang, 'continue_label') });
    } else if (node.optional) {
      choices.push({ id: 'cmd:skip', label: this.msg(lang, 'skip_label') });
    }
    if (choices.length) {
      const last = added[added.length - 1];
      if (last) last.choices = choices;
      else t.messages.push({ text: this.msg(lang, 'retry_choice'), choices });
    }
  }

  private matchOption(node: ChoiceNode, norm: string): ChoiceOption | undefined {
    const byNumber = BY_NUMBER.exec(norm);
    if (byNumber) return node.options[Number(byNumber[1]) - 1];
    const idx = this.optionIndex.get(node) as Map<string, string>;
    let value = idx.get(norm);
    if (!value && node.options.length <= 3) {
      // Yes/no words for yes/no questions (option values "yes"/"no").
      if (this.yes.has(norm)) value = 'yes';
      else if (this.no.has(norm)) value = 'no';
    }
    if (!value) {
      // A label typed as part of a short sentence ("cho minh xem ma tuy"): unique containment wins.
      const hits = new Set<string>();
      for (const [k, v] of idx) if (k.length >= 3 && (` ${norm} `.includes(` ${k} `))) hits.add(v);
      if (hits.size === 1) value = [...hits][0];
    }
    return value ? node.options.find((o) => o.value === value) : undefined;
  }

  private template(s: Session, text: string, once: Record<string, unknown>): string {
    if (!text.includes('{{')) return text;
    return text.replace(PLACEHOLDER, (_m, path: string) => {
      const label = s.labels[path];
      if (label) return label[s.lang];
      const v = lookup(once, path) ?? lookup(s.vars, path);
      if (v === undefined || v === null || v === '') return '—';
      return typeof v === 'object' ? '—' : String(v);
    });
  }
}

/** Reads a dotted path ("case.ref") out of nested plain objects. */
function lookup(root: Record<string, unknown>, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}
