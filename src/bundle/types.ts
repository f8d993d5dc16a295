import type { Campaign } from '../campaigns/schema.js';
/** The loaded, checked and immutable bundle of flows, content and knowledge that the engine runs on. */
import type { Answer, CannedReply, EntitiesFile, FlowNode, Hotline, Source } from './schema.js';
import type { PlacesFile } from './places.js';

export type Lang = 'vi' | 'en';
export type Localized = Record<Lang, string>;
export type LocalizedList = Record<Lang, string[]>;

export interface Flow {
  id: string;
  file: string;
  triggers: string[];
  /** Exact phrases (compared normalised) that start the flow when typed outside a question (see schema). */
  phrases: string[];
  /** The knowledge topic follow-ups are read in (see schema). */
  topic?: string;
  /** The flow's answers are a draft (see schema). */
  draft?: { review: string; sent: string; requires: string[]; defaults: Record<string, string> };
  start: string;
  nodes: Map<string, FlowNode>;
}

/** One question of the knowledge base, with its hotline references already filled in. */
export interface KnowledgeEntry {
  id: string;
  topic: string;
  intent: string;
  file: string;
  label: Localized;
  q: Localized;
  ask: LocalizedList;
  answer: LocalizedList;
  more?: LocalizedList;
  related: string[];
  tags: string[];
  call: string[];
  sources: Source[];
  checked: string;
}

export interface Topic {
  id: string;
  intent: string;
  label: Localized;
  overview: string;
  file: string;
  /** Entry ids in file order. */
  entries: string[];
}

export interface Knowledge {
  topics: Map<string, Topic>;
  entries: Map<string, KnowledgeEntry>;
}

export interface Content {
  answers: Record<string, Answer>;
  hotlines: Hotline[];
  messages: Record<string, Localized>;
  intentLabels: Record<string, Localized>;
  commands: Record<string, string[]>;
  yes: string[];
  no: string[];
  unsure: string[];
  /** Phrases that end a live chat with a counsellor. */
  endLive: string[];
  /** Intent training sentences (content/nlu/<intent>.txt). */
  training: { intent: string; text: string }[];
  /** Crisis exemplars (content/nlu/crisis/<kind>.txt, and none.txt for messages that are not a crisis). */
  crisisTraining: { kind: string; text: string }[];
  places: PlacesFile;
  entities: EntitiesFile;
  /** Counsellors' ready-made replies for live chats (content/canned.yaml), hotline numbers filled in. */
  canned: CannedReply[];
}

export interface Bundle {
  flows: Map<string, Flow>;
  /** Prevention campaigns (content/campaigns/), each also compiled into the flow `campaign_<id>`. */
  campaigns: Map<string, Campaign>;
  content: Content;
  knowledge: Knowledge;
  /** The intents, derived from content/nlu/<intent>.txt: the classifier's labels. */
  intents: readonly string[];
  /** The web chat page (web/index.html) with its hotline numbers filled in, when the root has one. */
  webPage?: string;
}

/** What the code declares to the loader, so that content is checked against it without the bundle importing the code. */
export interface Vocabulary {
  /** Message keys the program says (engine, live chat); each must exist, and no other key may. */
  messages: readonly string[];
  /** Global commands the engine knows. */
  commands: readonly string[];
  /** Actions a flow's action node may request, each with the names of the arguments it takes (the node maps
   * each one to a flow variable: `args: { ref: code }`). */
  actions: Readonly<Record<string, readonly string[]>>;
  /** Crisis kinds the NLU detects; each needs a flow triggered by "crisis.<kind>". */
  crises: readonly string[];
}
