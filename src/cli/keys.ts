/** `binhan keys rotate`: adds a new active encryption key and re-encrypts every case with it. */
import { loadConfig } from '../config.js';
import { openStore } from '../app/index.js';
import { addKeyToFile, FieldCipher, loadKeyRing } from '../cases/cipher.js';
import { resealAll } from '../cases/rotate.js';

export async function keysCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  if (args[0] !== 'rotate') {
    io.stderr.write('usage: binhan keys rotate\n');
    return 1;
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const spec = process.env.BINHAN_ENCRYPTION_KEYS;
  const loaded = loadKeyRing(config.dataDir, spec);
  let ring = loaded.ring;
  if (spec) {
    // Keys from the environment: the operator adds the new key in front (it becomes active); this re-encrypts.
    io.stdout.write(`keys come from BINHAN_ENCRYPTION_KEYS; active key "${ring.active}". To rotate, put a new "id:key" first, keep the old ones, and run this again.\n`);
  } else {
    ring = addKeyToFile(loaded.file as string, ring);
    io.stdout.write(`new active key "${ring.active}" added to ${loaded.file}; back this file up now.\n`);
  }
  const store = await openStore(config);
  try {
    const report = await resealAll(store, new FieldCipher(ring));
    io.stdout.write(`re-encrypted ${report.resealed} of ${report.scanned} cases with key "${ring.active}"${report.retried ? ` (${report.retried} retried after concurrent edits)` : ''}.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
