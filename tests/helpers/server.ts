import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../src/web/server';
import type { App } from '../../src/app/index';
import type { Channels } from '../../src/channels/index';

/** Serves the app (and its channel webhooks, if given) on a free loopback port. */
export async function serve(app: App, channels?: Channels): Promise<{ url: string; close: () => Promise<void> }> {
  const web = createServer(app, channels);
  const server: Server = await new Promise((resolve) => { const s = web.listen(0, '127.0.0.1', () => resolve(s)); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
