import type { loadConfig } from '@hookstream/config';
import { createDatabase, createSecretBox, createWebhookView, parseSecretKey, waitForDatabase } from '@hookstream/db';
import { compressionType, consumerSettings, createKafka, PRODUCER_RETRY, prepareKafka, RETRY_TIER_TOPICS, startConsumerLagMetric, type Consumer } from '@hookstream/kafka';
import type { ServiceRuntime } from '@hookstream/observability';
import { deliveryMessageSchema, encodeMessage } from '@hookstream/messages';
import { parseCidrList } from '@hookstream/target-safety';
import type { configShape } from './config';
import { createCallStateReader } from './delivery/call-state';
import { createImmediateBatchHandler, InfrastructureWaits } from './delivery/consumers';
import { Capacity, EndpointLimiter } from './delivery/endpoint-limiter';
import { executeDelivery } from './delivery/execute-delivery';
import { PartitionTracker } from './delivery/partition-tracker';
import { createBatchingPublisher } from './delivery/publisher';
import { createRetryTierHandler, tierDelaysMs } from './retry-scheduler';
import { createParkedRetryDal } from './paused-retries/parked-retry-dal';
import { createPausedRetryReleaser } from './paused-retries/paused-retry-releaser';
import { createWebhookClient } from '@hookstream/webhook-http';
import { createSenderMetrics } from './metrics';
import { tierLabel } from './retry-schedule';

type Config = ReturnType<typeof loadConfig<typeof configShape>>;

/**
 * Wires the sender: webhook-deliveries, webhook-replays and the four retry tiers → signed
 * POSTs → webhook-outcomes (and the next retry tier after a failure).
 */
