/** `binhan officers add|list`: the first admin from the command line, never a default password. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { officersCommand } from '../src/cli/officers';
import { SqliteStore } from '../src/store/sqlite';
import { verifyPassword } from '../src/liaison/password';
import { ROOT, tmpDir } from './helpers/tmp';
import './helpers/liaison'; // low scrypt cost for the tests

let data: { dir: string; cleanup: () => void };
const oldDataDir = process.env.DATA_DIR;
beforeAll(() => { data = tmpDir('binhan-officers-'); process.env.DATA_DIR = data.dir; });
afterAll(() => { process.env.DATA_DIR = oldDataDir; data.cleanup(); });

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => { out += String(d); });
  stderr.on('data', (d) => { err += String(d); });
  const code = await officersCommand(args, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, out, err };
}

async function officers() {
  const store = new SqliteStore(join(data.dir, 'binhan.sqlite'));
  try { return await store.listOfficers(); } finally { await store.close(); }
}

// These tests use their own DATA_DIR and SQLite file, even when the suite runs with MONGODB_URI set.
const savedUri = process.env.MONGODB_URI;
beforeAll(() => { delete process.env.MONGODB_URI; });
afterAll(() => { if (savedUri !== undefined) process.env.MONGODB_URI = savedUri; });

describe('binhan officers', () => {
  it('adds the first admin with the password from stdin, hashed with scrypt', async () => {
    const r = await run(['add', '--username', 'Admin', '--role', 'admin', '--name', 'Quản trị viên'], 'một mật khẩu rất dài\nsecond line ignored\n');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/created admin "admin" \(all provinces\)/);
    const [admin] = await officers();
    expect(admin).toMatchObject({ username: 'admin', role: 'admin', displayName: 'Quản trị viên', province: null, mustChangePassword: false });
    expect(admin.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('một mật khẩu rất dài', admin.passwordHash)).toBe(true);
  });

  it('resolves the province, refuses short passwords, duplicates, bad roles and unknown provinces', async () => {
    expect((await run(['add', '--username', 'nam', '--role', 'officer', '--province', 'nghe an'], 'mat khau du dai 12\n')).code).toBe(0);
    expect((await officers()).find((o) => o.username === 'nam')!.province).toBe('Nghệ An');
    const short = await run(['add', '--username', 'short', '--role', 'officer'], 'ngắn\n');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 12/);
    const none = await run(['add', '--username', 'empty', '--role', 'officer'], '');
    expect(none.code).toBe(1);
    expect((await run(['add', '--username', 'nam', '--role', 'officer'], 'mat khau du dai 12\n')).err).toMatch(/exists/);
    expect((await run(['add', '--username', 'x1', '--role', 'root'], 'mat khau du dai 12\n')).code).toBe(1);
    // Without --username the account is named after its role (the first admin: `binhan officers add --role admin`).
    const named = await run(['add', '--role', 'supervisor'], 'mat khau du dai 12\n');
    expect(named).toMatchObject({ code: 0 });
    expect(named.out).toMatch(/created supervisor "supervisor".*\n.*\/liaison as "supervisor"/);
    expect((await run(['add', '--role', 'admin'], 'mat khau du dai 12\n')).err).toMatch(/"admin" exists/);
    expect((await run(['add', '--username', 'x', '--role', 'officer'], 'mat khau du dai 12\n')).code).toBe(1);
    expect((await run(['add', '--username', 'far', '--role', 'officer', '--province', 'Atlantis'], 'mat khau du dai 12\n')).err).toMatch(/unknown province/);
    expect((await run(['add', '--username', 'y1', '--role', 'officer', '--password', 'x'])).code).toBe(1);
    expect((await officers()).map((o) => o.username).sort()).toEqual(['admin', 'nam', 'supervisor']);
  });

  it('lists accounts without password hashes', async () => {
    const r = await run(['list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out);
    expect(list.map((o: { username: string }) => o.username).sort()).toEqual(['admin', 'nam', 'supervisor']);
    expect(r.out).not.toMatch(/scrypt|passwordHash/);
    const human = await run(['list']);
    expect(human.out).toMatch(/admin\tadmin\tall provinces/);
    expect((await run(['frobnicate'])).code).toBe(1);
  });

  it('works as a real process: `binhan officers add` with the password piped in', () => {
    const { dir, cleanup } = tmpDir('binhan-officers-bin-');
    try {
      const env = { ...process.env, MONGODB_URI: '', DATA_DIR: dir, LOG_LEVEL: 'warn', BINHAN_SCRYPT_N: '1024' };
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'binhan.js'), 'officers', 'add', '--username', 'root', '--role', 'admin'], { input: 'correct horse battery staple\n', encoding: 'utf8', env, timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const list = spawnSync(process.execPath, [join(ROOT, 'bin', 'binhan.js'), 'officers', 'list', '--json'], { encoding: 'utf8', env, timeout: 60_000 });
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ username: 'root', role: 'admin' })]);
    } finally {
      cleanup();
    }
  });
});
