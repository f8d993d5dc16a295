/** The flow file format (flows/*.yaml), as zod schemas. See docs/FLOWS.md. */
import { z } from 'zod';
import { INTENTS } from '../engine/types.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
export const localizedSchema = z.object({ vi: nonEmpty, en: nonEmpty }, { error: 'needs text in both "vi" and "en"' }).strict();
const nodeId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'node ids are lower_snake_case');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ACTIONS = ['create_case', 'check_case', 'add_case_info', 'delete_data', 'request_human', 'notify_opt_in', 'notify_opt_out'] as const;
export type ActionName = (typeof ACTIONS)[number];

export const INPUT_KINDS = ['text', 'number', 'date', 'place', 'code', 'secret'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** What a node says: its own text, content answers, or both (answers first). */
const saying = {
  text: localizedSchema.optional(),
  answer: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  /** Call buttons for verified hotlines (ids from content/hotlines.yaml), where the channel has them. */
  call: z.array(nonEmpty).min(1).optional(),
};

const base = { id: nodeId };

const optionSchema = z.object({
  value: z.string().regex(/^[a-z0-9_]+$/, 'option values are lower_snake_case'),
  label: localizedSchema,
  next: nodeId.optional(),
  /** Extra words that pick this option when typed (any language; diacritics optional). */
  synonyms: z.array(nonEmpty).optional(),
  set: z.record(z.string(), scalar).optional(),
  /** Go to `next` to change an answer, then come back to this node. */
  edit: z.boolean().optional(),
}).strict();

const retryFields = {
  retries: z.number().int().min(0).max(5).optional(),
  /** Where to go when the retries are used up (default: the way out to the menu). */
  fail: nodeId.optional(),
};

export const messageNode = z.object({ ...base, type: z.literal('message'), ...saying, next: nodeId.optional() }).strict();
export const choiceNode = z.object({
  ...base, type: z.literal('choice'), ...saying, var: z.string().optional(),
  options: z.array(optionSchema).min(1), next: nodeId.optional(), ...retryFields,
  /** When typed text matches no option, route it through the NLU (default true). */
  nlu: z.boolean().optional(),
}).strict();
export const inputNode = z.object({
  ...base, type: z.literal('input'), ...saying, input: z.enum(INPUT_KINDS), var: z.string(),
  next: nodeId.optional(), optional: z.boolean().optional(),
  min: z.number().int().min(0).optional(), max: z.number().int().min(1).optional(),
  invalid: localizedSchema.optional(), ...retryFields,
}).strict();
const condition = z.object({
  var: z.string(), equals: scalar.optional(), in: z.array(scalar).optional(), exists: z.boolean().optional(),
}).strict();
export const branchNode = z.object({
  ...base, type: z.literal('branch'),
  cases: z.array(z.object({ when: condition, next: nodeId }).strict()).min(1), default: nodeId,
}).strict();
export const setNode = z.object({ ...base, type: z.literal('set'), values: z.record(z.string(), scalar), next: nodeId }).strict();
export const actionNode = z.object({
  ...base, type: z.literal('action'), action: z.enum(ACTIONS), var: z.string().optional(), ...saying,
  ok: nodeId, fail: nodeId,
}).strict();
export const jumpNode = z.object({ ...base, type: z.literal('jump'), flow: nodeId, node: nodeId.optional() }).strict();
export const endNode = z.object({ ...base, type: z.literal('end'), ...saying }).strict();

export const nodeSchema = z.discriminatedUnion('type', [
  messageNode, choiceNode, inputNode, branchNode, setNode, actionNode, jumpNode, endNode,
]);

export const flowSchema = z.object({
  id: nodeId,
  description: z.string().optional(),
  /** Intents that start this flow when the user is not in the middle of a question. */
  triggers: z.array(z.enum(INTENTS)).default([]),
  /** The first node (default: the first in the list). */
  start: nodeId.optional(),
  nodes: z.array(z.unknown()).min(1),
}).strict();

export type FlowNode = z.infer<typeof nodeSchema>;
export type ChoiceNode = z.infer<typeof choiceNode>;
export type InputNode = z.infer<typeof inputNode>;
export type ChoiceOption = z.infer<typeof optionSchema>;
export type Condition = z.infer<typeof condition>;

export interface Flow {
  id: string;
  file: string;
  triggers: string[];
  start: string;
  nodes: Map<string, FlowNode>;
}
