/** Types shared by the dialog engine, its flows and the runtime around it. */

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];
export type Localized = Record<Lang, string>;

export const INTENTS = [
  'greeting', 'menu', 'emergency', 'hotlines', 'rehab_info', 'drug_law', 'trafficking_signs',
  'victim_support', 'report_tip', 'tip_status', 'privacy', 'delete_data', 'talk_to_human', 'goodbye',
  'out_of_scope',
] as const;
export type Intent = (typeof INTENTS)[number];

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

/** Where a conversation is waiting. */
export interface Position {
  flow: string;
  node: string;
}

/** Serialisable session state: everything the engine needs between turns, and nothing more. */
export interface Session {
  v: 1;
  lang: Lang;
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
  resume?: Position & { vars: Record<string, unknown>; labels: Record<string, Localized>; runId?: string };
  /** Identifies the current flow run (set from the input id that started it); used as an idempotency key. */
  runId?: string;
  /** Milliseconds since epoch of the last user input. */
  lastActive?: number;
  /** Set when the engine has shown the low-confidence clarifying question. */
  clarifying?: boolean;
  /** Variables that leave the session with the next action request (e.g. a typed secret). */
  transient?: string[];
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

export interface OutMessage {
  text: string;
  choices?: OutChoice[];
  /** Call buttons for hotlines (channels that have them render tel: links or phone buttons). */
  calls?: { label: string; dial: string }[];
}

export type EngineEvent =
  | { type: 'action'; action: string; args: Record<string, unknown>; runId: string }
  | { type: 'intent'; intent: Intent; confidence: number }
  | { type: 'flow_started'; flow: string }
  | { type: 'flow_completed'; flow: string }
  | { type: 'emergency' }
  | { type: 'session_reset'; reason: 'timeout' | 'menu' | 'cancel' | 'deleted' };

export interface StepResult {
  session: Session;
  messages: OutMessage[];
  events: EngineEvent[];
}
