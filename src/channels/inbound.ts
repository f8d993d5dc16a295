/**
 * Inbound turns, bounded and fair (issue #11, item 3): a burst of webhook events must not make everyone's turn
 * slow. At most `concurrency` turns run at once; one person's events run in order, one at a time; the first
 * event of a person with nothing waiting runs ahead of the backlog ("fresh"), the rest take turns person by
 * person. A person may have at most `maxPerPerson` events waiting: beyond that (far above the abuse limits)
 * the event is refused, counted, and the person told once that they are sending too fast. At most `maxWaiting`
 * events wait in all (memory stays bounded under any flood): beyond that the channel takes no new event (`full`;
 * the webhook answers 503 and the platform delivers it again later, so nothing acknowledged is lost).
 */
export interface InboundQueueOptions {
  concurrency?: number;
  maxPerPerson?: number;
  maxWaiting?: number;
}

/** Events waiting in one channel's queue at most, by default: a 20 s flood of ~1,200 events/s fits. */
export const MAX_WAITING = 25_000;

interface Waiting<T> { key: string; items: T[]; running: boolean; fresh: boolean; queued: boolean }

export class InboundQueue<T> {
  /** Events run, refused (over a person's cap), waiting now. */
  readonly stats = { run: 0, refused: 0, waiting: 0, overloaded: 0 };
  private readonly people = new Map<string, Waiting<T>>();
  private readonly fresh: Waiting<T>[] = [];
  private readonly ring: Waiting<T>[] = [];
  private running = 0;
  private readonly concurrency: number;
  private readonly maxPerPerson: number;
  private readonly maxWaiting: number;
  private idle: (() => void)[] = [];

  constructor(private readonly run: (item: T) => Promise<void>, opts: InboundQueueOptions = {}) {
    this.concurrency = opts.concurrency ?? 8;
    this.maxPerPerson = opts.maxPerPerson ?? 50;
    this.maxWaiting = opts.maxWaiting ?? MAX_WAITING;
  }

  /** As many events wait as may: a new one is not taken (counted as `overloaded`). */
  full(): boolean {
    if (this.stats.waiting < this.maxWaiting) return false;
    this.stats.overloaded++;
    return true;
  }

  /** Queues one event of a person; false when refused (the person's queue is full). */
  push(key: string, item: T): boolean {
    let p = this.people.get(key);
    if (p && p.items.length >= this.maxPerPerson) { this.stats.refused++; return false; }
    if (!p) {
      p = { key, items: [], running: false, fresh: true, queued: false };
      this.people.set(key, p);
    }
    p.items.push(item);
    this.stats.waiting++;
    this.enqueue(p);
    this.pump();
    return true;
  }

  /** Resolves when nothing waits or runs (tests, shutdown). */
  drain(): Promise<void> {
    if (this.stats.waiting === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private enqueue(p: Waiting<T>): void {
    if (p.queued || p.running || !p.items.length) return;
    p.queued = true;
    (p.fresh ? this.fresh : this.ring).push(p);
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const p = this.fresh.shift() ?? this.ring.shift();
      if (!p) break;
      p.queued = false;
      const item = p.items.shift() as T;
      this.stats.waiting--;
      p.running = true;
      p.fresh = false;
      this.running++;
      void this.run(item).catch(() => undefined).finally(() => {
        this.running--;
        this.stats.run++;
        p.running = false;
        if (p.items.length) this.enqueue(p);
        else this.people.delete(p.key);
        this.pump();
        if (this.stats.waiting === 0 && this.running === 0) for (const r of this.idle.splice(0)) r();
      });
    }
  }
}
