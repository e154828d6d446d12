import { randomUUID } from 'node:crypto';
import { deriveEventId } from '@hookstream/events';
import type { EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import { Registry, createLogger } from '@hookstream/observability';
import { createRouterMetrics } from './metrics';
import { DLQ_HEADERS, routeBatch, type RouterDependencies } from './router-consumer';
import { createTransactionBatcher, type OutgoingMessage, type TransactionBatcherOptions } from './transaction-batcher';

/**
 * routeBatch with the real transaction batcher over a recording producer and an in-memory
 * receipts table: what the partitions' concurrent batches commit, and in how many transactions.
 */

const topics = { domainEvents: 'domain-events', domainEventsDlq: 'domain-events-dlq', webhookDeliveries: 'webhook-deliveries' };
const workspace = { id: 'ws-1', name: 'Acme' };
const webhook = { id: randomUUID(), events: new Set(['Case.Created']) };

function domainEvent(id: string = randomUUID()) {
  return { id, type: 'Case.Created', occurred_at: '2026-11-25T12:00:00.000Z', workspace, entity: { id: 'case-1' }, context: {} };
}

interface Committed {
  messages: Array<{ topic: string } & OutgoingMessage>;
  offsets: Array<{ partition: number; offset: string }>;
}

function setup() {
  const committed: Committed[] = [];
  const producer = {
    async transaction() {
      const current: Committed = { messages: [], offsets: [] };
      return {
        async sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: OutgoingMessage[] }> }) {
          for (const { topic, messages } of topicMessages) current.messages.push(...messages.map((entry) => ({ topic, ...entry })));
        },
        async sendOffsets({ topics: offsetTopics }: { topics: Array<{ partitions: Array<{ partition: number; offset: string }> }> }) {
          current.offsets.push(...offsetTopics.flatMap((topic) => topic.partitions));
        },
        async commit() {
          committed.push(current);
        },
        async abort() {},
      };
    },
  };
  const receipts = new Set<string>();
  const logger = createLogger({ service: 'router-test', level: 'silent' });
  const registry = new Registry();
  const metrics = createRouterMetrics(registry);
  const transactions = createTransactionBatcher({
    producer: producer as unknown as TransactionBatcherOptions['producer'],
    consumerGroup: 'router',
    maxBytesPerSend: 512 * 1024,
    afterCommit: async (ids) => {
      for (const id of ids) receipts.add(id);
    },
    // The recording producer places no message in a partition; the coverage check is tested on its own.
    unwritten: () => [],
    // Its transactions never fail: nothing to replace.
    renewProducer: async () => undefined,
    logger,
  });
  const dependencies: RouterDependencies = {
    transactions,
    topics,
    maxMessageBytes: 64 * 1024,
    webhooksOf: (workspaceId) => (workspaceId === workspace.id ? [webhook] : []),
    webhookViewIsFresh: () => true,
    receipts: {
      // A real round trip's worth of waiting, so that the partitions' batches interleave.
      findRouted: async (ids) => {
        await new Promise((resolve) => setImmediate(resolve));
        return new Set(ids.filter((id) => receipts.has(id)));
      },
    },
    metrics,
    logger,
  };
  return { committed, receipts, dependencies, metrics };
}

function batchOf(partition: number, firstOffset: number, values: string[], options: { isStale?: () => boolean } = {}) {
  const messages: KafkaMessage[] = values.map((value, index) => ({
    key: Buffer.from(workspace.id),
    value: Buffer.from(value),
    headers: {},
    offset: String(firstOffset + index),
    timestamp: String(Date.parse('2026-11-25T12:00:01.000Z')),
    attributes: 0,
  }));
  const resolved: string[] = [];
  const payload = {
    batch: { topic: topics.domainEvents, partition, messages, lastOffset: () => String(firstOffset + values.length - 1) },
    heartbeat: async () => undefined,
    resolveOffset: (offset: string) => resolved.push(offset),
    isRunning: () => true,
    isStale: options.isStale ?? (() => false),
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

async function consumedByResult(metrics: ReturnType<typeof createRouterMetrics>): Promise<Record<string, number>> {
  const { values } = await metrics.eventsConsumed.get();
  return Object.fromEntries(values.map((entry) => [String(entry.labels.result), entry.value]));
}

describe('routeBatch with the transaction batcher', () => {
  it('commits the concurrent batches of several partitions in one transaction, each with its offset', async () => {
    const { committed, dependencies, metrics } = setup();
    const events = [domainEvent(), domainEvent(), domainEvent()];
    const batches = [
      batchOf(0, 10, [JSON.stringify(events[0])]),
      batchOf(1, 20, [JSON.stringify(events[1])]),
      batchOf(2, 30, [JSON.stringify(events[2]), '{"broken']),
    ];
    await Promise.all(batches.map(({ payload }) => routeBatch(dependencies, payload)));

    expect(committed).toHaveLength(1);
    const [transaction] = committed;
    const deliveries = transaction?.messages.filter((entry) => entry.topic === topics.webhookDeliveries) ?? [];
    expect(deliveries.map((entry) => entry.key).sort()).toEqual(events.map((event) => deriveEventId(event.id, webhook.id)).sort());
    const deadLetters = transaction?.messages.filter((entry) => entry.topic === topics.domainEventsDlq) ?? [];
    expect(deadLetters.map((entry) => entry.headers[DLQ_HEADERS.sourceOffset])).toEqual(['31']);
    expect(transaction?.offsets).toEqual([
      { partition: 0, offset: '11' },
      { partition: 1, offset: '21' },
      { partition: 2, offset: '32' },
    ]);
    expect(batches.map(({ resolved }) => resolved)).toEqual([['10'], ['20'], ['31']]);
    expect(await consumedByResult(metrics)).toEqual({ routed: 3, dead_lettered: 1 });
  });

  it('routes an id published on two partitions at once only once, and drops it when republished later', async () => {
    const { committed, dependencies, receipts, metrics } = setup();
    const event = domainEvent();
    const value = JSON.stringify(event);
    await Promise.all([routeBatch(dependencies, batchOf(0, 0, [value]).payload), routeBatch(dependencies, batchOf(1, 0, [value, value]).payload)]);
    const deliveries = () => committed.flatMap((transaction) => transaction.messages);
    expect(deliveries()).toHaveLength(1);
    expect(receipts).toEqual(new Set([event.id]));

    await routeBatch(dependencies, batchOf(2, 0, [JSON.stringify({ ...event, id: event.id.toUpperCase() })]).payload);
    expect(deliveries()).toHaveLength(1);
    expect(await consumedByResult(metrics)).toEqual({ routed: 1, duplicate: 3 });
  });

  it('commits and resolves nothing of a batch whose partition went stale while it waited', async () => {
    const { committed, dependencies, metrics } = setup();
    let stale = false;
    const { payload, resolved } = batchOf(0, 5, [JSON.stringify(domainEvent())], { isStale: () => stale });
    const routing = routeBatch(dependencies, payload);
    stale = true;
    await routing;
    expect(committed).toEqual([]);
    expect(resolved).toEqual([]);
    expect(await consumedByResult(metrics)).toEqual({});
  });
});
