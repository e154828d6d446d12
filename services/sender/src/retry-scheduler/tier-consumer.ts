import type { Consumer, EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import { claimOf, deliveryWork, dispatch, parse, YIELD_EVERY_MESSAGES, yieldToEventLoop, type DispatchDependencies } from '../delivery/consumers';
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
  until: number;
}

const DEFAULT_MAX_HELD = 10_000;

/** A record's write time; a record without one is taken as an ordinary retry. */
function writtenAtOf(message: KafkaMessage, dueAt: number, delayMs: number): number {
  const timestamp = Number(message.timestamp);
  return Number.isFinite(timestamp) && timestamp > 0 ? timestamp : dueAt - delayMs;
}

/**
 * The retry tiers' consumer. A partition is read in order; each retry read is sent when
 * due, moved to another tier when it has waited its tier's delay without falling due (see
 * placement.ts), or kept in memory until due (its offset stays uncommitted, so a restart
 * reads it again) while the partition reads on. Only when `maxHeld` retries are in memory
 * does a partition seek back to the first retry it could not keep and pause until memory
 * frees up. No handler sleeps; other partitions, tiers and first calls go on.
 *
 * A tier's messages reach their gate (`min(due, written + tier delay)`) in write order, so
 * memory holds the soonest of them, and a retry due sooner than those written before it
 * (written late under load, or after a manual retry) is found as long as it lies within
 * the retries in memory, not only within the first fetch.
 */
