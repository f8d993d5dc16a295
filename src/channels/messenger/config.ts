/** Messenger variables: all three secrets together, or none (the channel is off). */
import { ConfigError } from '../../config.js';

export const DEFAULT_API_BASE = 'https://graph.facebook.com';
/** Pinned Graph API version (channels.md §2.1: current docs use v25.0). */
export const DEFAULT_GRAPH_VERSION = 'v25.0';

export interface MessengerConfig {
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  /** e.g. https://graph.facebook.com/v25.0 (no trailing slash). */
  graphUrl: string;
}

const REQUIRED = ['MESSENGER_PAGE_ACCESS_TOKEN', 'MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN'] as const;
const OPTIONAL = ['MESSENGER_API_BASE', 'MESSENGER_GRAPH_VERSION'] as const;

const val = (env: NodeJS.ProcessEnv, k: string): string | undefined => {
  const v = env[k]?.trim();
  return v ? v : undefined;
};

/** null when no Messenger variable is set; throws a ConfigError naming what is missing or wrong. */
export function readMessengerConfig(env: NodeJS.ProcessEnv): MessengerConfig | null {
  const set = [...REQUIRED, ...OPTIONAL].filter((k) => val(env, k) !== undefined);
  if (set.length === 0) return null;
  const problems: string[] = [];
  for (const k of REQUIRED) {
    if (val(env, k) === undefined) problems.push(`${k} is required when ${set[0]} is set (Messenger needs ${REQUIRED.join(', ')} together)`);
  }
  const base = (val(env, 'MESSENGER_API_BASE') ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  try {
    const u = new URL(base);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
  } catch {
    problems.push('MESSENGER_API_BASE must be an http(s) URL, e.g. https://graph.facebook.com');
  }
  const version = val(env, 'MESSENGER_GRAPH_VERSION') ?? DEFAULT_GRAPH_VERSION;
  if (!/^v\d{1,3}\.\d{1,2}$/.test(version)) problems.push(`MESSENGER_GRAPH_VERSION must look like ${DEFAULT_GRAPH_VERSION}`);
  const secret = val(env, 'MESSENGER_APP_SECRET');
  if (secret !== undefined && secret.length < 16) problems.push('MESSENGER_APP_SECRET looks too short (copy the App Secret from the Meta app settings)');
  if (problems.length) throw new ConfigError(problems);
  return {
    pageAccessToken: val(env, 'MESSENGER_PAGE_ACCESS_TOKEN') as string,
    appSecret: secret as string,
    verifyToken: val(env, 'MESSENGER_VERIFY_TOKEN') as string,
    graphUrl: `${base}/${version}`,
  };
}
