import { deliveryMessageSchema, encodeMessage, type DeliveryMessage } from '@hookstream/messages';
import type { SenderMetrics } from '../metrics';
import type { OverloadReason } from './endpoint-limiter';
import type { BatchingPublisher } from './publisher';

/** How long a deferred call waits before it is tried again, unless configured. */
export const DEFAULT_OVERLOAD_DEFER_MS = 5_000;

/** Deferred calls fall due spread over this part of the delay, so that they do not all return at once. */
const JITTER = 0.2;

export interface DeferralDependencies {
  publisher: Pick<BatchingPublisher, 'publish'>;
  /** The retry tiers, shortest first: a deferred call waits in the shortest. */
  topics: { retryTiers: readonly string[] };
  metrics: Pick<SenderMetrics, 'overloadDeferrals'>;
  overloadDeferMs?: number;
  now?: () => Date;
  random?: () => number;
}

/**
 * The call as it goes back to wait: the same call (type, retry number, first attempt
 * time), due again a few seconds from now. No outcome is written: the call was not
 * attempted, so the call log and the offline rule see nothing of it.
 */
export function deferredCall(delivery: DeliveryMessage, nowMs: number, delayMs: number, random: () => number = Math.random): DeliveryMessage {
  const dueAt = nowMs + Math.round(delayMs * (1 + JITTER * random()));
  return { ...delivery, due_at: new Date(dueAt).toISOString() };
}

/**
 * The sender's own backpressure on one endpoint (its share or queue is full, or the
 * sender is nearly full), or the endpoint's Retry-After: the call is re-queued to the
 * shortest retry tier, due again a few seconds later (or `delayMs`, the rest of the
 * Retry-After), and never counted as the endpoint failing. Resolves once the re-queued
 * message is durable, which is when the input offset may be committed.
 */
export async function deferForOverload(dependencies: DeferralDependencies, delivery: DeliveryMessage, reason: OverloadReason, delayMs?: number): Promise<void> {
  const nowMs = (dependencies.now?.() ?? new Date()).getTime();
  delayMs ??= dependencies.overloadDeferMs ?? DEFAULT_OVERLOAD_DEFER_MS;
  const topic = dependencies.topics.retryTiers[0];
  if (topic === undefined) throw new Error('no retry tier to defer an overloaded call to');
  const deferred = deferredCall(delivery, nowMs, delayMs, dependencies.random);
  dependencies.metrics.overloadDeferrals.inc({ type: delivery.type, reason });
  await dependencies.publisher.publish([{ topic, key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, deferred) }]);
}
