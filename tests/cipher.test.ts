/** Encryption at rest: AES-256-GCM with key ids, tamper detection, and key rotation end to end. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FieldCipher, loadKeyRing, parseKeyRing, addKeyToFile, CipherError } from '../src/cases/cipher';
import { ROOT, tmpDir } from './helpers/tmp';

const ring = { active: 'k1', keys: { k1: randomBytes(32) } };

describe('field cipher', () => {
  const c = new FieldCipher(ring);

  it('round-trips Vietnamese text and never shows the plaintext', () => {
    const plain = 'Có người bán ma túy ở quán nước đầu hẻm';
    const sealed = c.encrypt(plain, 'what');
    expect(sealed).toMatch(/^enc:v1:k1:/);
    expect(sealed).not.toContain('ma túy');
    expect(c.encrypt(plain, 'what')).not.toBe(sealed); // fresh IV each time
    expect(c.decrypt(sealed, 'what')).toBe(plain);
  });

  it('detects tampering and a ciphertext moved to another field', () => {
    const sealed = c.encrypt('bí mật', 'what');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('x'.repeat(8)).toString('base64url');
    expect(() => c.decrypt(parts.join(':'), 'what')).toThrow();
    expect(() => c.decrypt(sealed, 'contact')).toThrow();
  });

  it('reads old keys after rotation and names a missing key', () => {
    const old = c.encrypt('cũ', 'place');
    const rotated = new FieldCipher({ active: 'k2', keys: { ...ring.keys, k2: randomBytes(32) } });
    expect(rotated.decrypt(old, 'place')).toBe('cũ');
    expect(rotated.keyIdOf(rotated.encrypt('mới', 'place'))).toBe('k2');
    const lost = new FieldCipher({ active: 'k9', keys: { k9: randomBytes(32) } });
    expect(() => lost.decrypt(old, 'place')).toThrow(CipherError);
  });

  it('parses BINHAN_ENCRYPTION_KEYS and refuses bad specs', () => {
    const k = randomBytes(32).toString('base64');
    expect(parseKeyRing(`k2:${k},k1:${k}`).active).toBe('k2');
    expect(() => parseKeyRing('k1:short')).toThrow(/BINHAN_ENCRYPTION_KEYS/);
  });

  it('generates a key ring file on first use, with mode 0600, and adds keys', () => {
    const { dir, cleanup } = tmpDir();
    try {
      const first = loadKeyRing(dir);
      expect(first.generated).toBe(true);
      const again = loadKeyRing(dir);
      expect(again.generated).toBe(false);
      expect(again.ring.keys.k1.equals(first.ring.keys.k1)).toBe(true);
      const next = addKeyToFile(first.file as string, first.ring);
      expect(next.active).toBe('k2');
      expect(loadKeyRing(dir).ring.active).toBe('k2');
    } finally {
      cleanup();
    }
  });
});

describe('binhan keys rotate', () => {
  it('re-encrypts every case with the new key; the data stays readable and never in clear', () => {
    const { dir, cleanup } = tmpDir();
    const bin = join(ROOT, 'bin', 'binhan.js');
    const env = { ...process.env, MONGODB_URI: '', DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const sentence = 'Ông chủ tiệm cầm đồ ở chợ Đông Ba giữ giấy tờ của mấy cô gái';
    try {
      const script = join(dir, 'tip.txt');
      writeFileSync(script, ['tôi muốn báo tin', '1', 'Huế', 'chợ Đông Ba', '1', sentence, 'bỏ qua', 'không', '1', '1'].join('\n'));
      const chat = spawnSync(process.execPath, [bin, 'chat', '--json', '--script', script], { env, encoding: 'utf8' });
      expect(chat.status).toBe(0);
      const files = () => readdirSync(dir).filter((f) => f.includes('sqlite')).map((f) => readFileSync(join(dir, f)).toString('utf8')).join('');
      expect(files()).toContain('enc:v1:k1:');
      expect(files()).not.toContain(sentence);
      const rot = spawnSync(process.execPath, [bin, 'keys', 'rotate'], { env, encoding: 'utf8' });
      expect(rot.status).toBe(0);
      expect(rot.stdout).toMatch(/re-encrypted 1 of 1 cases with key "k2"/);
      const list = spawnSync(process.execPath, [bin, 'cases', 'list', '--json'], { env, encoding: 'utf8' });
      expect(JSON.parse(list.stdout)[0].fields.what).toBe(sentence);
      // Checkpointed by the CLI's close: the live pages now hold only k2 ciphertexts.
      const raw = spawnSync(process.execPath, ['-e', `
        const D = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
        const db = new D(${JSON.stringify(join(dir, 'binhan.sqlite'))});
        process.stdout.write(JSON.stringify(db.prepare('SELECT fields FROM cases').all()));`], { encoding: 'utf8' });
      expect(raw.stdout).toContain('enc:v1:k2:');
      expect(raw.stdout).not.toContain('enc:v1:k1:');
      expect(raw.stdout).not.toContain(sentence);
    } finally {
      cleanup();
    }
  });
});
