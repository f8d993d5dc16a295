/**
 * `binhan channels setup messenger`: sets the Page's Get Started button (payload "start", which the
 * adapter turns into a conversation start) and its persistent menu, with one Messenger Profile API
 * call (Meta allows 10 calls per 10 minutes per Page: run it at deploy time, not on every boot).
 */
import { ConfigError } from '../config.js';
import { readMessengerConfig, START_PAYLOAD } from '../channels/messenger/index.js';
import { graphPost } from '../channels/messenger/graph.js';
import { cmd, intentPayload } from '../engine/payload.js';

export const MESSENGER_PROFILE = {
  get_started: { payload: START_PAYLOAD },
  persistent_menu: [{
    locale: 'default',
    composer_input_disabled: false,
    call_to_actions: [
      { type: 'postback', title: 'Menu chính', payload: cmd('menu') },
      { type: 'postback', title: 'Báo tin ẩn danh', payload: intentPayload('report_tip') },
      { type: 'postback', title: 'Xóa dữ liệu', payload: cmd('delete_data') },
    ],
  }],
} as const;

type Out = ((line: string) => void) | { write(chunk: string): unknown };

/** Returns a process exit code: 0 done, 1 the platform refused or was unreachable, 2 not configured. */
export async function setupMessenger(env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  const say = (s: string): void => { if (typeof out === 'function') out(s); else out.write(`${s}\n`); };
  let cfg;
  try {
    cfg = readMessengerConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) say(`error: ${p}`);
    return 2;
  }
  if (!cfg) {
    say('error: Messenger is not configured: set MESSENGER_PAGE_ACCESS_TOKEN, MESSENGER_APP_SECRET and MESSENGER_VERIFY_TOKEN (see README).');
    return 2;
  }
  const res = await graphPost(cfg.graphUrl, 'me/messenger_profile', cfg.pageAccessToken, MESSENGER_PROFILE);
  if (!res.ok) {
    const hint = res.code === 'token' ? ' (check MESSENGER_PAGE_ACCESS_TOKEN: it must be a Page access token)'
      : res.retryable ? ' (try again in a few minutes: the Messenger Profile API allows 10 calls per 10 minutes per Page)' : '';
    say(`error: Messenger Profile API refused the update: ${res.code ?? 'unknown'}${hint}`);
    return 1;
  }
  say(`Messenger: Get Started button (payload "${START_PAYLOAD}") and persistent menu (${MESSENGER_PROFILE.persistent_menu[0].call_to_actions.map((a) => a.title).join(' · ')}) set.`);
  return 0;
}
