/**
 * The actions a flow's action node may request (src/actions/), each through the registry's runner with a
 * real store (SQLite; MongoDB too when MONGODB_URI is set). Like goflow's action tests: every registered
 * action must have its tests here, or this file fails.
 */
import { CLI_CAPABILITIES, PLATFORM_CAPABILITIES, WEB_CAPABILITIES } from '../src/channels/capabilities';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { ACTION_NAMES, ACTIONS, ActionRunner, type ActionResult, type ActionServices, type TurnContext } from '../src/actions/index';
import { VOCABULARY } from '../src/app/vocabulary';
import { FieldCipher } from '../src/cases/cipher';
import { CaseService } from '../src/cases/service';
import { NotificationRegistry } from '../src/channels/notify';
import { SubscriptionRegistry } from '../src/campaigns/subscriptions';
import { LiveDesk } from '../src/live/desk';
import { createLogger } from '../src/log';
import type { Store } from '../src/store/port';
import { core } from './helpers/core';
import { storeFactories, type StoreFactory } from './helpers/stores';

interface Harness {
  store: Store;
  services: Required<ActionServices>;
  cipher: FieldCipher;
  logs: string[];
  /** Runs an action through the registry, in a turn of `turn` (default: a Telegram conversation). */
  run(name: string, args?: Record<string, unknown>, turn?: Partial<TurnContext>): Promise<ActionResult>;
  cleanup(): Promise<void>;
}

const TURN: TurnContext = { sessionKey: 'session-a', channel: 'telegram', address: 'tg-user-42', lang: 'vi', runId: 'run-1', now: Date.UTC(2026, 5, 1, 3), capabilities: PLATFORM_CAPABILITIES };

async function harness(factory: StoreFactory): Promise<Harness> {
  const { store, cleanup } = await factory.open();
  const logs: string[] = [];
  const log = createLogger('debug', new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }));
  const cipher = new FieldCipher({ active: 'k1', keys: { k1: randomBytes(32) } });
  const services = {
    store, key: randomBytes(32), log, cases: new CaseService(store, cipher, log),
    notifications: new NotificationRegistry(store, cipher), live: new LiveDesk(), subscriptions: undefined as unknown as SubscriptionRegistry,
  };
  services.subscriptions = new SubscriptionRegistry(store, cipher, services.key);
  const runner = new ActionRunner(services);
  return {
    store, services, cipher, logs,
    run: (name, args = {}, turn = {}) => runner.run(name, args, { ...TURN, ...turn }),
    cleanup,
  };
}

/** The tip flow's variables at its review, as the engine passes them (with variables that are not arguments). */
const TIP_VARS = {
  category: 'drugs', province: 'Nghệ An', place: 'gần chợ xã', when: 'ongoing', when_date: undefined,
  what: 'Có một nhóm người bán ma túy ở quán nước đầu hẻm vào mỗi tối.', involved: '', in_danger: 'no', contact_mode: 'none', contact: '',
  thread: { topic: 'drugs' }, lang: 'vi',
};

/** Files a tip and checks it with its code and secret in the session: what a follow-up has in its variables. */
async function filedAndChecked(h: Harness, turn: Partial<TurnContext> = {}): Promise<{ ref: string; secret: string; grant: string }> {
  const filed = await h.run('create_case', TIP_VARS, { sessionKey: 'reporter-session', runId: 'tip-run' });
  const ref = filed.once!.ref as string;
  const secret = (filed.once!.secret as string).replace(/ /g, '');
  const checked = await h.run('check_case', { ref, secret }, turn);
  expect(checked.ok).toBe(true);
  return { ref, secret, grant: checked.data!.grant as string };
}

