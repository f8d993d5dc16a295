/**
 * What the program declares to the bundle loader: the sentences it says, its commands, its actions and the
 * crisis kinds it detects. The loader checks content/ and flows/ against this, so the bundle never imports
 * the code that runs it (no import cycle) and nothing is listed twice.
 */
import { loadBundle, checkBundle } from '../bundle/load.js';
import type { Bundle, Vocabulary } from '../bundle/types.js';
import { COMMANDS, ENGINE_MESSAGES } from '../engine/engine.js';
import { LIVE_MESSAGES } from '../live/relay.js';
import { NOTIFY_MESSAGES } from '../channels/notify.js';
import { ACTION_ARGS } from '../actions/index.js';
import { CRISIS_KINDS } from '../nlu/crisis.js';
import { RUNTIME_MESSAGES } from './bot.js';

export const VOCABULARY: Vocabulary = {
  messages: [...new Set<string>([...ENGINE_MESSAGES, ...LIVE_MESSAGES, ...NOTIFY_MESSAGES, ...RUNTIME_MESSAGES])],
  commands: COMMANDS,
  actions: ACTION_ARGS,
  crises: CRISIS_KINDS,
};

/** Loads flows/ and content/ for this program, or throws a BundleError naming every problem. */
export function loadProgramBundle(root: string): Bundle {
  return loadBundle(root, VOCABULARY);
}

/** Checks flows/ and content/ for this program; returns the bundle when valid, and the problems. */
export function checkProgramBundle(root: string): ReturnType<typeof checkBundle> {
  return checkBundle(root, VOCABULARY);
}
