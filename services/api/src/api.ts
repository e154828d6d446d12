import type { Server } from 'node:http';
import express from 'express';
import { loadConfig } from '@hookstream/config';
import { createDatabase, waitForDatabase } from '@hookstream/db';
import type { ServiceRuntime } from '@hookstream/observability';
import type { configShape } from './config';

type Config = ReturnType<typeof loadConfig<typeof configShape>>;

export async function startApi(config: Config, runtime: ServiceRuntime): Promise<void> {
  const { logger, registry } = runtime;
  await waitForDatabase(config.DATABASE_URL, 15_000);
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'hookstream-api' });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => void response.json({ status: 'ok' }));
  app.get('/readyz', (_request, response) => {
    database
      .raw('SELECT 1')
      .then(() => response.json({ status: 'ready' }))
      .catch(() => response.status(503).json({ status: 'not_ready' }));
  });
  app.get('/metrics', (_request, response) => {
    registry
      .metrics()
      .then((text) => response.type(registry.contentType).send(text))
      .catch(() => response.status(500).end());
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.API_PORT, '0.0.0.0', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  runtime.onShutdown({
    name: 'http server',
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  });
  runtime.onShutdown({ name: 'database', run: () => database.destroy() });
  runtime.addReadinessCheck(() => server.listening);
  const ops = await runtime.serveOps();
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.API_PORT, metricsPort: ops.port }, 'api started');
}
