import type { Consumer, EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import { deliveryWork, dispatch, parse, YIELD_EVERY_MESSAGES, yieldToEventLoop, type DispatchDependencies } from '../delivery/consumers';
import { DONE } from '../delivery/steps';
import { tierLabel } from '../retry-schedule';
import { decideWaiting } from './placement';

export interface RetryTierDependencies extends DispatchDependencies {
  consumer: Pick<Consumer, 'pause' | 'resume' | 'seek'>;
  /** The tier index of a tier topic. */
  tierOf: (topic: string) => number;
  /** The nominal delay of each tier (tierDelaysMs). */
  delaysMs: readonly number[];
  /** Writes a retry to another tier; resolves once it is durable. */
  moveRetry: (delivery: DeliveryMessage, tier: number) => Promise<void>;
  /** Retries kept in memory until due, across all partitions, before a partition waits on one instead. */
  maxHeld?: number;
  now?: () => number;
}

interface Held {
  timer: NodeJS.Timeout;
  topic: string;
  partition: number;
}

const DEFAULT_MAX_HELD = 10_000;

/** A record's write time; a record without one is taken as an ordinary retry. */
function writtenAtOf(message: KafkaMessage, dueAt: number, delayMs: number): number {
  const timestamp = Number(message.timestamp);
  return Number.isFinite(timestamp) && timestamp > 0 ? timestamp : dueAt - delayMs;
}

/**
 * The retry tiers' consumer. A partition is read in order; each retry read is sent when
 * due, moved on when it has waited its tier's delay (see placement.ts), or waited on. A
 * batch handles every message it holds (sending the due ones even behind one that waits),
 * then seeks back to the first message that waits and pauses just that partition until the
 * earliest of those reaches its gate. No handler sleeps; other partitions, tiers and first
 * calls go on; and waits survive a restart because a waiting message is never committed.
 *
 * Since a message waits in its tier at most the tier's delay after it was written, and
 * write times grow along a partition, the first waiting message is also (within the slack)
 * the first to reach its gate: a retry due later no longer holds back those due sooner
 * behind it, in this fetch or beyond.
 */
export function createRetryTierHandler(dependencies: RetryTierDependencies) {
  const timers = new Map<string, NodeJS.Timeout>();
  const held = new Map<string, Held>();
  const now = dependencies.now ?? Date.now;
  const maxHeld = dependencies.maxHeld ?? DEFAULT_MAX_HELD;
  const { tracker, metrics } = dependencies;
  const noHeartbeat = async () => undefined;

  const heldKey = (topic: string, partition: number, offset: string) => `${topic}\u0000${partition}\u0000${offset}`;

  const send = (topic: string, partition: number, message: KafkaMessage, delivery: DeliveryMessage, heartbeat: () => Promise<void>) => {
    metrics.retryLateness.observe({ tier: tierLabel(dependencies.tierOf(topic)) }, Math.max(0, now() - Date.parse(delivery.due_at)) / 1_000);
    return dispatch(dependencies, { topic, partition, heartbeat }, message.offset, delivery.event_id, deliveryWork(dependencies, message, delivery));
  };

  /** Keeps a retry in memory until due; its offset stays uncommitted meanwhile. */
  const hold = (topic: string, partition: number, message: KafkaMessage, delivery: DeliveryMessage, until: number) => {
    tracker.track(topic, partition, message.offset, 'waiting');
    const key = heldKey(topic, partition, message.offset);
    const timer = setTimeout(
      () => {
        held.delete(key);
        metrics.retriesHeld.set(held.size);
        void send(topic, partition, message, delivery, noHeartbeat);
      },
      Math.max(0, until - now()),
    );
    timer.unref();
    held.set(key, { timer, topic, partition });
    metrics.retriesHeld.set(held.size);
  };

  const handler = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale, heartbeat } = payload;
    const tier = dependencies.tierOf(batch.topic);
    let firstWaitingOffset: string | undefined;
    let earliestGate = Number.POSITIVE_INFINITY;

    for (const [index, message] of batch.messages.entries()) {
      if (index > 0 && index % YIELD_EVERY_MESSAGES === 0) await yieldToEventLoop();
      if (!isRunning() || isStale()) return;
      const state = tracker.stateOf(batch.topic, batch.partition, message.offset);
      if (state === 'in_flight' || state === 'done') continue;
      if (held.has(heldKey(batch.topic, batch.partition, message.offset))) continue;
      const delivery = parse(dependencies, message, 'retries');
      if (!delivery) {
        tracker.track(batch.topic, batch.partition, message.offset, 'in_flight');
        tracker.complete(batch.topic, batch.partition, message.offset);
        continue;
      }
      const dueAt = Date.parse(delivery.due_at);
      const decision = decideWaiting({
        dueAt,
        writtenAt: writtenAtOf(message, dueAt, dependencies.delaysMs[tier] ?? 0),
        tier,
        delaysMs: dependencies.delaysMs,
        now: now(),
      });
      if (decision.kind === 'send') {
        await send(batch.topic, batch.partition, message, delivery, heartbeat);
      } else if (decision.kind === 'move') {
        metrics.retriesMoved.inc({ from_tier: tierLabel(tier), to_tier: tierLabel(decision.tier) });
        await dispatch(dependencies, { topic: batch.topic, partition: batch.partition, heartbeat }, message.offset, delivery.event_id, async () => {
          await dependencies.moveRetry(delivery, decision.tier);
          return DONE;
        });
      } else if (decision.kind === 'hold' && held.size < maxHeld) {
        hold(batch.topic, batch.partition, message, delivery, decision.until);
      } else {
        tracker.track(batch.topic, batch.partition, message.offset, 'waiting');
        firstWaitingOffset ??= message.offset;
        earliestGate = Math.min(earliestGate, decision.until);
      }
    }

    if (firstWaitingOffset === undefined) {
      resolveOffset(batch.lastOffset());
      await heartbeat();
      return;
    }
    // Read again from the first waiting message when the earliest one reaches its gate.
    const partitionKey = `${batch.topic}:${batch.partition}`;
    dependencies.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
    dependencies.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: firstWaitingOffset });
    clearTimeout(timers.get(partitionKey));
    const timer = setTimeout(
      () => {
        timers.delete(partitionKey);
        dependencies.consumer.resume([{ topic: batch.topic, partitions: [batch.partition] }]);
      },
      Math.max(0, earliestGate - now()),
    );
    timer.unref();
    timers.set(partitionKey, timer);
  };

  const clearAll = () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    for (const entry of held.values()) clearTimeout(entry.timer);
    held.clear();
    metrics.retriesHeld.set(0);
  };

  /**
   * kafkajs keeps partitions paused across a rebalance, and the partitions we get may not
   * be the ones we paused: start over from the committed offsets, re-reading every waiting
   * or held message (its state was never committed) and pausing again where needed.
   */
  const onRebalance = (topics: readonly string[], assignment: Readonly<Record<string, readonly number[]>>) => {
    clearAll();
    tracker.retainOnly(assignment);
    tracker.forgetWaiting();
    dependencies.consumer.resume(topics.map((topic) => ({ topic })));
  };

  return { handler, onRebalance, stop: clearAll };
}
