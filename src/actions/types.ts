/**
 * An action is what a flow's `type: action` node asks the runtime to do (store a tip, check a follow-up
 * code...). Each one is a module of its own: `{ name, args, run }`, with `args` a zod schema of the
 * arguments it reads (only those reach `run`), collected in ./index.ts, the registry from which the flow
 * schema's list of action names is derived.
 */
import type { Capabilities } from '../channels/capabilities.js';
import type { z } from 'zod';
import type { Store } from '../store/port.js';
import type { Logger } from '../log.js';
import type { CaseService } from '../cases/service.js';
import type { NotificationRegistry } from '../channels/notify.js';
import type { LiveDesk } from '../live/desk.js';
import type { SubscriptionRegistry } from '../campaigns/subscriptions.js';

/** What actions may use, for the life of the app. Cases go through the case service (encryption, history, related tips). */
export interface ActionServices {
  store: Store;
  /** The server secret: reference codes, follow-up secrets and grants are derived from it. */
  key: Buffer;
  log: Logger;
  cases: CaseService;
  notifications?: NotificationRegistry;
  live?: LiveDesk;
  /** Campaign subscriptions ("Nhận tin phòng chống"); without it, one is made over the store with the notifications' cipher. */
  subscriptions?: SubscriptionRegistry;
}

/** The turn an action runs in. */
export interface TurnContext {
  sessionKey: string;
  channel: string;
  /** The channel's user address; used only to store an opt-in notification subscription, sealed. */
  address: string;
  lang: string;
  /** What the person's channel can do (src/channels/capabilities.ts). */
  capabilities: Capabilities;
  /** The flow run: the same tip submitted again in the same run gets the same case. */
  runId: string;
  now: number;
}

export type ActionContext = ActionServices & TurnContext;

export interface ActionResult {
  ok: boolean;
  /** Kept in the session (the node's `var`). */
  data?: Record<string, unknown>;
  /** Shown in this turn only, never stored. */
  once?: Record<string, unknown>;
  /** The session must be deleted instead of saved after this turn. */
  deleteSession?: boolean;
}

export interface Action<S extends z.ZodType = z.ZodType> {
  /** The name a flow's action node gives (`action: create_case`). */
  readonly name: string;
  /** The arguments the action reads from the flow's variables; what does not parse fails the action ("invalid"). */
  readonly args: S;
  run(ctx: ActionContext, args: z.output<S>): Promise<ActionResult> | ActionResult;
}

/** Declares an action (types `run`'s arguments from the schema). */
export function defineAction<S extends z.ZodType>(action: Action<S>): Action<S> {
  return action;
}
