/**
 * Store contract, durable edges role (issue #11, item 4): the inbox keeps inbound events from the webhook's
 * 200 to their turn's commit, the outbox keeps replies from that commit until sent; left-overs are taken by
 * their owner's next run, or by anyone once stale. Runs on every store (tests/helpers/stores.ts).
 */
import type { InboxItem, OutboxItem, Store } from '../../src/store/port';
import { describeContract } from './helpers';
import { SessionConflictError } from '../../src/store/port';

const T0 = 1_700_000_000_000;
const inbox = (id: string, owner = 'a', at = T0): InboxItem => ({ id, channel: 'telegram', data: `sealed-${id}`, at, owner });
const outbox = (id: string, turn: string, owner = 'a', at = T0): OutboxItem => ({ id, sessionKey: `s-${turn}`, channel: 'telegram', data: `reply-${id}`, at, owner, turn });
const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id);
const own = (owner: string, staleBefore = T0 - 1) => ({ owner, own: true, staleBefore });

let store: Store;
describeContract('durable edges', (s) => { store = s; }, () => {

  it('stores an inbound event once: a redelivery while it waits is refused', async () => {
    expect(await store.inboxAdd(inbox('m1'))).toBe(true);
    expect(await store.inboxAdd({ ...inbox('m1'), data: 'again' })).toBe(false);
    const left = await store.inboxTake(own('a'));
    expect(left).toEqual([inbox('m1')]);
    await store.inboxDone('m1');
    expect(await store.inboxTake(own('a'))).toEqual([]);
  });

  it('gives left-over events back in the order they arrived, concurrent ones included', async () => {
    await Promise.all(['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => store.inboxAdd(inbox(id))));
    await store.inboxAdd(inbox('e6', 'a', T0 + 5));
    expect(ids(await store.inboxTake(own('a')))).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  });

  it("an instance takes its own previous run's rows, and another's only once stale; a row is taken by one instance", async () => {
    await store.inboxAdd(inbox('mine', 'a', T0 + 100));
    await store.inboxAdd(inbox('fresh-of-b', 'b', T0 + 100));
    await store.inboxAdd(inbox('stale-of-b', 'b', T0 - 10));
    // At start: own rows whatever their age, plus others' stale ones (in order of time, then of arrival).
    expect(ids(await store.inboxTake(own('a', T0)))).toEqual(['stale-of-b', 'mine']);
    // A sweep takes only others' stale rows, never this instance's own (in flight).
    expect(ids(await store.inboxTake({ owner: 'a', own: false, staleBefore: T0 + 50 }))).toEqual([]);
    expect(ids(await store.inboxTake({ owner: 'c', own: false, staleBefore: T0 + 200 }))).toEqual(['stale-of-b', 'mine', 'fresh-of-b']);
    // Now owned by c: b's next start finds nothing of its own.
    expect(ids(await store.inboxTake(own('b', 0)))).toEqual([]);
    expect((await store.inboxTake(own('c'))).every((r) => r.owner === 'c')).toBe(true);
  });

  it('a committed turn removes its inbox row and keeps its reply in the same write', async () => {
    await store.inboxAdd(inbox('m1'));
    await store.commitTurn({ sessionKey: 's-m1', session: { data: '{}', expiresAt: T0 + 3_600_000 }, processedKey: 'm1', at: T0, expectVersion: 0, inboxId: 'm1', outbound: outbox('r1', 'm1') });
    expect(await store.inboxTake(own('a'))).toEqual([]);
    expect(await store.outboxTake(own('a'))).toEqual([outbox('r1', 'm1')]);
    await store.outboxDone('r1');
    expect(await store.outboxTake(own('a'))).toEqual([]);
    expect(await store.wasProcessed('m1')).toBe(true);
  });

  it('a stale turn keeps neither its reply nor the removal of its inbox row', async () => {
    await store.inboxAdd(inbox('m2'));
    await store.commitTurn({ sessionKey: 's-m2', session: { data: '{}', expiresAt: T0 + 3_600_000 }, at: T0, expectVersion: 0 });
    await expect(store.commitTurn({ sessionKey: 's-m2', session: { data: '{"x":1}', expiresAt: T0 + 3_600_000 }, processedKey: 'm2', at: T0, expectVersion: 0, inboxId: 'm2', outbound: outbox('r2', 'm2') }))
      .rejects.toBeInstanceOf(SessionConflictError);
    expect(ids(await store.inboxTake(own('a')))).toEqual(['m2']);
    expect(await store.outboxTake(own('a'))).toEqual([]);
  });

  it('gives left-over replies back in order, and never one whose turn did not commit', async () => {
    for (const [i, r] of ['r1', 'r2', 'r3'].entries()) {
      await store.commitTurn({ sessionKey: `s-t${i}`, session: { data: '{}', expiresAt: T0 + 3_600_000 }, processedKey: `t${i}`, at: T0 + i, outbound: outbox(r, `t${i}`, 'a', T0 + i) });
    }
    expect(ids(await store.outboxTake(own('a')))).toEqual(['r1', 'r2', 'r3']);
    // A deletion ("xóa dữ liệu") keeps its own reply too.
    await store.commitTurn({ sessionKey: 's-t0', processedKey: 'del', at: T0 + 9, outbound: outbox('bye', 'del', 'a', T0 + 9) });
    expect(ids(await store.outboxTake(own('a')))).toEqual(['r1', 'r2', 'r3', 'bye']);
    expect(await store.getSession('s-t0')).toBeNull();
  });
});
