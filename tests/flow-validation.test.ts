import { writeFileSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBundle } from '../src/flows/load';
import { formatProblem } from '../src/content/load';
import { copyBundle, ROOT } from './helpers/tmp';

function problemsWith(edit: (root: string) => void): string[] {
  const { root, cleanup } = copyBundle();
  try {
    edit(root);
    return checkBundle(root).problems.map(formatProblem);
  } finally {
    cleanup();
  }
}

const flow = (body: string) => `id: extra\ntriggers: []\nnodes:\n${body}`;

describe('flow validation', () => {
  it('accepts the shipped flows and content', () => {
    const { problems } = checkBundle(ROOT);
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('names the file and node of an unknown target node', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: message, text: { vi: "xin chào", en: "hello" }, next: nowhere }\n')));
    expect(p).toContain("flows/extra.yaml: node 'a': next: unknown target node 'nowhere'");
  });

  it('names the node with text missing in a language', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: message, text: { vi: "xin chào" } }\n')));
    expect(p.some((x) => x.startsWith("flows/extra.yaml: node 'a': text") && /en/.test(x))).toBe(true);
  });

  it('names unreachable nodes', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: end, text: { vi: "hết", en: "done" } }\n  - { id: orphan, type: end, text: { vi: "x", en: "x" } }\n')));
    expect(p).toContain("flows/extra.yaml: node 'orphan': unreachable node (no path from the start node)");
  });

  it('names duplicate node ids', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: end, text: { vi: "hết", en: "done" } }\n  - { id: a, type: end, text: { vi: "x", en: "x" } }\n')));
    expect(p).toContain("flows/extra.yaml: node 'a': duplicate node id");
  });

  it('names unknown answers, unknown jump targets and bad node types', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow([
      '  - { id: a, type: message, answer: no_such_answer, next: b }',
      '  - { id: b, type: jump, flow: no_such_flow }',
    ].join('\n'))));
    expect(p).toContain("flows/extra.yaml: node 'a': unknown answer 'no_such_answer' (not in content/answers.yaml)");
    expect(p).toContain("flows/extra.yaml: node 'b': jumps to unknown flow 'no_such_flow'");
    const q = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow('  - { id: a, type: teleport }\n')));
    expect(q.some((x) => x.startsWith("flows/extra.yaml: node 'a':"))).toBe(true);
  });

  it('refuses call buttons for retired or unknown hotlines', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: end, text: { vi: "gọi", en: "call" }, call: [child_line_1800_1567, nobody] }\n')));
    expect(p).toContain("flows/extra.yaml: node 'a': call: 'child_line_1800_1567' is not a verified hotline with a number in content/hotlines.yaml");
    expect(p).toContain("flows/extra.yaml: node 'a': call: 'nobody' is not a verified hotline with a number in content/hotlines.yaml");
  });

  it('reports invalid YAML with the file name', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), 'id: [unclosed\n'));
    expect(p.some((x) => x.startsWith('flows/extra.yaml: not valid YAML'))).toBe(true);
  });

  it('requires every intent to start exactly one flow', () => {
    const p = problemsWith((r) => {
      const f = join(r, 'flows', 'goodbye.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('triggers: [goodbye]', 'triggers: []'));
    });
    expect(p).toContain("flows/: no flow is triggered by intent 'goodbye'");
  });

  it('refuses phone numbers in answers that are not verified hotlines, and the retired 1800 1567', () => {
    const p = problemsWith((r) => appendFileSync(join(r, 'content', 'answers.yaml'),
      '  bogus:\n    vi: ["Gọi 1800 1567 hoặc 0912 345 678"]\n    en: ["Call 1800 1567 or 0912 345 678"]\n'));
    expect(p.some((x) => x.includes("node 'bogus'") && x.includes('1800 1567'))).toBe(true);
    expect(p.some((x) => x.includes("node 'bogus'") && x.includes('0912 345 678'))).toBe(true);
    expect(p).toContain("content/answers.yaml: node 'bogus': answer is not used by any flow");
  });

  it('refuses bubbles of 600 characters or more', () => {
    const long = 'a'.repeat(600);
    const p = problemsWith((r) => appendFileSync(join(r, 'content', 'answers.yaml'),
      `  too_long:\n    vi: ["${long}"]\n    en: ["${long}"]\n`));
    expect(p.some((x) => x.startsWith('content/answers.yaml: answers.too_long.vi.0'))).toBe(true);
  });
});
