/**
 * The file formats of flows/*.yaml and content/ (answers, hotlines, messages, commands, places,
 * entities, knowledge), as zod schemas. Cross-file rules (targets, hotline references, lengths after
 * hotline numbers are filled in) are checked in load.ts.
 */
import { z } from 'zod';

export const LANGS = ['vi', 'en'] as const;

const nonEmpty = z.string().trim().min(1, 'must not be empty');
export const localizedSchema = z.object({ vi: nonEmpty, en: nonEmpty }, { error: 'needs text in both "vi" and "en"' }).strict();
export const idSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are lower_snake_case');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Longest chat bubble we allow in content: fits every channel's bubble comfortably. */
export const MAX_BUBBLE = 600;
/** Button labels fit every channel's quick replies (Messenger: 20 characters). */
export const MAX_LABEL = 20;

const bubble = z.string().trim().min(1).max(MAX_BUBBLE - 1, `a bubble must be shorter than ${MAX_BUBBLE} characters`);

// ---- flows ---------------------------------------------------------------

export const INPUT_KINDS = ['text', 'number', 'date', 'place', 'code', 'secret'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** What a node says: its own text, content answers, or both (answers first). */
const saying = {
  text: localizedSchema.optional(),
  answer: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  /** Call buttons for verified hotlines (ids from content/hotlines.yaml), where the channel has them. */
  call: z.array(nonEmpty).min(1).optional(),
  /** Values said in the text that the person may want to keep (a reference code, a secret shown once): shown
   * apart with a copy button where the channel can (the web chat); `secret` ones masked until asked for. */
  copy: z.array(z.object({ var: nonEmpty, label: localizedSchema, secret: z.boolean().optional() }).strict()).min(1).max(3).optional(),
};

const base = { id: idSchema };

const optionSchema = z.object({
  value: z.string().regex(/^[a-z0-9_]+$/, 'option values are lower_snake_case'),
  label: localizedSchema,
  next: idSchema.optional(),
  /** Extra words that pick this option when typed (any language; diacritics optional). */
  synonyms: z.array(nonEmpty).optional(),
  set: z.record(z.string(), scalar).optional(),
  /** Go to `next` to change an answer, then come back to this node. */
  edit: z.boolean().optional(),
  /** No button: picked only when typed (a synonym), for what people say at this point without being offered it. */
  hidden: z.boolean().optional(),
  /** Numeric variables this option adds one to (a quiz's score). */
  inc: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1).optional(),
}).strict();

/** Anonymous counters to add one to when the node is said (a choice: when answered, the option's value appended):
 * dotted keys, `{{var}}` filled in with the variable's value ("unknown" when unset). Nothing of the person is kept. */
const countKeys = z.union([z.string().regex(/^[a-z0-9_.{} ]+$/i), z.array(z.string().regex(/^[a-z0-9_.{} ]+$/i)).min(1)]).optional();

const retryFields = {
  retries: z.number().int().min(0).max(5).optional(),
  /** Where to go when the retries are used up (default: the way out to the menu). */
  fail: idSchema.optional(),
};

export const messageNode = z.object({ ...base, type: z.literal('message'), ...saying, count: countKeys, next: idSchema.optional() }).strict();
export const choiceNode = z.object({
  ...base, type: z.literal('choice'), ...saying, var: z.string().optional(), count: countKeys,
  /** Said instead when this question's whole reply would repeat the previous reply word for word
   * (asked for a counsellor twice with none on duty): a different, honest sentence, same buttons. */
  again: localizedSchema.optional(),
  options: z.array(optionSchema).min(1), next: idSchema.optional(), ...retryFields,
  /** When typed text matches no option, route it through the NLU (default true). */
  nlu: z.boolean().optional(),
  /** Asked only when these variables hold the writer's own name, phone, address or ID ({{found}} in the text
   * names them); the option with value "remove" takes them out, any other keeps them. Otherwise skipped. */
  redact: z.array(z.string()).optional(),
}).strict();
export const inputNode = z.object({
  ...base, type: z.literal('input'), ...saying, input: z.enum(INPUT_KINDS), var: z.string(),
  next: idSchema.optional(), optional: z.boolean().optional(),
  min: z.number().int().min(0).optional(), max: z.number().int().min(1).optional(),
  invalid: localizedSchema.optional(), ...retryFields,
}).strict();
const condition = z.object({
  var: z.string().optional(), equals: scalar.optional(), in: z.array(scalar).optional(), exists: z.boolean().optional(),
  /** The variable holds a place (an `input: place` answer) of this kind: a province, a place abroad, or unknown. */
  place: z.enum(['province', 'abroad', 'unknown']).optional(),
  /** The message arrived within these hours, Viet Nam time (a hotline that is open then): `var` is not read. */
  clock: z.object({
    days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1),
    from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  }).strict().optional(),
}).strict().refine((c) => (c.var === undefined) !== (c.clock === undefined), { message: 'a condition reads either a variable (var) or the clock' });
export const branchNode = z.object({
  ...base, type: z.literal('branch'),
  cases: z.array(z.object({ when: condition, next: idSchema }).strict()).min(1), default: idSchema,
}).strict();
export const setNode = z.object({ ...base, type: z.literal('set'), values: z.record(z.string(), scalar), next: idSchema }).strict();
export const actionNode = z.object({
  ...base, type: z.literal('action'), action: idSchema, var: z.string().optional(), ...saying,
  /** The action's arguments, each mapped to the flow variable (a dotted path) it is read from. Nothing else
   * of the session reaches the action. */
  args: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().regex(/^[a-z0-9_.]+$/)).default({}),
  ok: idSchema, fail: idSchema,
}).strict();
export const jumpNode = z.object({ ...base, type: z.literal('jump'), flow: idSchema, node: idSchema.optional() }).strict();
/** Shows a knowledge entry (content/knowledge/) with its buttons; the conversation then follows its thread. */
export const entryNode = z.object({ ...base, type: z.literal('entry'), entry: idSchema }).strict();
export const endNode = z.object({ ...base, type: z.literal('end'), ...saying, count: countKeys }).strict();

