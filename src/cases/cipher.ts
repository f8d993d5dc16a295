/**
 * Encryption at rest of a tip's free text (AES-256-GCM). Each ciphertext names the id of the key
 * that sealed it, so keys can be rotated: new writes use the active key, old ones stay readable
 * until `binhan keys rotate` has re-encrypted everything.
 *
 * Format: "enc:v1:<key id>:<iv>:<ciphertext>:<tag>" (base64url parts). The field name is bound as
 * additional authenticated data, so a ciphertext cannot be moved to another field unnoticed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseMessage, CaseNote, TipFields } from '../store/port.js';
import { SEALED_FIELDS } from './tip-fields.js';

const PREFIX = 'enc:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const KEYRING_FILE = 'encryption-keys.json';

/** Free-text fields of a tip that are encrypted (cases/tip-fields.ts); category, province and dates stay queryable. */
export const ENCRYPTED_FIELDS = SEALED_FIELDS;

export interface KeyRing {
  active: string;
  keys: Record<string, Buffer>;
}

export class CipherError extends Error {
  constructor(message: string) { super(message); this.name = 'CipherError'; }
}

/** Parses BINHAN_ENCRYPTION_KEYS: "id:base64key[,id:base64key...]", the first one active. */
export function parseKeyRing(spec: string): KeyRing {
  const keys: Record<string, Buffer> = {};
  let active = '';
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    const id = part.slice(0, i);
    const key = Buffer.from(part.slice(i + 1), 'base64');
    if (i < 1 || !KEY_ID.test(id) || key.length !== 32) {
      throw new CipherError('BINHAN_ENCRYPTION_KEYS must be "id:base64-of-32-bytes" entries separated by commas (e.g. k1:$(openssl rand -base64 32))');
    }
    keys[id] = key;
    if (!active) active = id;
  }
  if (!active) throw new CipherError('BINHAN_ENCRYPTION_KEYS is empty');
  return { active, keys };
}

interface KeyRingFile { active: string; keys: Record<string, string> }

function writeKeyRingFile(file: string, ring: KeyRing): void {
  const data: KeyRingFile = { active: ring.active, keys: Object.fromEntries(Object.entries(ring.keys).map(([k, v]) => [k, v.toString('base64')])) };
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * The key ring: from BINHAN_ENCRYPTION_KEYS when set, else DATA_DIR/encryption-keys.json,
 * generated on first start (the caller warns loudly: without it the tips cannot be read).
 */
export function loadKeyRing(dataDir: string, spec?: string): { ring: KeyRing; generated: boolean; file?: string } {
  if (spec) return { ring: parseKeyRing(spec), generated: false };
  const file = join(dataDir, KEYRING_FILE);
  if (existsSync(file)) {
    let data: KeyRingFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as KeyRingFile;
    } catch {
      throw new CipherError(`${file} is not valid JSON; restore it from your backup`);
    }
    const keys: Record<string, Buffer> = {};
    for (const [id, b64] of Object.entries(data.keys ?? {})) keys[id] = Buffer.from(b64, 'base64');
    if (!keys[data.active] || Object.values(keys).some((k) => k.length !== 32)) throw new CipherError(`${file} has no valid active key; restore it from your backup`);
    return { ring: { active: data.active, keys }, generated: false, file };
  }
  mkdirSync(dataDir, { recursive: true });
  const ring: KeyRing = { active: 'k1', keys: { k1: randomBytes(32) } };
  writeKeyRingFile(file, ring);
  return { ring, generated: true, file };
}

/** Adds a new active key to the key-ring file; old keys stay for reading until re-encryption is done. */
export function addKeyToFile(file: string, ring: KeyRing): KeyRing {
  let n = Object.keys(ring.keys).length + 1;
  while (ring.keys[`k${n}`]) n++;
  const next: KeyRing = { active: `k${n}`, keys: { ...ring.keys, [`k${n}`]: randomBytes(32) } };
  writeKeyRingFile(file, next);
  return next;
}

/**
 * 96-bit GCM nonces, random, drawn from a pool filled 512 at a time (one call to the system's CSPRNG instead of
 * one per sealed value: every session is sealed on every turn).
 */
const IV_BYTES = 12;
const IV_POOL_BYTES = IV_BYTES * 512;
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function nextIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivAt = 0;
  }
  const iv = ivPool.subarray(ivAt, ivAt + IV_BYTES);
  ivAt += IV_BYTES;
  return iv;
}

export class FieldCipher {
  constructor(private ring: KeyRing) {}

  get activeKeyId(): string {
    return this.ring.active;
  }

  useRing(ring: KeyRing): void {
    this.ring = ring;
  }

  encrypt(plain: string, field: string): string {
    const iv = nextIv();
    const c = createCipheriv('aes-256-gcm', this.ring.keys[this.ring.active], iv);
    c.setAAD(Buffer.from(field, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${this.ring.active}:${iv.toString('base64url')}:${ct.toString('base64url')}:${c.getAuthTag().toString('base64url')}`;
  }

  /** Decrypts; a value that is not a ciphertext (written before encryption existed) is returned as is. */
  decrypt(value: string, field: string): string {
    if (!value.startsWith(PREFIX)) return value;
    const [kid, iv, ct, tag] = value.slice(PREFIX.length).split(':');
    const key = this.ring.keys[kid];
    if (!key) throw new CipherError(`no encryption key "${kid}" in the key ring`);
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(field, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  }

  /** The key id a value was sealed with (null for plaintext). */
  keyIdOf(value: string): string | null {
    return value.startsWith(PREFIX) ? value.slice(PREFIX.length).split(':')[0] : null;
  }

  sealFields(f: TipFields): TipFields {
    const out: TipFields = { ...f };
    for (const k of ENCRYPTED_FIELDS) { const v = f[k]; if (v !== undefined) out[k] = this.encrypt(v, k); }
    return out;
  }

  openFields(f: TipFields): TipFields {
    const out: TipFields = { ...f };
    for (const k of ENCRYPTED_FIELDS) { const v = f[k]; if (v !== undefined) out[k] = this.decrypt(v, k); }
    return out;
  }

  sealMessage(m: CaseMessage): CaseMessage { return { ...m, text: this.encrypt(m.text, `message:${m.from}`) }; }
  openMessage(m: CaseMessage): CaseMessage { return { ...m, text: this.decrypt(m.text, `message:${m.from}`) }; }
  sealNote(n: CaseNote): CaseNote { return { ...n, text: this.encrypt(n.text, 'note') }; }
  openNote(n: CaseNote): CaseNote { return { ...n, text: this.decrypt(n.text, 'note') }; }

  /** True when any sealed value of the case was sealed with a key other than the active one (or not sealed). */
  needsReseal(fields: TipFields, messages: CaseMessage[], notes: CaseNote[]): boolean {
    const values = [...ENCRYPTED_FIELDS.map((k) => fields[k]).filter((v): v is string => v !== undefined), ...messages.map((m) => m.text), ...notes.map((n) => n.text)];
    return values.some((v) => this.keyIdOf(v) !== this.ring.active);
  }
}
