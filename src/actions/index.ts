/**
 * The registry of actions: the flow schema's list of action names is derived from it (app/vocabulary.ts),
 * and tests/actions.test.ts fails when a registered action has no test.
 */
import { z } from 'zod';
import { addCaseInfo } from './add_case_info.js';
import { campaignSubscribe } from './campaign_subscribe.js';
import { campaignUnsubscribe } from './campaign_unsubscribe.js';
import { checkCase } from './check_case.js';
import { createCase } from './create_case.js';
import { deleteData } from './delete_data.js';
import { notifyOptIn } from './notify_opt_in.js';
import { notifyOptOut } from './notify_opt_out.js';
import { requestHuman } from './request_human.js';
import type { Action, ActionResult, ActionServices, TurnContext } from './types.js';

export type { Action, ActionContext, ActionResult, ActionServices, TurnContext } from './types.js';

export const ACTIONS: readonly Action[] = [createCase, checkCase, addCaseInfo, deleteData, requestHuman, notifyOptIn, notifyOptOut, campaignSubscribe, campaignUnsubscribe];

/** The actions a flow's action node may request. */
export const ACTION_NAMES: readonly string[] = ACTIONS.map((a) => a.name);

/** Each action's argument names, from its schema: a flow's action node maps every one to a variable. */
export const ACTION_ARGS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  ACTIONS.map((a) => [a.name, a.args instanceof z.ZodObject ? Object.keys(a.args.shape) : []]),
);

const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

/** Runs the actions the engine asks for: arguments checked against the action's schema, failures logged, never thrown. */
export class ActionRunner {
  constructor(private readonly services: ActionServices) {}

  async run(name: string, args: Record<string, unknown>, turn: TurnContext): Promise<ActionResult> {
    const action = BY_NAME.get(name);
    if (!action) return { ok: false };
    const { log } = this.services;
    try {
      const parsed = action.args.safeParse(args);
      if (!parsed.success) {
        log.warn('action rejected: invalid arguments', { action: name, fields: parsed.error.issues.map((i) => i.path.join('.')) });
        return { ok: false, data: { reason: 'invalid' } };
      }
      return await action.run({ ...this.services, ...turn }, parsed.data);
    } catch (e) {
      log.error('action failed', { action: name, error: (e as Error).message });
      return { ok: false, data: { reason: 'unavailable' } };
    }
  }
}