export const nodeSchema = z.discriminatedUnion('type', [
  messageNode, choiceNode, inputNode, branchNode, setNode, actionNode, jumpNode, entryNode, endNode,
]);

export const flowSchema = z.object({
  id: idSchema,
  description: z.string().optional(),
  /** Intents (or crisis kinds, "crisis.<kind>") that start this flow when the user is not answering a question. */
  triggers: z.array(z.string().regex(/^[a-z][a-z0-9_.]*$/)).default([]),
  /** Exact phrases that start this flow when typed outside a question ("trắc nghiệm ma túy"), compared normalised. */
  phrases: z.array(z.string().trim().min(2).max(60)).default([]),
  /** The knowledge topic the conversation is about once this flow has spoken (content/knowledge/): a
   * follow-up typed after a crisis answer ("bố mẹ em có biết không") is read in it. */
  topic: idSchema.optional(),
  /** The first node (default: the first in the list). */
  start: idSchema.optional(),
  /** The flow's answers are a draft the person is writing (a tip): never lost by leaving the flow. Whatever
   * leaves it (a goodbye, the menu, a question, a crisis, the idle timeout) parks the draft, and every reply
   * offers to continue it, to review and send it (once the `requires` variables are answered; `defaults` fill
   * the questions not reached), or to discard it. Only the person's own choice discards a draft. */
  draft: z.object({
    review: idSchema,
    /** The variable the storing action fills (`var:` of the action node): once set, the answers are sent. */
    sent: idSchema,
    requires: z.array(idSchema).min(1),
    defaults: z.record(z.string(), z.string()).default({}),
  }).strict().optional(),
  nodes: z.array(z.unknown()).min(1),
}).strict();

export type FlowNode = z.infer<typeof nodeSchema>;
export type ChoiceNode = z.infer<typeof choiceNode>;
export type InputNode = z.infer<typeof inputNode>;
export type ActionNode = z.infer<typeof actionNode>;
export type ChoiceOption = z.infer<typeof optionSchema>;
export type Condition = z.infer<typeof condition>;

// ---- content -------------------------------------------------------------

export const answerSchema = z.object({
  sources: z.array(z.string().url()).default([]),
  checked: isoDate.optional(),
  vi: z.array(bubble).min(1),
  en: z.array(bubble).min(1),
}).strict().refine((a) => a.vi.length === a.en.length, { message: 'vi and en need the same number of bubbles' });

export const answersFileSchema = z.object({ answers: z.record(z.string(), answerSchema) }).strict();

export const hotlineSchema = z.object({
  id: idSchema,
  number: z.string(),
  dial: z.string().regex(/^\+?\d*$/, 'digits, optionally with a leading +'),
  name: localizedSchema,
  operator: localizedSchema,
  hours: localizedSchema,
  cost: z.enum(['free', 'paid', 'unknown']),
  use_for: localizedSchema,
  source: z.string().url(),
  source_date: z.string(),
  checked: isoDate,
  status: z.enum(['verified', 'unverified', 'retired']),
  note: z.string().optional(),
}).strict();
export const hotlinesFileSchema = z.object({ hotlines: z.array(hotlineSchema).min(1) }).strict();

/** Sentences the program says (engine, live chat...); the keys it needs are declared by the code that says them. */
export const messagesFileSchema = z.object({
  messages: z.record(idSchema, localizedSchema),
  /** Short button labels for each intent, used by the clarifying question. */
  intent_labels: z.record(idSchema, localizedSchema),
}).strict();

const phrases = z.array(z.string().min(1)).min(1);
export const commandsFileSchema = z.object({
  /** Global commands: phrases that work at any point of any flow (matched whole, diacritics optional). */
  commands: z.record(idSchema, phrases),
  /** Words that mean yes / no / not sure when typed as an answer to a choice. */
  yes: phrases,
  no: phrases,
  unsure: phrases.optional(),
  /** Typed during a live chat with a counsellor: ends it and returns to the bot ("menu" and "cancel" do too). */
  end_live: phrases,
}).strict();

