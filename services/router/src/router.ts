import { randomUUID } from 'node:crypto';
import type { loadConfig } from '@hookstream/config';
import { createDatabase, createWebhookView, waitForDatabase } from '@hookstream/db';
import { normalizeDecodedEnvelope } from '@hookstream/events';
import { compressionType, consumerSettings, createKafka, prepareKafka, startConsumerLagMetric } from '@hookstream/kafka';
import { createSchemaRegistry } from '@hookstream/producer';
import type { ServiceRuntime } from '@hookstream/observability';
import type { configShape } from './config';
import { createRouterMetrics } from './metrics';
import { createReceiptsDal } from './receipts-dal';
import { createReplayDal } from './replays/replay-dal';
import { createReplayWorker } from './replays/replay-worker';
import { createRegistryWaits, routeBatch } from './router-consumer';
import { decodeDomainEventBytes } from './route-event';
import { createTransactionBatcher } from './transaction-batcher';
import { connectRenewableProducer } from './transactional-producer';

type Config = ReturnType<typeof loadConfig<typeof configShape>>;

/** The transaction timeout of the router's producer: docs/reliability.md "Settings that make recovery fast". */
export const ROUTER_TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * Wires the router: domain-events → (validate, match against the webhook view) →
 * webhook-deliveries and domain-events-dlq. Every partition's batches are routed
 * concurrently and committed together, with their offsets, in shared Kafka transactions
 * of the one transactional producer (group commit, `transaction-batcher.ts`).
 */
