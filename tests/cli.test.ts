/** The `binhan` command line, run as a real process from the built package. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBundle, ROOT, tmpDir } from './helpers/tmp';
import { FieldCipher, loadKeyRing } from '../src/cases/cipher';
import { CASES_PAGE_SIZE, writeCases } from '../src/cli/main';
import { SqliteStore } from '../src/store/sqlite';
import type { CasePageRequest, Priority } from '../src/store/port';

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

  it('campaigns check passes on the four campaigns and names the file and item of a broken one', () => {
    const ok = run(['campaigns', 'check']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/OK: 4 campaigns/);
    for (const id of ['teen_drugs', 'job_scam_trafficking', 'prostitution_exploitation', 'safe_migration']) expect(ok.stdout).toContain(`OK: ${id} `);
    const { root, cleanup } = copyBundle();
    try {
      const file = join(root, 'content', 'campaigns', 'teen_drugs.yaml');
      const shipped = readFileSync(file, 'utf8');
      // A story choice leading nowhere.
      writeFileSync(file, shipped.replace(/next: dizzy/, 'next: nowhere'));
      const bad = run(['campaigns', 'check'], undefined, { BINHAN_ROOT: root });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("content/campaigns/teen_drugs.yaml: node 'party_story': scene 'party': choice 'sip' leads to 'nowhere', which is not a scene");
      // A phone number typed instead of a hotline id.
      writeFileSync(file, shipped.replace('{{hotline.child}} tư vấn', '0987 654 321 tư vấn'));
      const typed = run(['campaigns', 'check'], undefined, { BINHAN_ROOT: root });
      expect(typed.status).toBe(1);
      expect(typed.stderr).toContain('content/campaigns/teen_drugs.yaml: node \'law_and_help\': phone number "0987 654 321" is not a verified hotline in content/hotlines.yaml (compiled node i2)');
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

describe('binhan cases list: every case, page by page', () => {
  const N = 1234; // more than the 1,000 where the list used to stop, and not a multiple of the page size
  let seeded: { dir: string; cleanup: () => void };
  const refs: string[] = [];
  beforeAll(async () => {
    seeded = tmpDir('binhan-cli-cases-');
    const cipher = new FieldCipher(loadKeyRing(seeded.dir).ring);
    const store = new SqliteStore(join(seeded.dir, 'binhan.sqlite'));
    const priorities: Priority[] = ['urgent', 'high', 'normal', 'low'];
    try {
      for (let i = 0; i < N; i++) {
        const ref = `BA-${i.toString(36).toUpperCase().padStart(6, '0')}`;
        refs.push(ref);
        await store.createCase({
          idempotencyKey: createHash('sha256').update(`case-${i}`).digest('hex'), ref,
          secretHash: createHash('sha256').update(`secret-${i}`).digest('hex'),
          priority: priorities[i % 4], channel: 'web', lang: 'vi',
          fields: cipher.sealFields({ category: 'drugs', province: 'Nghệ An', place: 'gần chợ', when: 'ongoing', what: `Tin báo số ${i}`, inDanger: 'no' }),
        });
      }
    } finally {
      await store.close();
    }
  });
  afterAll(() => seeded.cleanup());

  it(`writes all ${N} cases as one JSON array, newest first, reading ${CASES_PAGE_SIZE} at a time`, async () => {
    const store = new SqliteStore(join(seeded.dir, 'binhan.sqlite'));
    const pages: CasePageRequest[] = [];
    const spy = { queryCases: (f: object, p: CasePageRequest) => { pages.push(p); return store.queryCases(f, p); } };
    let text = '';
    try {
      const n = await writeCases(spy, new FieldCipher(loadKeyRing(seeded.dir).ring), true, (s) => { text += s; });
      expect(n).toBe(N);
    } finally {
      await store.close();
    }
    const cases = JSON.parse(text) as { ref: string; createdAt: string; fields: { what: string } }[];
    expect(cases).toHaveLength(N);
    expect(new Set(cases.map((c) => c.ref)).size).toBe(N);
    expect(new Set(cases.map((c) => c.ref))).toEqual(new Set(refs));
    for (let i = 1; i < cases.length; i++) expect(cases[i - 1].createdAt >= cases[i].createdAt).toBe(true);
    expect(cases.map((c) => c.fields.what)).toContain(`Tin báo số ${N - 1}`); // decrypted
    expect(pages.map((p) => p.limit)).toEqual([CASES_PAGE_SIZE, CASES_PAGE_SIZE, CASES_PAGE_SIZE]);
    expect(pages[0].cursor).toBeUndefined();
    expect(pages.slice(1).every((p) => typeof p.cursor === 'string' && p.order === 'newest')).toBe(true);
  });

  it('pages with any page size: exactly once each, also in the plain listing; an empty store says so', async () => {
    const store = new SqliteStore(join(seeded.dir, 'binhan.sqlite'));
    const cipher = new FieldCipher(loadKeyRing(seeded.dir).ring);
    try {
      for (const size of [1000, 617, 1234, 5000]) {
        let text = '';
        expect(await writeCases(store, cipher, true, (s) => { text += s; }, size)).toBe(N);
        expect(new Set((JSON.parse(text) as { ref: string }[]).map((c) => c.ref)).size).toBe(N);
      }
      const lines: string[] = [];
      expect(await writeCases(store, cipher, false, (s) => { lines.push(s); })).toBe(N);
      expect(lines.filter((l) => /^BA-/.test(l))).toHaveLength(N);
    } finally {
      await store.close();
    }
    const empty = tmpDir('binhan-cli-empty-');
    const none = new SqliteStore(join(empty.dir, 'binhan.sqlite'));
    try {
      let json = '';
      expect(await writeCases(none, cipher, true, (s) => { json += s; })).toBe(0);
      expect(JSON.parse(json)).toEqual([]);
      let plain = '';
      await writeCases(none, cipher, false, (s) => { plain += s; });
      expect(plain).toBe('(no cases)\n');
    } finally {
      await none.close();
      empty.cleanup();
    }
  });

  it(`the built CLI prints all ${N} (cases list --json)`, () => {
    const r = run(['cases', 'list', '--json'], undefined, { DATA_DIR: seeded.dir });
    expect(r.status).toBe(0);
    const cases = JSON.parse(r.stdout) as { ref: string }[];
    expect(cases).toHaveLength(N);
    expect(new Set(cases.map((c) => c.ref)).size).toBe(N);
  });
});
