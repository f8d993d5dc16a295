/** Wires the application together: config -> bundle -> NLU -> engine -> store -> bot. */
import { join, resolve } from 'node:path';
import { loadBundle, type Bundle } from '../flows/load.js';
import { IntentClassifier } from '../nlu/classifier.js';
import { Engine } from '../engine/engine.js';
import { placeResolver } from '../content/places.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/port.js';
import { loadServerSecret } from '../secrets.js';
import { createLogger, type Logger } from '../log.js';
import type { Config } from '../config.js';
import { Bot } from './bot.js';

/** The package folder (holds flows/, content/ and web/). Works from src/ and dist/. */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');

export interface Core {
  bundle: Bundle;
  classifier: IntentClassifier;
  engine: Engine;
}

/** Everything that is pure and loaded once: flows, content, the trained classifier, the engine. */
export function loadCore(root: string, opts: { threshold: number; sessionTimeoutMs: number }): Core {
  const bundle = loadBundle(root);
  const classifier = new IntentClassifier(bundle.content.training, { threshold: opts.threshold });
  const engine = new Engine(bundle, classifier, {
    idleTimeoutMs: opts.sessionTimeoutMs,
    threshold: opts.threshold,
    places: placeResolver(bundle.content.places),
  });
  return { bundle, classifier, engine };
}

export interface App extends Core {
  config: Config;
  store: Store;
  bot: Bot;
  log: Logger;
  root: string;
  close(): Promise<void>;
}

export async function openStore(config: Config): Promise<Store> {
  return new SqliteStore(join(config.dataDir, 'binhan.sqlite'));
}

export async function createApp(config: Config, opts: { log?: Logger; store?: Store } = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.logLevel);
  const root = config.root ?? PACKAGE_ROOT;
  const core = loadCore(root, { threshold: config.nluThreshold, sessionTimeoutMs: config.sessionTimeoutMs });
  const { key, generated } = loadServerSecret(config.dataDir, config.secret);
  if (generated) log.warn('generated a new server secret in DATA_DIR; back it up: without it, follow-up codes stop working', { file: 'server-secret' });
  const store = opts.store ?? await openStore(config);
  const bot = new Bot(core.engine, store, key, log, { sessionTimeoutMs: config.sessionTimeoutMs });
  const purge = setInterval(() => {
    store.purge(Date.now()).catch((e: Error) => log.warn('purge failed', { error: e.message }));
  }, 60_000);
  purge.unref();
  return {
    ...core, config, store, bot, log, root,
    async close() {
      clearInterval(purge);
      await store.close();
    },
  };
}
