import type { Producer } from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage, manualRetryDelivery, type DeliveryMessage } from '@hookstream/messages';
import type { Harness } from './harness';

/**
 * Requests a manual retry of a call the way the API does (the same shared rule), from
 * the call log's row.
 */
export async function requestManualRetry(harness: Harness, eventId: string, producer: Pick<Producer, 'send'>): Promise<DeliveryMessage> {
  const call = await harness.database.knex('calls').where({ event_id: eventId }).first();
  const delivery = call ? manualRetryDelivery(call, new Date()) : undefined;
  if (!delivery) throw new Error(`no retryable call log for ${eventId}`);
  await producer.send({
    topic: harness.topics.webhookDeliveries,
    acks: -1,
    messages: [{ key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, delivery) }],
  });
  return delivery;
}
