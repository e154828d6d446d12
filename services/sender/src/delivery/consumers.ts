import type { Consumer, EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import { decodeMessage, deliveryMessageSchema, type DeliveryMessage } from '@hookstream/messages';
import type { Logger } from '@hookstream/observability';
import type { SenderMetrics } from '../metrics';
import type { Capacity, Claim } from './endpoint-limiter';
import type { PartitionTracker } from './partition-tracker';

export interface DispatchDependencies {
  tracker: PartitionTracker;
  capacity: Capacity;
  metrics: SenderMetrics;
  logger: Logger;
  /** `bytes`: the size of the call's message, held against its endpoint's share. */
  execute: (delivery: DeliveryMessage, traceparent: string | undefined, bytes: number) => Promise<void>;
}

function traceparentOf(message: KafkaMessage): string | undefined {
  const value = message.headers?.traceparent;
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}

/**
 * Starts one message's attempt without waiting for it: the partition goes on with the
 * next message while this one is in flight, and the tracker holds the commit point below
 * it until its outcome is durable.
 */
async function dispatch(
  dependencies: DispatchDependencies,
  payload: EachBatchPayload,
  message: KafkaMessage,
  delivery: DeliveryMessage,
): Promise<void> {
  const { batch, heartbeat } = payload;
  // Automatic retries may hold only their share of the pool: first calls stay ahead.
  const claim: Claim = { kind: delivery.type === 'automatic_retry' ? 'retry' : 'first', bytes: message.value?.length ?? 0 };
  // Wait for a free slot, heartbeating so that a long wait never costs the group membership.
  if (!dependencies.capacity.tryAcquire(claim)) {
    while (!(await dependencies.capacity.acquire(1_000, claim))) await heartbeat();
  }
  dependencies.tracker.track(batch.topic, batch.partition, message.offset, 'in_flight');
  dependencies.metrics.inFlight.inc();
  void attempt(dependencies, batch.topic, batch.partition, message.offset, delivery, traceparentOf(message), claim);
}

/** One dispatched attempt to its end; the slot and the tracked offset are freed whatever happens. */
async function attempt(
  dependencies: DispatchDependencies,
  topic: string,
  partition: number,
  offset: string,
  delivery: DeliveryMessage,
  traceparent: string | undefined,
  claim: Claim,
): Promise<void> {
  try {
    await dependencies.execute(delivery, traceparent, claim.bytes);
  } catch (error) {
    // executeDelivery retries its own publishing; reaching here is a bug, not an outage.
    dependencies.logger.error({ err: error, eventId: delivery.event_id }, 'delivery failed unexpectedly');
  } finally {
    dependencies.tracker.complete(topic, partition, offset);
    dependencies.capacity.release(claim);
    dependencies.metrics.inFlight.dec();
  }
}

function decode(dependencies: DispatchDependencies, message: KafkaMessage, topicKind: string): DeliveryMessage | undefined {
  const decoded = decodeMessage(deliveryMessageSchema, message.value);
  if (decoded.ok) return decoded.value;
  dependencies.metrics.undecodable.inc({ topic_kind: topicKind });
  dependencies.logger.error({ offset: message.offset, error: decoded.error }, 'skipping a message that breaks the delivery contract');
  return undefined;
}

/**
 * Lets the event loop turn every few messages: a large fetched batch must not build and
 * sign all its requests before any response is read.
 */
const YIELD_EVERY_MESSAGES = 32;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `webhook-deliveries`: first calls and manual retries, sent as soon as they are read. */
export function createImmediateBatchHandler(dependencies: DispatchDependencies) {
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale, heartbeat } = payload;
    for (const [index, message] of batch.messages.entries()) {
      if (index > 0 && index % YIELD_EVERY_MESSAGES === 0) await yieldToEventLoop();
      if (!isRunning() || isStale()) return;
      if (dependencies.tracker.stateOf(batch.topic, batch.partition, message.offset) === undefined) {
        const delivery = decode(dependencies, message, 'deliveries');
        if (delivery) await dispatch(dependencies, payload, message, delivery);
      }
      resolveOffset(message.offset);
    }
    await heartbeat();
  };
}

export interface RetryTierDependencies extends DispatchDependencies {
  consumer: Pick<Consumer, 'pause' | 'resume' | 'seek'>;
  tierLabelOf: (topic: string) => string;
  now?: () => number;
}

/**
 * The retry tiers: a message waits in its tier until due. A batch sends every message
 * that is due (even behind one that is not), then seeks back to the first waiting message
 * and pauses just that partition until the earliest waiting one falls due. No handler
 * sleeps, other partitions, tiers and first calls go on, and the wait survives a restart
 * because waiting messages are never committed.
 */
export function createRetryTierHandler(dependencies: RetryTierDependencies) {
  const timers = new Map<string, NodeJS.Timeout>();
  const now = dependencies.now ?? Date.now;

  const handler = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale, heartbeat } = payload;
    const { tracker } = dependencies;
    let firstWaitingOffset: string | undefined;
    let earliestDue = Number.POSITIVE_INFINITY;

    for (const [index, message] of batch.messages.entries()) {
      if (index > 0 && index % YIELD_EVERY_MESSAGES === 0) await yieldToEventLoop();
      if (!isRunning() || isStale()) return;
      const state = tracker.stateOf(batch.topic, batch.partition, message.offset);
      if (state === 'in_flight' || state === 'done') continue;
      const delivery = decode(dependencies, message, 'retries');
      if (!delivery) {
        tracker.track(batch.topic, batch.partition, message.offset, 'in_flight');
        tracker.complete(batch.topic, batch.partition, message.offset);
        continue;
      }
      const dueAt = Date.parse(delivery.due_at);
      if (dueAt > now()) {
        tracker.track(batch.topic, batch.partition, message.offset, 'waiting');
        firstWaitingOffset ??= message.offset;
        earliestDue = Math.min(earliestDue, dueAt);
        continue;
      }
      dependencies.metrics.retryLateness.observe({ tier: dependencies.tierLabelOf(batch.topic) }, Math.max(0, now() - dueAt) / 1_000);
      await dispatch(dependencies, payload, message, delivery);
    }

    if (firstWaitingOffset === undefined) {
      resolveOffset(batch.lastOffset());
      await heartbeat();
      return;
    }
    // Read again from the first waiting message when the earliest one is due.
    const partitionKey = `${batch.topic}:${batch.partition}`;
    dependencies.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    dependencies.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: firstWaitingOffset });
    clearTimeout(timers.get(partitionKey));
    const delay = Math.max(0, earliestDue - now());
    const timer = setTimeout(() => {
      timers.delete(partitionKey);
      dependencies.consumer.resume([{ topic: batch.topic, partitions: [batch.partition] }]);
    }, delay);
    timer.unref();
    timers.set(partitionKey, timer);
  };

  /**
   * kafkajs keeps partitions paused across a rebalance, and the partitions we get may not
   * be the ones we paused: start over from the committed offsets, re-reading every waiting
   * message (its state was never committed) and pausing again where needed.
   */
  const onRebalance = (topics: readonly string[]) => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    dependencies.tracker.forgetWaiting();
    dependencies.consumer.resume(topics.map((topic) => ({ topic })));
  };

  const stop = () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };

  return { handler, onRebalance, stop };
}
