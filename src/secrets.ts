/** The server secret: from BINHAN_SECRET, or generated once into DATA_DIR (mode 0600). */
import { randomBytes, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_FILE = 'server-secret';

export function loadServerSecret(dataDir: string, configured?: string): { key: Buffer; generated: boolean } {
  if (configured) return { key: Buffer.from(configured, 'utf8'), generated: false };
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64,}$/.test(hex)) throw new Error(`${file} is not a valid secret (64+ hex characters); restore it from a backup or set BINHAN_SECRET`);
    return { key: Buffer.from(hex, 'hex'), generated: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const hex = randomBytes(32).toString('hex');
  writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' });
  return { key: Buffer.from(hex, 'hex'), generated: true };
}

/** Keyed one-way hash (HMAC-SHA-256), hex. */
export function hmac(key: Buffer, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\u001f')).digest('hex');
}
