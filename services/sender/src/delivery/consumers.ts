import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import type { Logger } from '@hookstream/observability';
import type { SenderMetrics } from '../metrics';
import type { Capacity, Claim } from './endpoint-limiter';
import type { PartitionTracker } from './partition-tracker';
import { parseDelivery, type DeliveryResult } from './steps';

/** How long a message waits before it is tried again after an infrastructure failure. */
export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { firstMs: 250, maxMs: 2_000, random: Math.random };

/**
 * The wait before try `failures + 1`: doubling from `firstMs` up to `maxMs`, of which a
 * random half, so that the messages that failed together do not all come back at once.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/**
 * The messages of this process that wait on infrastructure right now: the readiness
 * check reports the sender not ready while any does.
 */
export class InfrastructureWaits {
  private count = 0;
  constructor(private readonly metrics: Pick<SenderMetrics, 'waitingForInfrastructure'>) {}
  enter(): void {
    this.count += 1;
    this.metrics.waitingForInfrastructure.inc();
  }
  leave(): void {
    this.count -= 1;
    this.metrics.waitingForInfrastructure.dec();
  }
  get waiting(): number {
    return this.count;
  }
}

export interface DispatchDependencies {
  tracker: PartitionTracker;
  capacity: Capacity;
  metrics: SenderMetrics;
  logger: Logger;
  /** `bytes`: the size of the call's message, held against its endpoint's share. */
  execute: (delivery: DeliveryMessage, traceparent: string | undefined, bytes: number) => Promise<DeliveryResult>;
  waits: InfrastructureWaits;
  /** Aborted at shutdown: a message still backing off is left uncommitted, to be read again. */
  signal?: AbortSignal;
  backoff?: BackoffPolicy;
}

function traceparentOf(message: KafkaMessage): string | undefined {
  const value = message.headers?.traceparent;
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}

/** What is done with one dispatched message: an attempt, or moving a retry to another tier. */
export type MessageWork = () => Promise<DeliveryResult>;

export function deliveryWork(dependencies: Pick<DispatchDependencies, 'execute'>, message: KafkaMessage, delivery: DeliveryMessage): MessageWork {
  const traceparent = traceparentOf(message);
  const bytes = message.value?.length ?? 0;
  return () => dependencies.execute(delivery, traceparent, bytes);
}

/**
 * What a message holds of the pool: automatic retries and replayed calls may hold only the
 * retry share, so first calls (and the customer's manual retries) stay ahead.
 */
export function claimOf(message: KafkaMessage, delivery: DeliveryMessage): Claim {
  const behindLiveTraffic = delivery.type === 'automatic_retry' || delivery.type === 'replay';
  return { kind: behindLiveTraffic ? 'retry' : 'first', bytes: message.value?.length ?? 0 };
}

/**
 * Starts one message's work without waiting for it: the partition goes on with the next
 * message while this one is in flight, and the tracker holds the commit point below it
 * until its outcome is durable.
 */
export async function dispatch(
  dependencies: DispatchDependencies,
  where: { topic: string; partition: number; heartbeat: () => Promise<void> },
  offset: string,
  eventId: string,
  work: MessageWork,
  claim: Claim,
): Promise<void> {
  const { topic, partition, heartbeat } = where;
  const { tracker } = dependencies;
  // Tracked before the wait for a slot, so that the commit point stays below it meanwhile.
  tracker.track(topic, partition, offset, 'in_flight');
  const epoch = tracker.epochOf(topic, partition);
  // Wait for a free slot, heartbeating so that a long wait never costs the group membership.
  if (!dependencies.capacity.tryAcquire(claim)) {
    while (!(await dependencies.capacity.acquire(1_000, claim))) await heartbeat();
  }
  if (tracker.epochOf(topic, partition) !== epoch) {
    // The partition was forgotten while this message waited (a rebalance or a crash): it is
    // read again from the committed offset. Tracked now, it would start a commit point
    // above retries never sent.
    dependencies.capacity.release(claim);
    return;
  }
  dependencies.metrics.inFlight.inc();
  void attempt(dependencies, topic, partition, offset, eventId, work, claim);
}

