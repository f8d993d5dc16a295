import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** A fresh temporary folder, removed by the returned cleanup. */
export function tmpDir(prefix = 'binhan-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the project's flows/ and content/ in a temporary root, to break on purpose. */
export function copyBundle(): { root: string; cleanup: () => void } {
  const { dir, cleanup } = tmpDir('binhan-bundle-');
  cpSync(join(ROOT, 'flows'), join(dir, 'flows'), { recursive: true });
  cpSync(join(ROOT, 'content'), join(dir, 'content'), { recursive: true });
  cpSync(join(ROOT, 'web', 'index.html'), join(dir, 'web', 'index.html'));
  cpSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
  // Knowledge entries may cite the project's own documents as sources.
  cpSync(join(ROOT, 'docs'), join(dir, 'docs'), { recursive: true });
  return { root: dir, cleanup };
}
