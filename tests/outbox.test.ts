/** The outbox: ordered delivery per address, bounded retries with backoff, retry-after, rate spacing. */
import { Writable } from 'node:stream';
import { Outbox } from '../src/channels/outbox';
import { createLogger } from '../src/log';
import type { ChannelAdapter, SendAttempt } from '../src/channels/types';

function fakeAdapter(script: SendAttempt[], rate?: ChannelAdapter['rate']): ChannelAdapter & { sent: [string, unknown][] } {
  const sent: [string, unknown][] = [];
  return {
    name: 'telegram', rate, sent,
    mount() {}, render: (m) => m,
    async sendOne(address, msg) {
      const r = script.shift() ?? { ok: true };
      if (r.ok) sent.push([address, msg]);
      return r;
    },
  };
}

function setup(script: SendAttempt[], rate?: ChannelAdapter['rate']) {
  const logs: string[] = [];
  const log = createLogger('debug', new Writable({ write(c, _e, cb) { logs.push(String(c)); cb(); } }));
  const sleeps: number[] = [];
  let clock = 0;
  const adapter = fakeAdapter(script, rate);
  const outbox = new Outbox(adapter, log, { baseDelayMs: 100, maxAttempts: 4, sleep: async (ms) => { sleeps.push(ms); clock += ms; }, now: () => clock });
  return { adapter, outbox, sleeps, logs };
}

describe('outbox', () => {
  it('retries retryable failures with exponential backoff and honours retry-after', async () => {
    const { adapter, outbox, sleeps } = setup([{ ok: false, retryable: true, code: '500' }, { ok: false, retryable: true, retryAfterMs: 3000, code: '429' }, { ok: true }]);
    await outbox.send('a', ['xin chào']);
    expect(adapter.sent).toEqual([['a', 'xin chào']]);
    expect(sleeps).toEqual([100, 3000]);
    expect(outbox.stats).toEqual({ sent: 1, failed: 0, retried: 2 });
  });

  it('gives up after the bounded attempts, logs without content, and still sends the later parts', async () => {
    const fail = { ok: false, retryable: true, code: '502' };
    const { adapter, outbox, logs } = setup([fail, fail, fail, fail]);
    await outbox.send('a', ['bí mật một', 'bí mật hai']);
    expect(adapter.sent).toEqual([['a', 'bí mật hai']]);
    expect(outbox.stats).toEqual({ sent: 1, failed: 1, retried: 3 });
    const all = logs.join('');
    expect(all).toContain('send failed');
    expect(all).not.toContain('bí mật');
  });

  it('a part that fails for good (not retryable) drops only itself', async () => {
    const { adapter, outbox } = setup([{ ok: true }, { ok: false, retryable: false, code: 'bad_request' }, { ok: true }]);
    await outbox.send('a', ['1', '2', '3']);
    expect(adapter.sent).toEqual([['a', '1'], ['a', '3']]);
    expect(outbox.stats).toEqual({ sent: 2, failed: 1, retried: 0 });
  });

  it('does not try the rest of a reply to an address that cannot be reached (window closed, blocked)', async () => {
    const { adapter, outbox, logs } = setup([{ ok: true }, { ok: false, retryable: false, unreachable: true, code: 'window' }]);
    await outbox.send('a', ['1', '2', '3', '4']);
    expect(adapter.sent).toEqual([['a', '1']]);
    expect(outbox.stats).toEqual({ sent: 1, failed: 3, retried: 0 }); // the refused part and the two not tried
    expect(logs.join('')).toMatch(/send skipped.*"parts":2/);
  });

  it('a thrown sendOne is retried like a network error, and the later parts still go', async () => {
    const { adapter, outbox } = setup([]);
    let calls = 0;
    const send = adapter.sendOne.bind(adapter);
    adapter.sendOne = async (address, msg) => { if (++calls <= 4) throw Object.assign(new Error('boom'), { code: 'ECONNRESET' }); return send(address, msg); };
    await outbox.send('a', ['1', '2']);
    expect(adapter.sent).toEqual([['a', '2']]);
    expect(outbox.stats.failed).toBe(1);
  });

  it('does not retry a non-retryable failure (window closed, blocked)', async () => {
    const { adapter, outbox, sleeps } = setup([{ ok: false, retryable: false, code: 'window' }]);
    await outbox.send('a', ['x']);
    expect(adapter.sent).toEqual([]);
    expect(sleeps).toEqual([]);
  });

  it('keeps the order of one address\'s messages across sends', async () => {
    const { adapter, outbox } = setup([]);
    await Promise.all([outbox.send('a', ['1', '2']), outbox.send('a', ['3']), outbox.send('b', ['x'])]);
    expect(adapter.sent.filter(([a]) => a === 'a').map(([, m]) => m)).toEqual(['1', '2', '3']);
  });

  it('spaces sends to one address by the per-address rate', async () => {
    const { outbox, sleeps } = setup([], { perSecond: 30, perAddressPerSecond: 1 });
    await outbox.send('a', ['1', '2', '3']);
    expect(sleeps.filter((s) => s >= 900).length).toBe(2);
  });
});
