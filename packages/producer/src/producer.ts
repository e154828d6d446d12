import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Producer } from 'kafkajs';
import type { DomainEvent } from '@hookstream/events';
import { buildDomainEvent, toAvroRecord, type DomainEventInput } from './domain-event-message';

export type Encoding =
  | { kind: 'json' }
  /** Confluent wire format under a schema registered in the registry (Avro or JSON Schema). */
  | { kind: 'registry'; registry: SchemaRegistry; schemaId: number; schemaType: 'avro' | 'json' };

export interface DomainEventProducer {
  /** Validates, encodes and publishes with acks=all; resolves with the envelopes sent. */
  publish(events: readonly DomainEventInput[], options?: { traceparent?: string }): Promise<DomainEvent[]>;
}

/**
 * The producers' side of docs/producing-events.md: one message per event on `domain-events`,
 * keyed by workspace id (one workspace's events stay in order), as UTF-8 JSON or in the
 * Confluent wire format, with an optional W3C `traceparent` header.
 */
export function createDomainEventProducer(options: {
  producer: Producer;
  topic?: string;
  encoding?: Encoding;
}): DomainEventProducer {
  const topic = options.topic ?? 'domain-events';
  const encoding = options.encoding ?? { kind: 'json' };
  const encode = async (event: DomainEvent): Promise<Buffer> => {
    if (encoding.kind === 'json') return Buffer.from(JSON.stringify(event), 'utf8');
    return encoding.registry.encode(encoding.schemaId, encoding.schemaType === 'avro' ? toAvroRecord(event) : event);
  };
  return {
    async publish(inputs, publishOptions = {}) {
      const events = inputs.map((input) => buildDomainEvent(input));
      const messages = await Promise.all(
        events.map(async (event) => ({
          key: event.workspace.id,
          value: await encode(event),
          headers: publishOptions.traceparent ? { traceparent: publishOptions.traceparent } : undefined,
        })),
      );
      await options.producer.send({ topic, acks: -1, messages });
      return events;
    },
  };
}
