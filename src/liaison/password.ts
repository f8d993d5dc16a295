/**
 * Officer passwords: scrypt (memory-hard), stored as "scrypt$N$r$p$salt$hash" (salt and hash in
 * base64), so the cost can be raised later and old hashes still verify.
 *
 * The cost N is 2^15 (32 MiB per hash). BINHAN_SCRYPT_N overrides it (a power of two from 2^10 to
 * 2^20), read once at the first hash; the tests use 1024 to stay fast. Never lower it in production.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const DEFAULT_SCRYPT_N = 1 << 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

let cost: number | undefined;

/** The scrypt cost for new hashes: BINHAN_SCRYPT_N (read once) or 2^15. */
export function scryptCost(): number {
  if (cost !== undefined) return cost;
  const v = process.env.BINHAN_SCRYPT_N;
  if (v === undefined || v.trim() === '') return (cost = DEFAULT_SCRYPT_N);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 1 << 20 || (n & (n - 1)) !== 0) {
    throw new Error(`BINHAN_SCRYPT_N must be a power of two from 1024 to 1048576, got "${v}"`);
  }
  return (cost = n);
}

export async function hashPassword(password: string): Promise<string> {
  const n = scryptCost();
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, n, R, P);
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Timing-safe check against a stored hash; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length !== KEY_LEN) return false;
  const got = await scrypt(password, salt, n, r, p);
  return timingSafeEqual(got, expected);
}

let dummy: Promise<string> | undefined;

/** Costs as much as a real check, for unknown usernames (no timing difference tells them apart). */
export async function dummyVerify(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(18).toString('base64'));
  await verifyPassword(password, await dummy);
  return false;
}

/** A one-time password for a reset: 20 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const b of bytes) {
    if (b >= 256 - (256 % alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : generatePassword();
}

/** Why a new password is refused, or null. */
export function passwordProblem(pw: string): string | null {
  if ([...pw].length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (pw.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  if (pw.trim() !== pw) return 'a password cannot start or end with a space';
  return null;
}
