/**
 * Helpers for the liaison API tests: officers made directly in the store, an HTTP client that keeps
 * the session cookie and the CSRF token, tips filed through the case service, and a server with an
 * injected clock.
 *
 * Password hashing uses scrypt N=1024 in the tests (BINHAN_SCRYPT_N, read once at the first hash),
 * instead of the production 2^15, to keep the suite fast.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { Category, NewCase, Officer, Role, TipFields } from '../../src/store/port';
import type { App } from '../../src/app/index';
import { hashPassword } from '../../src/liaison/password';
import { createLiaisonRouter, type LiaisonOptions } from '../../src/liaison/router';
import { testApp, type TestApp } from './app';
import { storeFactories } from './stores';

process.env.BINHAN_SCRYPT_N ??= '1024';

export const PASSWORD = 'correct horse battery staple';

export async function makeOfficer(app: App, o: { username: string; role: Role; province?: string | null; displayName?: string; password?: string; mustChangePassword?: boolean; disabled?: boolean }): Promise<Officer> {
  const created = await app.store.createOfficer({
    username: o.username, displayName: o.displayName ?? o.username, role: o.role, province: o.province ?? null,
    passwordHash: await hashPassword(o.password ?? PASSWORD), mustChangePassword: o.mustChangePassword ?? false,
  });
  if (o.disabled) return (await app.store.updateOfficer(created.id, { disabled: true }))!;
  return created;
}

let tipSeq = 0;
const REF = 'ACDEFGHJKLMNPQRTUVWXY3479';

/** Files a tip through the case service (what the bot does), with plaintext fields; returns the stored (sealed) record. */
export async function addTip(app: App, fields: Partial<TipFields> & { category?: Category } = {}, extra: Partial<NewCase> = {}) {
  const n = ++tipSeq;
  let ref = 'BA-';
  for (const b of randomBytes(6)) ref += REF[b % REF.length];
  const res = await app.cases.createTip({
    idempotencyKey: createHash('sha256').update(`test-tip:${n}:${randomBytes(8).toString('hex')}`).digest('hex'),
    ref,
    secretHash: createHash('sha256').update(`secret:${n}`).digest('hex'),
    priority: 'normal', channel: 'web', lang: 'vi',
    fields: { category: 'drugs', province: 'Nghệ An', what: `Tin báo thử số ${n} về một việc ở chợ.`, inDanger: 'no', ...fields },
    ...extra,
  });
  // Read again: linking related tips may have updated it after creation.
  return (await app.store.getCase(res.case.id))!;
}

export interface Res<T = any> { status: number; body: T; headers: Headers; text: string; bytes: Buffer }

/** An HTTP client for /api/liaison that keeps its cookie and CSRF token like a browser page would. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  /** `from`: the client address a trusted proxy reports (X-Forwarded-For; the app needs TRUST_PROXY). */
  constructor(readonly base: string, readonly from?: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, opts: { csrf?: string | null; raw?: string; type?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...(this.from ? { 'x-forwarded-for': this.from } : {}), ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    if (body !== undefined || opts.raw !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const res = await fetch(`${this.base}/api/liaison${path}`, { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      const value = pair.slice(pair.indexOf('=') + 1);
      this.cookie = value ? pair : undefined;
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    // Decoded as is, keeping a byte-order mark (res.text() would drop it).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers, text, bytes };
  }

  get<T = any>(path: string) { return this.request<T>('GET', path); }
  post<T = any>(path: string, body?: unknown, opts?: { csrf?: string | null }) { return this.request<T>('POST', path, body, opts); }
  patch<T = any>(path: string, body?: unknown, opts?: { csrf?: string | null }) { return this.request<T>('PATCH', path, body, opts); }

  async login(username: string, password = PASSWORD): Promise<Res> {
    const res = await this.post('/login', { username, password });
    if (res.status === 200) this.csrf = res.body.csrfToken;
    return res;
  }
}

/** The liaison router alone on a loopback port, with options (an injected clock, limits). */
export async function serveLiaison(app: App, opts: LiaisonOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const web = express();
  web.set('trust proxy', app.config.trustProxy);
  web.use('/api/liaison', createLiaisonRouter(app, opts));
  const server: Server = await new Promise((resolve) => { const s = web.listen(0, '127.0.0.1', () => resolve(s)); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The stores to run the API against: SQLite always, MongoDB too when MONGODB_URI is set. */
export const backends = storeFactories.map((f) => f.name);

/** A test app on the named backend (SQLite: the app's own file in its DATA_DIR). */
export async function appOn(backend: string): Promise<TestApp> {
  if (backend === 'sqlite') return testApp();
  const factory = storeFactories.find((f) => f.name === backend)!;
  const { store, cleanup } = await factory.open();
  // app.close() closes the store; then the test database is dropped (cleanup closes again: a no-op).
  const realClose = store.close.bind(store);
  let closed = false;
  store.close = async () => {
    if (closed) return;
    closed = true;
    await realClose();
    await cleanup();
  };
  return testApp({}, () => store);
}
