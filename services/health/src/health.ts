import { createDatabase, waitForDatabase } from '@hookstream/db';
import { compressionType, createKafka, prepareKafka } from '@hookstream/kafka';
import type { ServiceRuntime } from '@hookstream/observability';
import type { HealthConfig } from './config';
import { createHealthService } from './health-service';
import { createHealthMetrics } from './metrics';

/** Wires the health service from configuration: one consumer group on webhook-outcomes. */
export async function startHealth(config: HealthConfig, runtime: ServiceRuntime): Promise<void> {
  const { logger, registry } = runtime;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-health', logger });
  const topics = await prepareKafka(kafka, config);
  await waitForDatabase(config.DATABASE_URL, 15_000);
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'hookstream-health' });

  const consumerGroup = `${config.KAFKA_TOPIC_PREFIX}${config.HEALTH_CONSUMER_GROUP}`;
  const service = createHealthService({
    kafka,
    knex: database,
    topics,
    settings: {
      consumerGroup,
      partitionsConcurrency: config.HEALTH_PARTITIONS_CONCURRENCY,
      consumerSessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
      fetch: {
        minBytes: config.HEALTH_FETCH_MIN_BYTES,
        maxWaitTimeInMs: config.HEALTH_FETCH_MAX_WAIT,
        maxBytes: config.HEALTH_FETCH_MAX_BYTES,
        maxBytesPerPartition: Math.min(config.HEALTH_FETCH_MAX_BYTES, 1024 * 1024),
      },
      compression: compressionType(config.KAFKA_COMPRESSION),
      offlineThreshold: config.WEBHOOK_OFFLINE_THRESHOLD,
      offlineWindowMs: config.WEBHOOK_OFFLINE_WINDOW,
      logRetentionMs: config.LOG_RETENTION,
      retentionSweepIntervalMs: config.LOG_RETENTION_SWEEP_INTERVAL,
    },
    registry,
    metrics: createHealthMetrics(registry),
    logger,
    onFatal: () => void runtime.shutdown('consumer crashed').then(() => process.exit(1)),
  });
  runtime.onShutdown({ name: 'health service (intake, in-flight batch, outbox, producer)', run: () => service.stop() });
  runtime.onShutdown({ name: 'database', run: () => database.destroy() });
  await service.start();

  runtime.addReadinessCheck(() => service.isConsuming());
  const ops = await runtime.serveOps();
  logger.info(
    {
      metricsPort: ops.port,
      consumerGroup,
      topic: topics.webhookOutcomes,
      offlineThreshold: config.WEBHOOK_OFFLINE_THRESHOLD,
      offlineWindowMs: config.WEBHOOK_OFFLINE_WINDOW,
      logRetentionMs: config.LOG_RETENTION,
    },
    'health started',
  );
}
