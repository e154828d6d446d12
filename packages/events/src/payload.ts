import { contextKeysOf, familyOf, getFamilyDefinition } from './catalog';
import type { DomainEvent } from './envelope';
import type { SubscriptionMatch } from './matching';

export interface WebhookPayloadContext {
  timestamp: number;
  event_id: string;
  retry_count: number;
  remaining_retry_count: number;
  workspace: { id: string; name: string };
  [contextKey: string]: unknown;
}

/** The outbound body of docs/webhooks.md "Payload"; the entity sits under its family's key. */
export interface WebhookPayload {
  event: string;
  sub_event?: string;
  context: WebhookPayloadContext;
  [payloadKey: string]: unknown;
}

export interface WebhookPayloadInput {
  match: SubscriptionMatch;
  event: DomainEvent;
  /** `deriveEventId(event.id, webhookId)`: the same on every attempt. */
  eventId: string;
  /** UNIX seconds when this attempt is sent; each attempt is built (and signed) anew. */
  timestampSeconds: number;
  /** 0 on the first call, then the retry number. */
  retryCount: number;
  /** Automatic retries a call gets (4 in the product, docs/webhooks.md "Retries"). */
  maxRetries: number;
}

/**
 * Builds the body of one attempt. Key order is part of the contract a reader sees (event,
 * sub_event, context, entity), and JSON.stringify keeps insertion order, so the object is
 * built in that order. Only the context subsets the event's family uses are copied; the
 * entity and those subsets are passed through unchanged.
 */
export function buildWebhookPayload(input: WebhookPayloadInput): WebhookPayload {
  const { match, event, eventId, timestampSeconds, retryCount, maxRetries } = input;
  const family = familyOf(event.type);

  const context: WebhookPayloadContext = {
    timestamp: timestampSeconds,
    event_id: eventId,
    retry_count: retryCount,
    remaining_retry_count: Math.max(0, maxRetries - retryCount),
    workspace: { id: event.workspace.id, name: event.workspace.name },
  };
  for (const key of contextKeysOf(family)) {
    // Check events carry the checked individual OR company: copy whichever is present.
    if (event.context[key] !== undefined) {
      context[key] = event.context[key];
    }
  }

  const payload: WebhookPayload =
    match.subEvent === undefined
      ? { event: match.event, context }
      : { event: match.event, sub_event: match.subEvent, context };
  payload[getFamilyDefinition(family).payloadKey] = event.entity;
  return payload;
}
