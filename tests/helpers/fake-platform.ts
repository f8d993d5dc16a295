/**
 * A stand-in for a platform's cloud API (Telegram, Meta Graph, Zalo OA) on loopback: records every
 * request and answers with whatever the test queued (errors, rate limits), else a default success.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

export class FakePlatform {
  readonly requests: RecordedRequest[] = [];
  private readonly queued: { match: (r: RecordedRequest) => boolean; reply: FakeReply }[] = [];
  private server?: Server;
  url = '';

  /** The default answer for a request nothing queued matches. */
  constructor(private readonly fallback: (r: RecordedRequest) => FakeReply = () => ({ status: 200, body: { ok: true } })) {}

  /** The next request that matches gets this reply (once). */
  queue(reply: FakeReply, match: (r: RecordedRequest) => boolean = () => true): void {
    this.queued.push({ match, reply });
  }

  /** Requests whose path ends with the given suffix. */
  calls(pathSuffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(pathSuffix));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        let json: unknown;
        try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
        const r: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body, json };
        this.requests.push(r);
        const i = this.queued.findIndex((q) => q.match(r));
        const reply = i >= 0 ? this.queued.splice(i, 1)[0].reply : this.fallback(r);
        const answer = (): void => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs); else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
