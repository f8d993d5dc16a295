/** The web chat's HTTP API on a real server: good requests, hostile payloads, headers. */
import { testApp, type TestApp } from './helpers/app';
import { serve } from './helpers/server';
import { CONSULAR, ENGLISH_FOLLOW_UP, ENGLISH_QUESTION, firstNumber, isEnglish, TRAPPED } from './helpers/competence';

let t: TestApp;
let srv: { url: string; close: () => Promise<void> };
beforeAll(async () => { t = await testApp(); srv = await serve(t.app); });
afterAll(async () => { await srv.close(); await t.close(); });

const client = 'c'.repeat(32);
let n = 0;
const post = (body: unknown, raw?: string, type = 'application/json') => fetch(`${srv.url}/api/chat`, {
  method: 'POST', headers: { 'content-type': type }, body: raw ?? JSON.stringify(body),
});
const msg = (extra: Record<string, unknown>) => ({ client, id: `id${++n}abcdefgh`, ...extra });

describe('web chat API', () => {
  it('answers a message with replies and choices', async () => {
    const res = await post(msg({ start: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body.replies[0].text).toMatch(/Bình An/);
    expect(body.replies.some((r: { choices?: unknown[] }) => (r.choices ?? []).length > 0)).toBe(true);
  });

  it('takes a quick exit\'s "left" notice (204, nothing else), and refuses a malformed one', async () => {
    const leave = (body: string) => fetch(`${srv.url}/api/chat/leave`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await leave(JSON.stringify({ client }))).status).toBe(204);
    expect((await leave(JSON.stringify({ client: 'x' }))).status).toBe(400);
    expect((await leave(JSON.stringify({ client, extra: 1 }))).status).toBe(400);
    expect((await leave('{')).status).toBe(400);
  });

  it('serves the chat page with a strict CSP and no inline script', async () => {
    const res = await fetch(`${srv.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Thoát nhanh');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3)/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each([
    ['not JSON', undefined, 'this is {not json'],
    ['an array', [1, 2], undefined],
    ['no client', { id: 'abcdefgh1', text: 'hi' }, undefined],
    ['an object where a string belongs', msg({ text: { $gt: '' } }), undefined],
    ['two kinds of input', msg({ text: 'a', payload: 'b' }), undefined],
    ['unknown fields', msg({ text: 'a', admin: true }), undefined],
    ['a bad client id', { client: '../../etc', id: 'abcdefgh2', text: 'a' }, undefined],
  ])('refuses %s with a 4xx JSON error', async (_name, body, raw) => {
    const res = await post(body, raw);
    expect(res.status).toBe(400);
    expect(await res.json()).toHaveProperty('error');
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post(msg({ text: 'a'.repeat(70_000) }));
    expect(res.status).toBe(413);
  });

  it('refuses a non-JSON content type without crashing', async () => {
    const res = await post(undefined, 'text=hello', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
  });

  it.each([
    ['an empty message', ''],
    ['whitespace', '   \n\t '],
    ['emoji only', '😀😀🙏'],
    ['a 10,000-character message', 'a'.repeat(10_000)],
    ['binary junk', '\u0000\u0001\ufffd\ufffd\u0007\u001b[31m'],
    ['lone surrogates', '\ud800\udfff\ud800'],
    ['HTML and script', '<script>alert(1)</script>'],
  ])('answers %s politely', async (_name, text) => {
    const res = await post(msg({ text }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.replies.length).toBeGreaterThan(0);
    for (const r of body.replies) expect(typeof r.text).toBe('string');
  });

  it('answers unknown and forged button payloads politely', async () => {
    for (const payload of ['nonsense', 'tip.review:send', 'intent:hack', 'cmd:rm -rf', 'menu.main:zzz']) {
      const res = await post(msg({ payload }));
      expect(res.status).toBe(200);
      expect((await res.json()).replies.length).toBeGreaterThan(0);
    }
    const cases = await t.app.store.listCases();
    expect(cases).toEqual([]);
  });

  it('does not process a retried message twice', async () => {
    const id = 'retry-same-id-1';
    const a = await (await post({ client, id, text: 'menu' })).json();
    const b = await (await post({ client, id, text: 'menu' })).json();
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
  });

  it('has a health check', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    // From this machine, with its details (counts only); through a proxy only "ok".
    expect(await res.json()).toEqual({ ok: true, store: 'sqlite', live: { counsellorsOnDuty: 0, openChats: 0 }, limited: { conversation: 0, address: 0, tips: 0, global: 0 } });
    expect(await (await fetch(`${srv.url}/healthz`, { headers: { 'X-Forwarded-For': '203.0.113.5' } })).json()).toEqual({ ok: true });
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
  });

  it('answers a crisis with its own first answer and an English speaker in English, like every channel', async () => {
    const text = async (client: string, t: string): Promise<string> => ((await (await post({ client, id: `id${++n}abcdefgh`, text: t })).json()).replies as { text: string }[]).map((r) => r.text).join('\n');
    expect(firstNumber(await text('k'.repeat(32), TRAPPED))).toBe(CONSULAR);
    const en = 'e'.repeat(32);
    const first = await text(en, ENGLISH_QUESTION);
    expect(isEnglish(first)).toBe(true);
    const follow = await text(en, ENGLISH_FOLLOW_UP);
    expect(isEnglish(follow)).toBe(true);
    expect(follow).not.toBe(first);
  });
});