export function createRetryTierHandler(dependencies: RetryTierDependencies) {
  const timers = new Map<string, NodeJS.Timeout>();
  /** Partitions not read since the last rejoin: their first batch starts at the committed offset. */
  const rejoined = new Set<string>();
  const held = new Map<string, Held>();
  const now = dependencies.now ?? Date.now;
  const maxHeld = dependencies.maxHeld ?? DEFAULT_MAX_HELD;
  const { tracker, metrics } = dependencies;
  const noHeartbeat = async () => undefined;

  /**
   * Pauses, seeks and resumes throw while kafkajs restarts a crashed consumer (after a
   * broker failure: "Consumer group was not initialized"). Nothing is lost by skipping
   * them: the restarted consumer rejoins, reads on from the committed offsets and
   * `onRebalance` starts over. Thrown from a timer, the error would stop the process.
   */
  const control = (action: string, run: () => void): boolean => {
    try {
      run();
      return true;
    } catch (error) {
      dependencies.logger.warn({ err: error, action }, 'the retry consumer is restarting; its partitions are read again from the committed offsets once it rejoins');
      return false;
    }
  };

  const heldKey = (topic: string, partition: number, offset: string) => `${topic}\u0000${partition}\u0000${offset}`;

  const send = (topic: string, partition: number, message: KafkaMessage, delivery: DeliveryMessage, heartbeat: () => Promise<void>) => {
    metrics.retryLateness.observe({ tier: tierLabel(dependencies.tierOf(topic)) }, Math.max(0, now() - Date.parse(delivery.due_at)) / 1_000);
    return dispatch(dependencies, { topic, partition, heartbeat }, message.offset, delivery.event_id, deliveryWork(dependencies, message, delivery), claimOf(message, delivery));
  };

  /** Moves a retry to another tier (see placement.ts); its offset completes once it is written there. */
  const move = (topic: string, partition: number, message: KafkaMessage, delivery: DeliveryMessage, toTier: number, heartbeat: () => Promise<void>) => {
    metrics.retriesMoved.inc({ from_tier: tierLabel(dependencies.tierOf(topic)), to_tier: tierLabel(toTier) });
    return dispatch(
      dependencies,
      { topic, partition, heartbeat },
      message.offset,
      delivery.event_id,
      async () => {
        await dependencies.moveRetry(delivery, toTier);
        return DONE;
      },
      claimOf(message, delivery),
    );
  };

  const decide = (topic: string, message: KafkaMessage, delivery: DeliveryMessage) => {
    const tier = dependencies.tierOf(topic);
    const dueAt = Date.parse(delivery.due_at);
    return decideWaiting({
      dueAt,
      writtenAt: writtenAtOf(message, dueAt, dependencies.delaysMs[tier] ?? 0),
      tier,
      delaysMs: dependencies.delaysMs,
      now: now(),
    });
  };

  /**
   * Keeps a read retry in memory until `until` (its gate, or its due time), then decides
   * again; its offset stays uncommitted meanwhile, and the partition reads on.
   */
  const hold = (topic: string, partition: number, message: KafkaMessage, delivery: DeliveryMessage, until: number) => {
    tracker.track(topic, partition, message.offset, 'waiting');
    const key = heldKey(topic, partition, message.offset);
    const timer = setTimeout(
      () => {
        held.delete(key);
        metrics.retriesHeld.set(held.size);
        const decision = decide(topic, message, delivery);
        if (decision.kind === 'send') void send(topic, partition, message, delivery, noHeartbeat);
        else if (decision.kind === 'move') void move(topic, partition, message, delivery, decision.tier, noHeartbeat);
        else hold(topic, partition, message, delivery, decision.until);
      },
      Math.max(0, until - now()),
    );
    timer.unref();
    held.set(key, { timer, topic, partition, until });
    metrics.retriesHeld.set(held.size);
  };

  const earliestHeld = () => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of held.values()) earliest = Math.min(earliest, entry.until);
    return earliest;
  };

  const handler = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, isRunning, isStale, heartbeat } = payload;
    let firstWaitingOffset: string | undefined;
    let earliestGate = Number.POSITIVE_INFINITY;
    const first = batch.messages[0];
    if (first && isRunning() && !isStale() && rejoined.delete(`${batch.topic}:${batch.partition}`)) {
      tracker.readingFrom(batch.topic, batch.partition, first.offset);
    }

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
      const decision = decide(batch.topic, message, delivery);
      if (decision.kind === 'send') {
        await send(batch.topic, batch.partition, message, delivery, heartbeat);
      } else if (decision.kind === 'move') {
        await move(batch.topic, batch.partition, message, delivery, decision.tier, heartbeat);
      } else if (held.size < maxHeld) {
        hold(batch.topic, batch.partition, message, delivery, decision.until);
      } else {
        // Memory is full: the partition waits here, read again once held retries went out.
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
    // Read again from the first message not held once there is room, and no sooner than the
    // earliest of them reaches its gate (reading again into a full memory would only spin).
    earliestGate = Math.max(earliestGate, earliestHeld());
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const where = { topic: batch.topic, partition: batch.partition };
    const readAgainFrom = firstWaitingOffset;
    if (!control('pause', () => dependencies.consumer.pause([{ topic: where.topic, partitions: [where.partition] }]))) return;
    control('seek', () => dependencies.consumer.seek({ ...where, offset: readAgainFrom }));
    clearTimeout(timers.get(partitionKey));
    const timer = setTimeout(
      () => {
        timers.delete(partitionKey);
        control('resume', () => dependencies.consumer.resume([{ topic: where.topic, partitions: [where.partition] }]));
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
   * or held message (its state was never committed) and pausing again where needed. The
   * tracker keeps them as waiting, so that the commit point stays below them until then.
   */
  const onRebalance = (topics: readonly string[], assignment: Readonly<Record<string, readonly number[]>>) => {
    clearAll();
    tracker.retainOnly(assignment);
    rejoined.clear();
    for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) rejoined.add(`${topic}:${partition}`);
    control('resume', () => dependencies.consumer.resume(topics.map((topic) => ({ topic }))));
  };

  /**
   * The consumer crashed (kafkajs restarts it): retries in memory stop waiting, to be read
   * again after the rejoin, and are not sent while another member may own their partition.
   */
  const onCrash = () => {
    clearAll();
  };

  return { handler, onRebalance, onCrash, stop: clearAll };
}
