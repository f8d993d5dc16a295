/**
 * The `binhan` command line:
 *   binhan chat [--json] [--script FILE]   chat in the terminal on the configured store
 *   binhan classify                        intent of each stdin line, as JSON lines
 *   binhan flows check                     validate flows/ and content/
 *   binhan campaigns check                 validate content/campaigns/
  binhan campaigns check                 validate the campaigns in content/campaigns/ (and what they link to)
  binhan knowledge table                 the topics of the knowledge base with their entry counts (Markdown)
 *   binhan cases list [--json]             the case queue, newest first (every case, read page by page)
 */
import { CLI_CAPABILITIES } from '../channels/capabilities.js';
import { parseArgs } from 'node:util';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { createApp, loadCore, openStore, PACKAGE_ROOT } from '../app/index.js';
import { checkProgramBundle } from '../app/vocabulary.js';
import { formatProblem, BundleError } from '../bundle/load.js';
import type { OutMessage } from '../engine/types.js';
import { FieldCipher, loadKeyRing } from '../cases/cipher.js';
import type { CaseRecord, Store } from '../store/port.js';

const USAGE = `usage:
  binhan chat [--json] [--script FILE]   chat with the bot in the terminal
  binhan classify                        read lines on stdin, print {"text","intent","confidence"} per line
  binhan flows check                     validate flows/ and content/
  binhan knowledge table                 the topics of the knowledge base with their entry counts (Markdown)
  binhan cases list [--json]             list every case, newest first
  binhan officers add --username U --role officer|supervisor|admin [--province P] [--name N]
                                         create a liaison officer (password from stdin or prompted)
  binhan officers list                   list officer accounts
  binhan keys rotate                     add a new encryption key and re-encrypt every case
  binhan channels setup messenger        set Messenger's Get Started button and persistent menu
  binhan channels setup telegram         register the Telegram webhook (setWebhook with the secret token)
Environment: DATA_DIR (default ./data), LOG_LEVEL, BINHAN_SECRET, SESSION_TIMEOUT_MINUTES, NLU_THRESHOLD (see README).`;

const out = (s: string): void => { process.stdout.write(`${s}\n`); };

function lines(file?: string): AsyncIterable<string> {
  const input = file ? createReadStream(file, 'utf8') : process.stdin;
  return createInterface({ input, crlfDelay: Infinity, terminal: false });
}

function cliConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // The CLI logs only warnings and errors unless asked, and to stderr, so stdout stays clean.
  return loadConfig({ LOG_LEVEL: 'warn', ...process.env });
}

async function chat(json: boolean, script?: string): Promise<void> {
  const { createLogger } = await import('../log.js');
  const config = cliConfig();
  const app = await createApp(config, { log: createLogger(config.logLevel, process.stderr) });
  const userId = randomUUID();
  try {
    if (json) {
      for await (const line of lines(script)) {
        const res = await app.bot.handle({ channel: 'cli', capabilities: CLI_CAPABILITIES, userId, text: line });
        out(JSON.stringify({ user: line, replies: res.replies.map((r) => ({ text: r.text, choices: (r.choices ?? []).map((c) => c.label) })) }));
      }
      return;
    }
    const show = (replies: OutMessage[]): OutMessage['choices'] => {
      let choices: OutMessage['choices'];
      for (const r of replies) {
        out(`\nBình An: ${r.text}`);
        if (r.choices?.length) {
          choices = r.choices;
          r.choices.forEach((c, i) => out(`   ${i + 1}. ${c.label}`));
        }
      }
      return choices;
    };
    let choices = show((await app.bot.handle({ channel: 'cli', capabilities: CLI_CAPABILITIES, userId, start: true })).replies);
    const rl = createInterface({ input: script ? createReadStream(script, 'utf8') : process.stdin, output: process.stdout, terminal: !script && process.stdin.isTTY });
    rl.setPrompt('\n> ');
    rl.prompt();
    for await (const line of rl) {
      const n = /^\s*(\d{1,2})\s*$/.exec(line);
      const picked = n && choices ? choices[Number(n[1]) - 1] : undefined;
      const res = await app.bot.handle(picked ? { channel: 'cli', capabilities: CLI_CAPABILITIES, userId, payload: picked.id } : { channel: 'cli', capabilities: CLI_CAPABILITIES, userId, text: line });
      choices = show(res.replies) ?? choices;
      rl.prompt();
    }
  } finally {
    await app.close();
  }
}

