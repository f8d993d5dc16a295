/**
 * Benchmarks run their load (autocannon) in a second process, so it does not share the bot's event loop: the
 * script forks itself with `--load`, sends the job over IPC and gets the figures back.
 */
import { fork } from 'node:child_process';

/** Whether this process is the forked load process. */
export const isLoadProcess = process.argv[2] === '--load';

/** Runs `job` in a forked copy of this script; resolves to what its `serveLoad` handler answered. */
export function loadInChild<J, R>(job: J): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1], ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => { resolve(m as R); child.kill(); });
    child.once('error', reject);
    child.send(job as object);
  });
}

/** In the load process: answers the job with `run`'s figures. Otherwise runs `main`, exiting 1 on an error. */
export function benchEntry<J, R>(run: (job: J) => Promise<R>, main: () => Promise<void>): void {
  if (isLoadProcess) {
    process.once('message', (job) => { void run(job as J).then((r) => process.send?.(r as object)); });
    return;
  }
  main().catch((e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
}
