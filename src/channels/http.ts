/** One HTTP attempt against a platform API, shared by the adapters: JSON in, JSON out, never throws. */

export type PostResult =
  | { ok: true; res: Response; parsed: unknown }
  | { ok: false; retryable: true; code: 'timeout' | 'network' };

export async function postJson(url: string, body: unknown, opts: { headers?: Record<string, string>; timeoutMs: number }): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (e) {
    const name = (e as Error).name;
    return { ok: false, retryable: true, code: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
  let parsed: unknown;
  try { parsed = await res.json(); } catch { parsed = undefined; }
  return { ok: true, res, parsed };
}
