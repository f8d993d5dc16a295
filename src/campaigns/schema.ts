/**
 * The file format of a prevention campaign (`content/campaigns/<id>.yaml`), as zod schemas. A campaign is
 * reviewed content, like a flow: a title, dates, an audience, the sources its facts come from, and a sequence
 * of items — messages, quizzes (given before and after the content, so learning can be measured), polls,
 * branching stories that each teach a warning sign, and links into the knowledge base or the tip flow.
 * Cross-item rules (a post-quiz names its pre-quiz and asks the same questions, a story's scenes lead somewhere,
 * every source cited exists, hotline placeholders only) are checked in load.ts.
 */
import { z } from 'zod';
import { idSchema, localizedSchema, MAX_BUBBLE, MAX_LABEL } from '../bundle/schema.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const value = z.string().regex(/^[a-z0-9_]+$/, 'values are lower_snake_case');
/** Text in both languages, each short enough for one chat bubble. */
const bubbleText = localizedSchema.refine((t) => t.vi.length < MAX_BUBBLE && t.en.length < MAX_BUBBLE, `a bubble must be shorter than ${MAX_BUBBLE} characters`);
/** A button label in both languages (Messenger's quick replies hold 20 characters). */
const label = localizedSchema.refine((t) => t.vi.length <= MAX_LABEL && t.en.length <= MAX_LABEL, `a button label holds at most ${MAX_LABEL} characters`);

/** Where a fact comes from: cited by quiz explanations and messages, with the day it was checked. */
export const sourceSchema = z.object({
  id: idSchema,
  title: z.string().trim().min(3),
  /** A public address, or a section of ../shared/facts (e.g. "shared/facts/vn-facts.md §8"). */
  ref: z.string().trim().min(3),
  checked: isoDate,
}).strict();

const choiceSchema = z.object({ value, label }).strict();

export const questionSchema = z.object({
  id: idSchema,
  text: bubbleText,
  choices: z.array(choiceSchema).min(2).max(4),
  /** The value of the right choice. */
  correct: value,
  /** One or two sentences said after the answer, right or wrong. */
  explain: bubbleText,
  /** The source id the explanation rests on. */
  source: idSchema,
}).strict();

const common = { id: idSchema };

export const messageItem = z.object({
  ...common, type: z.literal('message'), text: bubbleText,
  /** An image under content/campaigns/img/, served by the app (never a remote address). */
  image: z.string().regex(/^[a-z0-9_-]+\.(png|jpg|webp)$/, 'an image file name under content/campaigns/img/').optional(),
  alt: localizedSchema.optional(),
  sources: z.array(idSchema).optional(),
}).strict();

export const quizItem = z.object({
  ...common, type: z.literal('quiz'),
  /** "pre": before the content; "post": after it, with the same questions as `of` (the pre-quiz's id). */
  phase: z.enum(['pre', 'post']),
  of: idSchema.optional(),
  intro: bubbleText,
  questions: z.array(questionSchema).min(2).max(6).optional(),
}).strict();

export const pollItem = z.object({
  ...common, type: z.literal('poll'), question: bubbleText, choices: z.array(choiceSchema).min(2).max(6),
  /** A free-text answer is only counted ("count") or dropped ("discard"); it is never stored as text. */
  freeText: z.enum(['count', 'discard']).default('discard'),
  /** Shown on the public results page (/ket-qua) once buckets are large enough. */
  public: z.boolean().default(false),
}).strict();

export const sceneSchema = z.object({
  id: idSchema,
  text: bubbleText,
  choices: z.array(z.object({
    value, label,
    /** The next scene, or none: the story ends after the lesson. */
    next: idSchema.optional(),
    /** The warning sign this choice teaches, said before going on. */
    lesson: bubbleText.optional(),
  }).strict()).min(1).max(3),
}).strict();

export const storyItem = z.object({
  ...common, type: z.literal('story'), title: localizedSchema, scenes: z.array(sceneSchema).min(1).max(12),
  sources: z.array(idSchema).optional(),
}).strict();

/** An offer to go on: a knowledge entry, or a flow (the tip, a counsellor). */
export const linkItem = z.object({
  ...common, type: z.literal('link'), text: bubbleText,
  links: z.array(z.object({ label, entry: idSchema.optional(), flow: idSchema.optional() }).strict()
    .refine((l) => (l.entry === undefined) !== (l.flow === undefined), 'a link names an entry or a flow, not both')).min(1).max(3),
}).strict();

/** "Bạn thấy nội dung này thế nào?": kept as text only when the person agrees; never linked to anyone. */
export const feedbackItem = z.object({ ...common, type: z.literal('feedback'), question: bubbleText }).strict();

export const itemSchema = z.discriminatedUnion('type', [messageItem, quizItem, pollItem, storyItem, linkItem, feedbackItem]);

export const campaignSchema = z.object({
  id: idSchema,
  title: localizedSchema,
  /** The campaign's button in the list of campaigns (Messenger's quick replies hold 20 characters). */
  label,
  summary: localizedSchema,
  dates: z.object({ from: isoDate, to: isoDate }).strict(),
  /** Everyone, or people who answered a poll of some campaign a certain way (for broadcasts). */
  audience: z.union([z.literal('all'), z.object({ poll: z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'campaign_id.poll_id'), answer: value }).strict()]).default('all'),
  /** Words that start the campaign when typed (besides its deep links). */
  triggers: z.array(z.string().trim().min(2)).default([]),
  sources: z.array(sourceSchema).min(1),
  items: z.array(itemSchema).min(2),
}).strict();

export type Campaign = z.output<typeof campaignSchema>;
export type CampaignItem = z.output<typeof itemSchema>;
export type Question = z.output<typeof questionSchema>;
