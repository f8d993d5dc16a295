/**
 * Golden conversation tests, in the manner of RapidPro goflow's: each file in tests/conversations/ is a
 * whole conversation — what a person typed or tapped, what they must get back (hand-written
 * expectations), and a snapshot of exactly what the bot said (`got`), which update mode rewrites:
 *
 *   UPDATE_CONVERSATIONS=1 npx jest tests/conversations.test.ts     (or: npm run conversations:update)
 *
 * A run stops at the first divergence and names the file, the turn, what was expected and what was said.
 * Every turn of every conversation is also held to the product's rules: at most 3 bubbles and 600
 * characters unless the person asked for more, never the same answer twice in a row, never nothing.
 */
import { capabilitiesFor } from './app';
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type Document, YAMLMap } from 'yaml';
import { z } from 'zod';
import type { App } from '../../src/app/index';
import type { EngineEvent, OutMessage } from '../../src/engine/types';

const expectSchema = z.object({
  /** Fragments the reply must contain (case-insensitive). */
  contains: z.array(z.string()).optional(),
  not_contains: z.array(z.string()).optional(),
  /** The first phone number in the reply (digits as written, e.g. "111" or "096 306 1414"). */
  first_number: z.string().optional(),
  /** The crisis kind detected, or "none" for no crisis. */
  crisis: z.string().optional(),
  /** The knowledge entry shown (its id), or the topic it belongs to. */
  entry: z.string().optional(),
  topic: z.string().optional(),
  /** A flow started in this turn. */
  flow: z.string().optional(),
  /** The language of the reply. */
  lang: z.enum(['vi', 'en']).optional(),
  /** Button labels that must be offered. */
  buttons: z.array(z.string()).optional(),
  /** The number of cases this conversation has stored so far, after this turn. */
  cases: z.number().int().optional(),
  /** This turn may be longer than 3 bubbles / 600 characters (the person asked for more). */
  long: z.boolean().optional(),
  /** This turn may repeat the previous answer. */
  repeat_ok: z.boolean().optional(),
}).strict();

const turnSchema = z.object({
  user: z.string().optional(),
  tap: z.string().optional(),
  start: z.literal(true).optional(),
  attachment: z.literal(true).optional(),
  /** Optional note for readers. */
  note: z.string().optional(),
  expect: expectSchema.optional(),
  got: z.unknown().optional(),
}).strict().refine((t) => [t.user, t.tap, t.start, t.attachment].filter((x) => x !== undefined).length === 1, { message: 'a turn is one of user, tap, start, attachment' });

const fileSchema = z.object({
  title: z.string(),
  /** When the conversation happens (ISO 8601 with offset; default a Wednesday afternoon in Viet Nam): answers
   * that depend on the hour (a hotline's opening hours) are then the same on every run. */
  at: z.string().datetime({ offset: true }).optional(),
  persona: z.string(),
  /** The channel name the conversation comes in on (default "test"). */
  channel: z.string().optional(),
  tags: z.array(z.string()).default([]),
  turns: z.array(turnSchema).min(1),
}).strict();

export type Conversation = z.infer<typeof fileSchema>;
export type Turn = z.infer<typeof turnSchema>;
type Expect = z.infer<typeof expectSchema>;

export interface Snapshot {
  bot: (string | { text: string; buttons?: string[]; calls?: string[] })[];
  events: string[];
}

export class Divergence extends Error {}

const MAX_BUBBLES = 3;
const MAX_CHARS = 600;
// Phone numbers as Bình An writes them: +84 ..., 0xx xxx xxxx, 1900 ..., and the short emergency numbers.
const PHONE = /\+84(?:[ .]?\d){9,10}|\b0\d{2}(?:[ .]?\d){7}\b|\b1[89]00(?:[ .]?\d){6}\b|\b11[1-5]\b/;
const VI_MARKS = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;