export async function startRouter(config: Config, runtime: ServiceRuntime): Promise<void> {
  const { logger, registry } = runtime;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-router', logger });
  const topics = await prepareKafka(kafka, config);
  await waitForDatabase(config.DATABASE_URL, 10_000);
  // The router writes only receipts, a duplicate check: one lost in a database crash lets a
  // republished id through again (with the same event ids), and in exchange the router
  // never waits for the WAL flush of the call logs the health service writes.
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    applicationName: 'hookstream-router',
    asynchronousCommit: true,
  });
  const metrics = createRouterMetrics(registry);

  const webhookView = createWebhookView({
    knex: database,
    refreshIntervalMs: config.WEBHOOK_REFRESH_INTERVAL,
    onError: (error) => logger.warn({ err: error }, 'refreshing the webhook view failed'),
  });
  await webhookView.start();

  const registryClient = config.SCHEMA_REGISTRY_URL ? createSchemaRegistry(config.SCHEMA_REGISTRY_URL) : undefined;
  const decodeWireFormat = registryClient
    ? async (bytes: Buffer) => normalizeDecodedEnvelope(await registryClient.decode(bytes))
    : undefined;

  const consumerGroup = `${config.KAFKA_TOPIC_PREFIX}${config.ROUTER_CONSUMER_GROUP}`;
  const producerConfig = {
    transactionalId: `${config.KAFKA_TOPIC_PREFIX}hookstream-router-${config.ROUTER_INSTANCE_ID}`,
    idempotent: true,
    maxInFlightRequests: 1,
    // The broker answers CONCURRENT_TRANSACTIONS while it writes the previous commit's
    // markers, for a few milliseconds: retry on that time scale, not kafkajs' 100 ms+.
    retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: 20 },
    // A transaction left open by a router that died is aborted by the broker after this
    // (kafkajs' default: 60 s); until then, read_committed readers of the partitions it
    // wrote (the senders, health) stall there. A replacement with the same instance id
    // ends it at once (below); this bounds the stall when none comes. A live router's
    // transaction lasts milliseconds, seconds through a broker's loss.
    transactionTimeout: ROUTER_TRANSACTION_TIMEOUT_MS,
  };
  const producer = await connectRenewableProducer(kafka, producerConfig, (error) =>
    logger.warn({ err: error }, 'disconnecting the replaced producer failed'),
  );
  // Fence now, not at the first batch: the InitProducerId of the transactional id aborts
  // the open transaction of the instance this one replaces, whose partitions of
  // webhook-deliveries would otherwise stay unreadable until this instance is assigned
  // work (after the group notices the dead member, a session timeout later).
  await (await producer.transaction()).abort();
  const consumer = kafka.consumer({
    groupId: consumerGroup,
    ...consumerSettings(config.KAFKA_SESSION_TIMEOUT),
    readUncommitted: false,
    maxBytes: config.ROUTER_FETCH_MAX_BYTES,
    maxBytesPerPartition: Math.min(config.ROUTER_FETCH_MAX_BYTES, 1024 * 1024),
  });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.domainEvents, fromBeginning: true });

  // A schema registry outage pauses the partitions that need it; the router is not ready meanwhile.
  const registryWaits = createRegistryWaits({ metrics, logger });
  let consuming = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    consuming = true;
    registryWaits.reset();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    consuming = false;
    if (event.payload.restart) {
      // kafkajs restarts it (a broker lost, a coordinator moved): transient.
      logger.warn({ err: event.payload.error }, 'router consumer crashed; kafkajs restarts it');
      return;
    }
    logger.error({ err: event.payload.error }, 'router consumer crashed for good: exiting');
    void runtime.shutdown('consumer crashed').then(() => process.exit(1));
  });

  const admin = kafka.admin();
  await admin.connect();
  const receipts = createReceiptsDal(database);
  const transactions = createTransactionBatcher({
    producer,
    // After a failed send or transaction, or a refused record: same transactional id, new
    // epoch (see the batcher).
    renewProducer: async (reason) => {
      await producer.renew();
      metrics.producerRenewals.inc({ reason });
      logger.warn({ reason }, 'the transactional producer was replaced');
    },
    // After a commit a broker loss cut off: whether it was committed after all.
    committedOffsets: async (topic) => (await admin.fetchOffsets({ groupId: consumerGroup, topics: [topic] }))[0]?.partitions ?? [],
    onTransactionFailed: (outcome) => metrics.transactionsFailed.inc({ outcome }),
    consumerGroup,
    // Each request (and each partition's record batch in it) stays under the broker's
    // message size limit, whatever the batches' fan-out.
    maxBytesPerSend: 512 * 1024,
    compression: compressionType(config.KAFKA_COMPRESSION),
    // One insert per transaction, after its commit: a crash before it re-routes nothing
    // (the offsets are committed), and a duplicate arriving later finds the receipt.
    afterCommit: (routedIds) => receipts.recordRouted(routedIds),
    onTransaction: ({ batches, messages }) => {
      metrics.transactionBatches.observe(batches);
      metrics.transactionMessages.observe(messages);
    },
    // kafkajs can resolve a send that left a partition out when its leader moved: the
    // transaction is aborted and its batches are routed again.
    onIncompleteSend: (missing) => {
      metrics.incompleteSends.inc();
      logger.warn({ missing }, 'a produce request resolved without writing every partition; aborting the transaction to retry it');
    },
    logger,
  });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Every partition at once; their batches share the producer's transactions.
    partitionsConsumedConcurrently: config.KAFKA_TOPIC_PARTITIONS,
    eachBatch: (payload) =>
      routeBatch(
        {
          transactions,
          topics,
          maxMessageBytes: config.DOMAIN_EVENT_MAX_BYTES,
          webhooksOf: (workspaceId) => webhookView.onlineWebhooksOf(workspaceId),
          webhookViewIsFresh: () => webhookView.isFresh(),
          decodeWireFormat,
          registryWaits,
          receipts,
          metrics,
          logger,
        },
        payload,
      ),
  });

  // Replays read domain-events again, each with a consumer of its own, and write the calls
  // of their webhook to webhook-replays (no transaction: progress is checkpointed in the
  // job's row once the calls are durable).
  const replayProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await replayProducer.connect();
  const replays = createReplayWorker({
    kafka,
    admin,
    producer: replayProducer,
    compression: compressionType(config.KAFKA_COMPRESSION),
    dal: createReplayDal(database),
    topics,
    webhookOf: (webhookId) => webhookView.get(webhookId),
    refreshWebhooks: () => webhookView.refreshNow(),
    decode: async (value) => {
      const decoded = await decodeDomainEventBytes(value, config.DOMAIN_EVENT_MAX_BYTES, decodeWireFormat);
      return decoded.ok ? decoded : { ok: false };
    },
    settings: {
      ratePerSecond: config.REPLAY_RATE_PER_SECOND,
      leaseMs: config.REPLAY_LEASE,
      pollIntervalMs: config.REPLAY_POLL_INTERVAL,
      maxConcurrent: config.REPLAY_MAX_CONCURRENT,
      fetchMaxBytes: config.REPLAY_FETCH_MAX_BYTES,
      groupPrefix: `${config.KAFKA_TOPIC_PREFIX}hookstream-router-replay-`,
      owner: `${config.ROUTER_INSTANCE_ID}/${randomUUID()}`,
    },
    metrics,
    logger,
  });
  replays.start();

  const lag = startConsumerLagMetric({
    admin,
    registry,
    groups: [{ groupId: consumerGroup, topics: [topics.domainEvents] }],
    onError: (error) => logger.debug({ err: error }, 'measuring consumer lag failed'),
  });
  const purge = setInterval(() => {
    receipts
      .purgeOlderThan(new Date(Date.now() - config.DOMAIN_EVENT_DEDUP_RETENTION))
      .catch((error: unknown) => logger.warn({ err: error }, 'purging domain event receipts failed'));
  }, 10 * 60_000);
  purge.unref();

  runtime.addReadinessCheck(() => consuming && webhookView.isFresh() && registryWaits.waiting() === 0);
  runtime.onShutdown({
    name: 'consumer (intake, in-flight batch and its receipts)',
    run: async () => {
      registryWaits.stop();
      await consumer.disconnect();
      await transactions.drain();
    },
  });
  runtime.onShutdown({ name: 'replays (handed back at their checkpoints)', run: () => replays.stop() });
  runtime.onShutdown({ name: 'producer', run: () => Promise.all([producer.disconnect(), replayProducer.disconnect()]) });
  runtime.onShutdown({
    name: 'clients',
    run: async () => {
      clearInterval(purge);
      lag.stop();
      webhookView.stop();
      await admin.disconnect();
      await database.destroy();
    },
  });
  const ops = await runtime.serveOps();
  logger.info({ metricsPort: ops.port, consumerGroup, topic: topics.domainEvents }, 'router started');
}
