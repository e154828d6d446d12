export {
  EVENT_FAMILIES,
  EVENT_TYPES,
  contextKeysOf,
  familyOf,
  getEventDefinition,
  getFamilyDefinition,
  isEventType,
  listCatalog,
} from './catalog';
export type {
  CatalogListing,
  ContextKey,
  ContextRequirement,
  EventDefinition,
  EventFamily,
  EventType,
  FamilyDefinition,
} from './catalog';
export { matchSubscription } from './matching';
export type { SubscriptionMatch } from './matching';
export { domainEventEnvelopeSchema, validateDomainEvent } from './envelope';
export type { DomainEvent, DomainEventRejection, DomainEventValidation, EntityObject } from './envelope';
export { EVENT_ID_NAMESPACE, deriveEventId } from './event-id';
export { buildWebhookPayload } from './payload';
export type { WebhookPayload, WebhookPayloadContext, WebhookPayloadInput } from './payload';
export {
  DOMAIN_EVENT_AVRO_SCHEMA_PATH,
  DOMAIN_EVENT_JSON_SCHEMA_PATH,
  normalizeDecodedEnvelope,
  readDomainEventAvroSchema,
  readDomainEventJsonSchema,
} from './wire-schemas';
export { webhookPayloadJsonSchema, webhookPayloadSchemas } from './webhook-schemas';
export type { JsonSchema, WebhookPayloadSchemas } from './webhook-schemas';
export { exampleEventContent } from './examples';
export { entityIdsOf, type EntityIds } from './entity-ids';
