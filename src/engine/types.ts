/** Types shared by the dialog engine, its flows and the runtime around it. */
import type { Lang, Localized } from '../bundle/types.js';

export type { Lang, Localized } from '../bundle/types.js';
export const LANGS: readonly Lang[] = ['vi', 'en'];

/** An intent name; the set of intents is derived from the content (content/nlu/<intent>.txt). */
export type Intent = string;

export interface Classification {
  intent: Intent;
  confidence: number;
  /** Runner-up intents, best first (for clarifying questions). */
  alternatives: { intent: Intent; confidence: number }[];
}

/** A pure classifier: same text, same answer; no I/O. */
export interface Classifier {
  classify(text: string): Classification;
}

/** Things named in a message, carried along the thread of the conversation. */
export interface Entities {
  substance?: string;
  relation?: string;
  /** A country abroad (a tag id of content/places.yaml's abroad list). */
  country?: string;
  age?: number;
  /** Who seems to be writing: a child or teenager (an age under 18, "em học lớp 8"...) or an adult. */
  who?: 'child' | 'adult';
  /** The writer speaks of harm done to them ("em bị…", "tôi bị lừa"), not of someone else's. */
  victim?: true;
}

/** Danger or crisis that the person speaks of as happening now. */
export interface CrisisSignal {
  kind: string;
  /** The danger is someone else's (a friend, a child, a neighbour), not the writer's own. */
  aboutOther: boolean;
  /** A child or teenager is in it (the writer, or the person written about). */
  child: boolean;
  /** It is happening right now ("đang", "bây giờ", "now"). */
  now?: boolean;
  /** The writer is a parent (or grandparent) writing about their child. */
  parent?: boolean;
  /** The message speaks of fear of the police ("gọi 115 có bị công an bắt không"). */
  police?: boolean;
}

/** What the conversation is about: the topic and entry last shown, and what was named. */
export interface Thread {
  topic?: string;
  entry?: string;
  /** The entry's "tell me more" was shown. */
  more?: boolean;
  /** A crisis answered in this conversation (its kind), so that an unclear follow-up gets its numbers again. */
  crisis?: string;
  entities: Entities;
}

/** A knowledge entry that may answer a message, with a confidence in [0, 1]. */
export interface EntryHit {
  id: string;
  /** How well the entry's best-matching question fits the message, 0..1. */
  score: number;
  /** The retrieval's ordering score (unbounded; only comparable within one search). */
  rank?: number;
  /** Tied to the message by more than words: a substance or country named now, or a short follow-up
   * in the topic being talked about. */
  anchored?: boolean;
  /** The message is asked the same way of entries of several topics ("bao lâu") and the thread has none of
   * them: which one is meant is unclear. */
  unclear?: boolean;
}

/** Where the text was typed: free chat, or as the answer to a question of a flow. */
export interface NluContext {
  /** The person is answering a question (a choice or a typed input); crisis rules are stricter there. */
  answering?: 'choice' | 'input' | 'place' | 'free_text';
  thread?: Thread;
}

/**
 * The language understanding the engine uses: pure functions of the text (and the thread), built once
 * at start-up from the bundle. Nothing here does I/O.
 */
export interface Nlu extends Classifier {
  /** The language the text is clearly written in, if it is clear. */
  language(text: string): Lang | undefined;
  /** The message has a word of danger in it (a weather question never does). */
  dangerWords(text: string): boolean;
  /** A crisis happening now (self-harm, a child in danger, overdose...), if the text speaks of one. */
  crisis(text: string, ctx?: NluContext): CrisisSignal | undefined;
  entities(text: string): Entities;
  /** Knowledge entries that answer the text, best first. */
  retrieve(text: string, ctx?: NluContext): EntryHit[];
  /** What a story already tells, as a draft flow's variables (category, province, when, involved, what), for
   * the flow to ask only what is missing. */
  storyFacts?(text: string): Record<string, string>;
  /** The writer's own name, phone, address, ID number or email where the text gives them as theirs: the parts
   * found, and the text without them. */
  ownIdentity?(text: string, lang?: Lang): { found: string[]; redacted: string };
}

/** Where a conversation is waiting. */
export interface Position {
  flow: string;
  node: string;
}

