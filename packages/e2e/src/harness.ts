import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { Consumer, KafkaMessage, Producer, TopicNames } from '@hookstream/kafka';
import { decodeMessage, outcomeMessageSchema, type OutcomeMessage } from '@hookstream/messages';
import { createTestDatabase, createTestTopics, testInfrastructure, testKafka, uniquePrefix, type TestDatabase } from '@hookstream/testkit';
import { startReceiver, type Receiver } from './receiver';
import { createSeeder, newSecretKey } from './seed';
import { startService, type RunningService, type ServiceName } from './services';

/**
 * Everything an end-to-end test needs: its own topics and database, a receiver, the
 * services as processes, a producer of domain events, and the outcomes and dead letters
 * read back from Kafka.
 */
export async function createHarness(label: string, options: { env?: Record<string, string>; database?: TestDatabase; partitions?: number } = {}) {
  const prefix = uniquePrefix(label);
  const topics: TopicNames = await createTestTopics(prefix, options.partitions);
  // A test that stops its database brings one of its own (the shared server stays up).
  const database: TestDatabase = options.database ?? (await createTestDatabase());
  const secretKey = newSecretKey();
  const seed = createSeeder(database.knex, secretKey);
  const receiver: Receiver = await startReceiver();
  const kafka = testKafka(`e2e-${label}`);
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const env: Record<string, string> = {
    KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
    DATABASE_URL: database.url,
    KAFKA_TOPIC_PREFIX: prefix,
    WEBHOOK_SECRET_KEY: secretKey,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_REFRESH_INTERVAL: '200ms',
    // A killed consumer's partitions come back after this; 30 s in production.
    KAFKA_SESSION_TIMEOUT: '6s',
    ROUTER_INSTANCE_ID: randomUUID(),
    ...options.env,
  };

  const services = new Map<ServiceName, RunningService>();
  const consumers: Consumer[] = [];
  const outcomes: OutcomeMessage[] = [];
  const deadLetters: KafkaMessage[] = [];

  async function collect(topic: string, sink: (message: KafkaMessage) => void) {
    const consumer = kafka.consumer({ groupId: `${prefix}collector-${randomUUID()}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => sink(message) });
  }
  await collect(topics.webhookOutcomes, (message) => {
    const decoded = decodeMessage(outcomeMessageSchema, message.value);
    if (decoded.ok) outcomes.push(decoded.value);
  });
  await collect(topics.domainEventsDlq, (message) => void deadLetters.push(message));

  return {
    prefix,
    topics,
    database,
    seed,
    receiver,
    env,
    outcomes,
    deadLetters,
    services,
    async start(name: ServiceName, extraEnv: Record<string, string> = {}) {
      const service = await startService(name, { ...env, ...extraEnv });
      services.set(name, service);
      return service;
    },
    /** Publishes domain events (JSON) keyed by workspace id, as producers do. */
    async publish(events: Array<{ workspace: { id: string }; [key: string]: unknown }>, headers?: Record<string, string>) {
      await producer.send({
        topic: topics.domainEvents,
        acks: -1,
        messages: events.map((event) => ({ key: event.workspace.id, value: JSON.stringify(event), headers })),
      });
    },
    async publishRaw(messages: Array<{ key: string; value: Buffer | string; headers?: Record<string, string> }>) {
      await producer.send({ topic: topics.domainEvents, acks: -1, messages });
    },
    async close() {
      await Promise.allSettled([...services.values()].map((service) => service.stop()));
      await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
      await producer.disconnect().catch(() => undefined);
      await receiver.close();
      await database.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
