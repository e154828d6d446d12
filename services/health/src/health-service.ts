import { createLifecyclePublisher, type Knex } from '@hookstream/db';
import { consumerSettings, PRODUCER_RETRY, startConsumerLagMetric, type CompressionTypes, type Kafka, type RetryOptions, type TopicNames } from '@hookstream/kafka';
import type { Logger, Registry } from '@hookstream/observability';
import { createCallLogDal } from './call-logs/call-log-dal';
import type { HealthMetrics } from './metrics';
import { createFailureWindowDal } from './offline-rule/failure-window-dal';
import { writePendingBatch } from './deliveries-consumer';
import { writeOutcomeBatch } from './outcomes-consumer';
import { createRetentionSweeper } from './retention-sweeper';

export interface HealthSettings {
  consumerGroup: string;
  /**
   * The group that reads webhook-deliveries to log routed calls as `pending`; by default
   * the consumer group with `-pending` appended.
   */
  pendingConsumerGroup?: string;
  partitionsConcurrency: number;
  /** After a crash, a restarted instance resumes a dead member's partitions once this has passed. */
  consumerSessionTimeoutMs?: number;
  /** How kafkajs retries a consumer's errors before it restarts it (tests shorten it). */
  consumerRetry?: RetryOptions;
  /** `HEALTH_FETCH_*`: how long a fetch gathers outcomes, and the most it brings. */
  fetch?: { minBytes: number; maxWaitTimeInMs: number; maxBytes?: number; maxBytesPerPartition?: number };
  /** `KAFKA_COMPRESSION` of the lifecycle messages. */
  compression?: CompressionTypes;
  offlineThreshold: number;
  offlineWindowMs: number;
  logRetentionMs: number;
  retentionSweepIntervalMs: number;
  /** How often the lifecycle outbox is swept for messages a crash or outage left behind. */
  outboxSweepIntervalMs?: number;
}

export interface HealthService {
  start(): Promise<void>;
  /** Stops intake (the in-flight batch finishes), then the background work and the producer. Idempotent. */
  stop(): Promise<void>;
  /** Both consumers are in their groups and consuming. */
  isConsuming(): boolean;
}

/**
 * The health service: webhook-outcomes → call logs, failure counts and the offline rule
 * (docs/webhooks.md "Call logs", docs/webhooks.md "Offline rule"), plus the lifecycle outbox
 * publisher and the retention purges. Takes its clients from the caller (main.ts wires
 * real ones; integration tests wire test ones), and creates only its Kafka members.
 */
