/**
 * `node golden-score.js [FILE.yaml...]`: plays every golden conversation to the end (not stopping at the first
 * divergence) and prints each divergent turn, then how many turns and files hold. A measure for tuning.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app/index';
import { createLogger } from '../src/log';
import { Divergence, loadConversation, play } from '../tests/helpers/conversations';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));
  const root = process.env.BINHAN_ROOT ?? resolve(__dirname, '..', 'main');
  const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'error', BINHAN_ROOT: root }), { log: createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } })) });
  const conv = join(root, 'tests', 'conversations');
  const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(conv).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(conv, f));
  let turns = 0; let bad = 0; let badFiles = 0;
  try {
    for (const file of files) {
      const { conv: c } = loadConversation(file);
      const collect: string[] = [];
      try { await play(app, file, c, { update: true, collect }); } catch (e) { if (!(e instanceof Divergence)) throw e; collect.push(`${e.message} [stopped]`); }
      turns += c.turns.length; bad += collect.length; if (collect.length) badFiles++;
      for (const m of collect) process.stdout.write(`${m.split('\n').slice(0, 3).join('\n').replace(/^.*tests\/conversations\//, '')}\n`);
    }
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${turns - bad}/${turns} turns hold; ${files.length - badFiles}/${files.length} files\n`);
}
void main();