/**
 * One dispatched message to its end. `done` and `gave_up` have published an outcome: the
 * message is complete and its offset may be committed. `retry_later` (the database could
 * not be read) and anything thrown (a fault of the sender itself) are tried again after a
 * backoff, for as long as it takes: the offset is held meanwhile, so that a message is
 * never completed without an outcome, not even across a restart. The slot is freed
 * whatever happens.
 */
async function attempt(
  dependencies: DispatchDependencies,
  topic: string,
  partition: number,
  offset: string,
  eventId: string,
  work: MessageWork,
  claim: Claim,
): Promise<void> {
  const { metrics, logger, waits } = dependencies;
  let failures = 0;
  try {
    for (;;) {
      let result: DeliveryResult;
      try {
        result = await work();
      } catch (error) {
        result = { kind: 'retry_later', reason: 'unexpected', error };
      }
      if (result.kind !== 'retry_later') {
        if (result.kind === 'gave_up') metrics.gaveUp.inc({ reason: result.reason });
        dependencies.tracker.complete(topic, partition, offset);
        return;
      }
      failures += 1;
      if (failures === 1) waits.enter();
      metrics.infrastructureFailures.inc({ reason: result.reason });
      if (failures === 1 || failures % 20 === 0) {
        const fields = { err: result.error, eventId, reason: result.reason, failures, topic, partition, offset };
        if (result.reason === 'unexpected') logger.error(fields, 'delivery failed unexpectedly; trying the message again after a backoff');
        else logger.warn(fields, 'the database could not be read; the message waits and is tried again');
      }
      if (dependencies.signal?.aborted) return;
      try {
        await sleep(backoffDelayMs(failures, dependencies.backoff ?? DEFAULT_BACKOFF), undefined, { signal: dependencies.signal });
      } catch {
        // Shutting down: the offset stays uncommitted and the message is read again.
        return;
      }
    }
  } finally {
    if (failures > 0) waits.leave();
    dependencies.capacity.release(claim);
    metrics.inFlight.dec();
  }
}

/** The parse step: a delivery message, or a drop counted with its reason. */
export function parse(dependencies: DispatchDependencies, message: KafkaMessage, topicKind: string): DeliveryMessage | undefined {
  const parsed = parseDelivery(message);
  if (parsed.kind === 'ok') return parsed.delivery;
  dependencies.metrics.undecodable.inc({ topic_kind: topicKind });
  dependencies.metrics.gaveUp.inc({ reason: parsed.reason });
  dependencies.logger.error({ offset: message.offset, error: parsed.error }, 'skipping a message that breaks the delivery contract');
  return undefined;
}

/**
 * Lets the event loop turn every few messages: a large fetched batch must not build and
 * sign all its requests before any response is read.
 */
export const YIELD_EVERY_MESSAGES = 32;
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `webhook-deliveries`: first calls and manual retries, sent as soon as they are read. */
export function createImmediateBatchHandler(dependencies: DispatchDependencies) {
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale, heartbeat } = payload;
    for (const [index, message] of batch.messages.entries()) {
      if (index > 0 && index % YIELD_EVERY_MESSAGES === 0) await yieldToEventLoop();
      if (!isRunning() || isStale()) return;
      if (dependencies.tracker.stateOf(batch.topic, batch.partition, message.offset) === undefined) {
        const delivery = parse(dependencies, message, 'deliveries');
        const where = { topic: batch.topic, partition: batch.partition, heartbeat };
        if (delivery) await dispatch(dependencies, where, message.offset, delivery.event_id, deliveryWork(dependencies, message, delivery), claimOf(message, delivery));
      }
      resolveOffset(message.offset);
    }
    await heartbeat();
  };
}
