import type { EachBatchPayload, IHeaders, KafkaMessage, Producer } from '@hookstream/kafka';
import type { TopicNames } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import {
  SpanKind,
  context as otelContext,
  contextFromTraceHeaders,
  getTracer,
  trace,
  traceHeadersOf,
  type Logger,
} from '@hookstream/observability';
import type { RouterMetrics } from './metrics';
import type { ReceiptsDal } from './receipts-dal';
import { decodeDomainEventBytes, routeDomainEvent, type SubscribedWebhook } from './route-event';

/**
 * The deliveries of one domain event share its (possibly large) envelope: it is
 * serialised once and spliced into each message instead of once per webhook.
 */
export function encodeDeliveries(deliveries: readonly DeliveryMessage[]): Buffer[] {
  const first = deliveries[0];
  if (!first) return [];
  const domainEventJson = JSON.stringify(first.domain_event);
  return deliveries.map((delivery) => {
    const withoutEvent = JSON.stringify({ ...delivery, domain_event: undefined });
    return Buffer.from(`${withoutEvent.slice(0, -1)},"domain_event":${domainEventJson}}`);
  });
}

/** Headers added to a dead-lettered message (the original bytes, key and headers are kept). */
export const DLQ_HEADERS = {
  reason: 'hookstream-dlq-reason',
  message: 'hookstream-dlq-message',
  sourceTopic: 'hookstream-source-topic',
  sourcePartition: 'hookstream-source-partition',
  sourceOffset: 'hookstream-source-offset',
} as const;

export interface RouterDependencies {
  producer: Producer;
  topics: Pick<TopicNames, 'domainEvents' | 'domainEventsDlq' | 'webhookDeliveries'>;
  consumerGroup: string;
  maxMessageBytes: number;
  webhooksOf: (workspaceId: string) => readonly SubscribedWebhook[];
  /** Routing decisions need a current view of the webhooks: stale means retry later. */
  webhookViewIsFresh: () => boolean;
  decodeWireFormat?: ((bytes: Buffer) => Promise<unknown>) | undefined;
  receipts: ReceiptsDal;
  metrics: RouterMetrics;
  logger: Logger;
}

const tracer = getTracer('hookstream-router');

const MAX_BYTES_PER_SEND = 512 * 1024;