export function loadConversation(file: string): { doc: Document; conv: Conversation } {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message}`);
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { doc, conv: parsed.data };
}

/** A case's reference code and secret differ with every server secret: the snapshot keeps their shape only. */
const unstable = (text: string): string => text.replace(/\bBA-[A-Z0-9]{6}\b/g, 'BA-XXXXXX').replace(/\b\d{4} \d{4} \d{4}\b/g, '#### #### ####');

function snapshot(replies: OutMessage[], events: readonly EngineEvent[]): Snapshot {
  return {
    bot: replies.map((raw) => {
      const m = { ...raw, text: unstable(raw.text) };
      const buttons = m.choices?.map((c) => c.label);
      const calls = m.calls?.map((c) => c.dial);
      return buttons?.length || calls?.length ? { text: m.text, ...(buttons?.length ? { buttons } : {}), ...(calls?.length ? { calls } : {}) } : m.text;
    }),
    events: events.flatMap((e) => {
      switch (e.type) {
        case 'crisis': return [`crisis:${e.kind}`];
        case 'entry': return [`entry:${e.entry}${e.more ? ':more' : ''}`];
        case 'flow_started': return [`flow:${e.flow}`];
        case 'action': return [`action:${e.action}`];
        case 'lang': return [`lang:${e.lang}`];
        case 'count': return [`count:${e.key}`];
        default: return [];
      }
    }),
  };
}

const describeTurn = (i: number, t: Turn): string => `turn ${i + 1} (${t.user !== undefined ? `user: "${t.user}"` : t.tap !== undefined ? `tap: "${t.tap}"` : t.start ? 'start' : 'attachment'})`;

function check(e: Expect, text: string, replies: OutMessage[], events: readonly EngineEvent[], cases: number, fail: (m: string) => never): void {
  const low = text.toLowerCase();
  for (const f of e.contains ?? []) if (!low.includes(f.toLowerCase())) fail(`expected the reply to contain "${f}"`);
  for (const f of e.not_contains ?? []) if (low.includes(f.toLowerCase())) fail(`expected the reply not to contain "${f}"`);
  if (e.first_number !== undefined) {
    const first = PHONE.exec(text)?.[0]?.trim();
    if (first !== e.first_number) fail(`expected the first number to be ${e.first_number}, got ${first ?? 'none'}`);
  }
  const crisis = events.find((x): x is Extract<EngineEvent, { type: 'crisis' }> => x.type === 'crisis')?.kind ?? 'none';
  if (e.crisis !== undefined && crisis !== e.crisis) fail(`expected crisis ${e.crisis}, got ${crisis}`);
  const entries = events.filter((x): x is Extract<EngineEvent, { type: 'entry' }> => x.type === 'entry');
  if (e.entry !== undefined && !entries.some((x) => x.entry === e.entry)) fail(`expected entry ${e.entry}, got ${entries.map((x) => x.entry).join(', ') || 'none'}`);
  if (e.topic !== undefined && !entries.some((x) => x.topic === e.topic)) fail(`expected an entry of topic ${e.topic}, got ${entries.map((x) => `${x.entry} (${x.topic})`).join(', ') || 'none'}`);
  const flows = events.filter((x): x is Extract<EngineEvent, { type: 'flow_started' }> => x.type === 'flow_started').map((x) => x.flow);
  if (e.flow !== undefined && !flows.includes(e.flow)) fail(`expected flow ${e.flow} to start, got ${flows.join(', ') || 'none'}`);
  if (e.lang !== undefined) {
    // Vietnamese when more than one word in ten has Vietnamese letters (an English answer may name "UBND cấp xã").
    const all = text.split(/\s+/).filter(Boolean);
    const vi = all.filter((w) => VI_MARKS.test(w)).length > all.length * 0.1;
    if ((e.lang === 'vi') !== vi) fail(`expected the reply in ${e.lang === 'vi' ? 'Vietnamese' : 'English'}`);
  }
  const labels = replies.flatMap((m) => m.choices?.map((c) => c.label) ?? []);
  for (const b of e.buttons ?? []) if (!labels.includes(b)) fail(`expected a button "${b}", got ${labels.map((l) => `"${l}"`).join(', ') || 'none'}`);
  if (e.cases !== undefined && cases !== e.cases) fail(`expected ${e.cases} case(s) stored, got ${cases}`);
}

/**
 * Plays a conversation through the real runtime (engine, NLU, actions, store). Returns the snapshots;
 * throws a Divergence at the first turn that breaks an expectation, a rule, or (unless updating) its snapshot.
 */
/** The golden conversations' clock: the app is created with `now: goldenNow`; each conversation starts at its
 * `at` and each turn moves it on by a few seconds. */
export const DEFAULT_AT = '2026-12-02T15:00:00+07:00';
let goldenTime = Date.parse(DEFAULT_AT);
export const goldenNow = (): number => goldenTime;

export async function play(app: App, file: string, conv: Conversation, opts: { update: boolean; onTurn?: (turn: Turn, index: number, snap: Snapshot) => void; /** Record every divergent turn here and go on, instead of stopping at the first. */ collect?: string[] }): Promise<Snapshot[]> {
  const userId = `golden-${file}-${Math.random()}`;
  goldenTime = Date.parse(conv.at ?? DEFAULT_AT);
  const channel = conv.channel ?? 'test';
  const out: Snapshot[] = [];
  let last: OutMessage[] = [];
  let previousText = '';
  const countCases = async (): Promise<number> => (await app.store.listCases({ limit: 100_000 })).length;
  const baseline = await countCases();
  for (const [i, turn] of conv.turns.entries()) {
    goldenTime += 5_000;
    const fail = (m: string): never => { throw new Divergence(`${file}: ${describeTurn(i, turn)}: ${m}\n  bot said:\n${last.map((r) => `    | ${r.text.replace(/\n/g, '\n    | ')}${r.choices?.length ? `\n    [${r.choices.map((c) => c.label).join('] [')}]` : ''}`).join('\n')}`); };
    let payload: string | undefined;
    if (turn.tap !== undefined) {
      const choice = last.flatMap((m) => m.choices ?? []).find((c) => c.label === turn.tap);
      if (!choice) { fail(`no button "${turn.tap}" to tap`); }
      payload = choice?.id;
    }
    const events: EngineEvent[] = [];
    const observer = (e: readonly EngineEvent[]): void => { events.push(...e); };
    app.bot.onTurn(observer);
    try {
      const res = await app.bot.handle({
        channel, userId, capabilities: capabilitiesFor(channel),
        ...(turn.start ? { start: true } : turn.attachment ? { attachment: true } : payload !== undefined ? { payload } : { text: turn.user ?? '' }),
      });
      last = res.replies;
    } finally {
      app.bot.offTurn(observer);
    }
    const text = last.map((m) => m.text).join('\n');
    const snap = snapshot(last, events);
    out.push(snap);
    opts.onTurn?.(turn, i, snap);
    const cases = turn.expect?.cases !== undefined ? (await countCases()) - baseline : 0;
    const repeated = text === previousText;
    previousText = text;
    const checkTurn = (): void => {
      if (last.length === 0) fail('the bot said nothing');
      const askedMore = turn.tap === 'Xem thêm' || turn.tap === 'Tell me more' || turn.expect?.long;
      const chars = last.reduce((n, m) => n + m.text.length, 0);
      if (!askedMore && (last.length > MAX_BUBBLES || chars > MAX_CHARS)) fail(`the reply has ${last.length} bubbles and ${chars} characters (at most ${MAX_BUBBLES} and ${MAX_CHARS})`);
      if (repeated && !turn.expect?.repeat_ok) fail('the bot repeated its previous answer word for word');
      if (turn.expect) check(turn.expect, text, last, events, cases, fail);
      if (!opts.update && turn.got !== undefined && JSON.stringify(turn.got) !== JSON.stringify(snap)) {
        fail(`the reply differs from the recorded one (run with UPDATE_CONVERSATIONS=1 to accept it):\n  recorded: ${JSON.stringify(turn.got)}\n  now:      ${JSON.stringify(snap)}`);
      }
    };
    try {
      checkTurn();
    } catch (e) {
      if (!(opts.collect && e instanceof Divergence)) throw e;
      opts.collect.push(e.message);
    }
  }
  return out;
}

/** Writes the snapshots into the file's turns, keeping everything else (comments included) as it was. */
export function writeSnapshots(file: string, doc: Document, snaps: Snapshot[]): void {
  const turns = doc.get('turns');
  if (!isSeq(turns)) return;
  turns.items.forEach((item, i) => {
    if (!isMap(item) || !snaps[i]) return;
    (item as YAMLMap).set('got', doc.createNode(snaps[i], { flow: false }));
  });
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}
