/** The HTTP server: the anonymous web chat page, the web chat's edge (src/channels/web/), the officers' API, health and metrics. */
import express, { type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { App } from '../app/index.js';
import { createLiaisonRouter } from '../liaison/router.js';
import type { Channels } from '../channels/index.js';
import { webChatRouter } from '../channels/web/index.js';
import { resultsRouter } from './results.js';
import { OFFICER_FIELDS } from '../cases/tip-fields.js';
import { labelsModule } from '../cases/labels.js';
import { type SendStats, createMetrics } from '../app/metrics.js';

export function createServer(app: App, channels?: Channels): express.Express {
  const web = express();
  web.disable('x-powered-by');
  // The client's address (abuse limits, sign-in limits) and HTTPS (Secure cookies) as the trusted proxy says.
  web.set('trust proxy', app.config.trustProxy);
  web.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"], fontSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'none'"], frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  }));

  // Health: /healthz says the process is alive, /readyz that the database answers in time; their details and
  // /metrics only to this machine (no proxy in between) or with HEALTH_TOKEN. Counts only, never ids or text.
  const sendStats = (): Record<string, SendStats> =>
    (channels ? Object.fromEntries([...channels.dispatchers].map(([name, d]) => [name, { ...d.outbox.stats, inboundWaiting: d.inbound.stats.waiting, inboundOverloaded: d.inbound.stats.overloaded }])) : {});
  const metrics = createMetrics(app.bot, app.limits, app.live, sendStats);
  const insider = (req: Request): boolean => {
    const token = app.config.healthToken;
    if (token && req.get('authorization') === `Bearer ${token}`) return true;
    const from = req.socket.remoteAddress ?? '';
    return ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(from) && req.get('x-forwarded-for') === undefined;
  };
  const details = (): Record<string, unknown> => {
    const sends = sendStats();
    const live = { counsellorsOnDuty: app.live.desk.onDutyCount(), openChats: app.live.desk.openCount() };
    return { store: app.store.kind, live, limited: { ...app.limits.refused }, ...(Object.keys(sends).length ? { sends } : {}) };
  };
  web.get('/healthz', (req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true, ...(insider(req) ? details() : {}) });
  });
  web.get('/readyz', async (req, res) => {
    const started = performance.now();
    let ready = true;
    try {
      // A read the database must answer within the store deadline (a frozen database is not ready).
      await app.store.getSession('readiness-probe');
    } catch {
      ready = false;
    }
    const body = { ready, ...(insider(req) ? { ...details(), storeMs: Math.round(performance.now() - started) } : {}) };
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  });
  web.get('/metrics', async (req, res, next) => {
    if (!insider(req)) { res.status(404).json({ error: 'not found' }); return; }
    try {
      res.set('Cache-Control', 'no-store').type(metrics.contentType).send(await metrics.metrics());
    } catch (e) { next(e); }
  });

  // The anonymous web chat: an edge like the platform adapters (src/channels/web/).
  web.use(webChatRouter(app));
  // The public results of the campaigns (no sign-in, anonymous counts only, buckets of fewer than 10 hidden).
  web.use(resultsRouter(app));
  web.use('/api/liaison', createLiaisonRouter(app));
  // Channel webhooks (each adapter parses its own body: some need the raw bytes for signatures).
  if (channels) web.use(channels.router);

  // The officers' dashboard: one page (the SPA routes inside it) and its assets, never cached.
  const liaisonDir = join(app.root, 'web', 'liaison');
  const noStore = (res: Response): void => { res.set('Cache-Control', 'no-store'); };
  // The tip's fields as the dashboard names and orders them: from their one definition (cases/tip-fields.ts).
  const tipFieldsModule = `export const TIP_FIELDS = ${JSON.stringify(OFFICER_FIELDS)};\n`;
  web.get('/liaison/tip-fields.js', (_req: Request, res: Response) => {
    noStore(res);
    res.type('text/javascript').send(tipFieldsModule);
  });
  // The officers' words for coded values and shared terms, Vietnamese first: from their one definition (cases/labels.ts),
  // the same the exports write.
  const labelsJs = labelsModule();
  web.get('/liaison/labels.js', (_req: Request, res: Response) => {
    noStore(res);
    res.type('text/javascript').send(labelsJs);
  });
  web.use('/liaison', express.static(liaisonDir, { index: false, redirect: false, cacheControl: false, setHeaders: noStore }));
  web.get(['/liaison', '/liaison/{*rest}'], (_req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    res.sendFile(join(liaisonDir, 'index.html'), { cacheControl: false }, (err) => { if (err) next(err); });
  });
  // The chat page, rendered once at load with the numbers of content/hotlines.yaml.
  const page = app.bundle.webPage;
  if (page) {
    web.get(['/', '/index.html'], (_req: Request, res: Response) => {
      // Never cached: nothing of the chat page stays in the browser's cache after a quick exit.
      res.set('Cache-Control', 'no-store').type('html').send(page);
    });
  }
  web.use(express.static(join(app.root, 'web'), { index: page ? false : 'index.html', maxAge: '1h' }));

  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // Errors: a clear 4xx for bad requests, a bland 500 otherwise; never the stack or the body.
  web.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) app.log.error('request failed', { error: err.message });
    res.status(status).json({ error: status === 413 ? 'request too large' : status < 500 ? 'invalid request' : 'internal error' });
  });
  return web;
}

/**
 * Connections arriving at once (a campaign link, a news story, a webhook burst) wait in the kernel's queue
 * instead of being dropped: with Node's default of 511 a dropped SYN is retried by the client after 1, 3, 7 s.
 * (The kernel caps it at net.core.somaxconn.)
 */
export const LISTEN_BACKLOG = 4096;
/**
 * An idle keep-alive connection is kept this long (Node's default is 5 s): a person reading an answer for a
 * while, or a proxy in front with its own idle timeout, reuses it instead of reconnecting.
 */
export const KEEP_ALIVE_MS = 65_000;

export function listen(app: App, channels?: Channels): Promise<Server> {
  const web = createServer(app, channels);
  return new Promise((resolveListen, reject) => {
    const server = web.listen({ port: app.config.port, host: app.config.host, backlog: LISTEN_BACKLOG }, () => resolveListen(server));
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    server.on('error', reject);
  });
}
