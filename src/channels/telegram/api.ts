/**
 * One Bot API call with global fetch, and the exact mapping of Telegram's answer to a SendAttempt:
 * 429 (parameters.retry_after) and 5xx/network/timeouts are retryable; 403 is "blocked" (the user
 * blocked the bot or deleted the chat); 400 is a bad request; 401/404 mean a wrong token. The token is
 * part of the URL, so URLs and Telegram's descriptions are never logged or returned, only short codes.
 */
import { postJson } from '../http.js';
import type { SendAttempt } from '../types.js';

export const API_TIMEOUT_MS = 10_000;
const MAX_RETRY_AFTER_MS = 300_000;

export interface ApiResult extends SendAttempt {
  /** The `result` field of a successful call. */
  result?: unknown;
}

interface TgError { ok?: unknown; error_code?: unknown; parameters?: { retry_after?: unknown } }

/** Maps a failed Bot API answer (HTTP status + parsed body) to a SendAttempt. */
export function mapTelegramError(status: number, body: unknown): SendAttempt {
  const b = (body && typeof body === 'object' ? body : {}) as TgError;
  const code = typeof b.error_code === 'number' ? b.error_code : status;
  const ra = b.parameters && typeof b.parameters.retry_after === 'number' && b.parameters.retry_after >= 0 ? b.parameters.retry_after : undefined;
  if (code === 429) return { ok: false, retryable: true, retryAfterMs: Math.min((ra ?? 1) * 1000, MAX_RETRY_AFTER_MS), code: 'rate_429' };
  if (code >= 500) return { ok: false, retryable: true, ...(ra !== undefined ? { retryAfterMs: Math.min(ra * 1000, MAX_RETRY_AFTER_MS) } : {}), code: `http_${code}` };
  if (code === 403) return { ok: false, retryable: false, unreachable: true, code: 'blocked' };
  if (code === 401 || code === 404) return { ok: false, retryable: false, unreachable: true, code: 'token' };
  if (code === 400) return { ok: false, retryable: false, code: 'bad_request' };
  return { ok: false, retryable: false, code: `http_${code}` };
}

/** POSTs `body` as JSON to `${apiBase}/bot${token}/${method}`; never throws. */
export async function callApi(apiBase: string, token: string, method: string, body: unknown, timeoutMs = API_TIMEOUT_MS): Promise<ApiResult> {
  const r = await postJson(`${apiBase}/bot${token}/${method}`, body, { timeoutMs });
  if (!r.ok) return r;
  const { res, parsed } = r;
  const okBody = parsed && typeof parsed === 'object' && (parsed as { ok?: unknown }).ok === true;
  if (res.ok && okBody) return { ok: true, result: (parsed as { result?: unknown }).result };
  if (res.ok) return { ok: false, retryable: true, code: 'bad_answer' };
  return mapTelegramError(res.status, parsed);
}
