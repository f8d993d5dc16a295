/**
 * The tip flow's property test (issue #10): random walks with taps, typed labels, synonyms, English, crisis
 * lines, goodbyes, the menu, restarts of the chat and of the process, idle timeouts and redeliveries, on every
 * store. A draft disappears only when the reporter discards it; a tip is stored exactly once when they send it.
 * The full size runs with `npm run walks` (figures in the README); here a smaller count.
 */
import { runWalks, walkApp } from '../src/bench/tip-walks';
import { storeFactories } from './helpers/stores';

const WALKS = Number(process.env.TIP_WALKS ?? 150);

describe.each(storeFactories)('tip walks on $name', (factory) => {
  it(`keeps every draft until the reporter discards it and stores each sent tip once (${WALKS} walks)`, async () => {
    const { store, cleanup } = await factory.open();
    const { app, clock, close } = await walkApp(store);
    try {
      const f = await runWalks(app, clock, { walks: factory.name === 'sqlite' ? WALKS : Math.ceil(WALKS / 3), seed: 7 });
      expect(f.failures).toEqual([]);
      // The walks reach what they are meant to test.
      expect(f.sent).toBeGreaterThan(0);
      expect(f.discarded).toBeGreaterThan(0);
      expect(f.draftsKeptThroughLeaving).toBeGreaterThan(0);
      expect(f.redeliveries).toBeGreaterThan(0);
    } finally {
      await close();
      await cleanup();
    }
  }, 600_000);
});
