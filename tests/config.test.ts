/** Configuration: defaults, and a bad value names its variable and stops the server non-zero. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../src/config';
import { ROOT, tmpDir } from './helpers/tmp';

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', logLevel: 'info', sessionTimeoutMs: 30 * 60_000, nluThreshold: 0.45 });
    expect(c.dataDir).toBe(join(process.cwd(), 'data'));
    expect(c).toMatchObject({ trustProxy: false, storeTimeoutMs: 5000, draftKeepMs: 24 * 3_600_000, limits: { messagesPerMinute: 30, tipsPerHour: 5 } });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['LOG_LEVEL', 'loud'], ['BINHAN_SECRET', 'short'],
    ['SESSION_TIMEOUT_MINUTES', '0'], ['NLU_THRESHOLD', '1.5'], ['TRUST_PROXY', 'everyone'], ['STORE_TIMEOUT_MS', '5'],
    ['RATE_TIPS_PER_HOUR', '0'], ['HEALTH_TOKEN', 'short'], ['DRAFT_KEEP_HOURS', '0'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    let err: unknown;
    try { loadConfig({ [name]: value }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
  });

  it('refuses a REDIS_URL that is not a redis:// URL, names the variable and does not echo the value (it may hold a password)', () => {
    let err: unknown;
    try { loadConfig({ REDIS_URL: 'http://:s3cret-pass@cache:6379' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('REDIS_URL');
    expect((err as Error).message).not.toContain('s3cret-pass');
    expect(() => loadConfig({ REDIS_URL: 'cache:6379' })).toThrow(/REDIS_URL/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/0' }).redisUrl).toBe('redis://127.0.0.1:6379/0');
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  it('the server exits non-zero with the variable named, before listening', () => {
    const { dir, cleanup } = tmpDir();
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
        encoding: 'utf8', timeout: 30_000, env: { ...process.env, PORT: 'eighty', DATA_DIR: dir },
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/PORT must be a whole number/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      cleanup();
    }
  });
});
