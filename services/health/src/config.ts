import { databaseEnv, durationMs, kafkaEnv, observabilityEnv, positiveInt, type loadConfig, z } from '@hookstream/config';

/** The health's configuration: docs/operations.md "Configuration". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
  /** A webhook goes offline at its (threshold + 1)th failure within the window (docs/webhooks.md "Offline rule"). */
  WEBHOOK_OFFLINE_THRESHOLD: positiveInt(50),
  WEBHOOK_OFFLINE_WINDOW: durationMs('24h'),
  /** Call logs are kept this long, then purged (docs/webhooks.md "Call logs"). */
  LOG_RETENTION: durationMs('30d'),
  /** How often the background purge of old call logs and old failures runs. */
  LOG_RETENTION_SWEEP_INTERVAL: durationMs('1m'),
  HEALTH_CONSUMER_GROUP: z.string().min(1).default('hookstream-health'),
  /**
   * Partitions of webhook-outcomes written at the same time, each batch in its own
   * transaction. The offline count stays exact across them (see failure-window-dal.ts).
   */
  HEALTH_PARTITIONS_CONCURRENCY: positiveInt(3),
  /**
   * Each batch of outcomes is one database transaction and one offset commit: unlike the
   * delivery path's consumers, which fetch as soon as anything arrives, the health
   * service's fetches wait to gather more outcomes per batch. Call logs and the offline
   * rule lag by at most this much.
   */
  HEALTH_FETCH_MIN_BYTES: positiveInt(1024 * 1024),
  HEALTH_FETCH_MAX_WAIT: durationMs('250ms'),
  /**
   * The most one fetch brings, all partitions together (a partition at most 1 MiB): what
   * a batch of outcomes can hold in memory at once, decoded. 2 MiB is about 700 outcomes.
   */
  HEALTH_FETCH_MAX_BYTES: positiveInt(2 * 1024 * 1024),
};

export type HealthConfig = ReturnType<typeof loadConfig<typeof configShape>>;
