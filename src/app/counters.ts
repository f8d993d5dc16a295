/**
 * Anonymous aggregate counters for the programme's evaluation: how many questions per topic (intent),
 * emergencies, and flows started, per day. Counts only — never text, ids or channels' users. Kept in
 * memory and written in one batch every few seconds, so the per-message path does no I/O for them.
 */
import type { EngineEvent } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { CounterStore } from '../store/port.js';

/** "YYYY-MM-DD" in Vietnam time (UTC+7). */
export function vnDay(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
}

export class TurnCounters {
  private pending = new Map<string, Map<string, number>>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: CounterStore, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  observe(events: readonly EngineEvent[]): void {
    const day = vnDay(this.now());
    let m = this.pending.get(day);
    if (!m) { m = new Map(); this.pending.set(day, m); }
    const bump = (key: string): void => { m.set(key, (m.get(key) ?? 0) + 1); };
    for (const e of events) {
      if (e.type === 'intent') bump(`intent:${e.intent}`);
      else if (e.type === 'emergency') bump('event:emergency');
      else if (e.type === 'flow_started') bump(`flow:${e.flow}`);
      else if (e.type === 'count') bump(e.key);
    }
  }

  /** Writes what was counted so far; a failed write keeps the counts for the next try. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending;
      this.pending = new Map();
      for (const [day, m] of batch) {
        const counts = [...m].map(([key, n]) => ({ key, n }));
        try {
          await this.store.bumpCounters(day, counts);
        } catch (e) {
          this.log.warn('counters not saved; kept for the next flush', { error: (e as Error).message });
          let keep = this.pending.get(day);
          if (!keep) { keep = new Map(); this.pending.set(day, keep); }
          for (const { key, n } of counts) keep.set(key, (keep.get(key) ?? 0) + n);
        }
      }
    });
    return this.flushing;
  }
}
