/**
 * `binhan channels setup telegram`: registers the webhook with Telegram (setWebhook) at
 * TELEGRAM_PUBLIC_URL + TELEGRAM_WEBHOOK_PATH, with TELEGRAM_WEBHOOK_SECRET as secret_token (echoed in
 * X-Telegram-Bot-Api-Secret-Token on every delivery), only the updates Bình An uses, and pending updates
 * kept (drop_pending_updates false). Run it at deploy time. Never prints the token or the secret.
 */
import { ConfigError } from '../config.js';
import { ALLOWED_UPDATES, readTelegramConfig } from '../channels/telegram/index.js';
import { callApi } from '../channels/telegram/api.js';

type Out = ((line: string) => void) | { write(chunk: string): unknown };

/** Returns a process exit code: 0 done, 1 Telegram refused or was unreachable, 2 not configured. */
export async function setupTelegram(env: NodeJS.ProcessEnv, out: Out): Promise<number> {
  const say = (s: string): void => { if (typeof out === 'function') out(s); else out.write(`${s}\n`); };
  let cfg;
  try {
    cfg = readTelegramConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) say(`error: ${p}`);
    return 2;
  }
  if (!cfg) {
    say('error: Telegram is not configured: set TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_PUBLIC_URL (see README).');
    return 2;
  }
  if (cfg.mode !== 'webhook' || !cfg.publicUrl) {
    say('error: setting a webhook needs TELEGRAM_WEBHOOK_SECRET and TELEGRAM_PUBLIC_URL (with the token alone, Bình An uses long polling and needs no setup).');
    return 2;
  }
  const url = `${cfg.publicUrl}${cfg.path}`;
  const res = await callApi(cfg.apiBase, cfg.token, 'setWebhook', {
    url,
    secret_token: cfg.secret,
    allowed_updates: [...ALLOWED_UPDATES],
    drop_pending_updates: false,
  });
  if (!res.ok) {
    const hint = res.code === 'token' ? ' (check TELEGRAM_BOT_TOKEN: copy it again from @BotFather)'
      : res.code === 'bad_request' ? ' (Telegram refused the URL: it must be public https on port 443, 80, 88 or 8443 with a valid certificate)'
        : res.retryable ? ' (try again in a minute)' : '';
    say(`error: Telegram refused setWebhook: ${res.code ?? 'unknown'}${hint}`);
    return 1;
  }
  say(`Telegram: webhook set to ${url} (secret token set; updates: ${ALLOWED_UPDATES.join(', ')}).`);
  return 0;
}
