import { v5 as uuidV5 } from 'uuid';

/**
 * Namespace of every hookstream `event_id`. Fixed forever: changing it would give
 * receivers new ids for calls they have already deduplicated.
 */
export const EVENT_ID_NAMESPACE = 'bd13529a-368d-4568-936f-8d7d89f9a803';

/**
 * The `context.event_id` of one (domain event, webhook) pair (spec/events.md "Outbound
 * payload"): the same on every attempt and when the domain event is processed twice, so
 * it is derived, never stored-then-read. UUIDv5 of "<domain event id>/<webhook id>".
 *
 * The domain event id is lower-cased first because UUIDs compare case-insensitively
 * (RFC 9562 §4): a producer re-publishing the same id in upper case publishes the same event.
 */
export function deriveEventId(domainEventId: string, webhookId: string): string {
  return uuidV5(`${domainEventId.toLowerCase()}/${webhookId}`, EVENT_ID_NAMESPACE);
}
