/**
 * The bot as a real child process (dist/main.js) for the crash and load trials: started, killed with SIGKILL,
 * stopped; `start` resolves when /healthz answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { openSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The bot as a child process; `start` resolves when /healthz answers. */
export class BotProcess {
  private child?: ChildProcess;
  readonly url: string;
  starts = 0;
  constructor(private readonly env: NodeJS.ProcessEnv, readonly port: number) { this.url = `http://127.0.0.1:${port}`; }

  async start(): Promise<number> {
    const t0 = performance.now();
    // BOT_LOG=<file>: the bot's log lines (LOG_LEVEL from BOT_LOG_LEVEL, default error) go there, for looking into a run.
    const log = process.env.BOT_LOG ? openSync(process.env.BOT_LOG, 'a') : 'ignore';
    this.child = spawn(process.execPath, [resolve('dist/main.js')], { env: { ...this.env, ...(process.env.BOT_LOG_LEVEL ? { LOG_LEVEL: process.env.BOT_LOG_LEVEL } : {}) }, stdio: ['ignore', log, 'inherit'] });
    this.starts++;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return performance.now() - t0;
      } catch { /* not up yet */ }
      if (this.child.exitCode !== null) throw new Error(`the bot exited with ${this.child.exitCode}`);
      await sleep(25);
    }
  }

  kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return Promise.resolve();
    return new Promise((r) => { c.once('exit', () => r()); c.kill('SIGKILL'); });
  }

  stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return Promise.resolve();
    return new Promise((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); });
  }
}

