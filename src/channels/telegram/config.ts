/**
 * Telegram variables (channels.md §3). Two modes:
 *   webhook       TELEGRAM_BOT_TOKEN + TELEGRAM_WEBHOOK_SECRET (+ TELEGRAM_PUBLIC_URL for `binhan channels setup telegram`)
 *   long polling  TELEGRAM_BOT_TOKEN alone (development: deleteWebhook first, which detaches any webhook)
 * Nothing set: the channel is off. Anything else: a ConfigError naming the missing or bad variable.
 */
import { ConfigError } from '../../config.js';

export const DEFAULT_API_BASE = 'https://api.telegram.org';
export const DEFAULT_WEBHOOK_PATH = '/webhooks/telegram';

export interface TelegramConfig {
  token: string;
  /** No trailing slash, e.g. https://api.telegram.org */
  apiBase: string;
  mode: 'webhook' | 'polling';
  /** Webhook mode only: the X-Telegram-Bot-Api-Secret-Token value. */
  secret?: string;
  /** Exact route path of the webhook, e.g. /webhooks/telegram */
  path: string;
  /** Public https origin (and optional prefix) Telegram calls; only `setup` needs it. */
  publicUrl?: string;
}

const VARS = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'TELEGRAM_PUBLIC_URL', 'TELEGRAM_WEBHOOK_PATH', 'TELEGRAM_API_BASE'] as const;

const val = (env: NodeJS.ProcessEnv, k: string): string | undefined => {
  const v = env[k]?.trim();
  return v ? v : undefined;
};

/** BotFather tokens look like 123456789:AAH…; checked loosely so a pasted URL or quote is caught. */
const TOKEN_RE = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;
/** Telegram accepts 1–256 chars of A–Z a–z 0–9 _ -; we ask for at least 24 so it is not guessable. */
const SECRET_RE = /^[A-Za-z0-9_-]{24,256}$/;
/** Literal characters only (express 5 / path-to-regexp would read : * ( ) { } ? + ! as syntax). */
const PATH_RE = /^(\/[A-Za-z0-9._~-]+)+$/;

const httpUrl = (s: string): URL | undefined => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
};

/** null when no Telegram variable is set; throws a ConfigError naming what is missing or wrong. */
export function readTelegramConfig(env: NodeJS.ProcessEnv): TelegramConfig | null {
  const set = VARS.filter((k) => val(env, k) !== undefined);
  if (set.length === 0) return null;
  const problems: string[] = [];
  const token = val(env, 'TELEGRAM_BOT_TOKEN');
  const secret = val(env, 'TELEGRAM_WEBHOOK_SECRET');
  const publicUrl = val(env, 'TELEGRAM_PUBLIC_URL')?.replace(/\/+$/, '');
  if (!token) problems.push(`TELEGRAM_BOT_TOKEN is required when ${set[0]} is set (the token BotFather gave you)`);
  else if (!TOKEN_RE.test(token)) problems.push('TELEGRAM_BOT_TOKEN does not look like a BotFather token (digits, a colon, then letters, digits, _ or -)');
  if (secret !== undefined && !SECRET_RE.test(secret)) {
    problems.push('TELEGRAM_WEBHOOK_SECRET must be 24–256 characters of A–Z a–z 0–9 _ - (e.g. `openssl rand -hex 32`)');
  }
  if (publicUrl !== undefined) {
    if (!secret) problems.push('TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_PUBLIC_URL is set (a webhook without a secret token would accept forged updates)');
    const u = httpUrl(publicUrl);
    if (!u || u.protocol !== 'https:' || u.search || u.hash) problems.push('TELEGRAM_PUBLIC_URL must be an https URL without query, e.g. https://bot.example.vn');
  }
  const path = val(env, 'TELEGRAM_WEBHOOK_PATH') ?? DEFAULT_WEBHOOK_PATH;
  if (!PATH_RE.test(path) || path.length > 200) problems.push('TELEGRAM_WEBHOOK_PATH must be a plain path such as /webhooks/telegram (letters, digits, . _ ~ - and /)');
  const apiBase = (val(env, 'TELEGRAM_API_BASE') ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  if (!httpUrl(apiBase)) problems.push('TELEGRAM_API_BASE must be an http(s) URL, e.g. https://api.telegram.org');
  if (problems.length) throw new ConfigError(problems);
  return {
    token: token as string,
    apiBase,
    mode: secret ? 'webhook' : 'polling',
    secret,
    path,
    publicUrl,
  };
}