async function classify(): Promise<void> {
  const config = cliConfig();
  const core = loadCore(config.root ?? PACKAGE_ROOT, { threshold: config.nluThreshold, sessionTimeoutMs: config.sessionTimeoutMs });
  for await (const line of lines()) {
    const c = core.nlu.classify(line);
    const crisis = core.nlu.crisis(line);
    const hit = core.nlu.retrieve(line)[0];
    out(JSON.stringify({
      text: line, intent: c.intent, confidence: Math.round(c.confidence * 1000) / 1000,
      ...(crisis ? { crisis: crisis.kind } : {}),
      ...(hit ? { entry: hit.id, entryScore: Math.round(hit.score * 1000) / 1000 } : {}),
    }));
  }
}

function flowsCheck(): number {
  const config = cliConfig();
  const root = config.root ?? PACKAGE_ROOT;
  const { bundle, problems } = checkProgramBundle(root);
  if (!bundle) {
    process.stderr.write(`flows/content check failed (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`);
    for (const p of problems) process.stderr.write(`  - ${formatProblem(p)}\n`);
    return 1;
  }
  const nodes = [...bundle.flows.values()].reduce((n, f) => n + f.nodes.size, 0);
  out(`OK: ${bundle.flows.size} flows (${nodes} nodes), ${bundle.knowledge.entries.size} knowledge entries in ${bundle.knowledge.topics.size} topics, ${Object.keys(bundle.content.answers).length} answers, ${bundle.content.hotlines.length} hotlines, ${bundle.intents.length} intents, ${bundle.content.training.length} training sentences`);
  return 0;
}

/**
 * `binhan campaigns check`: the campaign files (content/campaigns/) with everything they touch — the compiled flows
 * go through the same checks as flows/ (targets, hotline placeholders, entries, labels), so the whole bundle is
 * loaded; problems that name a campaign file are listed first.
 */
function campaignsCheck(): number {
  const config = cliConfig();
  const root = config.root ?? PACKAGE_ROOT;
  const { bundle, problems } = checkProgramBundle(root);
  if (!bundle) {
    const mine = problems.filter((p) => p.file.startsWith('content/campaigns'));
    const rest = problems.filter((p) => !p.file.startsWith('content/campaigns'));
    process.stderr.write(`campaigns check failed (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`);
    for (const p of [...mine, ...rest]) process.stderr.write(`  - ${formatProblem(p)}\n`);
    return 1;
  }
  for (const c of bundle.campaigns.values()) {
    const quizzes = c.items.filter((i) => i.type === 'quiz').length;
    out(`OK: ${c.id} — ${c.title.vi} (${c.dates.from} → ${c.dates.to}): ${c.items.length} items, ${quizzes} quizzes, ${c.sources.length} sources`);
  }
  out(`OK: ${bundle.campaigns.size} campaigns`);
  return 0;
}

/** Cases read per query by `cases list`. */
export const CASES_PAGE_SIZE = 500;

