import { deriveEventId, matchSubscription, type DomainEvent } from '@hookstream/events';
import type { DeliveryMessage } from '@hookstream/messages';

/** The replay job as the worker reads it from its row. */
export interface ReplayJob {
  id: string;
  workspaceId: string;
  webhookId: string;
  from: Date;
  to: Date;
  /** The event types asked for; undefined: all the webhook is subscribed to. */
  events: ReadonlySet<string> | undefined;
  /** Partition → [next, end) of domain-events; undefined until planned. */
  positions: Positions | undefined;
}

export type Positions = Record<string, { next: string; end: string }>;

/**
 * The replayed call of one domain event, or undefined when the webhook does not get it:
 * another workspace's event, a type the webhook is not subscribed to now (by the rule of
 * first calls, sub-events included), or a type outside the event types asked for (which
 * names either the domain event's type or the event it is delivered as).
 *
 * The call is the ordinary call of this (webhook, domain event) pair: the same `event_id`,
 * so that receivers that deduplicate on it drop what they already processed. It takes the
 * call's next retry number (`nextRetryNumber`: 0 when the call is not in the log), so that
 * the call log and the offline rule count it as an attempt of its own.
 */
export function replayDelivery(
  event: DomainEvent,
  webhook: { id: string; workspaceId: string; events: ReadonlySet<string> },
  job: Pick<ReplayJob, 'id' | 'events'>,
  producedAt: Date,
): Omit<DeliveryMessage, 'retry_count' | 'replay'> | undefined {
  if (event.workspace.id.toLowerCase() !== webhook.workspaceId.toLowerCase()) return undefined;
  const match = matchSubscription(event.type, webhook.events);
  if (!match) return undefined;
  if (job.events && !job.events.has(event.type) && !job.events.has(match.event)) return undefined;
  const producedAtIso = producedAt.toISOString();
  return {
    version: 1,
    type: 'replay',
    event_id: deriveEventId(event.id, webhook.id),
    webhook_id: webhook.id,
    workspace_id: event.workspace.id,
    event: match.event,
    sub_event: match.subEvent ?? null,
    domain_event: { ...event },
    first_attempt_at: null,
    due_at: producedAtIso,
    produced_at: producedAtIso,
  };
}

/** Completes a replayed call with its retry number, given the call's highest one so far. */
export function numberReplayedCall(
  call: Omit<DeliveryMessage, 'retry_count' | 'replay'>,
  replayId: string,
  loggedRetryCount: number | undefined,
): DeliveryMessage {
  const retryCount = loggedRetryCount === undefined ? 0 : loggedRetryCount + 1;
  return { ...call, retry_count: retryCount, replay: { id: replayId, first_retry_count: retryCount } };
}

/** Every partition has reached the end of its range. */
export function isFinished(positions: Positions): boolean {
  return Object.values(positions).every((range) => BigInt(range.next) >= BigInt(range.end));
}

/**
 * A token bucket per replay: `ratePerSecond` calls per second, with bursts of one second's
 * worth. `take(n, nowMs)` books n calls and answers how long to wait before sending them.
 */
export class ReplayRate {
  private availableAt: number;

  constructor(
    private readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.availableAt = nowMs - 1_000;
  }

  take(calls: number, nowMs: number): number {
    // Unused time beyond one second's burst is not saved up.
    this.availableAt = Math.max(this.availableAt, nowMs - 1_000) + (calls * 1_000) / this.ratePerSecond;
    return Math.max(0, this.availableAt - nowMs);
  }
}
