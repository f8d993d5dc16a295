/**
 * A deadline on every store call (issue #11): a stalled database turns into an error within `ms`, which the
 * runtime answers honestly ("chưa lưu được, thử lại"), never a 50-second hang. A call that completes after its
 * deadline still completes (writes are idempotent: a retried tip returns the same case).
 */
import type { Store } from './port.js';

export class StoreTimeoutError extends Error {
  constructor(readonly method: string, readonly ms: number) {
    super(`store call ${method} took longer than ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/** Calls that may legitimately take long (maintenance, shutdown) run without a deadline. */
const UNBOUNDED = new Set(['close', 'purge', 'migrate']);

export function withDeadline(store: Store, ms: number): Store {
  // One wrapper per method (a function proxy: the method's own properties, such as a test spy's, stay visible).
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || UNBOUNDED.has(prop)) return value;
      let w = wrapped.get(value);
      if (!w) {
        w = new Proxy(value, {
          apply(fn, _this, args) {
            const out = Reflect.apply(fn, target, args) as unknown;
            if (!(out instanceof Promise)) return out;
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new StoreTimeoutError(prop, ms)), ms); timer.unref(); });
            return Promise.race([out, late]).finally(() => clearTimeout(timer));
          },
        });
        wrapped.set(value, w);
      }
      return w;
    },
  });
}
