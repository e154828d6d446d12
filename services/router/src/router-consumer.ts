import type { EachBatchPayload, IHeaders, KafkaMessage } from '@hookstream/kafka';
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
import { RegistryUnavailableError, decodeDomainEventBytes, routeDomainEvent, type DeadLetterReason, type RouteResult, type SubscribedWebhook } from './route-event';
import type { OutgoingMessage, TransactionBatcher } from './transaction-batcher';

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
  /** Commits the routed batches of all partitions, several per Kafka transaction. */
  transactions: TransactionBatcher;
  topics: Pick<TopicNames, 'domainEvents' | 'domainEventsDlq' | 'webhookDeliveries'>;
  maxMessageBytes: number;
  webhooksOf: (workspaceId: string) => readonly SubscribedWebhook[];
  /** Routing decisions need a current view of the webhooks: stale means retry later. */
  webhookViewIsFresh: () => boolean;
  decodeWireFormat?: ((bytes: Buffer) => Promise<unknown>) | undefined;
  /** Where a partition waits while the schema registry cannot answer (else the batch is thrown back to kafkajs). */
  registryWaits?: RegistryWaits | undefined;
  /** Reads receipts; the batcher records them after each commit. */
  receipts: Pick<ReceiptsDal, 'findRouted'>;
  metrics: RouterMetrics;
  logger: Logger;
}

const tracer = getTracer('hookstream-router');

export interface RegistryWaits {
  /**
   * The registry could not decode a batch of this partition: pause the partition and
   * resume it after a backoff that grows with each failed attempt. Returns the delay.
   */
  defer(topic: string, partition: number, pause: () => () => void, error: RegistryUnavailableError): number;
  /** A batch of the partition was decoded: it no longer waits. */
  decoded(topic: string, partition: number): void;
  /** Partitions waiting for the registry (the router is not ready while any does). */
  waiting(): number;
  /** After a rebalance: resume every waiting partition (those still ours fail again and wait again). */
  reset(): void;
  stop(): void;
}

/**
 * Per-partition waits for the schema registry. A registry outage is an infrastructure
 * failure: the batch's messages are neither routed nor dead-lettered; their offsets stay
 * unresolved, so kafkajs fetches them again when the partition resumes. Other partitions
 * (whose events use schemas already cached, or JSON) go on.
 */
