import { randomUUID } from 'node:crypto';
import type { Knex } from '@hookstream/db';
import type { Consumer, Kafka, Producer, TopicNames } from '@hookstream/kafka';
import { encodeMessage, lifecycleMessageSchema, outcomeMessageSchema, decodeMessage, type LifecycleMessage, type OutcomeMessage } from '@hookstream/messages';
import { Registry, type Logger } from '@hookstream/observability';
import { silentLogger, testKafka, waitFor } from '@hookstream/testkit';
import { createHealthService, type HealthService, type HealthSettings } from '../health-service';
import { createHealthMetrics, type HealthMetrics } from '../metrics';

/** The health service in this process, wired to the test's topics and database. */
export async function startHealthInProcess(options: {
  prefix: string;
  topics: TopicNames;
  knex: Knex;
  settings?: Partial<HealthSettings>;
  kafka?: Kafka;
  logger?: Logger;
}): Promise<{ service: HealthService; metrics: HealthMetrics; registry: Registry; fatal: unknown[] }> {
  const registry = new Registry();
  const metrics = createHealthMetrics(registry);
  const fatal: unknown[] = [];
  const service = createHealthService({
    kafka: options.kafka ?? testKafka('health-test'),
    knex: options.knex,
    topics: options.topics,
    settings: {
      consumerGroup: `${options.prefix}health`,
      partitionsConcurrency: 3,
      offlineThreshold: 50,
      offlineWindowMs: 86_400_000,
      logRetentionMs: 30 * 86_400_000,
      // Tests call the purges themselves.
      retentionSweepIntervalMs: 3_600_000,
      outboxSweepIntervalMs: 1_000,
      ...options.settings,
    },
    registry,
    metrics,
    logger: options.logger ?? silentLogger,
    onFatal: (error) => fatal.push(error),
  });
  await service.start();
  return { service, metrics, registry, fatal };
}

export async function connectedProducer(): Promise<Producer> {
  const producer = testKafka('outcome-producer').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** Publishes outcomes as the sender does: keyed by event id, so one call stays in order. */
export async function publishOutcomes(producer: Producer, topic: string, outcomes: readonly OutcomeMessage[]): Promise<void> {
  for (let start = 0; start < outcomes.length; start += 500) {
    await producer.send({
      topic,
      acks: -1,
      messages: outcomes.slice(start, start + 500).map((outcome) => ({
        key: outcome.event_id,
        value: encodeMessage(outcomeMessageSchema, outcome),
      })),
    });
  }
}

/** Collects what reaches webhook-lifecycle. */
export async function collectLifecycle(prefix: string, topic: string): Promise<{ messages: LifecycleMessage[]; consumer: Consumer }> {
  const messages: LifecycleMessage[] = [];
  const consumer = testKafka('lifecycle-reader').consumer({ groupId: `${prefix}lifecycle-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(lifecycleMessageSchema, message.value);
      if (decoded.ok) messages.push(decoded.value);
    },
  });
  return { messages, consumer };
}

/** A workspace and an online webhook, written as the API would. */
export async function seedWebhook(
  knex: Knex,
  overrides: { failure_window_reset_at?: Date; status?: 'online' | 'offline'; deleted_at?: Date; promoted?: boolean } = {},
): Promise<{ workspaceId: string; webhookId: string }> {
  const [workspace] = await knex('workspaces').insert({ name: 'Acme' }).returning('id');
  const [webhook] = await knex('webhooks')
    .insert({
      workspace_id: workspace.id,
      url: 'http://127.0.0.1:9/hook',
      events: ['Case.Updated'],
      secret_encrypted: 'not-a-real-secret',
      failure_window_reset_at: overrides.failure_window_reset_at ?? new Date(0),
      status: overrides.status ?? 'online',
      deleted_at: overrides.deleted_at ?? null,
      promoted: overrides.promoted ?? false,
    })
    .returning('id');
  return { workspaceId: workspace.id as string, webhookId: webhook.id as string };
}

export async function failuresOf(knex: Knex, webhookId: string): Promise<number> {
  const [row] = await knex('webhook_failures').where({ webhook_id: webhookId }).count({ count: '*' });
  return Number(row?.count ?? 0);
}

export async function webhookRow(knex: Knex, webhookId: string): Promise<{ status: string; offline_reason: string | null }> {
  return knex('webhooks').where({ id: webhookId }).first('status', 'offline_reason');
}

/** Resolves once the group has committed every message of the topic. */
export async function waitForAllConsumed(groupId: string, topic: string, timeoutMs = 30_000): Promise<void> {
  const admin = testKafka('consumed-probe').admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
        const committedByPartition = new Map(committed[0]?.partitions.map((partition) => [partition.partition, Number(partition.offset)]));
        return ends.every((end) => Number(end.high) === 0 || committedByPartition.get(end.partition) === Number(end.high));
      },
      { description: `group ${groupId} to commit every message of ${topic}`, timeoutMs, intervalMs: 100 },
    );
  } finally {
    await admin.disconnect();
  }
}
