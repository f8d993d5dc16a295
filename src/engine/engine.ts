/**
 * The dialog engine: a pure step function (session, input) -> (session', messages, events).
 *
 * No I/O happens here. Effects (store a case, look one up, delete data, hand off) are
 * requested with `action` events; the runtime performs them and feeds the result back
 * in as an `action_result` input. Sessions are plain JSON between turns.
 *
 * A text turn goes through these steps, in order:
 *   1. language: the reply follows the language the person writes in (sticky until they switch);
 *   2. global commands ("menu", "hủy", "xóa dữ liệu", "English", "xem thêm"...);
 *   3. an exact answer to the question waiting (a label, a synonym, a number, yes/no) — never a crisis;
 *   4. the crisis router: self-harm, a child in danger, overdose, trapped abroad, sextortion, violence —
 *      each kind its own flow with the right number first, then the way back to where the person was;
 *   5. the question waiting (choice or typed input);
 *   6. otherwise the message is a question: the knowledge base answers it in the thread of the
 *      conversation, or an intent starts a flow, or the engine asks which of a few things was meant.
 */
import { REPORT_OPENING, withoutReportOpening } from '../text/phrases.js';
import type { Bundle, Flow, KnowledgeEntry, Topic } from '../bundle/types.js';
import type { ChoiceNode, ChoiceOption, Condition, FlowNode, InputNode } from '../bundle/schema.js';
import { cleanText, normalize } from '../text/normalize.js';
import { parseInput, type PlaceLookup } from './inputs.js';
import { decodePayload, cmd, DRAFT_DISCARD, DRAFT_REVIEW, entryPayload, intentPayload, RESUME } from './payload.js';
import {
  newSession, type Classification, type CrisisSignal, type EngineEvent, type EntryHit, type Entities, type Input, type Lang,
  type Localized, type Nlu, type NluContext, type OutChoice, type OutCopy, type OutMessage, type Position, type Session, type StepResult, type Thread,
} from './types.js';

/** Global commands the engine knows; their phrases live in content/commands.yaml. */
export const COMMANDS = ['menu', 'cancel', 'delete_data', 'lang_en', 'lang_vi', 'skip', 'more'] as const;
export type Command = (typeof COMMANDS)[number];

/** Sentences the engine says; they live in content/messages.yaml. */
export const ENGINE_MESSAGES = [
  'empty_input', 'not_understood', 'clarify', 'clarify_entries', 'retry_choice', 'way_out', 'session_expired',
  'stale_button', 'cancelled', 'nothing_to_cancel', 'lang_switched',
  'invalid_text', 'invalid_number', 'invalid_date', 'invalid_place', 'invalid_code', 'invalid_secret', 'too_long',
  'continue_label', 'skip_label', 'main_menu_label', 'more_label', 'entry_repeat', 'duplicate_message',
  'attachment_received', 'call_label', 'crisis_again', 'or_joiner', 'repeat_at_question', 'said_already',
  'draft_continue_label', 'draft_review_label', 'draft_discard_label', 'draft_discarded', 'draft_waiting', 'draft_resumed',
  'draft_prefilled', 'draft_story_kept',
] as const;
export type EngineMessage = (typeof ENGINE_MESSAGES)[number];

/** Intents with these names have a meaning to the engine itself (every bot has a menu and a fallback). */
const MENU = 'menu';
const REPORT_TIP = 'report_tip';
const GREETING = 'greeting';
const GOODBYE = 'goodbye';
/** Asking to go on with a parked draft in words rather than with its button. */
const CONTINUE_WORDS = /^((on roi|ok|u|thoi|vang|da) )?(tiep tuc|viet tiep|bao tiep|ke tiep|lam tiep|go on|carry on|continue)( (tin bao|nhe|nha|di|a|my tip|the tip))*$/;
/** A reference code written in a message (BA-7K2M9Q, "ba 7k2m9q"). */
const CODE_IN_TEXT = { test: (s: string): boolean => /\bba-[a-z0-9]{6}\b|\bba ?(?=[a-z]*\d)[a-z0-9]{6}\b/i.test(s) || /\bBA ?[A-Z0-9]{6}\b/.test(s) };
/** A message this long tells a story: its facts fill a draft's questions. */
const STORY_WORDS = 12;
/** …and this long, it is the description itself. */
const DESCRIPTION_WORDS = 15;
const FALLBACK = 'out_of_scope';
/** How closely a statement typed in an open crisis must fit an entry written for it to get that entry ("em đang
 * khóa cửa phòng") rather than the crisis's own answer again. */
const STATEMENT_FIT = 0.6;

/** Words that wave the bot off ("thôi", "kệ", "whatever") or only say fear ("em sợ lắm"): after a crisis answer, the
 * person is still not alone: company and the numbers, not an article. */
const DISMISSALS = new Set(['khong ai giup duoc dau', 'khong ai giup duoc', 'chang ai giup duoc', 'no one can help', 'nobody can help me', 'nobody can help', 'lanh lam', 'lanh qua', 'em lanh', 'doi qua', 'em doi', 'i am cold', 'im cold', 'i am hungry', 'im hungry', 'thoi khong sao', 'khong sao', 'khong sao dau', 'ko sao', 'em on', 'minh on', 'i am fine', 'im fine', 'i am ok', 'im ok', 'em so lam', 'em so qua', 'minh so qua', 'toi so lam', 'toi so qua', 'so lam', 'so qua', 'i am scared', 'im scared', 'scared', 'xong', 'xong roi', 'done', 'goi roi', 'da goi', 'called', 'thoi', 'thoi khoi', 'ke', 'ke di', 'sao cung duoc', 'khong biet', 'khong can', 'whatever', 'nevermind', 'never mind', 'forget it', 'nothing', 'cam on', 'thanks', 'thank you']);

/** Asking to send, said while a draft is parked. */
const SEND_WORDS = /^(ok )?(gui|gui di|gui luon|gui luon di|gui tin|gui tin bao|gui tin bao di|gui nhe|send|send it|send the tip|submit)$/;

/** "Which number?" in an open crisis: that crisis's numbers, not the general list (113 first for an overdose). */
const NUMBER_ASKS = /^((goi|so) (so )?(nao|gi)|so (dien thoai )?(nao|gi)( vay| a| the)?|what( s| is)? (the )?number( again)?|which number|what number do i call)$/;

/** The person asks to do something ("mình muốn báo tin", "cho tôi tra cứu", "I want to report"). */
const WANTS = /\b(muon|can|cho (toi|minh|em|tui)|giup (toi|minh|em|tui)|want|would like|need to|let me|i d like)\b|\b(bao|gui|to giac|khai bao)\b.*\b(duoc|dc) (khong|ko|k|hong)$|\bcan i (report|send|tell)\b/;
const EMERGENCY = 'emergency';
const DELETE = 'delete_data';
/** Intents that never appear as a "did you mean" button. */
const NOT_OFFERED = new Set([FALLBACK, GREETING, 'goodbye', EMERGENCY]);

export interface EngineOptions {
  /** Idle time after which a conversation in the middle of a flow starts over (default 30 min). */
  idleTimeoutMs?: number;
  /** Below this NLU confidence the bot asks a clarifying question instead of guessing. */
  threshold?: number;
  /** Resolves a typed place to its canonical name, or undefined. */
  places?: PlaceLookup;
  /** Retrieval confidence from which an entry is answered outright (default 0.3: on the development questions,
   * 95% of the messages answered outright at 0.3 got the right entry, and 95% of all were answered). */
  entrySure?: number;
  /** Retrieval confidence from which entries are offered as a clarifying question (default 0.15). */
  entryMaybe?: number;
}

const MAX_NODES_PER_STEP = 64;
const DEFAULT_RETRIES = 2;
const BY_NUMBER = /^(?:so )?(\d{1,2})$/;
/** `{{path}}`, or `{{path | 160}}`: at most that many characters, cut at a word ("…"). */
const PLACEHOLDER = /\{\{\s*([a-z0-9_.]+)\s*(?:\|\s*(\d+)\s*)?\}\}/gi;
/** Buttons under a knowledge answer: "tell me more", related entries, the menu. */
const MAX_ENTRY_BUTTONS = 4;
/** A question, as opposed to a request to act ("làm sao để báo tin" vs "tôi muốn báo tin"). */
/** Words that make a message a question (folded). Vietnamese and English apart: folded "đó" is "do", "cần" is "can". */
const QUESTION_VI = /\b(khong|ko|chua|sao|the nao|nhu the nao|bao lau|bao nhieu|bao gio|khi nao|ai|gi|dau|nao|co phai|lieu|(duoc|dc|that|phai|roi|vay|the|sao) (ha|a)|ha)$|\b(khong|chua|sao|the nao|nhu the nao|bao lau|bao nhieu|bao gio|khi nao|ai|gi|dau|nao|co phai|lieu|may (gio|tuoi|ngay|nam|thang|lan|tien|so))\b/;
const QUESTION_EN = /^(how|what|when|where|who|why|which|will|would|can|could|do|does|did|is|are|am|should|may|have|has)\b|\b(how|what|when|where|who|why|which)\b/;
/** Asked plainly: a question mark, a Vietnamese question word that ends the sentence, or English that opens with one. */
const ASKED = /(khong|ko|chua|sao|the nao|nhu the nao|bao lau|bao nhieu|bao gio|khi nao|ai|gi|co phai|(duoc|dc|that|phai|roi|vay|the|sao) (ha|a)|ha)$|^(how|what|when|where|who|why|which|will|would|can|could|do|does|did|is|are|should)\b/;
/** Words people end a sentence with to address someone or soften it ("... được hả chị", "... không ạ"). */
const VOCATIVE_TAIL = /( (a|chi|anh|em|ad|admin|ban|oi|nhe|nha|ak|ah|bot|shop))+$/;
/** "tối nào cũng", "ai cũng", "đâu cũng": question words used as "every", not to ask. */
const EVERY = /\b(ai|gi|nao|dau|bao gio|khi nao) (cung|chang)\b/g;
const isQuestionText = (text: string, norm: string): boolean => text.includes('?') || QUESTION_VI.test(norm.replace(EVERY, ' ').replace(VOCATIVE_TAIL, '')) || QUESTION_EN.test(norm);

