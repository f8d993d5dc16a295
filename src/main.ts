/** `npm start`: the bot with its web chat, on the configured store. */
import { existsSync } from 'node:fs';
import { loadConfig, ConfigError } from './config.js';
import { createApp } from './app/index.js';
import { listen } from './web/server.js';
import { createChannels } from './channels/index.js';
import { BundleError } from './bundle/load.js';
import { closeAllStreams } from './web/sse.js';
import { readDutyAlertConfig, startDutyAlerts } from './liaison/duty-alert.js';
import { wireBroadcasts } from './campaigns/wire.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const dutyAlert = readDutyAlertConfig(process.env);
  const app = await createApp(config);
  // New urgent tips announced (code only) to the officers' Telegram group, when one is configured.
  const duty = dutyAlert ? startDutyAlerts(app.cases, dutyAlert, app.log) : null;
  // Channels whose variables are set (a half-configured one stops start-up, naming the variable).
  const channels = createChannels(app);
  // Before listening: what a crash left in the inbox/outbox goes first, in order.
  await channels.resume();
  const server = await listen(app, channels);
  await channels.start();
  // Campaign broadcasts through the channels that may send them; a broadcast left running goes on.
  wireBroadcasts(app, channels);
  // The officers' search index (memory only) is built now rather than on the first search: 50,000 tips take seconds.
  app.cases.warmSearch().catch((e: unknown) => app.log.warn('search index not built at start-up', { error: (e as Error).message }));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  app.log.info('Bình An is running', { url: `http://localhost:${port}/`, store: app.store.kind, dataDir: config.dataDir });
  const stop = (signal: string): void => {
    app.log.info('shutting down', { signal });
    // People in a live chat are told it ended (through their channel) before anything closes.
    app.live.desk.shutdown();
    void duty?.stop();
    void channels.stop().finally(() => {
      server.close(() => { void channels.drain().then(() => app.close()).then(() => process.exit(0)); });
      closeAllStreams();
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof BundleError) {
    process.stderr.write(`Bình An cannot start: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Bình An cannot start: ${(e as Error).message}\n`);
  process.exit(1);
});
