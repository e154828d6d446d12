import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Partitioners } from 'kafkajs';
import { ensureTopics, type Kafka } from '@hookstream/kafka';
import { benchDomainEvent } from '../load/domain-event';
import type { BenchContext } from '../stack/scenario-stack';

const now = () => performance.timeOrigin + performance.now();

/**
 * The broker's own limit for this message size: kafkajs producing 1 KiB messages with
 * acks=all (several requests in flight) into a topic laid out like domain-events, and a
 * consumer reading them back, for `durationMs`. No transactions, no database, no HTTP.
 */
export async function measureBrokerRate(context: BenchContext, options: { durationMs: number; sizeBytes: number; partitions: number }) {
  const { kafka, admin } = context;
  const topic = `bench-raw-${randomBytes(3).toString('hex')}`;
  await ensureTopics(admin, [
    { topic, numPartitions: options.partitions, replicationFactor: 1, configEntries: [{ name: 'min.insync.replicas', value: '1' }] },
  ]);
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  const producer = producerFor(kafka);
  await Promise.all([consumer.connect(), producer.connect()]);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
    },
  });
  await joined;

  const value = benchDomainEvent({ workspace: { id: randomBytes(16).toString('hex'), name: 'raw' }, run: 'raw', sentAtMs: now(), sizeBytes: options.sizeBytes });
  const messages = Array.from({ length: 500 }, () => ({ value }));
  const startMs = now();
  const endMs = startMs + options.durationMs;
  let produced = 0;
  // Four producing loops: requests overlap as the services' batching publishers' do.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (now() < endMs) {
        await producer.send({ topic, acks: -1, messages });
        produced += messages.length;
      }
    }),
  );
  const producedSeconds = (now() - startMs) / 1_000;
  const consumedInWindow = consumed;
  // Then let the consumer finish, to confirm it kept up rather than fell behind.
  const drainDeadline = now() + 15_000;
  while (consumed < produced && now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const drainedSeconds = (now() - startMs) / 1_000;
  await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  return {
    producedPerSecond: produced / producedSeconds,
    consumedPerSecond: consumedInWindow / producedSeconds,
    /** All produced messages consumed, over the time from the first send to the last read. */
    produceConsumePerSecond: Math.min(consumed, produced) / drainedSeconds,
    messages: produced,
    sizeBytes: options.sizeBytes,
  };
}

function producerFor(kafka: Kafka) {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
}

/**
 * The receiver's own limit: autocannon POSTing a webhook-sized body over keep-alive
 * connections to a listener of the same receiver process the services call.
 */
export async function measureReceiverRate(context: BenchContext, options: { durationSeconds: number; connections: number; sizeBytes: number }) {
  const { receiver } = context;
  const label = 'reference/autocannon';
  const [url] = await receiver.open([{ label, behaviour: 'ok' }]);
  const event = JSON.parse(
    benchDomainEvent({ workspace: { id: randomBytes(16).toString('hex'), name: 'reference' }, run: 'reference', sentAtMs: now(), sizeBytes: options.sizeBytes }).toString(),
  ) as { id: string; workspace: unknown; entity: Record<string, unknown> };
  // The shape the sender POSTs (docs/webhooks.md), without the send time: not a measured call.
  delete event.entity.bench_sent_at_ms;
  const body = JSON.stringify({
    event: 'Case.Updated',
    sub_event: 'Case.StatusUpdated',
    context: { timestamp: Math.floor(Date.now() / 1_000), event_id: event.id, retry_count: 0, remaining_retry_count: 4, workspace: event.workspace },
    case: event.entity,
  });
  const result = await autocannon({
    url: url as string,
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'hookstream/0.1.0 (+webhooks)',
      'dotfile-signature': 'f'.repeat(64),
      'dotfile-event-id': event.id,
      'dotfile-retry-count': '0',
      'dotfile-remaining-retry-count': '4',
    },
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
  });
  await receiver.close([label]);
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    connections: options.connections,
    bodyBytes: Buffer.byteLength(body),
    errors: result.errors + result.non2xx,
  };
}
