// Build step: bundles the charting library (Chart.js, MIT) for the officers' dashboard into
// web/liaison/vendor/chart.js, an ES module served under /liaison/ — no CDN, nothing fetched at run
// time. Only the parts the statistics page uses are included (bar charts, category and linear
// scales, legend, tooltip). The folder is generated (gitignored); `npm run build` (and so `npm ci`,
// through `prepare`) writes it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'web', 'liaison', 'vendor');
const require = createRequire(import.meta.url);

mkdirSync(out, { recursive: true });
await build({
  stdin: {
    contents: [
      "import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';",
      'Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);',
      'export { Chart };',
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'chart-entry.js',
    loader: 'js',
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'eof',
  outfile: join(out, 'chart.js'),
  logLevel: 'warning',
});
copyFileSync(join(dirname(require.resolve('chart.js')), '..', 'LICENSE.md'), join(out, 'chart.js.LICENSE.md'));
