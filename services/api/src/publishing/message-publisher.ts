import type { CompressionTypes, Producer, TopicNames } from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage, type DeliveryMessage } from '@hookstream/messages';
import { context, traceHeadersOf } from '@hookstream/observability';

/**
 * What the API writes to Kafka directly: manual retries. (Lifecycle events go through the
 * outbox: `createLifecyclePublisher` of @hookstream/db.)
 */
export interface MessagePublisher {
  /** Manual retries to `webhook-deliveries`, keyed by event id (one call, one partition). */
  publishDeliveries(messages: readonly DeliveryMessage[]): Promise<void>;
}

/** Messages per produce request for large range retries. */
const BATCH_SIZE = 500;

/**
 * Publishes through an idempotent producer with acks from all in-sync replicas, so a
 * message the API reports as queued survives a broker failover. The active trace
 * context travels in the headers, so the sender's span continues the API request's.
 */
export function createKafkaPublisher(deps: {
  producer: Producer;
  topics: Pick<TopicNames, 'webhookDeliveries'>;
  compression?: CompressionTypes;
}): MessagePublisher {
  const headers = () => traceHeadersOf(context.active());
  return {
    async publishDeliveries(messages) {
      for (let start = 0; start < messages.length; start += BATCH_SIZE) {
        const batch = messages.slice(start, start + BATCH_SIZE);
        await deps.producer.send({
          topic: deps.topics.webhookDeliveries,
          acks: -1,
          compression: deps.compression,
          messages: batch.map((message) => ({
            key: message.event_id,
            value: encodeMessage(deliveryMessageSchema, message),
            headers: headers(),
          })),
        });
      }
    },
  };
}
