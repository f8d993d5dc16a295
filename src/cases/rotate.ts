/**
 * Key rotation: re-encrypts every case's sealed text with the active key, one atomic
 * single-case update at a time (safe to interrupt and run again).
 */
import type { Store } from '../store/port.js';
import type { FieldCipher } from './cipher.js';

export interface RotationReport {
  scanned: number;
  resealed: number;
  retried: number;
}

export async function resealAll(store: Store, cipher: FieldCipher, now: () => Date = () => new Date()): Promise<RotationReport> {
  const report: RotationReport = { scanned: 0, resealed: 0, retried: 0 };
  let cursor: string | undefined;
  do {
    const page = await store.queryCases({}, { limit: 100, cursor, order: 'newest' });
    for (const first of page.items) {
      report.scanned++;
      let c = first;
      for (let attempt = 0; attempt < 5; attempt++) {
        if (!cipher.needsReseal(c.fields, c.messages, c.notes)) break;
        const updated = await store.updateCase(c.id, {
          expect: { version: c.version },
          set: {
            fields: cipher.sealFields(cipher.openFields(c.fields)),
            messages: c.messages.map((m) => cipher.sealMessage(cipher.openMessage(m))),
            notes: c.notes.map((n) => cipher.sealNote(cipher.openNote(n))),
          },
          push: { history: [{ at: now().toISOString(), by: 'system', action: 'reencrypt', to: cipher.activeKeyId }] },
        });
        if (updated) { report.resealed++; break; }
        // Changed meanwhile (an officer edited it): read it again and retry.
        report.retried++;
        const fresh = await store.getCase(c.id);
        if (!fresh) break;
        c = fresh;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return report;
}