const placeEntry = z.object({ name: z.string().min(1), aliases: z.array(z.string()) }).strict();
export const placesFileSchema = z.object({
  source: z.string().url(),
  checked: isoDate,
  provinces: z.array(placeEntry).min(1),
  abroad: z.array(placeEntry),
  unknown: placeEntry,
}).strict();

/** Things people name in questions (substances, relations...), for following the thread of a conversation. */
const entityEntry = z.object({
  id: idSchema,
  name: localizedSchema,
  /** How people write it (any language; diacritics optional). */
  aliases: z.array(nonEmpty).min(1),
}).strict();
export const entitiesFileSchema = z.object({
  substances: z.array(entityEntry).min(1),
  relations: z.array(entityEntry).min(1),
}).strict();

/** A counsellor's ready-made reply (content/canned.yaml): a short title for the picker, the text in both languages. */
export const MAX_CANNED_TITLE = 40;
export const MAX_CANNED_TEXT = 1000;
export const cannedSchema = z.object({
  id: idSchema,
  title: z.object({ vi: nonEmpty.max(MAX_CANNED_TITLE), en: nonEmpty.max(MAX_CANNED_TITLE) }, { error: 'needs a title in both "vi" and "en"' }).strict(),
  text: z.object({ vi: nonEmpty.max(MAX_CANNED_TEXT), en: nonEmpty.max(MAX_CANNED_TEXT) }, { error: 'needs text in both "vi" and "en"' }).strict(),
}).strict();
/** Items are checked one by one (a problem names its item). */
export const cannedFileSchema = z.object({ canned: z.array(z.unknown()).min(1) }).strict();

export type Answer = z.infer<typeof answerSchema>;
export type Hotline = z.infer<typeof hotlineSchema>;
export type EntityEntry = z.infer<typeof entityEntry>;
export type EntitiesFile = z.infer<typeof entitiesFileSchema>;
export type CannedReply = z.infer<typeof cannedSchema>;

// ---- knowledge -----------------------------------------------------------

/** A short answer fits a phone screen with its buttons; "Xem thêm" may say more. */
export const MAX_ANSWER_BUBBLES = 2;
export const MAX_ANSWER_CHARS = 450;
export const MAX_MORE_BUBBLES = 3;
export const MAX_MORE_CHARS = 600;

const bubbles = z.object({ vi: z.array(bubble).min(1), en: z.array(bubble).min(1) }, { error: 'needs bubbles in both "vi" and "en"' }).strict();
const sourceSchema = z.object({
  /** A public page, or (`doc`) a file of this project for facts about Bình An itself. */
  url: z.string().url().optional(),
  doc: z.string().regex(/^[A-Za-z0-9_./-]+\.md(#[a-z0-9-]+)?$/, 'a file of this project, like README.md').optional(),
  /** The source's own date: YYYY-MM-DD, YYYY-MM, YYYY, or "n/a" when the page shows none. */
  date: z.string().regex(/^(\d{4}(-\d{2}(-\d{2})?)?|n\/a)$/, 'a date as YYYY-MM-DD, YYYY-MM, YYYY or "n/a"'),
  title: z.string().optional(),
}).strict().refine((s) => (s.url === undefined) !== (s.doc === undefined), { message: 'a source has either a url or a doc' });
/** Entity tags on an entry: substance:<id>, relation:<id>, country:<slug>, who:<child|adult>; crisis:<kind>
 * for an entry that answers a follow-up in that crisis ("bố mẹ em có biết không" after a blackmail answer). */
const tagSchema = z.string().regex(/^(substance|relation|country|who|crisis):[a-z0-9_]+$/, 'a tag like substance:ketamine, relation:child, country:campuchia, who:child or crisis:sextortion');

export const entrySchema = z.object({
  id: idSchema,
  /** The intent this question belongs to (default: the topic's). */
  intent: idSchema.optional(),
  /** Button label (at most 20 characters). */
  label: localizedSchema,
  /** The question, as a person would ask it. */
  q: localizedSchema,
  /** Other ways people ask it: with and without diacritics, teencode, typos; English too. */
  ask: z.object({ vi: z.array(nonEmpty).min(4, 'give at least 4 Vietnamese paraphrases'), en: z.array(nonEmpty).min(2, 'give at least 2 English paraphrases') }).strict(),
  answer: bubbles,
  more: bubbles.optional(),
  related: z.array(idSchema).max(4).default([]),
  tags: z.array(tagSchema).default([]),
  call: z.array(idSchema).min(1).max(3).optional(),
  sources: z.array(sourceSchema).min(1, 'every entry states facts: give at least one source with its date'),
  checked: isoDate,
}).strict();

export const topicSchema = z.object({
  id: idSchema,
  /** The intent most questions of this topic fall under. */
  intent: idSchema,
  label: localizedSchema,
  /** The entry shown when the topic is picked from the menu or asked about in general. */
  overview: idSchema,
  description: z.string().optional(),
}).strict();

export const knowledgeFileSchema = z.object({
  topic: topicSchema,
  entries: z.array(z.unknown()).min(1),
}).strict();

export type EntryFile = z.infer<typeof entrySchema>;
export type TopicFile = z.infer<typeof topicSchema>;
export type Source = z.infer<typeof sourceSchema>;