/** Serialisable session state: everything the engine needs between turns, and nothing more. */
export interface Session {
  v: 1;
  lang: Lang;
  /** Where the conversation came in from (a poster's code: a place, not a person), kept for the session's life,
   * through resets and flows; the runtime counts what follows per origin. The engine only carries it. */
  origin?: string;
  /** The node waiting for the user's answer (or for an action's result), if any. */
  at?: Position;
  /** Flow variables (answers to questions, action results). */
  vars: Record<string, unknown>;
  /** Labels of choice answers, for templating summaries in either language. */
  labels: Record<string, Localized>;
  /** Failed attempts at the current question. */
  retries: number;
  /** Set while an action node waits for its result. */
  pending?: { action: string; node: Position };
  /** After "fix a field" in a review, where to come back to (armed once the field's question is shown). */
  returnTo?: Position & { armed: boolean };
  /** Where to resume after an emergency interruption, with the answers given so far. */
  resume?: Position & { vars: Record<string, unknown>; labels: Record<string, Localized>; runId?: string; prefilled?: string[] };
  /** Identifies the current flow run (set from the input id that started it); used as an idempotency key. */
  runId?: string;
  /** Milliseconds since epoch of the last user input. */
  lastActive?: number;
  /** Set when the engine has shown the low-confidence clarifying question. */
  clarifying?: boolean;
  /** Variables that leave the session with the next action request (e.g. a typed secret). */
  transient?: string[];
  /** The thread of the conversation: what the last answers were about. */
  thread?: Thread;
  /** A fingerprint of the last reply, so that the next one is never the same word for word. */
  lastReply?: string;
  /** The story told with a crisis ("em bị lừa sang Campuchia, họ giữ hộ chiếu…"), kept (sealed with the session)
   * for a tip started right after the crisis answer, so it is not typed again; used once. */
  story?: string;
  /** A draft's answers taken from what the person already wrote: their questions are not asked (once). */
  prefilled?: string[];
}

export function newSession(lang: Lang = 'vi'): Session {
  return { v: 1, lang, vars: {}, labels: {}, retries: 0 };
}

export type Input =
  | { kind: 'text'; text: string; id: string; now: number }
  | { kind: 'choice'; payload: string; id: string; now: number }
  | { kind: 'start'; id: string; now: number }
  /** A photo, file, location... Acknowledged politely; never fetched or stored. */
  | { kind: 'attachment'; id: string; now: number }
  | {
    kind: 'action_result'; action: string; ok: boolean; id: string; now: number;
    /** Kept in the session under the action node's `var`. */
    data?: Record<string, unknown>;
    /** Usable in this turn's messages only (e.g. a secret shown once); never stored in the session. */
    once?: Record<string, unknown>;
  };

export interface OutChoice {
  /** Opaque payload sent back when tapped. */
  id: string;
  label: string;
}

export interface OutCall {
  label: string;
  /** The number as dialled (content/hotlines.yaml `dial`). */
  dial: string;
  /** Found in the text by the runtime (src/channels/calls.ts), not a call-now button of the content's own: shown
   * where the channel has room for it after the choices. */
  named?: true;
}

/** A value the person may want to keep (a tip's reference code, its secret), shown apart with a copy button
 * where the channel can (the web chat); its text says it too. */
export interface OutCopy {
  label: string;
  value: string;
  /** Masked until the person asks to see it, and never kept by the page. */
  secret?: true;
}

export interface OutMessage {
  text: string;
  choices?: OutChoice[];
  /** Call buttons for hotlines (channels that have them render tel: links or phone buttons). */
  calls?: OutCall[];
  /** Values to copy (a flow node's `copy`), in the order given. */
  copy?: OutCopy[];
}

export type EngineEvent =
  | { type: 'action'; action: string; args: Record<string, unknown>; runId: string }
  | { type: 'intent'; intent: Intent; confidence: number }
  | { type: 'flow_started'; flow: string }
  | { type: 'flow_completed'; flow: string }
  /** An anonymous counter to add one to (a node's `count`): no id, no text, only the key. */
  | { type: 'count'; key: string }
  | { type: 'entry'; entry: string; topic: string; more: boolean }
  | { type: 'emergency' }
  | { type: 'crisis'; kind: string }
  | { type: 'lang'; lang: Lang }
  | { type: 'session_reset'; reason: 'timeout' | 'menu' | 'cancel' | 'deleted' };

export interface StepResult {
  session: Session;
  messages: OutMessage[];
  events: EngineEvent[];
}
