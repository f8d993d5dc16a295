import { writeFileSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkProgramBundle as checkBundle } from '../src/app/vocabulary';
import { formatProblem } from '../src/bundle/load';
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
      '  - { id: a, type: end, text: { vi: "gọi", en: "call" }, call: [old_child_line, nobody] }\n')));
    expect(p).toContain("flows/extra.yaml: node 'a': call: 'old_child_line' is not a verified hotline with a number in content/hotlines.yaml");
    expect(p).toContain("flows/extra.yaml: node 'a': call: 'nobody' is not a verified hotline with a number in content/hotlines.yaml");
  });

  it('names an action argument that is missing or that the action does not take', () => {
    const p = problemsWith((r) => writeFileSync(join(r, 'flows', 'extra.yaml'), flow(
      '  - { id: a, type: action, action: check_case, args: { ref: ref, pin: secret }, ok: b, fail: b }\n  - { id: b, type: end, text: { vi: "x", en: "x" } }\n')));
    expect(p).toContain("flows/extra.yaml: node 'a': args: 'pin' is not an argument of check_case (it takes: ref, secret)");
    expect(p).toContain("flows/extra.yaml: node 'a': args: check_case needs 'secret' mapped to a flow variable (args: { secret: <variable> })");
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
    expect(p).toContain("flows/: no flow is triggered by intent 'goodbye' and no knowledge topic answers it");
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

  it('refuses a hotline number typed into a text, even 113, and unknown or unverified hotline references', () => {
    const p = problemsWith((r) => appendFileSync(join(r, 'content', 'answers.yaml'),
      '  typed:\n    vi: ["Gọi 113 hoặc {{hotline.nobody}}"]\n    en: ["Call {{hotline.embassy_cambodia}} (Article 113 is fine)"]\n'));
    expect(p).toContain("content/answers.yaml: node 'typed': number 113 is typed in: write {{hotline.police}} (content/hotlines.yaml is the one source of numbers)");
    expect(p).toContain("content/answers.yaml: node 'typed': {{hotline.nobody}}: no such hotline in content/hotlines.yaml");
    expect(p).toContain("content/answers.yaml: node 'typed': {{hotline.embassy_cambodia}} is not a verified hotline (status: unverified)");
    expect(p.filter((x) => x.includes("'typed'") && x.includes('113')).length).toBe(1);
  });

  it('checks the web chat page\'s numbers too', () => {
    const p = problemsWith((r) => {
      const f = join(r, 'web', 'index.html');
      writeFileSync(f, readFileSync(f, 'utf8').replace('</body>', '<p>Gọi 115</p></body>'));
    });
    expect(p).toContain('web/index.html: number 115 is typed in: write {{hotline.medical}} (content/hotlines.yaml is the one source of numbers)');
  });

  it('names message keys that are missing or that nothing says', () => {
    const p = problemsWith((r) => {
      const f = join(r, 'content', 'messages.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('  more_label:', '  unused_words:\n    vi: "x"\n    en: "x"\n  old_more_label:'));
    });
    expect(p).toContain("content/messages.yaml: node 'unused_words': message key is not used by the program");
    expect(p).toContain("content/messages.yaml: node 'more_label': message is missing (the program says it)");
  });

  it('names the file and entry of knowledge problems: length, sources, links, labels, crisis flows', () => {
    const entry = (over: string): string => `topic: { id: extra, intent: rehab_info, label: { vi: "Thêm", en: "Extra" }, overview: e1 }
entries:
  - id: e1
    label: { vi: "Một nhãn quá dài để làm nút bấm", en: "One" }
    q: { vi: "Câu hỏi?", en: "Question?" }
    ask: { vi: ["cau hoi mot", "câu hỏi hai", "câu ba", "câu bốn"], en: ["q one", "q two"] }
    answer: { vi: ["${'x'.repeat(460)}"], en: ["ok"] }
    related: [nowhere]
${over}`;
    const p = problemsWith((r) => writeFileSync(join(r, 'content', 'knowledge', 'extra.yaml'), entry('    sources: []\n    checked: "2026-11-30"\n')));
    expect(p).toContain("content/knowledge/extra.yaml: node 'e1': sources: every entry states facts: give at least one source with its date");
    const q = problemsWith((r) => writeFileSync(join(r, 'content', 'knowledge', 'extra.yaml'), entry('    sources: [{ url: "https://example.org/a", date: "2025-01" }]\n    checked: "2026-11-30"\n')));
    expect(q).toContain("content/knowledge/extra.yaml: node 'e1': label.vi is longer than 20 characters");
    expect(q).toContain("content/knowledge/extra.yaml: node 'e1': answer.vi: at most 450 characters in all (has 460)");
    expect(q).toContain("content/knowledge/extra.yaml: node 'e1': related: unknown entry 'nowhere'");
    const c = problemsWith((r) => rmSync(join(r, 'flows', 'crisis_overdose.yaml')));
    expect(c).toContain("flows/: no flow is triggered by crisis kind 'crisis.overdose'");
  });
});
