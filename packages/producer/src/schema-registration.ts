import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readDomainEventAvroSchema, readDomainEventJsonSchema } from '@hookstream/events';
import type { Encoding } from './producer';

/**
 * Registers the envelope's schema shipped with `@hookstream/events` (Avro, or JSON Schema)
 * under a subject, `<topic>-value` by default as Confluent's TopicNameStrategy names it,
 * and returns the encoding to give createDomainEventProducer. Registering the same schema
 * again returns the id it already has.
 */
export async function registerDomainEventSchema(
  registry: SchemaRegistry,
  options: { schemaType: 'avro' | 'json'; subject?: string; topic?: string },
): Promise<Extract<Encoding, { kind: 'registry' }>> {
  const subject = options.subject ?? `${options.topic ?? 'domain-events'}-value`;
  const { id } =
    options.schemaType === 'avro'
      ? await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readDomainEventAvroSchema()) }, { subject })
      : await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(readDomainEventJsonSchema()) }, { subject });
  return { kind: 'registry', registry, schemaId: id, schemaType: options.schemaType };
}