export function createHealthService(dependencies: {
  kafka: Kafka;
  knex: Knex;
  topics: Pick<TopicNames, 'webhookOutcomes' | 'webhookLifecycle' | 'webhookDeliveries'>;
  settings: HealthSettings;
  registry: Registry;
  metrics: HealthMetrics;
  logger: Logger;
  /** The consumer crashed for good: the process should stop non-zero. */
  onFatal: (error: unknown) => void;
}): HealthService {
  const { kafka, knex, topics, settings, metrics, logger } = dependencies;
  const callLogs = createCallLogDal();
  const failureWindow = createFailureWindowDal();

  // Idempotent and acks=all: a lifecycle message is written once per send, and survives
  // the loss of a broker (docs/architecture.md "Topics").
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: PRODUCER_RETRY });
  const consumer = kafka.consumer({
    groupId: settings.consumerGroup,
    ...consumerSettings(settings.consumerSessionTimeoutMs ?? 6_000, settings.consumerRetry),
    // Outcomes carry request and response bodies (a few KiB each): larger fetches make
    // larger batches, and each batch costs the same few round trips to the database; but
    // a batch is decoded whole, so its size is what the service holds in memory at once.
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 2 * 1024 * 1024,
    ...settings.fetch,
  });
  // A second group, on webhook-deliveries: every routed first call is logged `pending`
  // within moments, without a database write on the router's path (pending-calls.ts).
  const pendingGroup = settings.pendingConsumerGroup ?? `${settings.consumerGroup}-pending`;
  const deliveriesConsumer = kafka.consumer({
    groupId: pendingGroup,
    ...consumerSettings(settings.consumerSessionTimeoutMs ?? 6_000, settings.consumerRetry),
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 2 * 1024 * 1024,
    ...settings.fetch,
  });
  const admin = kafka.admin();
  const publisher = createLifecyclePublisher({
    knex,
    producer,
    topic: topics.webhookLifecycle,
    compression: settings.compression,
    logger,
    intervalMs: settings.outboxSweepIntervalMs ?? 5_000,
    onPublished: (count) => metrics.lifecycleMessagesPublished.inc(count),
  });
  const sweeper = createRetentionSweeper({
    knex,
    callLogs,
    failureWindow,
    retentionMs: settings.logRetentionMs,
    failureWindowMs: settings.offlineWindowMs,
    intervalMs: settings.retentionSweepIntervalMs,
    metrics,
    logger,
  });

  let consuming = false;
  let consumingDeliveries = false;
  let lag: { stop(): void } | undefined;
  let stopping: Promise<void> | undefined;

  /**
   * kafkajs restarts a consumer that crashed on a transient error (a broker lost, retries
   * exhausted, a database error thrown from a batch): the process goes on, the service is
   * not ready until the consumer has joined again. Any other crash is fatal: logged at
   * error level, then the process stops.
   */
  function onCrash(name: string, payload: { error: Error; restart: boolean }, notConsuming: () => void): void {
    notConsuming();
    if (payload.restart) {
      logger.warn({ err: payload.error }, `${name} crashed; kafkajs restarts it`);
      return;
    }
    logger.error({ err: payload.error }, `${name} crashed for good: the health service stops`);
    dependencies.onFatal(payload.error);
  }

  consumer.on(consumer.events.GROUP_JOIN, () => {
    consuming = true;
  });
  consumer.on(consumer.events.CRASH, (event) => onCrash('outcomes consumer', event.payload, () => (consuming = false)));
  deliveriesConsumer.on(deliveriesConsumer.events.GROUP_JOIN, () => {
    consumingDeliveries = true;
  });
  deliveriesConsumer.on(deliveriesConsumer.events.CRASH, (event) => onCrash('pending-call consumer', event.payload, () => (consumingDeliveries = false)));

  return {
    async start() {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: topics.webhookOutcomes, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Outcomes are keyed by event id, so partitions never share a call; the webhooks
        // they share are counted under a row lock (failure-window-dal.ts).
        partitionsConsumedConcurrently: settings.partitionsConcurrency,
        eachBatch: async (payload) => {
          await writeOutcomeBatch(
            {
              knex,
              consumer,
              callLogs,
              failureWindow,
              offlineRule: { threshold: settings.offlineThreshold, windowMs: settings.offlineWindowMs },
              onLifecycleMessages: () => publisher.requestFlush(),
              metrics,
              logger,
            },
            payload,
          );
        },
      });
      await deliveriesConsumer.connect();
      // From the beginning when the group is new (so that no call routed while it joins is
      // missed); deliveries older than the log's retention are skipped, so that a purged
      // call is not logged again, and a call already logged is left as it is.
      await deliveriesConsumer.subscribe({ topic: topics.webhookDeliveries, fromBeginning: true });
      await deliveriesConsumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConcurrency,
        eachBatch: async (payload) => {
          await writePendingBatch({ knex, consumer: deliveriesConsumer, retentionMs: settings.logRetentionMs, metrics, logger }, payload);
        },
      });
      // Messages a crash left in the outbox go out now, then at every sweep.
      publisher.requestFlush();
      publisher.start();
      sweeper.start();
      await admin.connect();
      lag = startConsumerLagMetric({
        admin,
        registry: dependencies.registry,
        groups: [
          { groupId: settings.consumerGroup, topics: [topics.webhookOutcomes] },
          { groupId: pendingGroup, topics: [topics.webhookDeliveries] },
        ],
        onError: (error) => logger.debug({ err: error }, 'measuring consumer lag failed'),
      });
    },

    stop() {
      stopping ??= (async () => {
        consuming = false;
        consumingDeliveries = false;
        const results = await Promise.allSettled([consumer.disconnect(), deliveriesConsumer.disconnect()]);
        lag?.stop();
        results.push(...(await Promise.allSettled([sweeper.stop(), publisher.stop()])));
        results.push(...(await Promise.allSettled([producer.disconnect(), admin.disconnect()])));
        for (const result of results) {
          if (result.status === 'rejected') logger.warn({ err: result.reason }, 'stopping the health service: a step failed');
        }
      })();
      return stopping;
    },

    isConsuming: () => consuming && consumingDeliveries,
  };
}
