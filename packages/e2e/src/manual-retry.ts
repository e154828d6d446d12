import type { Producer } from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage, type DeliveryMessage } from '@hookstream/messages';
import type { Harness } from './harness';

/**
 * Requests a manual retry of a call the way the API does: from the call log's row, a
 * `manual_retry` delivery carrying the number it takes if it fails.
 */
export async function requestManualRetry(harness: Harness, eventId: string, producer: Pick<Producer, 'send'>): Promise<DeliveryMessage> {
  const call = await harness.database.knex('calls').where({ event_id: eventId }).first();
  if (!call) throw new Error(`no call log for ${eventId}`);
  const now = new Date().toISOString();
  const delivery: DeliveryMessage = {
    version: 1,
    type: 'manual_retry',
    event_id: call.event_id,
    webhook_id: call.webhook_id,
    workspace_id: call.workspace_id,
    event: call.event,
    sub_event: call.sub_event,
    domain_event: call.domain_event,
    retry_count: call.retry_count + 1,
    first_attempt_at: new Date(call.first_attempt_at).toISOString(),
    due_at: now,
    produced_at: now,
  };
  await producer.send({
    topic: harness.topics.webhookDeliveries,
    acks: -1,
    messages: [{ key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, delivery) }],
  });
  return delivery;
}
