/** Server-sent events on an express response: headers, keep-alive comments, and clean-up on close. */
import type { Request, Response } from 'express';

export interface SseStream {
  send(event: string, data: unknown, id?: number): void;
  /** Ends the stream from the server side. */
  close(): void;
  /** Runs once when the stream ends, from either side. */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

/** Every open stream, so a shutdown can end them (a server does not close while they are open). */
const open = new Set<SseStream>();

/** Ends every open event stream (server shutdown); browsers reconnect to whichever server answers next. */
export function closeAllStreams(): void {
  for (const s of [...open]) s.close();
}

/** Keep-alive comments stop proxies and browsers from dropping a quiet stream. */
const KEEPALIVE_MS = 20_000;

export function openSse(req: Request, res: Response, opts: { retryMs?: number; keepAliveMs?: number } = {}): SseStream {
  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  res.write(`retry: ${opts.retryMs ?? 3000}\n\n`);
  const hooks: (() => void)[] = [];
  let closed = false;
  const timer = setInterval(() => { if (!closed) res.write(': keep-alive\n\n'); }, opts.keepAliveMs ?? KEEPALIVE_MS);
  timer.unref();
  const finish = (): void => {
    if (closed) return;
    closed = true;
    open.delete(stream);
    clearInterval(timer);
    for (const fn of hooks) { try { fn(); } catch { /* a hook's failure must not stop the others */ } }
  };
  req.on('close', finish);
  res.on('close', finish);
  const stream: SseStream = {
    send(event, data, id) {
      if (closed) return;
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (closed) return;
      res.end();
      finish();
    },
    onClose(fn) { hooks.push(fn); },
    get closed() { return closed; },
  };
  open.add(stream);
  return stream;
}

/** The Last-Event-ID a reconnecting EventSource sends (0 when none or not a number). */
export function lastEventId(req: Request): number {
  const v = Number(req.get('Last-Event-ID') ?? '0');
  return Number.isSafeInteger(v) && v > 0 ? v : 0;
}