/** Polite particles after a command ("xem thêm đi", "menu nha", "hủy giúp mình"): the command still counts. */
const PARTICLES = /(?: (di|nhe|nha|nhen|a|voi|giup (minh|em|toi)|dum|please|pls|thanks|nhe ban|di ban))+$/;

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
  /** Intent or "crisis.<kind>" -> the flow it starts. */
  private readonly byTrigger = new Map<string, string>();
  /** Typed phrases that start a flow (a campaign's "trắc nghiệm ma túy"), normalised. */
  private readonly byPhrase = new Map<string, string>();
  /** The flow whose first question asks for a reference code (the tip check), if any. */
  private readonly codeFlow?: Flow;
  /** Informational intents -> their topics, the largest first. */
  private readonly topicsByIntent = new Map<string, Topic[]>();
  private readonly commands = new Map<string, Command>();
  private readonly yes: Set<string>;
  private readonly no: Set<string>;
  private readonly unsure: Set<string>;
  private readonly idleTimeoutMs: number;
  private readonly threshold: number;
  private readonly entrySure: number;
  private readonly entryMaybe: number;
  /** Per choice node: normalised label/synonym -> option value (built once). */
  private readonly optionIndex = new Map<ChoiceNode, Map<string, string>>();

  constructor(private readonly bundle: Bundle, private readonly nlu: Nlu, private readonly opts: EngineOptions = {}) {
    this.flows = bundle.flows;
    for (const f of this.flows.values()) for (const t of f.triggers) this.byTrigger.set(t, f.id);
    // Every flow can also be started by its id (payload go:<flow>), through the same path as an intent.
    for (const f of this.flows.values()) this.byTrigger.set(`go:${f.id}`, f.id);
    for (const f of this.flows.values()) for (const ph of f.phrases ?? []) this.byPhrase.set(normalize(ph), f.id);
    this.codeFlow = [...this.flows.values()].find((f) => { const n = f.nodes.get(f.start); return n?.type === 'input' && n.input === 'code'; });
    for (const t of bundle.knowledge.topics.values()) {
      const list = this.topicsByIntent.get(t.intent) ?? [];
      list.push(t);
      this.topicsByIntent.set(t.intent, list);
    }
    for (const list of this.topicsByIntent.values()) list.sort((a, b) => b.entries.length - a.entries.length || a.id.localeCompare(b.id));
    for (const c of COMMANDS) for (const phrase of bundle.content.commands[c] ?? []) this.commands.set(normalize(phrase), c);
    this.yes = new Set(bundle.content.yes.map(normalize));
    this.no = new Set(bundle.content.no.map(normalize));
    this.unsure = new Set(bundle.content.unsure.map(normalize));
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30 * 60_000;
    this.threshold = opts.threshold ?? 0.5;
    this.entrySure = opts.entrySure ?? 0.22;
    this.entryMaybe = opts.entryMaybe ?? 0.12;
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
    if (idle) { s.thread = undefined; s.story = undefined; }
    // A draft being written (a tip) outlives the idle timeout: the answer to its question is still an answer.
    if (idle && (s.at || s.pending || s.resume) && !(s.at && this.keepsDraft(s.at.flow))) {
      this.reset(t);
      t.events.push({ type: 'session_reset', reason: 'timeout' });
      // A parked draft outlives it too, and is said to.
      this.say(t, this.parkedDraft(t.s) ? 'draft_waiting' : 'session_expired');
      if (input.kind === 'choice') { this.startIntent(t, MENU); return this.finish(t); }
    }
    if (s.pending) {
      // A previous turn stopped before its action completed (e.g. a crash): ask for it again.
      const node = this.node(s.pending.node);
      if (node?.type === 'action') { this.requestAction(t, s.pending.node.flow, node); return this.finish(t); }
      s.pending = undefined;
    }
    switch (input.kind) {
      case 'start': this.reset(t); this.startIntent(t, GREETING); break;
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

  /**
   * The crisis router's first answer for a message, without touching any session: used where the bot
   * does not run a turn (while the person waits for or talks with a counsellor). Undefined if no crisis.
   */
  crisisAnswer(text: string, lang: Lang, now = 0): { kind: string; messages: OutMessage[] } | undefined {
    const signal = this.nlu.crisis(cleanText(text), {});
    if (!signal) return undefined;
    const detected = this.nlu.language(text) ?? lang;
    const flow = this.flows.get(this.byTrigger.get(`crisis.${signal.kind}`) ?? '');
    if (!flow) return undefined;
    const t = new Turn(Object.assign(newSession(detected), { vars: crisisVars(signal) }), { kind: 'start', id: '', now });
    // Run the flow's messages up to its first question, and show that question's text without its buttons.
    let pos: Position | undefined = { flow: flow.id, node: flow.start };
    while (pos && ++t.hops <= MAX_NODES_PER_STEP) {
      const node = this.node(pos);
      if (!node) break;
      if (node.type === 'choice' || node.type === 'input') { this.sayNode(t, node); break; }
      if (node.type === 'message') { this.sayNode(t, node); pos = node.next ? { flow: flow.id, node: node.next } : undefined; continue; }
      if (node.type === 'branch') { const hit = node.cases.find((c) => this.test(t.s, c.when, t.input.now)); pos = { flow: flow.id, node: hit ? hit.next : node.default }; continue; }
      if (node.type === 'set') { Object.assign(t.s.vars, node.values); pos = { flow: flow.id, node: node.next }; continue; }
      if (node.type === 'end') this.sayNode(t, node);
      break;
    }
    return { kind: signal.kind, messages: t.messages.map(({ text: m, calls }) => (calls ? { text: m, calls } : { text: m })) };
  }

  // ---- inputs -------------------------------------------------------------

  private onText(t: Turn, raw: string): void {
    const text = cleanText(raw);
    const norm = normalize(text);
    if (norm === '') {
      // "…" or an emoji after a crisis answer: silence, not a mistake; still here, with the numbers.
      if (t.s.thread?.crisis && !(t.s.at && this.keepsDraft(t.s.at.flow)) && this.stillHere(t)) return;
      this.say(t, 'empty_input');
      this.reprompt(t);
      return;
    }
    const at = t.s.at;
    const node = at ? this.node(at) : undefined;
    const waiting = node?.type === 'choice' || node?.type === 'input' ? node : undefined;
    this.followLanguage(t, text, norm, waiting !== undefined);
    const command = this.commands.get(norm) ?? this.commands.get(norm.replace(PARTICLES, ''));
    if (command && command !== 'skip' && command !== 'more') { this.onCommand(t, command); return; }
    // "Xem thêm" typed after an answer goes deeper into it, even from a question that was waiting
    // (but never out of a tip being written).
    if (command === 'more' && t.s.thread?.entry && (!at || !this.keepsDraft(at.flow))) {
      if (at) { t.s.at = undefined; t.s.vars = {}; t.s.labels = {}; }
      this.more(t);
      return;
    }

    if (this.draftLabel(t, norm)) return;
    // A flow's own phrase typed outside a tip being written starts it ("trắc nghiệm ma túy").
    const phrased = this.byPhrase.get(norm);
    if (phrased && !(at && this.keepsDraft(at.flow))) { this.reset(t); this.startIntent(t, `go:${phrased}`); return; }
    // An answer that is exactly one of the options is an answer, whatever its words.
    if (at && waiting?.type === 'choice') {
      const option = this.exactOption(waiting, norm);
      if (option) { this.choose(t, at, waiting, option); return; }
      if (t.s.resume && (normalize(this.msg(t.s.lang, 'continue_label')) === norm || normalize(this.msg(t.s.lang, 'draft_continue_label')) === norm)) { this.resume(t); return; }
    }
    // A form's question (a tip's, a typed answer, buttons only) reads crises strictly; what is typed at a menu of
    // choices ("Bạn cần gì?", "What next?" after a crisis answer) is free chat ("chắc em biến mất thì tốt hơn").
    const form = waiting && at && !this.isCrisisFlow(at.flow) && (this.keepsDraft(at.flow) || waiting.type === 'input' || waiting.nlu === false);
    const ctx: NluContext = { thread: t.s.thread, ...(form && waiting ? { answering: this.answeringKind(waiting) } : {}) };
    const crisis = this.nlu.crisis(text, ctx);
    if (crisis) {
      t.events.push({ type: 'intent', intent: EMERGENCY, confidence: 1 });
      this.crisis(t, crisis, at, waiting, text);
      return;
    }
    // Leaving a draft (a goodbye, a question of its own): the draft is parked, never taken as an answer.
    if (at && waiting && command !== 'skip' && this.keepsDraft(at.flow) && this.leavesDraft(t, waiting, text, norm)) return;
    if (at && waiting?.type === 'choice') { this.onChoiceText(t, at, waiting, norm, text); return; }
    if (at && waiting?.type === 'input') { this.onInputText(t, at, waiting, text, command === 'skip'); return; }
    this.noteEntities(t, this.nlu.entities(text));
    if (command === 'more') { this.more(t); return; }
    this.route(t, text, norm);
  }

  /** The reply follows the language the person writes in; a word or two typed as an answer decides nothing. */
  private followLanguage(t: Turn, text: string, norm: string, answering: boolean): void {
    if (answering && norm.split(' ').length < 3) return;
    const lang = this.nlu.language(text);
    if (lang && lang !== t.s.lang) {
      t.s.lang = lang;
      t.events.push({ type: 'lang', lang });
    }
  }

  private answeringKind(node: ChoiceNode | InputNode): NluContext['answering'] {
    if (node.type === 'choice') return 'choice';
    if (node.input === 'place') return 'place';
    if (node.input === 'text' && (node.min ?? 1) >= 10) return 'free_text';
    return 'input';
  }

  private onChoicePayload(t: Turn, raw: string): void {
    const s = t.s;
    const p = decodePayload(raw);
    switch (p?.kind) {
      case 'resume': this.resume(t); return;
      case 'draft_review': this.reviewDraft(t); return;
      case 'draft_discard':
        if (this.parkedDraft(s)) { this.discardDraft(t); return; }
        break;
      case 'cmd':
        if ((COMMANDS as readonly string[]).includes(p.command)) {
          if (p.command === 'skip') { this.onSkip(t); return; }
          if (p.command === 'more') { this.more(t); return; }
          this.onCommand(t, p.command as Command);
          return;
        }
        break;
      case 'intent':
        if (this.byTrigger.has(p.intent) || this.topicsByIntent.has(p.intent)) { this.reset(t); this.startIntent(t, p.intent); return; }
        break;
      case 'go':
        if (this.flows.has(p.flow)) { this.reset(t); this.startIntent(t, `go:${p.flow}`); return; }
        break;
      case 'entry':
        if (this.bundle.knowledge.entries.has(p.entry)) {
          // A knowledge button leaves any question that was waiting (nothing typed is lost: none was asked).
          if (s.at) this.reset(t);
          this.showEntry(t, p.entry, p.more);
          return;
        }
        break;
      case 'option': {
        const pos = { flow: p.flow, node: p.node };
        const node = this.node(pos);
        const option = node?.type === 'choice' ? node.options.find((o) => o.value === p.value) : undefined;
        if (node?.type === 'choice' && option) {
          if (s.at && s.at.flow === pos.flow && s.at.node === pos.node) { this.choose(t, pos, node, option); return; }
          // A tap on an old menu: the menu flow's buttons always work; others do not.
          if (pos.flow === this.byTrigger.get(MENU)) {
            this.reset(t);
            this.choose(t, pos, node, option);
            return;
          }
          this.say(t, 'stale_button');
          this.reprompt(t);
          return;
        }
        break;
      }
      default: break;
    }
    // Unknown or forged payload: polite answer, no state change.
    this.say(t, 'stale_button');
    this.reprompt(t);
  }

  private onCommand(t: Turn, command: Command): void {
    switch (command) {
      case 'menu':
        this.reset(t);
        t.events.push({ type: 'session_reset', reason: 'menu' });
        this.startIntent(t, MENU);
        return;
      case 'cancel':
        // "thôi" after a crisis answer is not a decision to be left alone: still here, with the numbers.
        if (!this.holdsDraft(t.s) && t.s.thread?.crisis && (!t.s.at || this.isCrisisFlow(t.s.at.flow) || t.s.at.flow === MENU) && this.stillHere(t)) return;
        // "thôi", "dừng lại", "hủy" in the middle of a tip: the draft is kept and its buttons shown; only
        // "Bỏ tin báo" discards it (a frightened person's "thôi" is not a decision to throw the tip away).
        if (this.holdsDraft(t.s)) {
          this.reset(t);
          t.events.push({ type: 'session_reset', reason: 'cancel' });
          this.say(t, 'draft_waiting');
          return;
        }
        if (t.s.at || t.s.resume) {
          this.reset(t, true);
          t.events.push({ type: 'session_reset', reason: 'cancel' });
          this.say(t, 'cancelled');
        } else this.say(t, 'nothing_to_cancel');
        this.startIntent(t, MENU);
        return;
      case 'delete_data':
        // A draft stays parked until the deletion is confirmed (the deletion then takes the whole session).
        this.reset(t);
        this.startIntent(t, DELETE);
        return;
      case 'lang_en': case 'lang_vi':
        t.s.lang = command === 'lang_en' ? 'en' : 'vi';
        this.say(t, 'lang_switched');
        if (t.s.at) this.renderWaiting(t, t.s.at);
        else this.startIntent(t, MENU);
        return;
      case 'skip':
        this.onSkip(t);
        return;
      case 'more':
        this.more(t);
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

  private onChoiceText(t: Turn, at: Position, node: ChoiceNode, norm: string, text: string): void {
    // A label inside a short answer ("cho mình xem ma túy"); a question that merely mentions one is a question.
    const option = isQuestionText(text, norm) ? undefined : this.looseOption(node, norm);
    if (option) { this.choose(t, at, node, option); return; }
    if (this.isCrisisFlow(at.flow)) {
      // After a crisis answer: "ok", "ừ", "được" go back to what was paused; anything else is a question,
      // answered while what was paused stays available ("Tiếp tục" under the answer).
      if (this.yes.has(norm) || norm === 'cam on' || norm === 'thanks') {
        // "ok", "ừ", "cảm ơn": still here, with the numbers and the way back, never a goodbye that loses a draft.
        this.crisisAgain(t, node.call);
        this.renderChoices(t, at, node);
        return;
      }
      t.s.at = undefined;
      t.s.vars = {};
      this.route(t, text, norm);
      return;
    }
    // Not an answer to the question: maybe a new question altogether. A word or two ("chưa", "ok") is
    // an attempt at an answer: the question is asked again with its options, never left.
    if (node.nlu !== false && norm.split(' ').length >= 3) {
      const cls = this.nlu.classify(text);
      // The same request again, in other words ("không có ai thật à" after "no counsellor on duty"): the flow
      // once more, which says its words for "asked again" rather than an article about the request.
      // (A question that an entry answers closely, "nói chuyện với người thật có bị lộ không", is answered.)
      const hit = this.nlu.retrieve(text, { thread: t.s.thread })[0];
      if (cls.confidence >= 0.5 && this.byTrigger.get(cls.intent) === at.flow && node.again && !(isQuestionText(text, norm) && hit && hit.score >= 0.7)) {
        this.reset(t);
        this.startIntent(t, cls.intent);
        return;
      }
      const sureEntry = hit !== undefined && hit.score >= this.entrySure;
      if (sureEntry || isQuestionText(text, norm) || (cls.confidence >= this.threshold && cls.intent !== FALLBACK && cls.intent !== GREETING)) {
        this.reset(t);
        this.noteEntities(t, this.nlu.entities(text));
        this.route(t, text, norm, cls);
        return;
      }
    }
    // A whole story typed where a choice was asked: what it tells is kept, and the form goes on from there.
    if (this.keepsDraft(at.flow) && this.absorbStory(t, at.flow, text)) { this.again(t, at); return; }
    this.retry(t, at, node, 'retry_choice');
  }

  /** Back to a question after filling answers: it is skipped if now answered, else asked again. */
  private again(t: Turn, at: Position): void {
    t.s.at = undefined;
    t.s.retries = 0;
    this.goto(t, at.flow, at.node);
  }

  private onInputText(t: Turn, at: Position, node: InputNode, text: string, isSkip: boolean): void {
    const norm = normalize(text);
    // "ko", "ok", "not sure" at a question that may be skipped: skipped (never kept as the answer "ko").
    const plain = this.yes.has(norm) || this.no.has(norm) || this.unsure.has(norm);
    if ((isSkip || plain) && node.optional) { this.onSkip(t); return; }
    // "Không", "not sure" where a place is asked: the place is not known (the question says to type just that).
    const unknownPlace = node.input === 'place' && (this.no.has(norm) || this.unsure.has(norm)) ? this.bundle.content.places.unknown.name : undefined;
    const parsed = parseInput(node.input, unknownPlace ?? text, t.input.now, node.min, node.max, this.opts.places);
    if (!parsed.ok) {
      // Not the expected answer (a code, a date...) but a question of its own: outside a draft (a tip),
      // the question is answered rather than the person kept at a prompt.
      const norm = normalize(text);
      if (!this.keepsDraft(at.flow) && norm.split(' ').length >= 3 && (isQuestionText(text, norm) || norm.split(' ').length >= 6)) {
        this.reset(t);
        this.route(t, text, norm);
        return;
      }
      // A whole story typed where a place or a date was asked: kept, and the form goes on from there.
      if (this.keepsDraft(at.flow) && this.absorbStory(t, at.flow, text)) { this.again(t, at); return; }
      this.retry(t, at, node, parsed.error as EngineMessage, node.invalid);
      return;
    }
    t.s.vars[node.var] = parsed.value;
    // What is shown for the answer may say more than what is stored ("TP. Hồ Chí Minh (Vũng Tàu)").
    if (parsed.label) t.s.labels[node.var] = { vi: parsed.label, en: parsed.label };
    else delete t.s.labels[node.var];
    // What a story says of its writer (a child, a victim) and names (a substance, a country) joins the thread.
    if (node.input === 'text') this.noteEntities(t, this.nlu.entities(text));
    // The story may also tell what is still to be asked (when, plates, phone numbers): not asked again.
    if (node.input === 'text' && (node.min ?? 1) >= 10 && this.keepsDraft(at.flow)) this.absorbStory(t, at.flow, text);
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

  // ---- routing a question ---------------------------------------------------

  /**
   * A message that answers no question: a knowledge entry when retrieval is sure of one, a flow when the
   * intent is an action ("tôi muốn báo tin"), a choice of the best entries when unsure, else the intents.
   */
  private route(t: Turn, text: string, norm: string, known?: Classification): void {
    // "Báo tin xâm hại trẻ em", "tôi muốn báo tin: <the whole story>": the tip, with what the story tells already
    // filled in (a question about reporting, "báo tin có bị lộ không", is answered instead).
    // (A story is never a question, whatever words it has: "ở hẻm 12" reads as "không" in teencode.)
    if (REPORT_OPENING.test(norm) && !(isQuestionText(text, norm) && norm.split(' ').length < STORY_WORDS) && this.byTrigger.has(REPORT_TIP)) {
      t.s.clarifying = false;
      this.startIntent(t, REPORT_TIP, undefined, withoutReportOpening(text));
      return;
    }
    // An age told after a crisis answer ("e 16t" after "mệt quá không muốn sống nữa"): the crisis's answer for
    // a child (111 first), not an article that happens to mention that age.
    const open = t.s.thread?.crisis;
    // "ok", "không", "thôi khỏi", "không biết", "whatever" after a crisis answer: never an article, a menu or a
    // goodbye that ends it; still here, with the numbers.
    if (open && (this.yes.has(norm) || this.no.has(norm) || this.unsure.has(norm) || DISMISSALS.has(norm) || NUMBER_ASKS.test(norm)) && this.stillHere(t)) return;
    if (open && norm.split(' ').length <= 5) {
      const e = t.s.thread?.entities ?? {};
      const named = this.nlu.entities(text);
      const wasChild = isChild(e);
      if (!wasChild && named.age !== undefined && named.age < 18) {
        this.crisis(t, { kind: open, aboutOther: false, child: true }, undefined, undefined, text);
        return;
      }
    }
    // A reference code in the message ("cho mình xem tin báo BA-7K2M9Q với"): the flow that asks for it, with it
    // (and a secret typed alongside) already given.
    if (this.codeFlow && CODE_IN_TEXT.test(text)) { this.startWithValues(t, this.codeFlow, text); return; }
    const cls = known ?? this.nlu.classify(text);
    t.events.push({ type: 'intent', intent: cls.intent, confidence: cls.confidence });
    const found = this.nlu.retrieve(text, { thread: t.s.thread });
    // "Mất bao lâu" with nothing in the conversation it could be about: which question is meant, not a guess.
    if (found[0]?.unclear) {
      if (!t.s.clarifying) { this.clarifyEntries(t, found); return; }
      t.s.clarifying = false;
      this.say(t, 'not_understood');
      this.startIntent(t, MENU);
      return;
    }
    // Entries carried up by the thread alone, fitting none of the message's words, give way to one that fits
    // ("is it actually addictive tho" after a drug-law answer), unless a substance or country named ties them.
    const fits = found.filter((h) => h.score >= this.entryMaybe || h.anchored);
    const hits = found[0] && found[0].score < this.entryMaybe && !found[0].anchored && fits.some((h) => h.score >= this.entrySure) ? fits : [...found];
    // Two candidates ranked about the same: the one whose ways of asking fit the message goes first.
    if (hits[1] && hits[0].score < this.entrySure && hits[1].score >= this.entrySure && (hits[1].rank ?? 0) >= 0.8 * (hits[0].rank ?? 0)) hits.splice(0, 2, hits[1], hits[0]);
    const top = hits[0];
    const entry = top ? this.bundle.knowledge.entries.get(top.id) : undefined;
    const sure = top !== undefined && top.score >= this.entrySure && this.clearWinner(hits);
    const confident = cls.confidence >= this.threshold;
    const isQuestion = isQuestionText(text, norm);
    // The classifier hears danger the crisis router did not name: a sure answer from the knowledge base
    // for a question ("trong lúc chờ xe cấp cứu thì làm gì"), else the emergency answer.
    if (cls.intent === EMERGENCY && cls.confidence >= 0.5 && norm.split(' ').length >= 3 && this.nlu.dangerWords(text)) {
      if (sure && entry && (isQuestion || this.dominant(hits))) { t.s.clarifying = false; this.showEntry(t, entry.id); return; }
      this.crisis(t, { kind: 'danger_now', aboutOther: false, child: false }, undefined, undefined, text);
      return;
    }

    // An action intent ("tôi muốn báo tin", "xóa dữ liệu của tôi", "cho gặp người thật") starts its flow,
    // unless the message asks a question that an entry of that intent answers ("báo tin có bị lộ không").
    // "Tôi báo luôn ở đây được không": a wish to do something, and the thing to do is the runner-up intent.
    const runnerUp = cls.alternatives[0];
    const action = confident && this.isAction(cls.intent) ? cls.intent
      : WANTS.test(norm) && runnerUp && runnerUp.confidence >= 0.35 && !this.isAction(cls.intent) && this.isAction(runnerUp.intent) ? runnerUp.intent : undefined;
    // (The emergency flow starts only from the danger check above: without a word of danger it is a question.)
    if (action && action !== FALLBACK && action !== EMERGENCY) {
      const long = norm.split(' ').length > 8;
      // A question that one entry answers far better than any other ("Giờ tin đó đi đâu, ai xử lý?") is a
      // question, unless the person says they want to do the thing ("mình muốn tra cứu tin báo").
      // A story the classifier only half reads as a request ("lỡ xóa đoạn chat rồi, giờ mất mã") is answered too.
      const answered = (isQuestion || (cls.confidence < 0.6 && norm.split(' ').length >= 6)) && this.dominant(hits) && !WANTS.test(norm);
      if (!(sure && entry && ((isQuestion && (entry.intent === action || top.score >= 0.7)) || answered || (long && entry.intent === action && !WANTS.test(norm))))) {
        t.s.clarifying = false;
        this.startIntent(t, action, undefined, text);
        return;
      }
    }
    // The classifier is all but certain the message is outside what Bình An does ("mai Hà Nội có mưa không"),
    // and no entry fits it closely: words shared by chance ("mua", "bán") do not make it a question about them.
    if (cls.intent === FALLBACK && cls.confidence >= 0.9 && !(top && top.score >= 0.7)) { t.s.clarifying = false; this.startIntent(t, FALLBACK); return; }
    if (sure && entry) { t.s.clarifying = false; this.showEntry(t, entry.id); return; }
    // A good fit that is not a clear winner, or one entry far ahead of the rest that the message names
    // (a substance, a country) or follows up on: answered, with the runner-up offered as a button. A menu
    // of guesses is for when nothing fits well.
    if (top && entry && (top.score >= this.entrySure || (this.dominant(hits) && (top.score >= this.entryMaybe || top.anchored === true)))) {
      t.s.clarifying = false;
      this.showEntry(t, entry.id, false, hits.slice(1, 2).filter((h) => h.score >= this.entryMaybe).map((h) => h.id));
      return;
    }
    const maybe = hits.filter((h) => h.score >= this.entryMaybe);
    // Not sure what a follow-up to a crisis asks: the numbers again, and the crisis's own choices.
    if (maybe.length === 0 && this.stillHere(t)) return;
    if (maybe.length >= 2 && !t.s.clarifying) { this.clarifyEntries(t, maybe); return; }
    if (maybe.length === 1 && top.score >= (this.entrySure + this.entryMaybe) / 2) { t.s.clarifying = false; this.showEntry(t, top.id); return; }
    if (confident && this.topicsByIntent.has(cls.intent)) { t.s.clarifying = false; this.startIntent(t, cls.intent, hits); return; }
    if (cls.intent === FALLBACK && confident) { t.s.clarifying = false; this.startIntent(t, FALLBACK); return; }
    if (maybe.length === 1 && !t.s.clarifying) { this.clarifyEntries(t, maybe); return; }
    if (t.s.clarifying) {
      // Asked once already: do not ask again, show the menu.
      t.s.clarifying = false;
      this.say(t, 'not_understood');
      this.startIntent(t, MENU);
      return;
    }
    t.s.clarifying = true;
    const options = [cls.intent, ...cls.alternatives.map((a) => a.intent)]
      .filter((i, k, all) => !NOT_OFFERED.has(i) && all.indexOf(i) === k && (this.byTrigger.has(i) || this.topicsByIntent.has(i)))
      .slice(0, 3);
    const lang = t.s.lang;
    const choices: OutChoice[] = options.map((i) => ({ id: intentPayload(i), label: this.intentLabel(i, lang) }));
    choices.push({ id: cmd('menu'), label: this.msg(lang, 'main_menu_label') });
    t.messages.push({ text: this.msg(lang, 'clarify'), choices });
  }

  /** In an open crisis: "still here", its numbers again and its own choices; false when no crisis is open. */
  private stillHere(t: Turn): boolean {
    const kind = t.s.thread?.crisis;
    const crisisFlow = kind ? this.byTrigger.get(`crisis.${kind}`) : undefined;
    const f = crisisFlow ? this.flows.get(crisisFlow) : undefined;
    if (!f || !kind) return false;
    // The question this crisis asks of this person (a child's, an adult's), reached through its branches.
    const e = t.s.thread?.entities ?? {};
    const vars = crisisVars({ kind, aboutOther: false, child: isChild(e) });
    const probe = Object.assign(newSession(t.s.lang), { vars });
    let node: FlowNode | undefined = f.nodes.get(f.start);
    for (let hops = 0; node && node.type !== 'choice' && hops < MAX_NODES_PER_STEP; hops++) {
      const next: string | undefined = node.type === 'branch' ? (node.cases.find((c) => this.test(probe, c.when, t.input.now))?.next ?? node.default)
        : 'next' in node ? node.next : undefined;
      node = next ? f.nodes.get(next) : undefined;
    }
    if (node?.type !== 'choice') return false;
    this.crisisAgain(t, node.call);
    t.s.at = { flow: f.id, node: node.id };
    t.s.vars = vars;
    this.renderChoices(t, t.s.at, node);
    return true;
  }

  /** The best entry stands out from the next one (or the next ones are about the same thing). */
  private clearWinner(hits: EntryHit[]): boolean {
    const [a, b] = hits;
    if (!b) return true;
    const ra = a.rank ?? a.score;
    const rb = b.rank ?? b.score;
    return ra >= 1.05 * rb || a.score >= b.score + 0.2;
  }

  /** The best entry is far ahead of the next one. */
  private dominant(hits: EntryHit[]): boolean {
    const [a, b] = hits;
    return !b || (a.rank ?? a.score) >= 2 * (b.rank ?? b.score);
  }

  /** An intent that starts a flow (report a tip, check it, delete data, talk to a person...). */
  private isAction(intent: string): boolean {
    return this.byTrigger.has(intent);
  }

  private clarifyEntries(t: Turn, hits: EntryHit[]): void {
    t.s.clarifying = true;
    const lang = t.s.lang;
    // The conversation is now about the best candidate's topic: a follow-up is read in it.
    const topic = this.bundle.knowledge.entries.get(hits[0].id)?.topic;
    // (An open crisis stays open: "…" or "ok" after the question is still answered with its numbers.)
    t.s.thread = { topic, entities: t.s.thread?.entities ?? {}, ...(t.s.thread?.crisis ? { crisis: t.s.thread.crisis } : {}) };
    const picked = hits.slice(0, 3).map((h) => this.bundle.knowledge.entries.get(h.id) as KnowledgeEntry);
    // Two entries with the same label are told apart by their topic.
    const choices: OutChoice[] = picked.map((e) => ({
      id: entryPayload(e.id),
      label: picked.filter((x) => x.label[lang] === e.label[lang]).length > 1 ? this.bundle.knowledge.topics.get(e.topic)?.label[lang] ?? e.label[lang] : e.label[lang],
    }));
    choices.push({ id: cmd('menu'), label: this.msg(lang, 'main_menu_label') });
    t.messages.push({ text: this.msg(lang, 'clarify_entries'), choices });
  }

  private intentLabel(intent: string, lang: Lang): string {
    return this.bundle.content.intentLabels[intent]?.[lang] ?? intent;
  }

  private startIntent(t: Turn, intent: string, hits?: EntryHit[], told?: string): void {
    const flow = this.byTrigger.get(intent);
    if (flow) {
      // A draft started right after a crisis told as a story: that story, not typed again.
      let story = told;
      if (this.keepsDraft(flow)) { story ??= t.s.story; t.s.story = undefined; }
      // Starting a draft flow (a tip) while one is parked: that one, where it was left, not a second one.
      const parked = this.parkedDraft(t.s);
      if (this.keepsDraft(flow) && parked && this.node(parked)) {
        this.say(t, 'draft_resumed');
        // What the message tells ("tôi muốn báo tiếp: ...") goes into that draft, not lost.
        Object.assign(t.s, { resume: undefined, at: undefined, vars: parked.vars, labels: parked.labels, runId: parked.runId, prefilled: parked.prefilled });
        if (story) this.absorbStory(t, parked.flow, story);
        this.goto(t, parked.flow, parked.node);
        return;
      }
      // A flow may speak differently right after a crisis ("goodbye" after thoughts of suicide): thread.crisis.
      const open = t.s.thread?.crisis;
      Object.assign(t.s, { runId: t.input.id, vars: open ? { thread: { crisis: open } } : {}, labels: {}, returnTo: undefined, prefilled: undefined });
      // What a crisis paused is dropped by starting something else; a parked draft is not.
      if (!this.isCrisisFlow(flow) && !this.parkedDraft(t.s)) t.s.resume = undefined;
      t.events.push({ type: 'flow_started', flow });
      // A draft started by a whole story ("ở Hải Phòng có xe 15A-123.45 tối nào cũng chở một bé gái…"): what
      // it tells is kept, shown, and not asked again.
      const before = t.messages.length;
      // (A short request that names the kind of thing, "báo tin xâm hại trẻ em": that first choice is made.)
      const absorbed = story !== undefined && this.keepsDraft(flow) && (this.absorbStory(t, flow, story) || this.prefillFirstChoice(t, flow, story));
      const noted = absorbed ? t.messages.splice(before, 1) : [];
      this.goto(t, flow, (this.flows.get(flow) as Flow).start);
      // What was understood is said just before the first question (after the flow's opening words).
      if (noted.length) t.messages.splice(Math.max(before, t.messages.length - 1), 0, ...noted);
      return;
    }
    const topics = this.topicsByIntent.get(intent);
    if (!topics) return;
    // Of the intent's topics, the one retrieval leaned to, else the largest.
    const entries = this.bundle.knowledge.entries;
    const leaned = hits?.map((h) => entries.get(h.id)?.topic).find((id) => topics.some((x) => x.id === id));
    const topic = topics.find((x) => x.id === leaned) ?? topics[0];
    this.showEntry(t, topic.overview);
  }

  // ---- knowledge answers ----------------------------------------------------

  /**
   * Shows an entry's short answer (or its depth), with buttons: "tell me more", related entries, the menu.
   * Never the same answer twice in a row: asked again, the engine goes deeper, or asks what to know.
   */
  private showEntry(t: Turn, id: string, more = false, alternatives: string[] = []): void {
    const e = this.bundle.knowledge.entries.get(id) as KnowledgeEntry;
    const th = t.s.thread;
    // The same entry asked again in the other language: its answer again, now in that language.
    const switched = t.events.some((e) => e.type === 'lang');
    if (th?.entry === id && !switched) {
      // The same entry again: its depth if not shown yet, else a question instead of a repeat.
      if (!th.more && e.more) more = true;
      else { this.askWhatMore(t, e); return; }
    }
    if (more && !e.more) { this.askWhatMore(t, e); return; }
    const lang = t.s.lang;
    const bubbles = (more ? e.more?.[lang] : e.answer[lang]) ?? e.answer[lang];
    const added: OutMessage[] = bubbles.map((text) => ({ text }));
    const last = added[added.length - 1];
    const choices: OutChoice[] = [];
    if (!more && e.more) choices.push({ id: entryPayload(e.id, true), label: this.msg(lang, 'more_label') });
    for (const r of [...alternatives.filter((a) => a !== e.id && !e.related.includes(a)), ...e.related]) {
      if (choices.length >= MAX_ENTRY_BUTTONS - 1) break;
      if (r === th?.entry) continue;
      choices.push({ id: entryPayload(r), label: (this.bundle.knowledge.entries.get(r) as KnowledgeEntry).label[lang] });
    }
    // Something paused by a crisis (a tip half written) can be continued from here.
    const paused = this.resumeChoices(t, true);
    if (paused.length) choices.splice(Math.max(0, Math.min(choices.length, MAX_ENTRY_BUTTONS - paused.length)), choices.length, ...paused);
    choices.push({ id: cmd('menu'), label: this.msg(lang, 'main_menu_label') });
    last.choices = choices;
    if (e.call.length) last.calls = this.calls(e.call, lang);
    t.messages.push(...added);
    t.s.thread = { topic: e.topic, entry: e.id, more, entities: th?.entities ?? {}, ...(th?.crisis ? { crisis: th.crisis } : {}) };
    t.events.push({ type: 'entry', entry: e.id, topic: e.topic, more });
  }

  /** "Xem thêm" typed or tapped: the depth of the entry being talked about. */
  private more(t: Turn): void {
    const id = t.s.thread?.entry;
    if (!id || !this.bundle.knowledge.entries.has(id)) { this.say(t, 'not_understood'); this.startIntent(t, MENU); return; }
    this.showEntry(t, id, true);
  }

  /** Asked the same thing again with nothing deeper to say: offer what is related instead of repeating. */
  private askWhatMore(t: Turn, e: KnowledgeEntry): void {
    const lang = t.s.lang;
    const choices: OutChoice[] = e.related.slice(0, MAX_ENTRY_BUTTONS - 1).map((r) => ({ id: entryPayload(r), label: (this.bundle.knowledge.entries.get(r) as KnowledgeEntry).label[lang] }));
    if (this.byTrigger.has('talk_to_human') && choices.length < MAX_ENTRY_BUTTONS - 1) choices.push({ id: intentPayload('talk_to_human'), label: this.intentLabel('talk_to_human', lang) });
    choices.push({ id: cmd('menu'), label: this.msg(lang, 'main_menu_label') });
    t.messages.push({ text: this.msg(lang, 'entry_repeat').replace('{{label}}', () => e.label[lang]), choices });
    t.s.thread = { ...(t.s.thread ?? { entities: {} }), topic: e.topic, entry: e.id, more: true };
    t.events.push({ type: 'entry', entry: e.id, topic: e.topic, more: true });
  }

  private noteEntities(t: Turn, named: Entities): void {
    if (Object.keys(named).length === 0) return;
    const th = t.s.thread ?? { entities: {} };
    t.s.thread = { ...th, entities: { ...th.entities, ...named } };
  }

  // ---- crises -----------------------------------------------------------------

  /** A crisis interrupts anything: its own first answer, and the way back to what was in progress. */
  private crisis(t: Turn, signal: CrisisSignal, at: Position | undefined, node: ChoiceNode | InputNode | undefined, text: string): void {
    // A vague danger inside an open crisis ("my parents are going to kill me" after an overdose) belongs to it.
    const open = t.s.thread?.crisis;
    if (signal.kind === 'danger_now' && !signal.now && open && open !== 'danger_now') signal = { ...signal, kind: open };
    // Beaten or in danger while held abroad ("họ đánh em" after "em bị giữ ở Myanmar"): Viet Nam's 113 cannot
    // reach there; the citizen-protection line is the number.
    const abroad = open === 'trapped_abroad' || (t.s.thread?.entities.country !== undefined && this.byTrigger.has('crisis.trapped_abroad'));
    if ((signal.kind === 'danger_now' || signal.kind === 'violence_now') && abroad && !signal.aboutOther) signal = { ...signal, kind: 'trapped_abroad' };
    // The same crisis again, right after its answer: no word-for-word repeat, a short "still here" with the numbers.
    const current = t.s.vars.crisis as { kind?: string; now?: boolean; child?: boolean } | undefined;
    // The crisis already answered, asked about again ("gọi rồi mà nó vẫn không thở, phải làm gì"): the answer
    // written for this crisis's follow-ups, with its numbers, rather than the first answer once more.
    // (Not only a question: "em đang khóa cửa phòng" after "chồng cầm dao" has an answer of its own.)
    const asks = isQuestionText(text, normalize(text));
    if (open === signal.kind) {
      // (A statement needs a close fit: "giờ ông ấy đang đập cửa phòng em" is the crisis again, now, not an article.)
      const hit = this.nlu.retrieve(text, { thread: t.s.thread }).find((h) => h.anchored && h.score >= (asks ? this.entryMaybe : STATEMENT_FIT));
      const entry = hit && this.bundle.knowledge.entries.get(hit.id);
      if (entry && entry.tags.includes(`crisis:${signal.kind}`) && entry.id !== t.s.thread?.entry) {
        t.events.push({ type: 'emergency' }, { type: 'crisis', kind: signal.kind });
        this.showEntry(t, entry.id);
        return;
      }
    }
    if (at && node?.type === 'choice' && this.isCrisisFlow(at.flow) && current?.kind === signal.kind && (current.now || !signal.now) && (current.child || !signal.child)) {
      t.events.push({ type: 'emergency' }, { type: 'crisis', kind: signal.kind });
      this.crisisAgain(t, node.call);
      this.renderChoices(t, at, node);
      return;
    }
    // Keep what the person was in the middle of, so nothing typed is lost. A long free-text answer (a tip's
    // description) is kept as the answer; a short one (a place, a name) is asked again on the way back.
    // (A parked draft comes before the menu or another flow's question that was showing: a tip is not lost.)
    const parked = this.parkedDraft(t.s);
    let resume: Position | undefined = at && !this.isCrisisFlow(at.flow) && !(parked && !this.keepsDraft(at.flow)) ? at : undefined;
    if (at && resume && node?.type === 'input' && node.input === 'text' && (node.min ?? 1) >= 10) {
      const parsed = parseInput('text', text, t.input.now, node.min, node.max);
      if (parsed.ok) {
        t.s.vars[node.var] = parsed.value;
        resume = node.next ? { flow: at.flow, node: node.next } : undefined;
      }
    }
    if (!resume && t.s.resume) resume = t.s.resume;
    const keep = at && resume === at ? { vars: t.s.vars, labels: t.s.labels, runId: t.s.runId, prefilled: t.s.prefilled }
      : t.s.resume ? { vars: t.s.resume.vars, labels: t.s.resume.labels, runId: t.s.resume.runId, prefilled: t.s.resume.prefilled }
        : at && resume ? { vars: t.s.vars, labels: t.s.labels, runId: t.s.runId, prefilled: t.s.prefilled } : undefined;
    // What the message says of its writer (a child, a victim) stays with the thread: a tip sent after the crisis
    // answer does not warn a child or a victim about false reports.
    this.noteEntities(t, this.nlu.entities(text));
    const thread = t.s.thread;
    this.reset(t);
    t.s.thread = thread;
    if (resume && keep) t.s.resume = { flow: resume.flow, node: resume.node, ...keep };
    // A crisis told as a story: kept for a tip the person may start from the crisis answer.
    t.s.story = normalize(text).split(' ').length >= STORY_WORDS ? text.slice(0, 2000) : undefined;
    t.events.push({ type: 'emergency' }, { type: 'crisis', kind: signal.kind });
    const flow = this.byTrigger.get(`crisis.${signal.kind}`) ?? this.byTrigger.get(EMERGENCY) as string;
    t.events.push({ type: 'flow_started', flow });
    t.s.vars = crisisVars(signal, t.s.thread?.entities.who === 'child');
    // Follow-ups are now read in the crisis's topic ("bố mẹ em có biết không" after a blackmail answer).
    const topic = this.flows.get(flow)?.topic;
    t.s.thread = { entities: t.s.thread?.entities ?? {}, ...(topic ? { topic } : t.s.thread?.topic ? { topic: t.s.thread.topic } : {}), crisis: signal.kind };
    this.goto(t, flow, (this.flows.get(flow) as Flow).start);
  }

  private resume(t: Turn): void {
    const r = t.s.resume;
    t.s.resume = undefined;
    t.s.at = undefined;
    if (!r || !this.node(r)) { this.startIntent(t, MENU); return; }
    Object.assign(t.s, { vars: r.vars, labels: r.labels, runId: r.runId, prefilled: r.prefilled });
    this.goto(t, r.flow, r.node);
  }

  // ---- running nodes ------------------------------------------------------

  private choose(t: Turn, at: Position, node: ChoiceNode, option: ChoiceOption): void {
    const s = t.s;
    if (node.var) {
      s.vars[node.var] = option.value;
      s.labels[node.var] = option.label;
    }
    if (option.set) Object.assign(s.vars, option.set);
    for (const v of option.inc ?? []) s.vars[v] = (typeof s.vars[v] === 'number' ? (s.vars[v] as number) : 0) + 1;
    if (node.count) this.count(t, node.count, option.value);
    // The writer's own details taken out of the answers: nothing of them is kept.
    if (node.redact && option.value === 'remove' && this.nlu.ownIdentity) {
      for (const v of node.redact) if (typeof s.vars[v] === 'string') s.vars[v] = this.nlu.ownIdentity(s.vars[v] as string, s.lang).redacted;
    }
    const next = option.next ?? node.next;
    if (option.edit) s.returnTo = { flow: at.flow, node: node.next ?? at.node, armed: false };
    // Leaving the crisis answer by another way than "continue": the paused work stays available
    // only while the person is still inside the crisis flow.
    if (s.resume && !this.isCrisisFlow(at.flow) && !this.parkedDraft(s)) s.resume = undefined;
    this.complete(t, at, next);
  }

  /** Flows whose answers are a draft the person is writing (a tip): never lost by leaving them. */
  private keepsDraft(flow: string): boolean {
    return this.flows.get(flow)?.draft !== undefined;
  }

  /** The draft parked in the session (a tip half written, left for something else), if any. */
  private parkedDraft(s: Session): Session['resume'] {
    const r = s.resume;
    const d = r ? this.flows.get(r.flow)?.draft : undefined;
    // (A tip already sent, paused by a crisis after its receipt, is not a draft any more: "Tiếp tục" only.)
    return r && d && r.vars[d.sent] === undefined ? r : undefined;
  }

  /** The session holds a draft with answers: one being written or one parked, not yet sent. The runtime
   * keeps such a session longer. */
  holdsDraft(s: Session): boolean {
    const parked = this.parkedDraft(s);
    return (s.at !== undefined && this.isDraft(s.at.flow, s.vars)) || (parked !== undefined && this.isDraft(parked.flow, parked.vars));
  }

  /** A draft flow's answers so far, not sent yet. */
  private isDraft(flow: string, vars: Record<string, unknown>): boolean {
    const d = this.flows.get(flow)?.draft;
    return d !== undefined && vars[d.sent] === undefined && answered(vars);
  }

  /**
   * At a draft's question, a message that is not an answer but a way out: a goodbye, or (at a typed question)
   * a question of its own ("thôi em sợ bị lộ lắm, người ta biết em báo thì sao"). The draft is parked and the
   * message answered; every reply then offers to continue, review and send, or discard the draft.
   */
  private leavesDraft(t: Turn, node: ChoiceNode | InputNode, text: string, norm: string): boolean {
    const words = norm.split(' ').length;
    const cls = this.nlu.classify(text);
    // "ok", "ừ", "không", "not sure" are attempts at an answer, never a goodbye that parks the tip.
    const plain = this.yes.has(norm) || this.no.has(norm) || this.unsure.has(norm);
    if (cls.intent === GOODBYE && cls.confidence >= 0.6 && words <= 12 && !plain) {
      this.reset(t);
      this.say(t, 'draft_waiting');
      return true;
    }
    // Asking again for what is already being written ("tôi muốn báo tin" typed at a tip's question): not an
    // answer; the question again.
    const at = t.s.at;
    if (at && node.type === 'input' && words <= 5 && cls.confidence >= 0.9 && this.flows.get(at.flow)?.triggers.includes(cls.intent)) {
      this.say(t, 'draft_resumed');
      this.renderWaiting(t, at);
      return true;
    }
    if (node.type !== 'input' || words < 3 || words > 14 || !(text.trim().endsWith('?') || ASKED.test(norm.replace(VOCATIVE_TAIL, '')))) return false;
    // An answer that reads as a question ("quán cafe đầu hẻm" typed without accents is "đâu") is an answer:
    // a place or a date that parses is one, and otherwise only a question an entry answers well, not about
    // the draft's own subject, is taken as a question.
    if (node.input !== 'text' && parseInput(node.input, text, t.input.now, node.min, node.max, this.opts.places).ok) return false;
    // The question is read in the draft flow's topic ("người ta biết em báo thì sao": about tips).
    const flow = t.s.at ? this.flows.get(t.s.at.flow) : undefined;
    const thread: Thread = { entities: t.s.thread?.entities ?? {}, ...(flow?.topic ? { topic: flow.topic } : {}) };
    const hit = this.nlu.retrieve(text, { thread })[0];
    if (flow?.triggers.includes(cls.intent) || !hit || hit.score < 0.35) return false;
    this.reset(t);
    t.s.thread = thread;
    this.noteEntities(t, this.nlu.entities(text));
    this.route(t, text, norm, cls);
    return true;
  }

  /** The writer's own details found in these variables' texts. */
  private ownIdentity(s: Session, vars: readonly string[]): string[] {
    if (!this.nlu.ownIdentity) return [];
    return vars.flatMap((v) => (typeof s.vars[v] === 'string' ? (this.nlu.ownIdentity as NonNullable<Nlu['ownIdentity']>)(s.vars[v] as string).found : []));
  }

  /**
   * A story told to a draft flow (at its start, or typed where a short answer was asked): what it already
   * tells fills the questions not answered yet (a choice only with one of its options), which are then not
   * asked; the person is shown what was understood (each item can be fixed at the review). True if it filled any.
   */
  /** The draft's first question, when it is a choice that a short request names one option of. */
  private prefillFirstChoice(t: Turn, flowId: string, told: string): boolean {
    const flow = this.flows.get(flowId);
    const first = flow ? [...flow.nodes.values()].find((n): n is ChoiceNode => n.type === 'choice' && n.var !== undefined) : undefined;
    if (!first?.var) return false;
    const option = this.looseOption(first, normalize(told));
    if (!option) return false;
    prefill(t.s, first.var, option.value, option.label);
    t.messages.push({ text: this.msg(t.s.lang, 'draft_prefilled').replace('{{facts}}', () => option.label[t.s.lang]) });
    return true;
  }

  private absorbStory(t: Turn, flowId: string, story: string): boolean {
    const flow = this.flows.get(flowId);
    const words = normalize(story).split(' ').length;
    if (!flow || !this.nlu.storyFacts || words < STORY_WORDS) return false;
    const facts = this.nlu.storyFacts(story);
    const s = t.s;
    const got: string[] = [];
    let kept = false;
    for (const node of flow.nodes.values()) {
      if ((node.type !== 'choice' && node.type !== 'input') || !node.var || s.vars[node.var] !== undefined) continue;
      const value = facts[node.var];
      if (value === undefined) continue;
      // A description is a story of some length, not a request with a few words of topic ("tôi muốn báo tin về…").
      const description = node.type === 'input' && node.input === 'text' && (node.min ?? 1) >= 10;
      if (description && words < DESCRIPTION_WORDS) continue;
      if (node.type === 'choice') {
        const option = node.options.find((o) => o.value === value);
        if (!option) continue;
        prefill(s, node.var, value, option.label);
        got.push(option.label[s.lang]);
        continue;
      }
      if (description) kept = true;
      else got.push(value);
      prefill(s, node.var, value);
    }
    if (!got.length && !kept) return false;
    const shown = got.join(' · ');
    t.messages.push({ text: this.msg(s.lang, got.length ? 'draft_prefilled' : 'draft_story_kept').replace('{{facts}}', () => shown.length > 240 ? `${shown.slice(0, 239)}…` : shown) });
    return true;
  }

  /** Starts a flow with the values the message already carries for its code and secret questions. */
  private startWithValues(t: Turn, flow: Flow, text: string): void {
    this.reset(t);
    Object.assign(t.s, { runId: t.input.id, vars: {}, labels: {}, returnTo: undefined });
    t.events.push({ type: 'flow_started', flow: flow.id });
    for (const node of flow.nodes.values()) {
      if (node.type !== 'input' || (node.input !== 'code' && node.input !== 'secret')) continue;
      const parsed = parseInput(node.input, text, t.input.now);
      if (!parsed.ok) continue;
      t.s.vars[node.var] = parsed.value;
      t.s.prefilled = [...(t.s.prefilled ?? []), node.var];
      if (node.input === 'secret') t.s.transient = [...new Set([...(t.s.transient ?? []), node.var])];
    }
    this.goto(t, flow.id, flow.start);
  }

  /** "Bỏ tin báo": the reporter's own choice, the one way a parked draft goes. */
  private discardDraft(t: Turn): void {
    t.s.resume = undefined;
    t.events.push({ type: 'session_reset', reason: 'cancel' });
    this.say(t, 'draft_discarded');
    if (!t.s.at) this.startIntent(t, MENU);
    else this.renderWaiting(t, t.s.at);
  }

  /** A parked draft's button typed rather than tapped (a channel without buttons, or a habit). */
  private draftLabel(t: Turn, norm: string): boolean {
    if (!this.parkedDraft(t.s)) return false;
    // ("Xem lại & gửi" typed as "xem lại và gửi")
    const bare = (x: string): string => x.replace(/\b(va|and)\b/g, ' ').replace(/\s+/g, ' ').trim();
    const is = (key: EngineMessage): boolean => bare(normalize(this.msg(t.s.lang, key))) === bare(norm);
    if (is('draft_continue_label') || is('continue_label') || CONTINUE_WORDS.test(norm)) { this.resume(t); return true; }
    // "gửi đi", "send it" with a tip parked: that tip, to its review (never an article about sending photos).
    if (is('draft_review_label') || SEND_WORDS.test(norm)) { this.reviewDraft(t); return true; }
    if (is('draft_discard_label')) { this.discardDraft(t); return true; }
    return false;
  }

  /** A parked draft has every answer its flow requires before it may go to the review. */
  private sendable(d: NonNullable<Session['resume']>): boolean {
    const requires = this.flows.get(d.flow)?.draft?.requires ?? [];
    return requires.every((v) => d.vars[v] !== undefined && d.vars[v] !== '');
  }

  /** "Xem lại & gửi" on a parked draft: its review, with the questions not reached at their defaults. */
  private reviewDraft(t: Turn): void {
    const r = this.parkedDraft(t.s);
    const flow = r ? this.flows.get(r.flow) : undefined;
    if (!r || !flow?.draft) { this.say(t, 'stale_button'); this.reprompt(t); return; }
    if (!this.sendable(r)) { this.resume(t); return; }
    const vars = { ...r.vars };
    const labels = { ...r.labels };
    for (const [k, v] of Object.entries(flow.draft.defaults)) {
      if (vars[k] !== undefined) continue;
      vars[k] = v;
      const option = [...flow.nodes.values()].flatMap((n) => (n.type === 'choice' && n.var === k ? n.options : [])).find((o) => o.value === v);
      if (option) labels[k] = option.label;
    }
    Object.assign(t.s, { resume: undefined, at: undefined, vars, labels, runId: r.runId, returnTo: undefined, retries: 0 });
    this.goto(t, flow.id, flow.draft.review);
  }

  /** The buttons for what is paused: a parked draft's (continue; and, where there is room, review and send,
   * discard), or "continue" for what a crisis paused. */
  private resumeChoices(t: Turn, room: boolean): OutChoice[] {
    const s = t.s;
    if (!s.resume) return [];
    const lang = s.lang;
    const draft = this.parkedDraft(s);
    if (!draft) return [{ id: RESUME, label: this.msg(lang, 'continue_label') }];
    const out: OutChoice[] = [{ id: RESUME, label: this.msg(lang, 'draft_continue_label') }];
    if (!room) return out;
    if (this.sendable(draft)) out.push({ id: DRAFT_REVIEW, label: this.msg(lang, 'draft_review_label') });
    out.push({ id: DRAFT_DISCARD, label: this.msg(lang, 'draft_discard_label') });
    return out;
  }

  private isCrisisFlow(flow: string): boolean {
    const f = this.flows.get(flow);
    return f !== undefined && f.triggers.some((x) => x.startsWith('crisis.') || x === EMERGENCY);
  }

  /** An answer was accepted: clear the retry count and move on. */
  private complete(t: Turn, at: Position, next: string | undefined): void {
    t.s.retries = 0;
    t.s.at = undefined;
    t.s.clarifying = false;
    if (next) this.goto(t, at.flow, next);
    else this.endFlow(t, at.flow);
  }

  private retry(t: Turn, at: Position, node: ChoiceNode | InputNode, key: EngineMessage, custom?: Localized): void {
    t.s.retries += 1;
    // A draft's question is never left for the menu by retries: it is asked again (the person can still leave).
    if (t.s.retries > (node.retries ?? DEFAULT_RETRIES) && this.keepsDraft(at.flow) && !node.fail) t.s.retries = 1;
    if (t.s.retries > (node.retries ?? DEFAULT_RETRIES)) {
      t.s.retries = 0;
      if (node.fail) { t.s.at = undefined; this.goto(t, at.flow, node.fail); return; }
      this.reset(t);
      this.say(t, 'way_out');
      this.startIntent(t, MENU);
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
        if (node.count) this.count(t, node.count);
        return next(node.next);
      case 'choice':
      case 'input': {
        // Already told in the person's story: not asked (once; "Sửa một mục" asks it again).
        if (node.var && s.prefilled?.includes(node.var) && s.vars[node.var] !== undefined) {
          s.prefilled = s.prefilled.filter((v) => v !== node.var);
          const chosen = node.type === 'choice' ? node.options.find((o) => o.value === s.vars[node.var as string]) : undefined;
          return next(chosen?.next ?? node.next);
        }
        // A check for the writer's own details: asked only when there are some.
        if (node.type === 'choice' && node.redact && this.ownIdentity(s, node.redact).length === 0) return next(node.next);
        s.at = pos;
        this.renderWaiting(t, pos);
        return undefined;
      }
      case 'branch': {
        const hit = node.cases.find((c) => this.test(s, c.when, t.input.now));
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
        // Into a draft flow (the menu's "Báo tin ẩn danh") while a draft of it is parked: that draft.
        if (node.flow !== pos.flow && this.keepsDraft(node.flow) && this.parkedDraft(s)?.flow === node.flow) {
          t.events.push({ type: 'flow_completed', flow: pos.flow });
          this.say(t, 'draft_resumed');
          this.resume(t);
          return undefined;
        }
        if (node.flow !== pos.flow) {
          t.events.push({ type: 'flow_completed', flow: pos.flow });
          t.events.push({ type: 'flow_started', flow: node.flow });
          Object.assign(s, { runId: t.input.id, vars: {}, labels: {}, returnTo: undefined, prefilled: undefined });
          // "Báo tin ẩn danh" under a crisis answer told as a story: the tip starts from that story.
          if (this.keepsDraft(node.flow) && s.story) { const story = s.story; s.story = undefined; this.absorbStory(t, node.flow, story); }
        }
        const target = this.flows.get(node.flow) as Flow;
        return { flow: node.flow, node: node.node ?? target.start };
      }
      case 'entry':
        this.endFlow(t, pos.flow);
        this.showEntry(t, node.entry);
        return undefined;
      case 'end':
        this.sayNode(t, node);
        if (node.count) this.count(t, node.count);
        this.endFlow(t, pos.flow);
        return undefined;
    }
  }

  /** Anonymous counter events for a node's `count` keys: `{{var}}` filled in with the raw value, a choice's value appended. */
  private count(t: Turn, keys: string | readonly string[], value?: string): void {
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      const key = k.replace(PLACEHOLDER, (_m, path: string) => {
        const v = lookup(t.s.vars, path);
        return typeof v === 'string' || typeof v === 'number' ? String(v).replace(/\./g, '_') : 'unknown';
      });
      t.events.push({ type: 'count', key: value === undefined ? key : `${key}.${value}` });
    }
  }

  private requestAction(t: Turn, flow: string, node: Extract<FlowNode, { type: 'action' }>): void {
    t.s.at = undefined;
    t.s.pending = { action: node.action, node: { flow, node: node.id } };
    // Only the arguments the node maps, each from its flow variable.
    const args = Object.fromEntries(Object.entries(node.args).map(([name, path]) => [name, lookup(t.s.vars, path)]));
    t.events.push({ type: 'action', action: node.action, args, runId: t.s.runId ?? t.input.id });
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
    t.s.prefilled = undefined;
  }

  /** Starts over, keeping only the language, the clock, the last reply's fingerprint and (for the thread of questions) what was named. */
  private reset(t: Turn, discard = false): void {
    const { lang, lastActive, thread, lastReply, story, origin } = t.s;
    // A draft being written or already parked survives; only the person's own choice (discard) drops it.
    const prev = t.s;
    const draft = discard ? undefined
      : prev.at && this.isDraft(prev.at.flow, prev.vars) ? { flow: prev.at.flow, node: prev.at.node, vars: prev.vars, labels: prev.labels, ...(prev.runId ? { runId: prev.runId } : {}), ...(prev.prefilled?.length ? { prefilled: prev.prefilled } : {}) }
        : this.parkedDraft(prev);
    t.s = Object.assign(newSession(lang), { lastActive }, origin ? { origin } : {}, lastReply ? { lastReply } : {}, thread ? { thread: { entities: thread.entities } } : {}, draft ? { resume: draft } : {}, story && !discard ? { story } : {});
  }

  private test(s: Session, c: Condition, now?: number): boolean {
    if (c.clock) return now !== undefined && now > 0 && withinHours(now, c.clock);
    // "thread.*" reads what the conversation has shown so far: the open crisis, a child writing, a victim
    // writing about themselves (the tip's review says nothing about false reports to them).
    const e = s.thread?.entities ?? {};
    const thread = { ...(s.vars.thread as object | undefined), child: isChild(e), victim: e.victim === true };
    const v = lookup({ ...s.vars, thread }, c.var ?? '');
    if (c.exists !== undefined) return (v !== undefined && v !== null) === c.exists;
    if (c.place !== undefined) {
      const p = typeof v === 'string' ? this.opts.places?.(v) : undefined;
      return typeof p === 'object' && p.kind === c.place;
    }
    if (c.in) return c.in.includes(v as string);
    return v === c.equals;
  }

  // ---- rendering ----------------------------------------------------------

  private finish(t: Turn): StepResult {
    // Never the same reply twice in a row: the second time, say so and offer ways on instead.
    // (An action's result answers the message that started the action: "không có ai thật à" twice.)
    if ((t.input.kind === 'text' || t.input.kind === 'choice' || t.input.kind === 'action_result') && t.messages.length) {
      const sig = signature(t.messages);
      // A flow's question asked again after a typed reply: its first words change, its buttons stay.
      if (sig && t.s.lastReply === sig && t.s.at && t.input.kind !== 'choice') {
        const node = this.node(t.s.at);
        const again = node?.type === 'choice' ? node.again : undefined;
        if (again) {
          // The node's own words for "asked again": one message, keeping the buttons and call buttons.
          const last = t.messages[t.messages.length - 1];
          const calls = t.messages.flatMap((m) => m.calls ?? []);
          t.messages.splice(0, t.messages.length, { text: this.template(t.s, again[t.s.lang], {}), ...(last.choices ? { choices: last.choices } : {}), ...(calls.length ? { calls } : {}) });
        } else if (node?.type === 'choice' && this.isCrisisFlow(t.s.at.flow)) {
          // A crisis answer asked for again ("em đang khóa cửa phòng" after "chồng cầm dao"): never "as I just
          // said", but still here, the numbers again, and the same buttons.
          const last = t.messages[t.messages.length - 1];
          const again = this.crisisAgainMessage(t.s.lang, node.call);
          t.messages.splice(0, t.messages.length, { ...again, ...(last.choices ? { choices: last.choices } : {}) });
        } else t.messages[0] = { ...t.messages[0], text: this.msg(t.s.lang, 'repeat_at_question') };
      } else if (sig && t.s.lastReply === sig && !t.s.at) {
        const lang = t.s.lang;
        const choices: OutChoice[] = [
          { id: cmd('menu'), label: this.msg(lang, 'main_menu_label') },
          ...(this.byTrigger.has('talk_to_human') ? [{ id: intentPayload('talk_to_human'), label: this.intentLabel('talk_to_human', lang) }] : []),
          ...(this.topicsByIntent.has('hotlines') ? [{ id: intentPayload('hotlines'), label: this.intentLabel('hotlines', lang) }] : []),
        ];
        const calls = t.messages.flatMap((m) => m.calls ?? []);
        t.messages.splice(0, t.messages.length, { text: this.msg(lang, 'said_already'), choices, ...(calls.length ? { calls } : {}) });
      }
      t.s.lastReply = signature(t.messages);
    }
    this.offerDraft(t);
    return { session: t.s, messages: t.messages, events: t.events };
  }

  /** A parked draft is offered under every reply that does not offer it yet (a goodbye, a plain answer). */
  private offerDraft(t: Turn): void {
    if (!this.parkedDraft(t.s) || (t.s.at && this.keepsDraft(t.s.at.flow)) || t.s.pending) return;
    if (t.messages.some((m) => m.choices?.some((c) => c.id === RESUME))) return;
    const last = t.messages[t.messages.length - 1];
    if (!last) { t.messages.push({ text: this.msg(t.s.lang, 'draft_waiting'), choices: this.resumeChoices(t, true) }); return; }
    last.choices = [...(last.choices ?? []), ...this.resumeChoices(t, !last.choices?.length)];
  }

  private node(pos: Position): FlowNode | undefined {
    return this.flows.get(pos.flow)?.nodes.get(pos.node);
  }

  private msg(lang: Lang, key: EngineMessage): string {
    return this.bundle.content.messages[key][lang];
  }

  private say(t: Turn, key: EngineMessage): void {
    t.messages.push({ text: this.msg(t.s.lang, key) });
  }

  private reprompt(t: Turn): void {
    if (t.s.at) this.renderWaiting(t, t.s.at);
    else this.startIntent(t, MENU);
  }

  /** "Still here", with the crisis's numbers written out (a call button is not on every channel). */
  private crisisAgain(t: Turn, ids: readonly string[] | undefined): void {
    t.messages.push(this.crisisAgainMessage(t.s.lang, ids));
  }

  /** "Still here with you; if in danger, call …": the crisis's numbers (or the emergency flow's), with call buttons. */
  private crisisAgainMessage(lang: Lang, ids: readonly string[] | undefined): OutMessage {
    const hotlines = this.bundle.content.hotlines;
    // A node without numbers of its own: the emergency flow's.
    const emergency = this.flows.get(this.byTrigger.get(EMERGENCY) ?? '');
    const withCall = [...(emergency?.nodes.values() ?? [])].map((n) => ('call' in n ? n.call : undefined)).find((c) => c?.length);
    const use = ids?.length ? ids : withCall ?? [];
    // Each line by its name and number ("Đường dây nóng Ngày Mai 096 306 1414"), joined by a spaced "hoặc"
    // (content strings are trimmed when loaded).
    const numbers = use.map((id) => hotlines.find((h) => h.id === id)).filter((h) => h !== undefined)
      .map((h) => (h.name[lang].includes(h.number) ? h.name[lang] : `${h.name[lang]} ${h.number}`))
      .join(` ${this.msg(lang, 'or_joiner').trim()} `);
    const calls = use.length ? this.calls(use, lang) : undefined;
    return { text: this.msg(lang, 'crisis_again').replace('{{numbers}}', () => numbers), ...(calls ? { calls } : {}) };
  }

  private calls(ids: readonly string[], lang: Lang): { label: string; dial: string }[] {
    const hotlines = this.bundle.content.hotlines;
    return ids.map((id) => hotlines.find((h) => h.id === id)).filter((h) => h !== undefined)
      .map((h) => ({ label: this.msg(lang, 'call_label').replace('{{number}}', h.number), dial: h.dial }));
  }

  /** Says a node's answers and text (templated); returns the messages added. */
  private sayNode(t: Turn, node: FlowNode): OutMessage[] {
    const added: OutMessage[] = [];
    if (!('text' in node) && !('answer' in node)) return added;
    const lang = t.s.lang;
    const answers = node.answer === undefined ? [] : Array.isArray(node.answer) ? node.answer : [node.answer];
    for (const key of answers) for (const b of this.bundle.content.answers[key][lang]) added.push({ text: this.template(t.s, b, t.once) });
    if (node.text) added.push({ text: this.template(t.s, node.text[lang], t.once) });
    if ('call' in node && node.call && added.length) added[added.length - 1].calls = this.calls(node.call, lang);
    if ('copy' in node && node.copy && added.length) {
      const copy: OutCopy[] = [];
      for (const c of node.copy) {
        const v = lookup(t.once, c.var) ?? lookup(t.s.vars, c.var);
        if (typeof v === 'string' || typeof v === 'number') copy.push({ label: c.label[lang], value: String(v), ...(c.secret ? { secret: true as const } : {}) });
      }
      if (copy.length) added[added.length - 1].copy = copy;
    }
    t.messages.push(...added);
    return added;
  }

  private renderWaiting(t: Turn, pos: Position): void {
    const node = this.node(pos);
    if (!node || (node.type !== 'choice' && node.type !== 'input')) return;
    // Shown to the person this turn only, never kept: their own details that the question is about.
    if (node.type === 'choice' && node.redact) t.once = { ...t.once, found: this.ownIdentity(t.s, node.redact).map((x) => `“${x}”`).join(', ') };
    const added = this.sayNode(t, node);
    const lang = t.s.lang;
    const choices: OutChoice[] = [];
    if (node.type === 'choice') {
      for (const o of node.options) if (!o.hidden) choices.push({ id: `${pos.flow}.${pos.node}:${o.value}`, label: o.label[lang] });
      // Last, so that typed numbers (1, 2...) still match the question's own options in order.
      choices.push(...this.resumeChoices(t, false));
    } else if (node.optional) {
      choices.push({ id: cmd('skip'), label: this.msg(lang, 'skip_label') });
    }
    if (choices.length) {
      const last = added[added.length - 1];
      if (last) last.choices = choices;
      else t.messages.push({ text: this.msg(lang, 'retry_choice'), choices });
    }
  }

  /** A choice node's buttons alone, under a short prompt (used when its text was just said). */
  private renderChoices(t: Turn, pos: Position, node: ChoiceNode): void {
    const lang = t.s.lang;
    const choices: OutChoice[] = node.options.filter((o) => !o.hidden).map((o) => ({ id: `${pos.flow}.${pos.node}:${o.value}`, label: o.label[lang] }));
    choices.push(...this.resumeChoices(t, false));
    const last = t.messages[t.messages.length - 1];
    if (last) last.choices = choices;
    else t.messages.push({ text: this.msg(lang, 'retry_choice'), choices });
  }

  /** An option named exactly: its number, label or synonym, or yes/no/not sure for such questions. */
  private exactOption(node: ChoiceNode, norm: string): ChoiceOption | undefined {
    const byNumber = BY_NUMBER.exec(norm);
    if (byNumber) return node.options.filter((o) => !o.hidden)[Number(byNumber[1]) - 1];
    const idx = this.optionIndex.get(node) as Map<string, string>;
    let value = idx.get(norm);
    if (!value && node.options.length <= 3) {
      // Yes/no words for yes/no questions (option values "yes"/"no"/"unsure").
      const has = (v: string): boolean => node.options.some((o) => o.value === v);
      if (this.yes.has(norm) && has('yes')) value = 'yes';
      else if (this.no.has(norm) && has('no')) value = 'no';
      else if (this.unsure.has(norm) && has('unsure')) value = 'unsure';
    }
    return value ? node.options.find((o) => o.value === value) : undefined;
  }

  /** A label typed as part of a short sentence ("cho minh xem ma tuy"): unique containment wins. */
  private looseOption(node: ChoiceNode, norm: string): ChoiceOption | undefined {
    const idx = this.optionIndex.get(node) as Map<string, string>;
    // Where typed text is never sent to the NLU (a tip's questions), a longer answer may still name one option.
    if (norm.split(' ').length > (node.nlu === false ? 12 : 6)) return undefined;
    // Each option's longest word found in the answer; one option, or one whose words fit clearly longer
    // ("tối nào cũng có, từ tháng trước tới giờ": still going on, not earlier).
    const hits = new Map<string, number>();
    for (const [k, v] of idx) if (k.length >= 3 && (` ${norm} `.includes(` ${k} `))) hits.set(v, Math.max(hits.get(v) ?? 0, k.length));
    const ranked = [...hits].sort((a, b) => b[1] - a[1]);
    const pick = ranked.length === 1 || (ranked.length > 1 && ranked[0][1] > ranked[1][1]) ? ranked[0][0] : undefined;
    return pick ? node.options.find((o) => o.value === pick) : undefined;
  }

  private template(s: Session, text: string, once: Record<string, unknown>): string {
    if (!text.includes('{{')) return text;
    return text.replace(PLACEHOLDER, (_m, path: string, cap?: string) => {
      const label = s.labels[path];
      if (label) return label[s.lang];
      const v = lookup(once, path) ?? lookup(s.vars, path);
      if (v === undefined || v === null || v === '' || typeof v === 'object') return '—';
      const str = String(v);
      const max = cap === undefined ? Infinity : Number(cap);
      if (str.length <= max) return str;
      const cut = str.slice(0, max);
      return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2))}…`;
    });
  }
}

/** What a crisis flow branches on (crisis.kind, .other, .child, .now, .other_now, .police, .parent). */
function crisisVars(signal: CrisisSignal, childInThread = false): Record<string, unknown> {
  const now = signal.now === true;
  return { crisis: { kind: signal.kind, other: signal.aboutOther, child: signal.child || childInThread, now, other_now: signal.aboutOther && now, police: signal.police === true, parent: signal.parent === true } };
}

/** What the thread says of the writer: a child (said so, or an age under 18). */
function isChild(e: Entities): boolean {
  return e.who === 'child' || (e.age !== undefined && e.age < 18);
}

/** A draft's answer taken from what the person already said: kept, shown as its label, not asked again. */
function prefill(s: Session, name: string, value: string | number, label?: Localized): void {
  s.vars[name] = value;
  if (label) s.labels[name] = label;
  s.prefilled = [...new Set([...(s.prefilled ?? []), name])];
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Viet Nam keeps UTC+7 all year (no daylight saving). */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** Whether a moment falls on one of these days between `from` and `to` (HH:MM), Viet Nam time. */
function withinHours(now: number, clock: { days: readonly string[]; from: string; to: string }): boolean {
  const local = new Date(now + VIETNAM_OFFSET_MS);
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
  const hm = (x: string): number => Number(x.slice(0, 2)) * 60 + Number(x.slice(3, 5));
  return clock.days.includes(DAYS[local.getUTCDay()]) && minutes >= hm(clock.from) && minutes < hm(clock.to);
}

/** A short fingerprint of a reply's texts, to notice a word-for-word repeat (FNV-1a; not for security). */
function signature(messages: readonly OutMessage[]): string | undefined {
  if (!messages.length) return undefined;
  let h = 0x811c9dc5;
  for (const m of messages) for (let i = 0; i < m.text.length; i++) { h ^= m.text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(36);
}

/** A flow run has answers of its own (not only the context a flow starts with: the thread, a crisis). */
function answered(vars: Record<string, unknown>): boolean {
  return Object.keys(vars).some((k) => k !== 'thread' && k !== 'crisis');
}

/** Reads a dotted path ("case.ref") out of nested plain objects. */
function lookup(root: Record<string, unknown>, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split('.')) v = v && typeof v === 'object' && Object.hasOwn(v, part) ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}