/** Splits messages into runs of at most `maxBytes` of values (a larger message goes alone). */
export function chunksByBytes<T extends { value: Buffer }>(messages: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length > 0 && bytes + message.value.length > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.value.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

interface OutgoingMessage {
  key: Buffer | string | null;
  value: Buffer;
  headers: IHeaders;
}

/**
 * Routes one batch of one partition inside one Kafka transaction: every delivery and
 * dead letter of the batch, and the batch's input offset, become visible together or not
 * at all. A crash anywhere before the commit means the batch is routed again from its
 * last committed offset, yielding the same messages (the event ids are deterministic).
 */
export async function routeBatch(dependencies: RouterDependencies, payload: EachBatchPayload): Promise<void> {
  const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
  if (batch.messages.length === 0 || !isRunning() || isStale()) return;
  const { metrics, logger, topics } = dependencies;
  const stopTimer = metrics.batchDuration.startTimer();

  if (!dependencies.webhookViewIsFresh()) {
    // Transient: the database is unreachable. kafkajs retries the batch; nothing is lost.
    throw new Error('the webhook view is stale (database unreachable?); retrying the batch');
  }

  const deliveries: OutgoingMessage[] = [];
  const deadLetters: OutgoingMessage[] = [];
  const routedIds: string[] = [];
  const results: Array<{ message: KafkaMessage; result: Awaited<ReturnType<typeof classify>> }> = [];

  async function classify(message: KafkaMessage) {
    const decoded = await decodeDomainEventBytes(message.value, dependencies.maxMessageBytes, dependencies.decodeWireFormat);
    if (!decoded.ok) return { kind: 'dead_letter' as const, reason: decoded.reason, message: decoded.message };
    return routeDomainEvent(decoded.decoded, dependencies.webhooksOf, new Date(Number(message.timestamp)));
  }

  for (const message of batch.messages) {
    results.push({ message, result: await classify(message) });
  }

  // A domain event id routed before (in an earlier batch, or earlier in this one) is a
  // republished duplicate: drop it, so each webhook gets one call per id.
  const candidateIds = results.flatMap(({ result }) => (result.kind === 'routed' ? [result.event.id] : []));
  const alreadyRouted = await dependencies.receipts.findRouted([...new Set(candidateIds.map((id) => id.toLowerCase()))]);
  await heartbeat();

  const counts = { routed: 0, no_match: 0, duplicate: 0, dead_lettered: 0 };
  for (const { message, result } of results) {
    if (result.kind === 'dead_letter') {
      counts.dead_lettered += 1;
      metrics.dlqMessages.inc({ reason: result.reason });
      logger.warn(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: result.reason, detail: result.message },
        'domain event dead-lettered',
      );
      deadLetters.push({
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          [DLQ_HEADERS.reason]: result.reason,
          [DLQ_HEADERS.message]: result.message.slice(0, 1_000),
          [DLQ_HEADERS.sourceTopic]: batch.topic,
          [DLQ_HEADERS.sourcePartition]: String(batch.partition),
          [DLQ_HEADERS.sourceOffset]: message.offset,
        },
      });
      continue;
    }
    // PostgreSQL returns uuids in lower case.
    const domainEventId = result.event.id.toLowerCase();
    if (alreadyRouted.has(domainEventId)) {
      counts.duplicate += 1;
      continue;
    }
    alreadyRouted.add(domainEventId);
    routedIds.push(domainEventId);
    metrics.fanout.observe(result.deliveries.length);
    if (result.deliveries.length === 0) {
      counts.no_match += 1;
      continue;
    }
    counts.routed += 1;

    // One span per routed event, child of the producer's traceparent when there is one;
    // its context travels on to the sender in each delivery's headers.
    const parent = contextFromTraceHeaders({
      traceparent: headerText(message.headers, 'traceparent'),
      tracestate: headerText(message.headers, 'tracestate'),
    });
    const span = tracer.startSpan(
      'route domain event',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': batch.topic,
          'hookstream.domain_event.type': result.event.type,
          'hookstream.fanout': result.deliveries.length,
        },
      },
      parent,
    );
    const traceHeaders = traceHeadersOf(trace.setSpan(otelContext.active(), span));
    span.end();
    const encoded = encodeDeliveries(result.deliveries);
    result.deliveries.forEach((delivery, index) => {
      metrics.deliveriesRouted.inc({ event: delivery.event });
      deliveries.push({ key: delivery.event_id, value: encoded[index] as Buffer, headers: traceHeaders });
    });
  }

  const lastOffset = batch.lastOffset();
  const transaction = await dependencies.producer.transaction();
  try {
    // Several sends in one transaction: each request (and each partition's record batch
    // in it) stays under the broker's message size limit, whatever the batch's fan-out.
    for (const [topic, messages] of [
      [topics.webhookDeliveries, deliveries],
      [topics.domainEventsDlq, deadLetters],
    ] as const) {
      for (const chunk of chunksByBytes(messages, MAX_BYTES_PER_SEND)) {
        await transaction.sendBatch({ topicMessages: [{ topic, messages: chunk }], acks: -1 });
      }
    }
    await transaction.sendOffsets({
      consumerGroupId: dependencies.consumerGroup,
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
    });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch((abortError: unknown) => logger.warn({ err: abortError }, 'transaction abort failed'));
    throw error;
  }
  resolveOffset(lastOffset);

  // After the commit: a crash before this line re-routes nothing (the offsets are
  // committed), and a duplicate arriving later finds the receipt.
  await dependencies.receipts.recordRouted(routedIds);

  for (const [result, count] of Object.entries(counts)) {
    if (count > 0) metrics.eventsConsumed.inc({ result }, count);
  }
  stopTimer();
}
