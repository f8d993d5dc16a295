/**
 * Store contract, campaign subscriptions and broadcasts (issue #13): one sealed subscription per HMAC key (no link
 * to a session or tip), listed in key order, counted per channel without the expired; a broadcast's status moves
 * only from the states given; marks are written per batch with the cursor, a mark already there keeps its state,
 * and the counts come from the marks. Runs on every store.
 */
import type { CampaignSubscription, Store } from '../../src/store/port';
import { describeContract } from './helpers';

const sub = (key: string, channel: string, expiresAt: number | null = null): CampaignSubscription =>
  ({ key, channel, sealed: `sealed-${key}`, lang: 'vi', since: 1_000, expiresAt });

let store: Store;
describeContract('campaign subscriptions and broadcasts', (s) => { store = s; }, () => {

  it('keeps, replaces, lists in key order, counts per channel and deletes subscriptions', async () => {
    await store.putSubscription(sub('k3', 'telegram'));
    await store.putSubscription(sub('k1', 'messenger', 5_000));
    await store.putSubscription(sub('k2', 'telegram'));
    await store.putSubscription({ ...sub('k2', 'telegram'), lang: 'en', sealed: 'sealed-new' });
    expect(await store.getSubscription('k2')).toEqual({ key: 'k2', channel: 'telegram', sealed: 'sealed-new', lang: 'en', since: 1_000, expiresAt: null });
    expect((await store.listSubscriptions({ after: null, limit: 2 })).map((s) => s.key)).toEqual(['k1', 'k2']);
    expect((await store.listSubscriptions({ after: 'k2', limit: 10 })).map((s) => s.key)).toEqual(['k3']);
    expect(await store.countSubscriptions(4_000)).toEqual([{ channel: 'messenger', count: 1 }, { channel: 'telegram', count: 2 }]);
    expect(await store.countSubscriptions(6_000)).toEqual([{ channel: 'telegram', count: 2 }]);
    expect(await store.deleteSubscription('k2')).toBe(true);
    expect(await store.deleteSubscription('k2')).toBe(false);
    expect(await store.getSubscription('k2')).toBeNull();
  });

  it('runs a broadcast: status moves, marks per batch, settled once, counted', async () => {
    const b = await store.createBroadcast({ id: 'b1', campaign: 'teen_drugs', item: 'opening', createdBy: 'sup', at: '2026-12-01T01:00:00.000Z' });
    expect(b).toMatchObject({ status: 'draft', cursor: null, planned: false, counts: { queued: 0, sent: 0, skipped: 0, failed: 0 } });
    expect(await store.setBroadcastStatus('b1', ['running'], 'paused', '2026-12-01T01:01:00.000Z')).toBeNull();
    expect((await store.setBroadcastStatus('b1', ['draft'], 'running', '2026-12-01T01:01:00.000Z'))?.status).toBe('running');
    await store.markBroadcast('b1', 'k2', [{ key: 'k1', channel: 'messenger' }, { key: 'k2', channel: 'telegram' }], false);
    await store.settleMarks('b1', [{ key: 'k2', state: 'sent' }]);
    // The same batch again (a crash before the cursor moved): k2 stays sent.
    await store.markBroadcast('b1', 'k2', [{ key: 'k1', channel: 'messenger' }, { key: 'k2', channel: 'telegram' }], false);
    await store.markBroadcast('b1', 'k4', [{ key: 'k3', channel: 'telegram' }, { key: 'k4', channel: 'telegram' }], true);
    expect(await store.queuedMarks('b1', 'telegram', 10)).toEqual(['k3', 'k4']);
    expect(await store.queuedMarks('b1', 'telegram', 1)).toEqual(['k3']);
    expect(await store.queuedMarks('b1', 'messenger', 10)).toEqual(['k1']);
    await store.settleMarks('b1', [{ key: 'k1', state: 'skipped' }, { key: 'k3', state: 'failed' }, { key: 'k2', state: 'failed' }]);
    const got = await store.getBroadcast('b1');
    expect(got).toMatchObject({ cursor: 'k4', planned: true, counts: { queued: 1, sent: 1, skipped: 1, failed: 1 } });
    await store.createBroadcast({ id: 'b2', campaign: 'safe_migration', item: 'opening', createdBy: 'sup', at: '2026-12-01T02:00:00.000Z' });
    expect((await store.listBroadcasts(10)).map((x) => x.id)).toEqual(['b2', 'b1']);
    expect(await store.getBroadcast('nope')).toBeNull();
  });
});
