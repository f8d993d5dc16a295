/** Loads and validates content/ (answers, hotlines, system messages, commands, NLU training sentences). */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { INTENTS, type Intent, type Localized } from '../engine/types.js';
import type { PlacesFile } from './places.js';
import {
  answersFileSchema, hotlinesFileSchema, messagesFileSchema, commandsFileSchema, placesFileSchema,
  type Answer, type Hotline, type MessageKey, type Command,
} from './schema.js';

export interface Content {
  answers: Record<string, Answer>;
  hotlines: Hotline[];
  messages: Record<MessageKey, Localized>;
  intentLabels: Record<Intent, Localized>;
  commands: Record<Command, string[]>;
  yes: string[];
  no: string[];
  /** Phrases that end a live chat with a counsellor. */
  endLive: string[];
  training: { intent: Intent; text: string }[];
  places: PlacesFile;
}

/** One problem found in a flow or content file, with where it is. */
export interface Problem {
  file: string;
  node?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}${p.node ? `: node '${p.node}'` : ''}: ${p.message}`;
}

export class BundleError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid flows/content:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'BundleError';
  }
}

/** Formats a zod error's issues as "path: message" strings. */
export function zodMessages(err: z.ZodError): string[] {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

export function readYaml(file: string, root: string, problems: Problem[]): unknown {
  const rel = relative(root, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push({ file: rel, message: 'file is missing or unreadable' });
    return undefined;
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (e) {
    problems.push({ file: rel, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` });
    return undefined;
  }
}

function parseWith<T>(schema: z.ZodType<T>, data: unknown, rel: string, problems: Problem[]): T | undefined {
  if (data === undefined) return undefined;
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  for (const m of zodMessages(res.error)) problems.push({ file: rel, message: m });
  return undefined;
}

// Sequences of 7+ digits (spaces, dots and dashes allowed between) look like phone numbers.
const PHONE_LIKE = /(?<![\d/])\+?\d(?:[ .-]?\d){6,}(?![\d/])/g;
const digitsOf = (s: string): string => s.replace(/[^\d]/g, '');

/**
 * Checks that every phone-number-like string in the answers is a verified hotline,
 * and that no retired or unverified number is shown anywhere.
 */
function checkPhoneNumbers(answers: Record<string, Answer>, hotlines: Hotline[], problems: Problem[]): void {
  const verified = new Set(hotlines.filter((h) => h.status === 'verified' && h.dial).map((h) => digitsOf(h.dial)));
  const shortNumbers = hotlines.filter((h) => h.status !== 'verified' && h.dial).map((h) => digitsOf(h.dial));
  for (const [key, a] of Object.entries(answers)) {
    for (const text of [...a.vi, ...a.en]) {
      for (const m of text.match(PHONE_LIKE) ?? []) {
        const d = digitsOf(m);
        if (!verified.has(d) && !verified.has(d.replace(/^84/, '0')) && !verified.has(`84${d.replace(/^0/, '')}`)) {
          problems.push({ file: 'content/answers.yaml', node: key, message: `phone number "${m}" is not a verified hotline in content/hotlines.yaml` });
        }
      }
      for (const d of shortNumbers) {
        if (digitsOf(text).includes(d) && d.length >= 7) {
          problems.push({ file: 'content/answers.yaml', node: key, message: `shows the ${d} number, which is not verified or retired` });
        }
      }
    }
  }
}

export function loadTraining(dir: string, root: string, problems: Problem[]): { intent: Intent; text: string }[] {
  const out: { intent: Intent; text: string }[] = [];
  if (!existsSync(dir)) {
    problems.push({ file: relative(root, dir), message: 'training sentence folder is missing' });
    return out;
  }
  const files = new Set(readdirSync(dir).filter((f) => f.endsWith('.txt')));
  for (const intent of INTENTS) {
    const f = `${intent}.txt`;
    if (!files.has(f)) {
      problems.push({ file: relative(root, join(dir, f)), message: `no training sentences for intent '${intent}'` });
      continue;
    }
    files.delete(f);
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#')) out.push({ intent, text: t });
    }
  }
  for (const f of files) problems.push({ file: relative(root, join(dir, f)), message: `'${f.slice(0, -4)}' is not an intent of the fixed taxonomy` });
  return out;
}

export function loadContent(root: string, problems: Problem[]): Content | undefined {
  const dir = join(root, 'content');
  const answersFile = parseWith(answersFileSchema, readYaml(join(dir, 'answers.yaml'), root, problems), 'content/answers.yaml', problems);
  const hotlinesFile = parseWith(hotlinesFileSchema, readYaml(join(dir, 'hotlines.yaml'), root, problems), 'content/hotlines.yaml', problems);
  const messagesFile = parseWith(messagesFileSchema, readYaml(join(dir, 'messages.yaml'), root, problems), 'content/messages.yaml', problems);
  const commandsFile = parseWith(commandsFileSchema, readYaml(join(dir, 'commands.yaml'), root, problems), 'content/commands.yaml', problems);
  const placesFile = parseWith(placesFileSchema, readYaml(join(dir, 'places.yaml'), root, problems), 'content/places.yaml', problems);
  const training = loadTraining(join(dir, 'nlu'), root, problems);
  if (!answersFile || !hotlinesFile || !messagesFile || !commandsFile || !placesFile) return undefined;
  checkPhoneNumbers(answersFile.answers, hotlinesFile.hotlines, problems);
  return {
    answers: answersFile.answers,
    hotlines: hotlinesFile.hotlines,
    messages: messagesFile.messages,
    intentLabels: messagesFile.intent_labels,
    commands: commandsFile.commands,
    yes: commandsFile.yes,
    no: commandsFile.no,
    endLive: commandsFile.end_live,
    training,
    places: placesFile,
  };
}