/** Every registered action's tests, by action name. */
const actionTests: Record<string, (h: () => Harness) => void> = {
  create_case(h) {
    it('stores the tip with its free text sealed, and gives the code and the secret once', async () => {
      const res = await h().run('create_case', TIP_VARS);
      expect(res).toMatchObject({ ok: true, data: { ref: expect.stringMatching(/^BA-[A-Z2-9]{6}$/) } });
      expect(res.data).toEqual({ ref: res.once!.ref });
      expect(res.once!.secret).toMatch(/^\d{4} \d{4} \d{4}$/);
      const stored = (await h().store.getCaseByRef(res.data!.ref as string))!;
      expect(stored).toMatchObject({ status: 'new', priority: 'normal', channel: 'telegram', lang: 'vi' });
      // Only the tip's fields are kept: no flow variable that is not one, nothing of the channel identity.
      expect(Object.keys(stored.fields).sort()).toEqual(['category', 'inDanger', 'place', 'province', 'what', 'when']);
      expect(stored.fields.what).toMatch(/^enc:v1:k1:/);
      expect(JSON.stringify(stored)).not.toMatch(/ma túy|tg-user-42/);
      expect(h().cipher.openFields(stored.fields)).toEqual({
        category: 'drugs', province: 'Nghệ An', place: 'gần chợ xã', when: 'ongoing', what: TIP_VARS.what, inDanger: 'no',
      });
      expect(stored.secretHash).not.toContain((res.once!.secret as string).replace(/ /g, ''));
    });

    it('gives the same case, code and secret to a retried submission of the same run; a new run is a new tip', async () => {
      const first = await h().run('create_case', TIP_VARS);
      const again = await h().run('create_case', TIP_VARS);
      expect(again).toEqual(first);
      const next = await h().run('create_case', TIP_VARS, { runId: 'run-2' });
      expect(next.data!.ref).not.toBe(first.data!.ref);
      expect(await h().store.listCases()).toHaveLength(2);
    });

    it('makes a tip urgent when someone is in danger now', async () => {
      const res = await h().run('create_case', { ...TIP_VARS, in_danger: 'yes' });
      expect((await h().store.getCaseByRef(res.data!.ref as string))!.priority).toBe('urgent');
    });

    it('refuses a tip with missing or invalid fields, stores nothing and logs only the fields’ names', async () => {
      expect(await h().run('create_case', { ...TIP_VARS, what: '   ' })).toEqual({ ok: false, data: { reason: 'invalid' } });
      expect(await h().run('create_case', { ...TIP_VARS, category: 'weapons' })).toEqual({ ok: false, data: { reason: 'invalid' } });
      expect(await h().store.listCases()).toHaveLength(0);
      const warning = h().logs.find((l) => l.includes('invalid arguments'))!;
      expect(warning).toContain('what');
      expect(h().logs.join('')).not.toContain('ma túy');
    });
  },

  check_case(h) {
    it('tells the status and the officers’ questions to the right code and secret, with a grant for this session', async () => {
      const { ref, secret } = await filedAndChecked(h());
      const c = (await h().store.getCaseByRef(ref))!;
      await h().services.cases.askReporter({ id: 'officer-1', role: 'officer', province: null }, c.id, 'Quán mở đến mấy giờ?');
      const res = await h().run('check_case', { ref, secret });
      expect(res).toEqual({ ok: true, data: { status: 'new', questions: '• Quán mở đến mấy giờ?', grant: expect.any(String) } });
      const other = await h().run('check_case', { ref, secret }, { sessionKey: 'session-b' });
      expect(other.data!.grant).not.toBe(res.data!.grant);
    });

    it('answers an unknown code and a wrong secret alike, and locks the session after 5 failures', async () => {
      const { ref, secret } = await filedAndChecked(h());
      expect(await h().run('check_case', { ref, secret: '000000000000' })).toEqual({ ok: false, data: { reason: 'not_found' } });
      expect(await h().run('check_case', { ref: 'BA-ZZZZZZ', secret })).toEqual({ ok: false, data: { reason: 'not_found' } });
      expect(await h().run('check_case', {})).toEqual({ ok: false, data: { reason: 'not_found' } });
      for (let i = 0; i < 2; i++) await h().run('check_case', { ref, secret: '111111111111' });
      expect(await h().run('check_case', { ref, secret })).toEqual({ ok: false, data: { reason: 'locked' } });
      // Another session may still try this code (its own limit, and the code's free tries, are not used up).
      expect((await h().run('check_case', { ref, secret }, { sessionKey: 'session-b' })).ok).toBe(true);
    });

    it('makes a code guessed from many sessions wait (doubling, at most 10 minutes), never locking out its reporter', async () => {
      const { ref, secret } = await filedAndChecked(h());
      const t0 = Date.UTC(2026, 5, 1, 3);
      for (let i = 0; i < 12; i++) await h().run('check_case', { ref, secret: `9999999999${String(i).padStart(2, '0')}` }, { sessionKey: `guesser-${i}`, now: t0 + i * 1000 });
      // The real reporter, right away: asked to wait, even with the right secret.
      expect(await h().run('check_case', { ref, secret }, { sessionKey: 'reporter', now: t0 + 13_000 })).toEqual({ ok: false, data: { reason: 'wait' } });
      // After at most 10 minutes, the right secret works.
      expect((await h().run('check_case', { ref, secret }, { sessionKey: 'reporter', now: t0 + 11_000 + 10 * 60_000 + 1000 })).ok).toBe(true);
    });
  },

  add_case_info(h) {
    it('adds the reporter’s answer to the tip, sealed, after a check in this session', async () => {
      const { ref, grant } = await filedAndChecked(h());
      const res = await h().run('add_case_info', { ref, info: `  Quán mở đến 11 giờ đêm. ${'x'.repeat(2100)}`, result: { status: 'new', grant } });
      expect(res).toEqual({ ok: true });
      const c = (await h().store.getCaseByRef(ref))!;
      expect(c.messages).toHaveLength(1);
      expect(c.messages[0].text).toMatch(/^enc:v1:/);
      const text = h().cipher.openMessage(c.messages[0]).text;
      expect(text.startsWith('Quán mở đến 11 giờ đêm.')).toBe(true);
      expect(text).toHaveLength(2000);
      expect(c.history.at(-1)).toMatchObject({ by: 'reporter', action: 'answer' });
    });

    it('refuses without this session’s grant, or with nothing to add', async () => {
      const { ref, grant } = await filedAndChecked(h());
      expect(await h().run('add_case_info', { ref, info: 'thêm' })).toEqual({ ok: false });
      expect(await h().run('add_case_info', { ref, info: 'thêm', result: { grant } }, { sessionKey: 'session-b' })).toEqual({ ok: false });
      expect(await h().run('add_case_info', { ref, info: '   ', result: { grant } })).toEqual({ ok: false });
      expect(await h().run('add_case_info', { ref, info: 'thêm', result: 'not a result' })).toEqual({ ok: false });
      expect((await h().store.getCaseByRef(ref))!.messages).toHaveLength(0);
    });
  },

  delete_data(h) {
    it('deletes the conversation’s session and its failed follow-up attempts, and asks for the session not to be saved', async () => {
      const { store } = h();
      await store.saveSession(TURN.sessionKey, 'sealed', TURN.now + 60_000);
      await store.saveSession('session-b', 'sealed', TURN.now + 60_000);
      await store.recordAttempt(`s:${TURN.sessionKey}`, TURN.now);
      expect(await h().run('delete_data', { anything: 'ignored' })).toEqual({ ok: true, deleteSession: true });
      expect(await store.getSession(TURN.sessionKey)).toBeNull();
      expect(await store.countAttempts(`s:${TURN.sessionKey}`, 0)).toBe(0);
      expect(await store.getSession('session-b')).not.toBeNull();
    });
  },

  request_human(h) {
    it('says honestly that nobody is on duty', async () => {
      expect(await h().run('request_human')).toEqual({ ok: false, data: { reason: 'none_on_duty' } });
      expect(h().services.live.chatOf(TURN.sessionKey)).toBeUndefined();
    });

    it('opens a live chat when a counsellor is on duty, never on the command line', async () => {
      const desk = h().services.live;
      desk.connect('counsellor-1');
      desk.setDuty('counsellor-1', true);
      expect(await h().run('request_human', {}, { channel: 'cli', capabilities: CLI_CAPABILITIES })).toEqual({ ok: false, data: { reason: 'none_on_duty' } });
      expect(await h().run('request_human')).toEqual({ ok: true });
      expect(desk.chatOf(TURN.sessionKey)).toMatchObject({ channel: 'telegram', lang: 'vi', state: 'waiting' });
      desk.shutdown();
    });
  },

  notify_opt_in(h) {
    it('keeps this channel’s address, sealed, for the tip just filed', async () => {
      const filed = await h().run('create_case', TIP_VARS);
      const ref = filed.data!.ref as string;
      expect(await h().run('notify_opt_in', { ...TIP_VARS, case: filed.data })).toEqual({ ok: true });
      expect(await h().services.notifications.lookup(ref)).toEqual({ channel: 'telegram', address: 'tg-user-42', lang: 'vi' });
      expect(await h().store.getNotification(ref)).not.toContain('tg-user-42');
    });

    it('refuses on a channel that cannot push, and without a filed tip', async () => {
      const filed = await h().run('create_case', TIP_VARS);
      expect(await h().run('notify_opt_in', { case: filed.data }, { channel: 'web', capabilities: WEB_CAPABILITIES })).toEqual({ ok: false, data: { reason: 'unsupported' } });
      expect(await h().run('notify_opt_in', {})).toEqual({ ok: false, data: { reason: 'invalid' } });
      expect(await h().services.notifications.lookup(filed.data!.ref as string)).toBeNull();
    });
  },

  notify_opt_out(h) {
    it('turns the notifications off after a check in this session, and only then', async () => {
      const { ref, grant } = await filedAndChecked(h());
      await h().services.notifications.subscribe(ref, { channel: 'telegram', address: 'tg-user-42', lang: 'vi' });
      expect(await h().run('notify_opt_out', { ref })).toEqual({ ok: false });
      expect(await h().run('notify_opt_out', { ref, result: { grant } }, { sessionKey: 'session-b' })).toEqual({ ok: false });
      expect(await h().services.notifications.lookup(ref)).not.toBeNull();
      expect(await h().run('notify_opt_out', { ref, result: { grant } })).toEqual({ ok: true });
      expect(await h().services.notifications.lookup(ref)).toBeNull();
    });
  },

  campaign_subscribe(h) {
    it('keeps a Telegram address sealed, under a key that is not the session’s, with no link to the session', async () => {
      expect(await h().run('campaign_subscribe')).toEqual({ ok: true, data: { reason: 'subscribed' } });
      const [sub] = await h().store.listSubscriptions({ after: null, limit: 10 });
      expect(sub).toMatchObject({ channel: 'telegram', lang: 'vi', since: TURN.now, expiresAt: null });
      expect(JSON.stringify(sub)).not.toMatch(/tg-user-42|session-a/);
      expect(sub.key).toBe(h().services.subscriptions.keyOf('telegram', 'tg-user-42'));
      expect(h().services.subscriptions.open(sub)).toMatchObject({ address: 'tg-user-42', permit: {} });
      // Again: still one subscription.
      await h().run('campaign_subscribe', {}, { lang: 'en' });
      expect(await h().store.listSubscriptions({ after: null, limit: 10 })).toHaveLength(1);
    });

    it('keeps nothing on the web chat, and says when the platform needs its own opt-in (Messenger, Zalo)', async () => {
      expect(await h().run('campaign_subscribe', {}, { channel: 'web', capabilities: WEB_CAPABILITIES })).toEqual({ ok: false, data: { reason: 'unsupported' } });
      expect(await h().run('campaign_subscribe', {}, { channel: 'cli', capabilities: CLI_CAPABILITIES })).toEqual({ ok: false, data: { reason: 'unsupported' } });
      expect(await h().run('campaign_subscribe', {}, { channel: 'messenger' })).toEqual({ ok: false, data: { reason: 'platform' } });
      expect(await h().run('campaign_subscribe', {}, { channel: 'zalo' })).toEqual({ ok: false, data: { reason: 'platform' } });
      expect(await h().store.listSubscriptions({ after: null, limit: 10 })).toEqual([]);
    });
  },

  campaign_unsubscribe(h) {
    it('deletes the subscription of this person on this channel, and answers alike when there was none', async () => {
      await h().run('campaign_subscribe');
      await h().services.subscriptions.subscribe({ channel: 'telegram', address: 'someone-else', lang: 'vi', now: 1 });
      expect(await h().run('campaign_unsubscribe')).toEqual({ ok: true, data: { was: true } });
      expect(await h().run('campaign_unsubscribe')).toEqual({ ok: true, data: { was: false } });
      expect(await h().services.subscriptions.isSubscribed('telegram', 'tg-user-42')).toBe(false);
      expect(await h().services.subscriptions.isSubscribed('telegram', 'someone-else')).toBe(true);
    });
  },
};

