/** Problems found while loading flows and content: each names its file and, where known, its node or entry. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** One problem found in a flow or content file, with where it is. */
export interface Problem {
  file: string;
  node?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}${p.node ? `: node '${p.node}'` : ''}: ${p.message}`;
}

export class BundleError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid flows/content:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'BundleError';
  }
}

/** Formats a zod error's issues as "path: message" strings. */
export function zodMessages(err: z.ZodError): string[] {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/** Reads and parses a YAML file; a missing file or a syntax error becomes a problem naming the file. */
export function readYaml(file: string, root: string, problems: Problem[]): unknown {
  const rel = relative(root, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push({ file: rel, message: 'file is missing or unreadable' });
    return undefined;
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (e) {
    problems.push({ file: rel, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` });
    return undefined;
  }
}

/** Validates data with a schema; each issue becomes a problem naming the file (and node, if given). */
export function parseWith<T>(schema: z.ZodType<T>, data: unknown, rel: string, problems: Problem[], node?: string): T | undefined {
  if (data === undefined) return undefined;
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  for (const m of zodMessages(res.error)) problems.push({ file: rel, ...(node ? { node } : {}), message: m });
  return undefined;
}
