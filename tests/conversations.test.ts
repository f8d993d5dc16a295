/**
 * Golden conversations (tests/conversations/*.yaml): whole conversations as people have them, played
 * through the real runtime. See tests/helpers/conversations.ts for the format and the update mode.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testApp, type TestApp } from './helpers/app';
import { goldenNow, loadConversation, play, writeSnapshots } from './helpers/conversations';
import { ROOT } from './helpers/tmp';

const dir = join(ROOT, 'tests', 'conversations');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const update = process.env.UPDATE_CONVERSATIONS === '1';

let t: TestApp;
beforeAll(async () => { t = await testApp({ LOG_LEVEL: 'error' }, undefined, { now: goldenNow }); });
afterAll(async () => { await t.close(); });

describe('golden conversations', () => {
  it('has at least 100 conversations', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
  });

  it.each(files)('%s', async (f) => {
    const file = join(dir, f);
    const { doc, conv } = loadConversation(file);
    const snaps = await play(t.app, `tests/conversations/${f}`, conv, { update });
    if (update) writeSnapshots(file, doc, snaps);
  });
});
