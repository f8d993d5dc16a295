/** The outbox: ordered delivery per address, bounded retries with backoff, retry-after, rate spacing. */
import { PLATFORM_CAPABILITIES } from '../src/channels/capabilities';
import { Writable } from 'node:stream';
import { Outbox, type OutboxOptions } from '../src/channels/outbox';
import { InboundQueue } from '../src/channels/inbound';
import { createLogger } from '../src/log';
import type { ChannelAdapter, SendAttempt } from '../src/channels/types';

function fakeAdapter(script: SendAttempt[], rate?: ChannelAdapter['rate']): ChannelAdapter & { sent: [string, unknown][] } {
  const sent: [string, unknown][] = [];
  return {
    name: 'telegram', capabilities: PLATFORM_CAPABILITIES, rate, sent,
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
    expect(outbox.stats).toEqual({ sent: 1, failed: 0, retried: 2, shed: 0, queued: 0 });
  });

  it('gives up after the bounded attempts, logs without content, and still sends the later parts', async () => {
    const fail = { ok: false, retryable: true, code: '502' };
    const { adapter, outbox, logs } = setup([fail, fail, fail, fail]);
    await outbox.send('a', ['bí mật một', 'bí mật hai']);
    expect(adapter.sent).toEqual([['a', 'bí mật hai']]);
    expect(outbox.stats).toEqual({ sent: 1, failed: 1, retried: 3, shed: 0, queued: 0 });
    const all = logs.join('');
    expect(all).toContain('send failed');
    expect(all).not.toContain('bí mật');
  });

  it('a part that fails for good (not retryable) drops only itself', async () => {
    const { adapter, outbox } = setup([{ ok: true }, { ok: false, retryable: false, code: 'bad_request' }, { ok: true }]);
    await outbox.send('a', ['1', '2', '3']);
    expect(adapter.sent).toEqual([['a', '1'], ['a', '3']]);
    expect(outbox.stats).toEqual({ sent: 2, failed: 1, retried: 0, shed: 0, queued: 0 });
  });

  it('does not try the rest of a reply to an address that cannot be reached (window closed, blocked)', async () => {
    const { adapter, outbox, logs } = setup([{ ok: true }, { ok: false, retryable: false, unreachable: true, code: 'window' }]);
    await outbox.send('a', ['1', '2', '3', '4']);
    expect(adapter.sent).toEqual([['a', '1']]);
    expect(outbox.stats).toEqual({ sent: 1, failed: 3, retried: 0, shed: 0, queued: 0 }); // the refused part and the two not tried
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

  describe('under a burst (bounded and fair)', () => {
    /** A platform that takes `ms` per send on a fake clock, recording when each part went out. */
    function timed(rate: ChannelAdapter['rate'], opts: OutboxOptions = {}) {
      let clock = 0;
      const log = createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } }));
      const sent: { address: string; msg: unknown; at: number }[] = [];
      const adapter: ChannelAdapter = {
        name: 'telegram', capabilities: PLATFORM_CAPABILITIES, rate, mount() {}, render: (m) => m,
        async sendOne(address, msg) { sent.push({ address, msg, at: clock }); return { ok: true }; },
      };
      // Each sleep also lets the event loop turn, so a test can act in the middle of a backlog.
      const outbox = new Outbox(adapter, log, { sleep: async (ms) => { const until = clock + ms; await new Promise((r) => setImmediate(r)); clock = Math.max(clock, until); }, now: () => clock, ...opts });
      return { outbox, sent, at: () => clock };
    }

    it('a new person\'s first reply goes ahead of a flooder\'s backlog', async () => {
      const { outbox, sent, at } = timed({ perSecond: 30, perAddressPerSecond: 1 });
      const backlog: Promise<void>[] = [];
      // 40 people each with 10 parts queued (400 parts: 13 s at 30/s); when 60 have gone, a newcomer writes.
      for (let i = 0; i < 40; i++) backlog.push(outbox.send(`flood${i}`, Array.from({ length: 10 }, (_, k) => `f${k}`)));
      let asked = -1;
      let first: Promise<void> | undefined;
      while (!first) {
        await new Promise((r) => setImmediate(r));
        if (sent.length >= 60) { asked = at(); first = outbox.send('newcomer', ['xin chào', 'phần 2']); }
      }
      expect(sent.length).toBeLessThan(100); // asked in the middle of the backlog
      await Promise.all([...backlog, first]);
      const mine = sent.filter((s) => s.address === 'newcomer');
      expect(mine.map((s) => s.msg)).toEqual(['xin chào', 'phần 2']);
      expect(mine[0].at - asked).toBeLessThan(100); // the next global slot, not after 11 s of backlog
      expect(mine[1].at - mine[0].at).toBeGreaterThanOrEqual(1000); // the per-address rate still holds
      // Everyone's parts stay in order.
      for (let i = 0; i < 40; i++) {
        expect(sent.filter((s) => s.address === `flood${i}`).map((s) => s.msg)).toEqual(Array.from({ length: 10 }, (_, k) => `f${k}`));
      }
    });

    it('round robin: a person with a long queue does not hold up the others', async () => {
      const { outbox, sent } = timed(undefined, { maxPerAddress: 100 });
      const a = outbox.send('a', Array.from({ length: 50 }, (_, k) => `a${k}`));
      const b = outbox.send('b', ['b0']); // queued while a waits: b is fresh, a is being served
      const c = outbox.send('a', ['a-more']);
      await Promise.all([a, b, c]);
      const order = sent.map((s) => s.address);
      expect(order.indexOf('b')).toBeLessThan(5);
      expect(sent.filter((s) => s.address === 'a').at(-1)?.msg).toBe('a-more');
    });

    it('caps one person\'s queue and the whole queue; a shed reply becomes one "too busy" notice', async () => {
      const { outbox, sent } = timed({ perSecond: 10, perAddressPerSecond: 1 }, { maxPerAddress: 5, maxWaitS: 2 }); // overall cap: 20 parts
      const notice = () => ['quá tải'];
      const p: Promise<void>[] = [];
      p.push(outbox.send('a', ['1', '2', '3', '4'], { notice }));
      p.push(outbox.send('a', ['5', '6'], { notice })); // over a's cap (4 + 2 > 5): shed, and a already waits: no notice
      for (let i = 0; i < 4; i++) p.push(outbox.send(`p${i}`, ['x', 'y', 'z', 'w'], { notice })); // 4 + 16 = 20: full
      p.push(outbox.send('late', ['answer'], { notice })); // over the overall cap, nothing waiting: the notice instead
      expect(outbox.stats.queued).toBeLessThanOrEqual(21);
      await Promise.all(p);
      expect(sent.filter((s) => s.address === 'a').map((s) => s.msg)).toEqual(['1', '2', '3', '4']);
      expect(sent.filter((s) => s.address === 'late').map((s) => s.msg)).toEqual(['quá tải']);
      expect(outbox.stats.shed).toBe(3);
      expect(outbox.stats.queued).toBe(0);
    });

    it('a retrying person does not hold up the others', async () => {
      let clock = 0;
      const log = createLogger('error', new Writable({ write(_c, _e, cb) { cb(); } }));
      const sent: [string, number][] = [];
      let failures = 3;
      const adapter: ChannelAdapter = {
        name: 'telegram', capabilities: PLATFORM_CAPABILITIES, mount() {}, render: (m) => m,
        async sendOne(address) {
          if (address === 'slow' && failures-- > 0) return { ok: false, retryable: true, retryAfterMs: 5000, code: '429' };
          sent.push([address, clock]);
          return { ok: true };
        },
      };
      const outbox = new Outbox(adapter, log, { sleep: async (ms) => { clock += ms; }, now: () => clock });
      await Promise.all([outbox.send('slow', ['s']), outbox.send('quick', ['q'])]);
      expect(sent[0]).toEqual(['quick', 0]);
      expect(sent[1][0]).toBe('slow');
      expect(sent[1][1]).toBeGreaterThanOrEqual(15_000);
    });
  });
});

describe('inbound queue (bounded and fair)', () => {
  it('runs one person\'s events in order, a newcomer ahead of a backlog, and refuses beyond a person\'s cap', async () => {
    const ran: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => { release = r; });
    const q = new InboundQueue<string>(async (item) => { ran.push(item); await gate; }, { concurrency: 1, maxPerPerson: 3 });
    expect(q.push('flood', 'f0')).toBe(true); // runs at once and holds the only slot
    for (let i = 1; i <= 3; i++) expect(q.push('flood', `f${i}`)).toBe(true);
    expect(q.push('flood', 'f4')).toBe(false); // over the cap of 3 waiting
    expect(q.push('newcomer', 'n0')).toBe(true);
    const step = async () => { const r = release; gate = new Promise<void>((res) => { release = res; }); r(); await new Promise((s) => setImmediate(s)); };
    for (let i = 0; i < 5; i++) await step();
    await q.drain();
    expect(ran).toEqual(['f0', 'n0', 'f1', 'f2', 'f3']);
    expect(q.stats).toEqual({ run: 5, refused: 1, waiting: 0, overloaded: 0 });
  });
});
