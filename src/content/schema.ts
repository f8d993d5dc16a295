/** The content file formats (content/*.yaml and content/nlu/*.txt), as zod schemas. */
import { z } from 'zod';
import { INTENTS } from '../engine/types.js';
import { localizedSchema } from '../flows/schema.js';

/** Longest chat bubble we allow in content: fits every channel's bubble comfortably. */
export const MAX_BUBBLE = 600;

const bubble = z.string().trim().min(1).max(MAX_BUBBLE - 1, `a bubble must be shorter than ${MAX_BUBBLE} characters`);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const answerSchema = z.object({
  sources: z.array(z.string().url()).default([]),
  checked: isoDate.optional(),
  vi: z.array(bubble).min(1),
  en: z.array(bubble).min(1),
}).strict().refine((a) => a.vi.length === a.en.length, { message: 'vi and en need the same number of bubbles' });

export const answersFileSchema = z.object({ answers: z.record(z.string(), answerSchema) }).strict();

export const hotlineSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
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

/** System messages the engine itself needs (the sentences live in content/messages.yaml). */
export const MESSAGE_KEYS = [
  'empty_input', 'not_understood', 'clarify', 'retry_choice', 'retry_input', 'way_out',
  'session_expired', 'stale_button', 'cancelled', 'nothing_to_cancel', 'lang_switched', 'emergency_resume',
  'invalid_text', 'invalid_number', 'invalid_date', 'invalid_place', 'invalid_code', 'invalid_secret', 'too_long',
  'skip_hint', 'menu_label', 'continue_label', 'skip_label', 'yes_label', 'no_label', 'main_menu_label',
  'duplicate_message', 'attachment_received', 'notify_news', 'call_label',
  'live_counsellor', 'live_joined', 'live_waiting', 'live_requeued', 'live_ended_counsellor', 'live_ended_user',
  'live_unanswered', 'live_idle', 'live_counsellor_gone', 'live_text_only', 'live_end_label', 'hotlines_label', 'tip_label',
] as const;
export type MessageKey = (typeof MESSAGE_KEYS)[number];

export const messagesFileSchema = z.object({
  messages: z.object(Object.fromEntries(MESSAGE_KEYS.map((k) => [k, localizedSchema])) as Record<MessageKey, typeof localizedSchema>).strict(),
  /** Short button labels for each intent, used by the clarifying question. */
  intent_labels: z.object(Object.fromEntries(INTENTS.map((k) => [k, localizedSchema])) as Record<(typeof INTENTS)[number], typeof localizedSchema>).strict(),
}).strict();

/** Global commands: phrases that work at any point of any flow (matched whole, diacritics optional). */
export const COMMANDS = ['menu', 'cancel', 'delete_data', 'lang_en', 'lang_vi', 'skip'] as const;
export type Command = (typeof COMMANDS)[number];
export const commandsFileSchema = z.object({
  commands: z.object(Object.fromEntries(COMMANDS.map((k) => [k, z.array(z.string().min(1)).min(1)])) as Record<Command, z.ZodArray<z.ZodString>>).strict(),
  /** Words that mean yes / no when typed as an answer to a choice. */
  yes: z.array(z.string().min(1)).min(1),
  no: z.array(z.string().min(1)).min(1),
  /** Typed during a live chat with a counsellor: ends it and returns to the bot ("menu" and "cancel" do too). */
  end_live: z.array(z.string().min(1)).min(1),
}).strict();

export type Answer = z.infer<typeof answerSchema>;
export type Hotline = z.infer<typeof hotlineSchema>;

const placeEntry = z.object({ name: z.string().min(1), aliases: z.array(z.string()) }).strict();
export const placesFileSchema = z.object({
  source: z.string().url(),
  checked: isoDate,
  provinces: z.array(placeEntry).min(1),
  abroad: z.array(placeEntry),
  unknown: placeEntry,
}).strict();
