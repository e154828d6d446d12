import type { Server } from 'node:http';
import type { loadConfig } from '@hookstream/config';
import { createDatabase, createLifecyclePublisher, createSecretBox, parseSecretKey, waitForDatabase } from '@hookstream/db';
import { compressionType, createKafka, oldestRetainedTime, prepareKafka } from '@hookstream/kafka';
import type { ServiceRuntime } from '@hookstream/observability';
import { createApp } from './app';
import type { configShape } from './config';
import { createApiMetrics } from './metrics';
import { createKafkaPublisher } from './publishing/message-publisher';

type Config = ReturnType<typeof loadConfig<typeof configShape>>;

/**
 * Wires the API: the database, an idempotent Kafka producer for manual retries and
 * lifecycle events (published from the outbox), and the express app on API_PORT.
 * Shutdown stops intake first (the server), then the outbox publisher, then flushes the
 * producer, then closes the database.
 */
export async function startApi(config: Config, runtime: ServiceRuntime): Promise<void> {
  const { logger, registry } = runtime;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-api', logger });
  const topics = await prepareKafka(kafka, config);
  await waitForDatabase(config.DATABASE_URL, 15_000);
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'hookstream-api' });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let producerConnected = false;
  producer.on(producer.events.CONNECT, () => (producerConnected = true));
  producer.on(producer.events.DISCONNECT, () => (producerConnected = false));
  await producer.connect();
  const metrics = createApiMetrics(registry);
  // Replays ask the brokers how far back domain-events goes.
  const admin = kafka.admin();
  await admin.connect();
  const lifecycle = createLifecyclePublisher({
    knex: database,
    producer,
    topic: topics.webhookLifecycle,
    compression: compressionType(config.KAFKA_COMPRESSION),
    logger,
    intervalMs: 5_000,
  });
  lifecycle.start();

  const { app, close: closeApp } = createApp({
    knex: database,
    secretBox: createSecretBox(parseSecretKey(config.WEBHOOK_SECRET_KEY)),
    publisher: createKafkaPublisher({ producer, topics, compression: compressionType(config.KAFKA_COMPRESSION) }),
    lifecycle,
    logger,
    metrics,
    registry,
    settings: {
      adminToken: config.ADMIN_TOKEN,
      maxWebhooksPerWorkspace: config.WEBHOOK_MAX_PER_WORKSPACE,
      rotationGraceMs: config.SECRET_ROTATION_GRACE,
      urlPolicy: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowlist: config.WEBHOOK_ALLOWED_CIDRS },
      rateLimit: { ratePerSecond: config.API_RATE_LIMIT, burst: config.API_RATE_LIMIT_BURST },
      offlineRule: { threshold: config.WEBHOOK_OFFLINE_THRESHOLD, windowMs: config.WEBHOOK_OFFLINE_WINDOW },
      testCalls: {
        timeoutMs: config.WEBHOOK_TIMEOUT,
        connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT,
        dnsServers: config.WEBHOOK_DNS_SERVERS,
        perMinute: config.API_TEST_CALL_RATE_LIMIT,
        burst: config.API_TEST_CALL_BURST,
        userAgent: `hookstream/${config.HOOKSTREAM_VERSION} (+webhooks)`,
      },
    },
    domainEventLog: { oldestRetainedTime: (from, now) => oldestRetainedTime(admin, topics.domainEvents, from, now) },
    isReady: async () => {
      await database.raw('SELECT 1');
      return producerConnected;
    },
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.API_PORT, '0.0.0.0', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  // Slow clients must not hold sockets open: bound the time to send headers and body.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  runtime.onShutdown({
    name: 'http server',
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  });
  runtime.onShutdown({ name: 'test call client', run: closeApp });
  runtime.onShutdown({ name: 'lifecycle outbox publisher', run: () => lifecycle.stop() });
  runtime.onShutdown({ name: 'producer', run: () => Promise.all([producer.disconnect(), admin.disconnect()]) });
  runtime.onShutdown({ name: 'database', run: () => database.destroy() });
  runtime.addReadinessCheck(() => server.listening && producerConnected);
  const ops = await runtime.serveOps();
  const address = server.address();
  logger.info(
    {
      port: typeof address === 'object' && address ? address.port : config.API_PORT,
      metricsPort: ops.port,
      adminRoutes: config.ADMIN_TOKEN !== undefined,
    },
    'api started',
  );
}