export async function startSender(config: Config, runtime: ServiceRuntime): Promise<void> {
  const { logger, registry } = runtime;
  const allowlist = parseCidrList(config.WEBHOOK_ALLOWED_CIDRS);
  const secretBox = createSecretBox(parseSecretKey(config.WEBHOOK_SECRET_KEY));
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-sender', logger });
  const topics = await prepareKafka(kafka, config);
  const retryTiers = RETRY_TIER_TOPICS.map((tier) => `${config.KAFKA_TOPIC_PREFIX}${tier}`);
  await waitForDatabase(config.DATABASE_URL, 10_000);
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'hookstream-sender' });
  const metrics = createSenderMetrics(registry);

  const webhookView = createWebhookView({
    knex: database,
    secretBox,
    refreshIntervalMs: config.WEBHOOK_REFRESH_INTERVAL,
    onError: (error) => logger.warn({ err: error }, 'refreshing the webhook view failed'),
    onBadRow: (webhookId, error) => {
      metrics.webhookViewBadRows.inc();
      logger.error({ webhookId, reason: error instanceof Error ? error.message : String(error) }, 'webhook left out of the view: its secret cannot be decrypted');
    },
  });
  await webhookView.start();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: PRODUCER_RETRY });
  await producer.connect();
  const publisher = createBatchingPublisher(producer, logger, {
    compression: compressionType(config.KAFKA_COMPRESSION),
    lingerMs: config.SENDER_OUTCOME_LINGER,
  });
  const client = createWebhookClient({
    allowlist,
    allowHttp: config.WEBHOOK_ALLOW_HTTP,
    timeoutMs: config.WEBHOOK_TIMEOUT,
    connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT,
    connectionsPerOrigin: config.SENDER_MAX_CONCURRENT_PER_ENDPOINT,
    readBodyBytes: 64 * 1024,
    keptBodyBytes: 16 * 1024,
    dns: {
      servers: config.WEBHOOK_DNS_SERVERS,
      timeoutMs: config.WEBHOOK_DNS_TIMEOUT,
      maxNames: config.WEBHOOK_DNS_CACHE_SIZE,
      maxTtlMs: config.WEBHOOK_DNS_MAX_TTL,
      onLookup: (result) => metrics.dnsLookups.inc({ result }),
    },
  });
  const parkedRetries = createParkedRetryDal(database);
  const capacity = new Capacity({ calls: config.SENDER_MAX_IN_FLIGHT, bytes: config.SENDER_MAX_IN_FLIGHT_BYTES, retryShare: config.SENDER_RETRY_SHARE });
  const deliveryDependencies = {
    webhookOf: (webhookId: string) => webhookView.get(webhookId),
    refreshWebhooks: () => webhookView.refreshNow(),
    callState: createCallStateReader(database),
    parkedRetries,
    client,
    limiter: new EndpointLimiter(
      { min: config.SENDER_MIN_CONCURRENT_PER_ENDPOINT, initial: config.SENDER_INITIAL_CONCURRENT_PER_ENDPOINT, max: config.SENDER_MAX_CONCURRENT_PER_ENDPOINT },
      config.SENDER_MAX_QUEUED_PER_ENDPOINT,
      config.WEBHOOK_TIMEOUT,
      Date.now,
      {
        maxHeldCalls: Math.max(config.SENDER_MAX_CONCURRENT_PER_ENDPOINT, Math.floor(config.SENDER_MAX_IN_FLIGHT * config.SENDER_ENDPOINT_SHARE)),
        maxHeldBytes: config.SENDER_MAX_IN_FLIGHT_BYTES * config.SENDER_ENDPOINT_SHARE,
        underPressure: () => capacity.underPressure(),
        onLimitChange: (direction, limit) => {
          metrics.endpointLimitChanges.inc({ direction });
          metrics.endpointLimit.observe(limit);
        },
      },
    ),
    publisher,
    topics: { webhookOutcomes: topics.webhookOutcomes, retryTiers },
    scheduleMs: config.WEBHOOK_RETRY_SCHEDULE,
    overloadDeferMs: config.SENDER_OVERLOAD_DEFER,
    retryAfterMaxMs: config.SENDER_RETRY_AFTER_MAX,
    userAgent: `hookstream/${config.HOOKSTREAM_VERSION} (+webhooks)`,
    metrics,
    logger,
  };
  // Messages waiting on the database, and the end of their waits at shutdown.
  const waits = new InfrastructureWaits(metrics);
  const stopping = new AbortController();
  const execute = (delivery: Parameters<typeof executeDelivery>[1], traceparent: string | undefined, bytes: number) =>
    executeDelivery(deliveryDependencies, delivery, traceparent, bytes);

  // Promoted webhooks' paused retries: probes, then the release (docs/webhooks.md "Promoted webhooks").
  const pausedRetries = createPausedRetryReleaser({
    parked: parkedRetries,
    webhookOf: (webhookId) => webhookView.get(webhookId),
    execute: (delivery, options) => executeDelivery(deliveryDependencies, delivery, undefined, Buffer.byteLength(JSON.stringify(delivery)), options),
    settings: {
      probeIntervalMs: config.SENDER_PAUSED_RETRY_PROBE_INTERVAL,
      resumeRatePerSecond: config.SENDER_PAUSED_RETRY_RESUME_RATE,
      checkIntervalMs: config.SENDER_PAUSED_RETRY_CHECK_INTERVAL,
      // Longer than a call can take: waiting for its endpoint, then calling, then publishing.
      leaseMs: 2 * config.WEBHOOK_TIMEOUT + 60_000,
    },
    metrics,
    logger,
  });

  // Two groups: first calls never queue behind waiting retries, and the other way round.
  const firstCallGroup = `${config.KAFKA_TOPIC_PREFIX}${config.SENDER_CONSUMER_GROUP}`;
  const retryGroup = `${config.KAFKA_TOPIC_PREFIX}${config.SENDER_RETRY_CONSUMER_GROUP}`;
  // Replayed calls have a group of their own too: a replay of 100,000 events never stands
  // between a first call and the pool, and holds only the retry share of it (claimOf).
  const replayGroup = `${config.KAFKA_TOPIC_PREFIX}${config.SENDER_REPLAY_CONSUMER_GROUP}`;
  const firstCallTracker = new PartitionTracker();
  const retryTracker = new PartitionTracker();
  const replayTracker = new PartitionTracker();
  const session = {
    ...consumerSettings(config.KAFKA_SESSION_TIMEOUT),
    maxBytes: config.SENDER_FETCH_MAX_BYTES,
    maxBytesPerPartition: Math.min(config.SENDER_FETCH_MAX_BYTES, 1024 * 1024),
  };
  const firstCalls = kafka.consumer({ groupId: firstCallGroup, ...session });
  // A resumed tier partition is fetched with the next fetch request: keep the long poll
  // short, or a due retry waits for the poll of the other (idle) partitions to time out.
  const retries = kafka.consumer({ groupId: retryGroup, ...session, maxWaitTimeInMs: 100 });
  const replays = kafka.consumer({ groupId: replayGroup, ...session });
  await Promise.all([firstCalls.connect(), retries.connect(), replays.connect()]);
  await firstCalls.subscribe({ topic: topics.webhookDeliveries, fromBeginning: true });
  await replays.subscribe({ topic: topics.webhookReplays, fromBeginning: true });
  for (const topic of retryTiers) await retries.subscribe({ topic, fromBeginning: true });

  const tierIndexOf = new Map(retryTiers.map((topic, index) => [topic, index]));
  const retryHandler = createRetryTierHandler({
    tierOf: (topic) => tierIndexOf.get(topic) ?? 0,
    delaysMs: tierDelaysMs(config.WEBHOOK_RETRY_SCHEDULE, retryTiers.length),
    moveRetry: (delivery, tier) =>
      publisher.publish([{ topic: retryTiers[tier] as string, key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, delivery) }]),
    tracker: retryTracker,
    capacity,
    metrics,
    logger,
    execute,
    waits,
    signal: stopping.signal,
    consumer: retries,
  });

  const joined = { firstCalls: false, retries: false, replays: false };
  const watch = (consumer: Consumer, name: keyof typeof joined) => {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      joined[name] = true;
      // Partitions that went to another member are forgotten: their offsets are its to commit.
      if (name === 'retries') retryHandler.onRebalance(retryTiers, event.payload.memberAssignment);
      else if (name === 'replays') replayTracker.retainOnly(event.payload.memberAssignment);
      else firstCallTracker.retainOnly(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      joined[name] = false;
      logger.error({ err: event.payload.error, restart: event.payload.restart, consumer: name }, 'sender consumer crashed');
      if (name === 'retries') retryHandler.onCrash();
      if (!event.payload.restart) void runtime.shutdown('consumer crashed').then(() => process.exit(1));
    });
  };
  watch(firstCalls, 'firstCalls');
  watch(retries, 'retries');
  watch(replays, 'replays');

  await firstCalls.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.KAFKA_TOPIC_PARTITIONS,
    eachBatch: createImmediateBatchHandler({ tracker: firstCallTracker, capacity, metrics, logger, execute, waits, signal: stopping.signal }),
  });
  await replays.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.KAFKA_TOPIC_PARTITIONS,
    eachBatch: createImmediateBatchHandler({ tracker: replayTracker, capacity, metrics, logger, execute, waits, signal: stopping.signal }),
  });
  await retries.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Math.max(4, config.KAFKA_TOPIC_PARTITIONS),
    eachBatch: retryHandler.handler,
  });

  // Offsets move only past messages whose outcome is durable (see PartitionTracker).
  const commitPending = async () => {
    for (const [consumer, tracker] of [
      [firstCalls, firstCallTracker],
      [retries, retryTracker],
      [replays, replayTracker],
    ] as const) {
      const offsets = tracker.takeCommittable();
      if (offsets.length === 0) continue;
      // commitOffsets throws at once while kafkajs restarts a crashed consumer.
      await Promise.resolve()
        .then(() => consumer.commitOffsets(offsets))
        .catch((error: unknown) => {
          tracker.commitFailed(offsets);
          logger.warn({ err: error }, 'committing offsets failed; trying again on the next commit');
        });
    }
    metrics.poolInUse.set({ class: 'first' }, capacity.inUse - capacity.retriesInUse);
    metrics.poolInUse.set({ class: 'retry' }, capacity.retriesInUse);
    metrics.poolBytesInUse.set(capacity.bytesInUse);
    const pendingRetries = retryTracker.pendingByTopic();
    for (const [index, topic] of retryTiers.entries()) {
      metrics.retriesWaiting.set({ tier: tierLabel(index) }, pendingRetries.get(topic)?.waiting ?? 0);
    }
  };
  let committing = Promise.resolve();
  const commitTimer = setInterval(() => {
    committing = committing.then(commitPending);
  }, 250);

  const admin = kafka.admin();
  await admin.connect();
  const lag = startConsumerLagMetric({
    admin,
    registry,
    groups: [
      { groupId: firstCallGroup, topics: [topics.webhookDeliveries] },
      { groupId: retryGroup, topics: retryTiers },
      { groupId: replayGroup, topics: [topics.webhookReplays] },
    ],
    onError: (error) => logger.debug({ err: error }, 'measuring consumer lag failed'),
  });

  // Not ready while messages wait on the database (hookstream_sender_waiting_for_infrastructure).
  runtime.addReadinessCheck(() => joined.firstCalls && joined.retries && joined.replays && webhookView.isFresh() && waits.waiting === 0);
  runtime.onShutdown({
    name: 'stop intake',
    run: async () => {
      // A consumer that kafkajs is restarting cannot be paused (it throws); its retries
      // must still stop waiting, or they go on being sent while the process stops.
      for (const [consumer, paused] of [
        [firstCalls, [{ topic: topics.webhookDeliveries }]],
        [retries, retryTiers.map((topic) => ({ topic }))],
        [replays, [{ topic: topics.webhookReplays }]],
      ] as const) {
        try {
          consumer.pause([...paused]);
        } catch (error) {
          logger.warn({ err: error }, 'a consumer could not be paused; it is stopped with the consumers');
        }
      }
      retryHandler.stop();
      pausedRetries.stop();
      // Messages backing off after a database failure stop waiting, uncommitted.
      stopping.abort();
    },
  });
  runtime.onShutdown({
    name: 'finish in-flight calls',
    run: async () => {
      await pausedRetries.drain();
      while (capacity.inUse > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      clearInterval(commitTimer);
      await committing;
      await commitPending();
    },
  });
  runtime.onShutdown({ name: 'consumers', run: () => Promise.all([firstCalls.disconnect(), retries.disconnect(), replays.disconnect()]) });
  runtime.onShutdown({
    name: 'producer',
    run: async () => {
      publisher.close();
      await producer.disconnect();
    },
  });
  runtime.onShutdown({
    name: 'clients',
    run: async () => {
      lag.stop();
      webhookView.stop();
      await client.close();
      await admin.disconnect();
      await database.destroy();
    },
  });
  pausedRetries.start();
  const ops = await runtime.serveOps();
  logger.info({ metricsPort: ops.port, firstCallGroup, retryGroup, replayGroup }, 'sender started');
}
