/** Reads a server-sent event stream over real HTTP, for tests: waits for events by name and predicate. */
export interface SseEvent { event: string; data: any; id?: string }

export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  private ended = false;
  private started: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.started = this.run(url, headers);
  }

  /** Resolves once the response headers are in (status known). */
  async ready(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.status === 0 && !this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  get done(): boolean { return this.ended; }

  /** The first event (from `from` on) with this name that passes the check; waits up to `ms`. */
  async next(event: string, check: (data: any) => boolean = () => true, ms = 5000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.slice(from).find((e) => e.event === event && check(e.data));
      if (hit) return hit;
      if (this.ended) throw new Error(`stream ended without "${event}"; got: ${this.events.map((e) => e.event).join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" event within ${ms} ms; got: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise<void>((resolve) => { const timer = setTimeout(resolve, left); this.waiters.push(() => { clearTimeout(timer); resolve(); }); });
    }
  }

  /** Waits until the server ends the stream. */
  async end(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the stream did not end');
      await new Promise<void>((resolve) => { const timer = setTimeout(resolve, 50); this.waiters.push(() => { clearTimeout(timer); resolve(); }); });
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.started.catch(() => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.controller.signal });
      this.status = res.status;
      if (!res.ok || !res.body) return;
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { event: 'message', data: undefined };
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
            else if (line.startsWith('id: ')) e.id = line.slice(4);
          }
          if (!data) continue;
          e.data = JSON.parse(data);
          this.events.push(e);
          this.wake();
        }
      }
    } catch {
      /* aborted or dropped */
    } finally {
      this.ended = true;
      this.wake();
    }
  }
}
