import { z } from 'zod';

/**
 * `webhook-deliveries` and the retry tiers carry one message per (webhook, domain event)
 * call attempt to make. The domain event travels with it, so the sender can build and
 * sign the payload per attempt without a lookup (docs/webhooks.md "Request").
 * Key: the call's `event_id`, so every message of one call lands on one partition.
 */
export const ATTEMPT_TYPES = ['first_call', 'automatic_retry', 'manual_retry', 'replay'] as const;
export type AttemptType = (typeof ATTEMPT_TYPES)[number];

const isoTimestamp = z.iso.datetime({ offset: true });

export const deliveryMessageSchema = z.object({
  version: z.literal(1),
  type: z.enum(ATTEMPT_TYPES),
  event_id: z.uuid(),
  webhook_id: z.uuid(),
  workspace_id: z.string().min(1),
  /** The catalog event of the call and, under the sub-event rule, its sub-event. */
  event: z.string().min(1),
  sub_event: z.string().min(1).nullable(),
  /** The validated domain event envelope (docs/producing-events.md). */
  domain_event: z.looseObject({
    id: z.string(),
    type: z.string(),
    occurred_at: z.string(),
    workspace: z.object({ id: z.string(), name: z.string() }),
    entity: z.looseObject({ id: z.string() }),
    context: z.record(z.string(), z.unknown()),
  }),
  /**
   * The retry number this attempt is: 0 for the first call, n for automatic retry n. For
   * a manual retry, the number it takes if it fails (the call's retry count + 1).
   */
  retry_count: z.number().int().min(0),
  /** T0: when the first call was made; absent until it has been. */
  first_attempt_at: isoTimestamp.nullable(),
  /** When this attempt is due; retries wait in their tier until then. */
  due_at: isoTimestamp,
  /** When the domain event reached Kafka, for end-to-end latency. */
  produced_at: isoTimestamp,
  /**
   * Set on the calls of a replay (docs/replays.md) and kept by their automatic retries.
   * The replay's first attempt takes the call's next retry number, `first_retry_count`, so
   * that the call log and the offline rule count it as an attempt of its own; its
   * automatic retries follow the schedule from that attempt (T0 is the replay's first
   * attempt): retry n of the replay carries `first_retry_count + n`.
   */
  replay: z.object({ id: z.uuid(), first_retry_count: z.number().int().min(0) }).optional(),
});

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;