export function createRegistryWaits(options: {
  metrics: RouterMetrics;
  logger: Logger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}): RegistryWaits {
  const initial = options.initialBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 10_000;
  const random = options.random ?? Math.random;
  const waits = new Map<string, { attempts: number; since: number; timer?: NodeJS.Timeout; resume?: () => void }>();
  const publish = () => options.metrics.partitionsWaitingForRegistry.set(waits.size);

  return {
    defer(topic, partition, pause, error) {
      const key = `${topic}:${partition}`;
      const wait = waits.get(key) ?? { attempts: 0, since: Date.now() };
      if (wait.attempts === 0) {
        options.logger.warn({ topic, partition, err: error.cause }, 'schema registry unavailable: the partition waits for it');
      }
      wait.attempts += 1;
      clearTimeout(wait.timer);
      // Exponential, with +-20% jitter so that partitions do not retry in step.
      const delay = Math.round(Math.min(max, initial * 2 ** (wait.attempts - 1)) * (0.8 + 0.4 * random()));
      const resume = pause();
      wait.resume = resume;
      wait.timer = setTimeout(() => {
        wait.timer = undefined;
        resume();
      }, delay);
      wait.timer.unref();
      waits.set(key, wait);
      options.metrics.registryUnavailable.inc();
      publish();
      return delay;
    },
    decoded(topic, partition) {
      const key = `${topic}:${partition}`;
      const wait = waits.get(key);
      if (!wait) return;
      clearTimeout(wait.timer);
      waits.delete(key);
      publish();
      options.logger.info({ topic, partition, waitedMs: Date.now() - wait.since, attempts: wait.attempts }, 'schema registry answers again: the partition goes on');
    },
    waiting: () => waits.size,
    reset() {
      for (const wait of waits.values()) {
        clearTimeout(wait.timer);
        wait.resume?.();
      }
      waits.clear();
      publish();
    },
    stop() {
      for (const wait of waits.values()) clearTimeout(wait.timer);
    },
  };
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Routes one batch of one partition and hands it to the transaction batcher: every
 * delivery and dead letter of the batch, and the batch's input offset, become visible
 * together (in one Kafka transaction, possibly shared with other partitions' batches) or
 * not at all. A crash anywhere before the commit means the batch is routed again from its
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

  const ticket = dependencies.transactions.enter();
  try {
    const results: Array<{ message: KafkaMessage; result: RouteResult }> = [];
    try {
      for (const message of batch.messages) {
        const decoded = await decodeDomainEventBytes(message.value, dependencies.maxMessageBytes, dependencies.decodeWireFormat);
        const result: RouteResult = decoded.ok
          ? routeDomainEvent(decoded.decoded, dependencies.webhooksOf, new Date(Number(message.timestamp)))
          : { kind: 'dead_letter', reason: decoded.reason, message: decoded.message };
        results.push({ message, result });
      }
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError) || !dependencies.registryWaits) throw error;
      // Nothing of the batch is submitted or resolved: it is read again when the partition resumes.
      const delayMs = dependencies.registryWaits.defer(batch.topic, batch.partition, payload.pause, error);
      logger.debug({ topic: batch.topic, partition: batch.partition, offset: batch.firstOffset(), delayMs }, 'batch waits for the schema registry');
      return;
    }
    dependencies.registryWaits?.decoded(batch.topic, batch.partition);

    // A domain event id routed before (in an earlier batch, earlier in this one, or in
    // another partition's batch still in flight) is a republished duplicate: drop it, so
    // each webhook gets one call per id. PostgreSQL returns uuids in lower case.
    const candidateIds = new Set<string>();
    for (const { result } of results) {
      if (result.kind === 'routed') candidateIds.add(result.event.id.toLowerCase());
    }
    // Claimed before the receipts are read: another batch's id is then either still
    // claimed by it or already recorded.
    const heldElsewhere = ticket.claim(candidateIds);
    const alreadyRouted = await dependencies.receipts.findRouted(
      heldElsewhere.size === 0 ? [...candidateIds] : [...candidateIds].filter((id) => !heldElsewhere.has(id)),
    );
    for (const id of heldElsewhere) alreadyRouted.add(id);
    await heartbeat();

    const deliveries: OutgoingMessage[] = [];
    const deadLetters: OutgoingMessage[] = [];
    const routedIds: string[] = [];
    const counts = { routed: 0, no_match: 0, duplicate: 0, dead_lettered: 0 };
    // Metrics are counted once the batch is committed, so that a retried batch counts once.
    const deliveriesByEvent = new Map<string, number>();
    const deadLettersByReason = new Map<string, number>();
    const fanouts: number[] = [];
    const deadLetterOf = (message: KafkaMessage, reason: DeadLetterReason, detail: string): OutgoingMessage => ({
      key: message.key,
      value: message.value ?? Buffer.alloc(0),
      headers: {
        ...message.headers,
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.message]: detail.slice(0, 1_000),
        [DLQ_HEADERS.sourceTopic]: batch.topic,
        [DLQ_HEADERS.sourcePartition]: String(batch.partition),
        [DLQ_HEADERS.sourceOffset]: message.offset,
      },
      source: message.offset,
    });
    /** What each routed consumed message contributed, to take back if the broker refuses its calls. */
    const routedBySource = new Map<string, { id: string; events: string[] }>();
    for (const { message, result } of results) {
      if (result.kind === 'dead_letter') {
        counts.dead_lettered += 1;
        deadLettersByReason.set(result.reason, (deadLettersByReason.get(result.reason) ?? 0) + 1);
        logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: result.reason, detail: result.message },
          'domain event dead-lettered',
        );
        deadLetters.push(deadLetterOf(message, result.reason, result.message));
        continue;
      }
      const domainEventId = result.event.id.toLowerCase();
      if (alreadyRouted.has(domainEventId)) {
        counts.duplicate += 1;
        continue;
      }
      alreadyRouted.add(domainEventId);
      routedIds.push(domainEventId);
      routedBySource.set(message.offset, { id: domainEventId, events: result.deliveries.map((delivery) => delivery.event) });
      fanouts.push(result.deliveries.length);
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
        deliveriesByEvent.set(delivery.event, (deliveriesByEvent.get(delivery.event) ?? 0) + 1);
        deliveries.push({ key: delivery.event_id, value: encoded[index] as Buffer, headers: traceHeaders, source: message.offset });
      });
    }

    const lastOffset = batch.lastOffset();
    const messagesByOffset = new Map(batch.messages.map((message) => [message.offset, message]));
    const refused: string[] = [];
    const outcome = await ticket.submit({
      topicMessages: [
        { topic: topics.webhookDeliveries, messages: deliveries },
        { topic: topics.domainEventsDlq, messages: deadLetters },
      ],
      offset: { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() },
      routedIds,
      // Only once committed: kafkajs then fetches on from the next offset.
      onCommitted: () => resolveOffset(lastOffset),
      isStale,
      // The broker refused this message's output for good (a call larger than the topic
      // accepts): the domain event goes to the dead-letter topic with the broker's answer.
      deadLetterFor: (source, detail) => ({
        topic: topics.domainEventsDlq,
        message: deadLetterOf(messagesByOffset.get(source) as KafkaMessage, 'refused_by_broker', detail),
        routedId: routedBySource.get(source)?.id,
      }),
      onRefused: (sources) => void refused.push(...sources),
    });
    // Revoked or re-positioned while waiting: nothing of it was committed; it will be read again.
    if (outcome === 'stale') return;

    for (const source of refused) {
      const taken = routedBySource.get(source);
      if (taken) {
        counts.routed -= 1;
        for (const event of taken.events) deliveriesByEvent.set(event, (deliveriesByEvent.get(event) ?? 0) - 1);
      }
      counts.dead_lettered += 1;
      deadLettersByReason.set('refused_by_broker', (deadLettersByReason.get('refused_by_broker') ?? 0) + 1);
    }

    for (const [event, count] of deliveriesByEvent) if (count > 0) metrics.deliveriesRouted.inc({ event }, count);
    for (const [reason, count] of deadLettersByReason) metrics.dlqMessages.inc({ reason }, count);
    for (const fanout of fanouts) metrics.fanout.observe(fanout);
    for (const [result, count] of Object.entries(counts)) {
      if (count > 0) metrics.eventsConsumed.inc({ result }, count);
    }
    stopTimer();
  } finally {
    ticket.release();
  }
}
