/** Wires the application together: config -> bundle -> NLU -> engine -> store -> bot. */
import { join, resolve } from 'node:path';
import type { Bundle } from '../bundle/types.js';
import { BinhAnNlu } from '../nlu/index.js';
import { Engine } from '../engine/engine.js';
import { placeMatcher } from '../bundle/places.js';
import { Limits } from './limits.js';
import { withDeadline } from '../store/deadline.js';
import { loadProgramBundle } from './vocabulary.js';
import { SqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/port.js';
import { loadServerSecret } from '../secrets.js';
import { createLogger, type Logger } from '../log.js';
import type { Config } from '../config.js';
import { FieldCipher, loadKeyRing } from '../cases/cipher.js';
import { CaseService } from '../cases/service.js';
import { NotificationRegistry } from '../channels/notify.js';
import { HotlineCalls } from '../channels/calls.js';
import { Bot } from './bot.js';
import { TurnCounters } from './counters.js';
import { LiveDesk } from '../live/desk.js';
import { LiveRelay } from '../live/relay.js';

/** The package folder (holds flows/, content/ and web/). Works from src/ and dist/. */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');

export interface Core {
  bundle: Bundle;
  nlu: BinhAnNlu;
  engine: Engine;
}

/** Everything that is pure and loaded once: flows, content, the trained classifier, the engine. */
export function loadCore(root: string, opts: { threshold: number; sessionTimeoutMs: number }): Core {
  const bundle = loadProgramBundle(root);
  const nlu = new BinhAnNlu(bundle, { threshold: opts.threshold });
  const engine = new Engine(bundle, nlu, {
    idleTimeoutMs: opts.sessionTimeoutMs,
    threshold: opts.threshold,
    places: placeMatcher(bundle.content.places),
  });
  return { bundle, nlu, engine };
}

export interface App extends Core {
  config: Config;
  store: Store;
  bot: Bot;
  /** Cases: encryption at rest, lifecycle, history, scope (the bot and the liaison API use it). */
  cases: CaseService;
  /** Seals free text and secrets at rest (AES-256-GCM, key ring in DATA_DIR or BINHAN_ENCRYPTION_KEYS). */
  cipher: FieldCipher;
  /** Anonymous per-day counters (questions per intent, emergencies, flows). */
  counters: TurnCounters;
  /** Opt-in follow-up notification addresses (sealed; never read by officer-facing code). */
  notifications: NotificationRegistry;
  /** Live chats between people who asked for a human and counsellors on duty (in memory only). */
  live: LiveRelay;
  /** Abuse limits on the anonymous side (per conversation, per address, tips, global). */
  limits: Limits;
  log: Logger;
  root: string;
  close(): Promise<void>;
}

/** MongoDB when MONGODB_URI is set (connecting with retries, each failure logged), else the embedded SQLite file. */
export async function openStore(config: Config, log?: Pick<Logger, 'warn'>): Promise<Store> {
  if (config.mongodbUri) {
    // Loaded only when used: the SQLite default starts without loading the MongoDB driver.
    const { MongoStore } = await import('../store/mongo/index.js');
    // Without the app's logger (CLI commands), warnings go to stderr so that stdout stays clean for --json.
    return MongoStore.connect(config.mongodbUri, { log: log ?? createLogger(config.logLevel, process.stderr) });
  }
  return new SqliteStore(join(config.dataDir, 'binhan.sqlite'));
}

export async function createApp(config: Config, opts: { log?: Logger; store?: Store; now?: () => number } = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.logLevel);
  const root = config.root ?? PACKAGE_ROOT;
  const core = loadCore(root, { threshold: config.nluThreshold, sessionTimeoutMs: config.sessionTimeoutMs });
  const { key, generated } = loadServerSecret(config.dataDir, config.secret);
  if (generated) log.warn('generated a new server secret in DATA_DIR; back it up: without it, follow-up codes stop working', { file: 'server-secret' });
  const keys = loadKeyRing(config.dataDir, process.env.BINHAN_ENCRYPTION_KEYS);
  if (keys.generated) log.warn('generated a new encryption key ring for the tips; BACK UP DATA_DIR/encryption-keys.json NOW: without it no tip can ever be read again', { file: keys.file });
  // Every store call has a deadline: a stalled database is an honest "not stored yet", never a long hang.
  const store = withDeadline(opts.store ?? await openStore(config, log), config.storeTimeoutMs);
  const cipher = new FieldCipher(keys.ring);
  const cases = new CaseService(store, cipher, log);
  const notifications = new NotificationRegistry(store, cipher);
  // A closed case needs no follow-up: its notification address (if the reporter left one) goes.
  cases.on('closed', (c) => { notifications.unsubscribe(c.ref).catch((e: Error) => log.warn('notification not removed', { error: e.message })); });
  // The NLU reads a live chat kept as a tip (the person's own name or phone taken out); the bundle gives category labels.
  const live = new LiveRelay(new LiveDesk(), core.bundle.content.messages, log, { nlu: core.nlu, bundle: core.bundle });
  const c = core.bundle.content;
  const limits = new Limits(config.limits, { ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), log });
  const bot = new Bot(core.engine, store, key, log, {
    sessionTimeoutMs: config.sessionTimeoutMs, draftKeepMs: config.draftKeepMs, limits, messages: c.messages, cases, cipher, notifications,
    live, liveEndPhrases: [...c.endLive, ...c.commands.menu, ...c.commands.cancel], ...(opts.now ? { now: opts.now } : {}),
    calls: new HotlineCalls(c.hotlines, c.messages.call_label),
  });
  const counters = new TurnCounters(store, log);
  bot.onTurn((events) => counters.observe(events));
  const purge = setInterval(() => {
    store.purge(Date.now()).catch((e: Error) => log.warn('purge failed', { error: e.message }));
  }, 60_000);
  purge.unref();
  const flush = setInterval(() => { void counters.flush(); }, 10_000);
  flush.unref();
  const liveTick = setInterval(() => live.desk.tick(), 5_000);
  liveTick.unref();
  return {
    ...core, config, store, bot, cases, notifications, cipher, counters, live, limits, log, root,
    async close() {
      clearInterval(purge);
      clearInterval(liveTick);
      live.desk.shutdown();
      clearInterval(flush);
      await counters.flush();
      await limits.close();
      await store.close();
    },
  };
}
