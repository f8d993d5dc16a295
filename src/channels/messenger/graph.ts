/**
 * One Graph API call and the mapping of its answer to a SendAttempt. The page token travels as the
 * documented `access_token` query parameter (channels.md §2.1); URLs and error messages are never
 * logged or returned, only short codes.
 */
import { postJson } from '../http.js';
import type { SendAttempt } from '../types.js';

export const GRAPH_TIMEOUT_MS = 10_000;

interface GraphError { code?: unknown; error_subcode?: unknown; message?: unknown; type?: unknown; is_transient?: unknown }

/** Rate limiting (app 4, user 17, page 32, Messenger 613): try again later, whatever the HTTP status. */
const RATE_CODES = new Set([4, 17, 32, 613]);
/**
 * Temporary failures, retried whatever the HTTP status (Meta sends them with 4xx as well as 5xx):
 * 1 "unknown error, try again", 2 "service temporarily unavailable", 1200 "temporary send message
 * failure, please try again later"; and any error that carries `is_transient: true`.
 */
const TRANSIENT_CODES = new Set([1, 2, 1200]);
/** Outside the 24 h window / the person cannot be messaged (551, 10 with a window subcode). */
const WINDOW_CODES = new Set([10, 551]);
const WINDOW_SUBCODES = new Set([2018278, 2018065, 1545041]);
const PERMISSION_CODES = new Set([3, 200, 230, 10903]);

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 300_000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - Date.now()), 300_000) : undefined;
}

/** Maps a non-2xx Graph answer (status + parsed body) to a SendAttempt. */
export function mapGraphError(status: number, body: unknown, retryAfter: string | null): SendAttempt {
  const err = (body && typeof body === 'object' ? (body as { error?: GraphError }).error : undefined) ?? {};
  const code = typeof err.code === 'number' ? err.code : Number.NaN;
  const sub = typeof err.error_subcode === 'number' ? err.error_subcode : Number.NaN;
  const message = typeof err.message === 'string' ? err.message : '';
  const after = retryAfterMs(retryAfter);
  if (status === 429) return { ok: false, retryable: true, retryAfterMs: after, code: Number.isNaN(code) ? 'http_429' : `rate_${code}` };
  // The token is refused or the person cannot be messaged now: nothing more can reach them, so the
  // rest of the reply is not attempted either (the Outbox reads `unreachable`).
  if (code === 190) return { ok: false, retryable: false, unreachable: true, code: 'token' };
  if (WINDOW_CODES.has(code) || WINDOW_SUBCODES.has(sub) || /outside (of )?(the )?allowed window/i.test(message)) {
    return { ok: false, retryable: false, unreachable: true, code: 'window' };
  }
  if (TRANSIENT_CODES.has(code) || err.is_transient === true) {
    return { ok: false, retryable: true, retryAfterMs: after, code: Number.isNaN(code) ? 'transient' : `graph_${code}` };
  }
  if (RATE_CODES.has(code)) return { ok: false, retryable: true, retryAfterMs: after, code: `rate_${code}` };
  if (status >= 500) return { ok: false, retryable: true, retryAfterMs: after, code: `http_${status}` };
  if (PERMISSION_CODES.has(code)) return { ok: false, retryable: false, code: `permission_${code}` };
  return { ok: false, retryable: false, code: Number.isNaN(code) ? `http_${status}` : `graph_${code}` };
}

/** POSTs JSON to `${graphUrl}/${path}` with the page token; never throws. */
export async function graphPost(graphUrl: string, path: string, token: string, body: unknown, timeoutMs = GRAPH_TIMEOUT_MS): Promise<SendAttempt> {
  const r = await postJson(`${graphUrl}/${path}?access_token=${encodeURIComponent(token)}`, body, { timeoutMs });
  if (!r.ok) return r;
  const { res, parsed } = r;
  if (res.ok) return { ok: true };
  return mapGraphError(res.status, parsed, res.headers.get('retry-after'));
}
