import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

export interface HealthProbe {
  /** The process is alive and its loop turns. */
  live(): boolean;
  /** The process can do its work: clients connected, consumers running. */
  ready(): boolean | Promise<boolean>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics`, `/healthz` and `/readyz` on a port of its own, so that a service
 * that is busy or not ready can still be scraped and probed.
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  health: HealthProbe;
  logger: Logger;
}): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => reply(200, options.registry.contentType, text))
        .catch((error: unknown) => {
          options.logger.error({ err: error }, 'collecting metrics failed');
          reply(500, 'text/plain', 'metrics unavailable\n');
        });
      return;
    }
    if (path === '/healthz') {
      const live = options.health.live();
      reply(live ? 200 : 503, 'application/json', JSON.stringify({ status: live ? 'ok' : 'unhealthy' }));
      return;
    }
    if (path === '/readyz') {
      Promise.resolve()
        .then(() => options.health.ready())
        .then((ready) => reply(ready ? 200 : 503, 'application/json', JSON.stringify({ status: ready ? 'ready' : 'not_ready' })))
        .catch(() => reply(503, 'application/json', JSON.stringify({ status: 'not_ready' })));
      return;
    }
    reply(404, 'application/json', JSON.stringify({ status: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
