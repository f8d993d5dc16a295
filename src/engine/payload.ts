/**
 * Button payloads: the one place where they are encoded and decoded. A payload travels through every
 * channel (Messenger quick replies and postbacks, Telegram callback data, Zalo, Bot Framework, the web
 * chat) and comes back verbatim when tapped; anything that does not decode is a forged or stale button.
 *
 *   cmd:<command>            a global command (menu, cancel, skip, more...)
 *   intent:<intent>          start what an intent starts (a flow, or a topic's overview)
 *   go:<flow>                start a flow by its id (a campaign from a button, a deep link or a poster)
 *   kb:<entry>[:more]        show a knowledge entry, or its "tell me more" depth
 *   live:end                 end a live chat with a counsellor
 *   live:tip_yes, live:tip_no  the person's answer to a counsellor's proposal to keep the chat as a tip
 *   resume                   continue what an interruption (a crisis) paused, or a parked draft
 *   draft:review             a parked draft (a tip): to its review, to send it
 *   draft:discard            a parked draft: discard it (the person's own choice)
 *   <flow>.<node>:<value>    an option of a flow's choice node
 */
export type Payload =
  | { kind: 'cmd'; command: string }
  | { kind: 'intent'; intent: string }
  | { kind: 'go'; flow: string }
  | { kind: 'entry'; entry: string; more: boolean }
  | { kind: 'live_end' }
  | { kind: 'live_tip'; yes: boolean }
  | { kind: 'resume' }
  | { kind: 'draft_review' }
  | { kind: 'draft_discard' }
  | { kind: 'option'; flow: string; node: string; value: string };

const ID = '[a-z0-9_]+';
const OPTION = new RegExp(`^(${ID})\\.(${ID}):(${ID})$`);
const ENTRY = new RegExp(`^kb:(${ID})(:more)?$`);
const SIMPLE = new RegExp(`^(cmd|intent):(${ID})$`);
const GO = new RegExp(`^go:(${ID})$`);

/** Longest payload any channel carries (Telegram callback_data: 64 bytes). */
export const MAX_PAYLOAD = 64;

export function encodePayload(p: Payload): string {
  switch (p.kind) {
    case 'cmd': return `cmd:${p.command}`;
    case 'intent': return `intent:${p.intent}`;
    case 'go': return `go:${p.flow}`;
    case 'entry': return `kb:${p.entry}${p.more ? ':more' : ''}`;
    case 'live_end': return 'live:end';
    case 'live_tip': return p.yes ? 'live:tip_yes' : 'live:tip_no';
    case 'resume': return 'resume';
    case 'draft_review': return 'draft:review';
    case 'draft_discard': return 'draft:discard';
    case 'option': return `${p.flow}.${p.node}:${p.value}`;
  }
}

export function decodePayload(s: string): Payload | undefined {
  if (s.length > MAX_PAYLOAD) return undefined;
  if (s === 'resume') return { kind: 'resume' };
  if (s === 'draft:review') return { kind: 'draft_review' };
  if (s === 'draft:discard') return { kind: 'draft_discard' };
  if (s === 'live:end') return { kind: 'live_end' };
  if (s === 'live:tip_yes' || s === 'live:tip_no') return { kind: 'live_tip', yes: s === 'live:tip_yes' };
  const go = GO.exec(s);
  if (go) return { kind: 'go', flow: go[1] };
  const simple = SIMPLE.exec(s);
  if (simple) return simple[1] === 'cmd' ? { kind: 'cmd', command: simple[2] } : { kind: 'intent', intent: simple[2] };
  const entry = ENTRY.exec(s);
  if (entry) return { kind: 'entry', entry: entry[1], more: entry[2] !== undefined };
  const option = OPTION.exec(s);
  if (option) return { kind: 'option', flow: option[1], node: option[2], value: option[3] };
  return undefined;
}

export const cmd = (command: string): string => encodePayload({ kind: 'cmd', command });
export const intentPayload = (intent: string): string => encodePayload({ kind: 'intent', intent });
export const entryPayload = (entry: string, more = false): string => encodePayload({ kind: 'entry', entry, more });
export const LIVE_END = encodePayload({ kind: 'live_end' });
export const LIVE_TIP_YES = encodePayload({ kind: 'live_tip', yes: true });
export const LIVE_TIP_NO = encodePayload({ kind: 'live_tip', yes: false });
export const RESUME = encodePayload({ kind: 'resume' });
export const DRAFT_REVIEW = encodePayload({ kind: 'draft_review' });
export const DRAFT_DISCARD = encodePayload({ kind: 'draft_discard' });

/** A button that goes back to paused work (continue, review, discard a draft): meaningless once the
 * conversation is deleted. */
export const resumesPaused = (id: string): boolean => {
  const kind = decodePayload(id)?.kind;
  return kind === 'resume' || kind === 'draft_review' || kind === 'draft_discard';
};
