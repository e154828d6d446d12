export { buildDomainEvent, toAvroRecord, InvalidDomainEventError, type DomainEventInput } from './domain-event-message';
export { createDomainEventProducer, type DomainEventProducer, type Encoding } from './producer';
export { readDomainEventAvroSchema, readDomainEventJsonSchema } from '@hookstream/events';
export { createSchemaRegistry } from './registry';
export { registerDomainEventSchema } from './schema-registration';
export type { DomainEvent, EventType } from '@hookstream/events';
