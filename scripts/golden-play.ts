/**
 * `node golden-play.js FILE.yaml...`: plays golden conversations through a fresh app (temporary DATA_DIR)
 * and prints each turn as the person would see it, then the first divergence, if any. For writing
 * tests/conversations/*.yaml; the test suite runs the same files (tests/conversations.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app/index';
import { createLogger } from '../src/log';
import { goldenNow, loadConversation, play, Divergence } from '../tests/helpers/conversations';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));
  const root = process.env.BINHAN_ROOT ?? resolve(__dirname, '..', 'main');
  const app = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'error', BINHAN_ROOT: root }), { log: createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } })), now: goldenNow });
  let failed = 0;
  try {
    for (const file of process.argv.slice(2)) {
      const { conv } = loadConversation(file);
      process.stdout.write(`\n=== ${file}: ${conv.title}\n`);
      const echo = (turn: (typeof conv.turns)[number], i: number, snap: { bot: unknown[]; events: string[] }): void => {
        process.stdout.write(`\n[${i + 1}] ${turn.user !== undefined ? `> ${turn.user}` : turn.tap !== undefined ? `(tap) ${turn.tap}` : turn.start ? '(start)' : '(attachment)'}\n`);
        for (const b of snap.bot) {
          const m = typeof b === 'string' ? { text: b } : b as { text: string; buttons?: string[]; calls?: string[] };
          process.stdout.write(`  | ${m.text.replace(/\n/g, '\n  | ')}\n`);
          if (m.buttons) process.stdout.write(`  [${m.buttons.join('] [')}]\n`);
          if (m.calls) process.stdout.write(`  (call: ${m.calls.join(', ')})\n`);
        }
        process.stdout.write(`  events: ${snap.events.join(' ')}\n`);
      };
      try {
        await play(app, file, conv, { update: true, onTurn: echo });
        process.stdout.write('\nOK\n');
      } catch (e) {
        if (!(e instanceof Divergence)) throw e;
        failed++;
        process.stdout.write(`\nDIVERGENCE: ${e.message}\n`);
      }
    }
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}
void main();
