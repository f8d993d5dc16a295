/** The program's bundle and language understanding, built once per test file from the project's own content. */
import { loadProgramBundle } from '../../src/app/vocabulary';
import { BinhAnNlu } from '../../src/nlu/index';
import type { Bundle } from '../../src/bundle/types';
import { ROOT } from './tmp';

let cached: { bundle: Bundle; nlu: BinhAnNlu } | undefined;

export function core(root = ROOT): { bundle: Bundle; nlu: BinhAnNlu } {
  if (root !== ROOT) { const bundle = loadProgramBundle(root); return { bundle, nlu: new BinhAnNlu(bundle, { threshold: 0.45 }) }; }
  if (!cached) { const bundle = loadProgramBundle(ROOT); cached = { bundle, nlu: new BinhAnNlu(bundle, { threshold: 0.45 }) }; }
  return cached;
}
