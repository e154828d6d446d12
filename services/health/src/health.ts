import { loadConfig } from '@hookstream/config';
import { createDatabase, waitForDatabase } from '@hookstream/db';
import { createKafka, prepareKafka } from '@hookstream/kafka';
import type { ServiceRuntime } from '@hookstream/observability';
import type { configShape } from './config';

type Config = ReturnType<typeof loadConfig<typeof configShape>>;

export async function startHealth(config: Config, runtime: ServiceRuntime): Promise<void> {
  const { logger } = runtime;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-health', logger });
  await prepareKafka(kafka, config);
  await waitForDatabase(config.DATABASE_URL, 15_000);
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'hookstream-health' });
  runtime.onShutdown({ name: 'database', run: () => database.destroy() });
  runtime.addReadinessCheck(() => true);
  const ops = await runtime.serveOps();
  logger.info({ metricsPort: ops.port }, 'health started');
}
