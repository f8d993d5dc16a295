#!/usr/bin/env node
'use strict';
// The `binhan` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
try {
  require('../dist/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('binhan: the program is not built yet; run `npm run build` (or `npm ci`) first\n');
    process.exit(1);
  }
  throw e;
}
