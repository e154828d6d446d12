export { buildDomainEvent, toAvroRecord, InvalidDomainEventError, type DomainEventInput } from './domain-event-message';
export { createDomainEventProducer, type DomainEventProducer, type Encoding } from './producer';
export { readDomainEventAvroSchema, readDomainEventJsonSchema } from '@hookstream/events';
export { createSchemaRegistry } from './registry';