/** Every case, newest first, read page by page (keyset cursor: a case filed meanwhile is not listed twice or skipped). */
export async function* allCases(store: Pick<Store, 'queryCases'>, pageSize = CASES_PAGE_SIZE): AsyncGenerator<CaseRecord> {
  let cursor: string | undefined;
  do {
    const page = await store.queryCases({}, { order: 'newest', limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * Writes the whole case queue, newest first: one JSON array (written as it is read, so that
 * thousands of cases never sit in memory at once) or two lines per case. Returns the count.
 */
export async function writeCases(store: Pick<Store, 'queryCases'>, cipher: Pick<FieldCipher, 'openFields'>, json: boolean, write: (s: string) => void | Promise<void>, pageSize = CASES_PAGE_SIZE): Promise<number> {
  let n = 0;
  if (json) await write('[');
  for await (const c of allCases(store, pageSize)) {
    const fields = cipher.openFields(c.fields);
    if (json) {
      await write(`${n ? ',' : ''}${JSON.stringify({
        ref: c.ref, status: c.status, priority: c.priority, disposition: c.disposition, channel: c.channel,
        createdAt: c.createdAt, updatedAt: c.updatedAt, fields,
      })}`);
    } else {
      await write(`${c.ref}  ${c.createdAt}  ${c.status.padEnd(9)} ${c.priority.padEnd(6)} ${fields.category.padEnd(12)} ${fields.province}\n`);
      await write(`    ${fields.what.replace(/\s+/g, ' ').slice(0, 160)}\n`);
    }
    n++;
  }
  if (json) await write(']\n');
  else if (n === 0) await write('(no cases)\n');
  return n;
}

async function casesList(json: boolean): Promise<void> {
  const config = cliConfig();
  const store = await openStore(config);
  // Free text is encrypted at rest; the CLI runs with the operator's key ring, like the server.
  const cipher = new FieldCipher(loadKeyRing(config.dataDir, process.env.BINHAN_ENCRYPTION_KEYS).ring);
  try {
    // Waits for stdout to drain when it is a slow pipe, so that a long list is not held in memory.
    await writeCases(store, cipher, json, (s) => (process.stdout.write(s) ? undefined : new Promise<void>((r) => process.stdout.once('drain', () => r()))));
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  // Subcommands with their own options parse their own arguments.
  if (argv[0] === 'officers') {
    const { officersCommand } = await import('./officers.js');
    return officersCommand(argv.slice(1), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  }
  if (argv[0] === 'channels') {
    if (argv[1] !== 'setup' || !['messenger', 'telegram'].includes(argv[2] ?? '')) {
      process.stderr.write('usage: binhan channels setup messenger|telegram\n');
      return 1;
    }
    if (existsSync('.env')) process.loadEnvFile('.env');
    if (argv[2] === 'messenger') return (await import('./channels-messenger.js')).setupMessenger(process.env, process.stdout);
    return (await import('./channels-telegram.js')).setupTelegram(process.env, process.stdout);
  }
  if (argv[0] === 'keys') {
    const { keysCommand } = await import('./keys.js');
    return keysCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
  }
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, script: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [cmd, sub] = positionals;
  if (values.help || !cmd) { out(USAGE); return cmd || values.help ? 0 : 1; }
  if (cmd === 'chat') { await chat(values.json ?? false, values.script); return 0; }
  if (cmd === 'classify') { await classify(); return 0; }
  if (cmd === 'flows' && sub === 'check') return flowsCheck();
  if (cmd === 'campaigns' && sub === 'check') return campaignsCheck();
  if (cmd === 'knowledge' && sub === 'table') {
    const config = cliConfig();
    const { knowledgeTable } = await import('../bundle/report.js');
    const { loadProgramBundle } = await import('../app/vocabulary.js');
    out(knowledgeTable(loadProgramBundle(config.root ?? PACKAGE_ROOT)));
    return 0;
  }
  if (cmd === 'cases' && sub === 'list') { await casesList(values.json ?? false); return 0; }
  process.stderr.write(`binhan: unknown command "${positionals.join(' ')}"\n${USAGE}\n`);
  return 1;
}

if (require.main === module || process.argv[1]?.endsWith('binhan') || process.argv[1]?.endsWith('binhan.js')) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    if (e instanceof ConfigError || e instanceof BundleError) process.stderr.write(`binhan: ${e.message}\n`);
    else if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`binhan: ${(e as Error).message}\n${USAGE}\n`);
    else process.stderr.write(`binhan: ${(e as Error).message}\n`);
    process.exitCode = 2;
  });
}
