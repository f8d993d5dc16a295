/**
 * "New since your last visit": each sign-in records its time, and the one before it is what the queue
 * compares with. Kept on the server (a small setting per officer), never in the browser.
 */
import type { KeyValueStore } from '../store/port.js';

const key = (officerId: string): string => `visit:${officerId}`;

interface Visits { previous: string | null; current: string }

async function read(store: KeyValueStore, officerId: string): Promise<Visits | null> {
  const raw = await store.getSetting(key(officerId));
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Visits;
    return typeof v.current === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** A sign-in: records it, and returns the previous sign-in's time (null for the first). */
export async function recordVisit(store: KeyValueStore, officerId: string, now: number): Promise<string | null> {
  const before = await read(store, officerId);
  const previous = before?.current ?? null;
  await store.setSetting(key(officerId), JSON.stringify({ previous, current: new Date(now).toISOString() }));
  return previous;
}

/** The sign-in before the current one (null if there was none). */
export async function lastVisit(store: KeyValueStore, officerId: string): Promise<string | null> {
  return (await read(store, officerId))?.previous ?? null;
}
