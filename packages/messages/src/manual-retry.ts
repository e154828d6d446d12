import { deliveryMessageSchema, type DeliveryMessage } from './delivery';

/** What a call log holds that a manual retry needs. */
export interface RetryableCall {
  event_id: string;
  webhook_id: string;
  workspace_id: string;
  event: string;
  sub_event: string | null;
  domain_event: unknown;
  retry_count: number;
  first_attempt_at: Date | null;
}

/**
 * The `webhook-deliveries` message of a manual retry (docs/webhooks.md "Retries"): the
 * sender rebuilds and signs the payload from the recorded domain event. It carries the
 * retry number the attempt takes if it fails (retry_count + 1) and T0, so that later
 * automatic retries keep their slots measured from the first call. Undefined when the
 * call's record cannot make a valid message (no domain event was recorded).
 */
export function manualRetryDelivery(call: RetryableCall, now: Date): DeliveryMessage | undefined {
  const parsed = deliveryMessageSchema.safeParse({
    version: 1,
    type: 'manual_retry',
    event_id: call.event_id,
    webhook_id: call.webhook_id,
    workspace_id: call.workspace_id,
    event: call.event,
    sub_event: call.sub_event,
    domain_event: call.domain_event,
    retry_count: call.retry_count + 1,
    first_attempt_at: call.first_attempt_at ? call.first_attempt_at.toISOString() : null,
    due_at: now.toISOString(),
    produced_at: now.toISOString(),
  });
  return parsed.success ? parsed.data : undefined;
}