describe('the action registry', () => {
  it.each([...ACTION_NAMES])('has tests for %s', (name) => {
    expect(Object.keys(actionTests)).toContain(name);
  });

  it('has no tests for actions it does not have, and no name twice', () => {
    expect(Object.keys(actionTests).sort()).toEqual([...ACTION_NAMES].sort());
    expect(new Set(ACTION_NAMES).size).toBe(ACTIONS.length);
  });

  it('is the list of actions flows may name, and each is named by a flow', () => {
    expect(Object.keys(VOCABULARY.actions)).toEqual(ACTION_NAMES);
    const named = new Set([...core().bundle.flows.values()].flatMap((f) => [...f.nodes.values()].flatMap((n) => (n.type === 'action' ? [n.action] : []))));
    expect([...named].sort()).toEqual([...ACTION_NAMES].sort());
  });
});

describe.each(storeFactories)('actions on $name', (factory) => {
  let current: Harness;
  beforeEach(async () => { current = await harness(factory); });
  afterEach(async () => { await current.cleanup(); });

  for (const [name, tests] of Object.entries(actionTests)) describe(name, () => tests(() => current));

  describe('the runner', () => {
    it('refuses an unknown action', async () => {
      expect(await current.run('launch_rockets')).toEqual({ ok: false });
    });

    it('turns a failure of the store into "unavailable", logged without the tip', async () => {
      const failing = new ActionRunner({ ...current.services, cases: { createTip: () => Promise.reject(new Error('disk full')) } as unknown as CaseService });
      expect(await failing.run('create_case', TIP_VARS, TURN)).toEqual({ ok: false, data: { reason: 'unavailable' } });
      expect(current.logs.find((l) => l.includes('action failed'))).toMatch(/create_case.*disk full|disk full.*create_case/);
    });
  });
});
