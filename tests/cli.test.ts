/** The `binhan` command line, run as a real process from the built package. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundle, ROOT, tmpDir } from './helpers/tmp';

const BIN = join(ROOT, 'bin', 'binhan.js');
const run = (args: string[], input?: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, MONGODB_URI: '', LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });

let data: { dir: string; cleanup: () => void };
beforeAll(() => { data = tmpDir('binhan-cli-'); });
afterAll(() => data.cleanup());

describe('binhan CLI', () => {
  it('chat --json writes exactly one JSON line per input line', () => {
    const lines = ['xin chào', '', 'cai nghiện ở đâu', '😀', 'menu'];
    const r = run(['chat', '--json'], `${lines.join('\n')}\n`, { DATA_DIR: data.dir });
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(lines.length);
    out.forEach((l, i) => {
      const j = JSON.parse(l);
      expect(j.user).toBe(lines[i]);
      expect(Array.isArray(j.replies)).toBe(true);
      expect(j.replies.length).toBeGreaterThan(0);
      for (const rep of j.replies) {
        expect(typeof rep.text).toBe('string');
        expect(Array.isArray(rep.choices)).toBe(true);
        for (const c of rep.choices) expect(typeof c).toBe('string');
      }
    });
    expect(JSON.parse(out[4]).replies.at(-1).choices).toContain('Báo tin ẩn danh');
  });

  it('chat --json --script files a tip that cases list then shows, without the secret hash', () => {
    const script = join(data.dir, 'tip.txt');
    writeFileSync(script, ['tôi muốn báo tin', '1', 'Hải Phòng', 'bỏ qua', '2', 'Có người bán ma túy tại bến xe vào buổi tối.', 'bỏ qua', 'không', '1', '1'].join('\n'));
    const r = run(['chat', '--json', '--script', script], undefined, { DATA_DIR: data.dir });
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    const ref = /BA-[A-Z0-9]{6}/.exec(JSON.stringify(last))?.[0];
    expect(ref).toBeDefined();
    const list = run(['cases', 'list', '--json'], undefined, { DATA_DIR: data.dir });
    expect(list.status).toBe(0);
    const cases = JSON.parse(list.stdout);
    expect(cases[0]).toMatchObject({ ref, status: 'new', priority: 'normal', fields: { category: 'drugs', province: 'Hải Phòng' } });
    expect(list.stdout).not.toMatch(/secret|hash/i);
    const human = run(['cases', 'list'], undefined, { DATA_DIR: data.dir });
    expect(human.stdout).toContain(ref);
  });

  it('classify writes {text, intent, confidence} per line, with the crisis kind and the knowledge entry when there is one', () => {
    const r = run(['classify'], 'cai nghien o dau\ncứu tôi với, tôi đang bị nhốt\nhôm nay có mưa không\n');
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.intent)).toEqual(['rehab_info', 'emergency', 'out_of_scope']);
    expect(out[0].entry).toMatch(/^rehab_/);
    expect(out[1].crisis).toBe('danger_now');
    expect(out[2].crisis).toBeUndefined();
    for (const o of out) {
      expect(Object.keys(o).slice(0, 3)).toEqual(['text', 'intent', 'confidence']);
      expect(o.confidence).toBeGreaterThanOrEqual(0);
      expect(o.confidence).toBeLessThanOrEqual(1);
    }
    expect(out[0].text).toBe('cai nghien o dau');
  });

  it('flows check passes on the shipped flows and fails with file and node on a broken one', () => {
    const ok = run(['flows', 'check']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ flows/);
    const { root, cleanup } = copyBundle();
    try {
      writeFileSync(join(root, 'flows', 'broken.yaml'), 'id: broken\nnodes:\n  - { id: a, type: message, text: { vi: "x", en: "x" }, next: ghost }\n');
      const bad = run(['flows', 'check'], undefined, { BINHAN_ROOT: root });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("flows/broken.yaml: node 'a': next: unknown target node 'ghost'");
    } finally {
      cleanup();
    }
  });

  it('names a bad environment variable and exits non-zero', () => {
    const r = run(['cases', 'list'], undefined, { DATA_DIR: data.dir, SESSION_TIMEOUT_MINUTES: 'soon' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SESSION_TIMEOUT_MINUTES');
  });

  it('prints usage for an unknown command', () => {
    const r = run(['fly']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage:/);
  });
});
