import { deriveEventId, matchSubscription, validateDomainEvent, type DomainEvent } from '@hookstream/events';
import type { DeliveryMessage } from '@hookstream/messages';

/** Why a domain event went to the dead-letter topic (docs/producing-events.md "Dead-letter topic"). */
export type DeadLetterReason = 'undecodable' | 'oversize' | 'schema_invalid' | 'unknown_type' | 'context_missing' | 'refused_by_broker';

/** The result of one step, as in PostHog's ingestion: go on, or dead-letter with a reason. */
export type RouteResult =
  | { kind: 'routed'; event: DomainEvent; deliveries: DeliveryMessage[] }
  | { kind: 'dead_letter'; reason: DeadLetterReason; message: string };

export interface SubscribedWebhook {
  id: string;
  events: ReadonlySet<string>;
}

/**
 * Pure routing of one decoded domain event: validate it, then apply the matching rule of
 * docs/webhooks.md to every online webhook of its workspace. One delivery per matching
 * webhook, with a deterministic event id, so reprocessing yields the same calls.
 */
export function routeDomainEvent(
  decoded: unknown,
  webhooksOfWorkspace: (workspaceId: string) => readonly SubscribedWebhook[],
  producedAt: Date,
): RouteResult {
  const validation = validateDomainEvent(decoded);
  if (!validation.ok) return { kind: 'dead_letter', reason: validation.reason, message: validation.message };
  const event = validation.event;
  const deliveries: DeliveryMessage[] = [];
  const webhooks = webhooksOfWorkspace(event.workspace.id);
  if (webhooks.length === 0) return { kind: 'routed', event, deliveries };
  const producedAtIso = producedAt.toISOString();
  // One copy shared by the event's deliveries (encoded once, never mutated).
  const domainEvent: DeliveryMessage['domain_event'] = { ...event };
  for (const webhook of webhooks) {
    const match = matchSubscription(event.type, webhook.events);
    if (!match) continue;
    deliveries.push({
      version: 1,
      type: 'first_call',
      event_id: deriveEventId(event.id, webhook.id),
      webhook_id: webhook.id,
      workspace_id: event.workspace.id,
      event: match.event,
      sub_event: match.subEvent ?? null,
      domain_event: domainEvent,
      retry_count: 0,
      first_attempt_at: null,
      due_at: producedAtIso,
      produced_at: producedAtIso,
    });
  }
  return { kind: 'routed', event, deliveries };
}

/**
 * Bytes to a JSON value. Confluent wire-format messages (magic byte 0 and a 4-byte schema
 * id) are decoded by `decodeWireFormat`; anything else must be UTF-8 JSON.
 */
export async function decodeDomainEventBytes(
  value: Buffer | null,
  maxBytes: number,
  decodeWireFormat?: (bytes: Buffer) => Promise<unknown>,
): Promise<{ ok: true; decoded: unknown } | { ok: false; reason: DeadLetterReason; message: string }> {
  if (value === null || value.length === 0) return { ok: false, reason: 'undecodable', message: 'empty message value' };
  if (value.length > maxBytes) {
    return { ok: false, reason: 'oversize', message: `message is ${value.length} bytes, the limit is ${maxBytes}` };
  }
  if (value[0] === 0 && value.length > 5) {
    if (!decodeWireFormat) {
      return { ok: false, reason: 'undecodable', message: 'Confluent wire-format message, but no SCHEMA_REGISTRY_URL is configured' };
    }
    try {
      return { ok: true, decoded: await decodeWireFormat(value) };
    } catch (error) {
      if (isRegistryUnavailable(error)) throw new RegistryUnavailableError(error);
      return { ok: false, reason: 'undecodable', message: `wire-format decoding failed: ${(error as Error).message}` };
    }
  }
  try {
    return { ok: true, decoded: JSON.parse(value.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: 'undecodable', message: `not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * The schema registry could not answer: the message must wait for it, never be
 * dead-lettered. Thrown by `decodeDomainEventBytes`.
 */
export class RegistryUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the schema registry is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RegistryUnavailableError';
  }
}

/**
 * Whether a wire-format decoding failure is the registry's (wait for it) rather than the
 * message's (dead-letter it). @kafkajs/confluent-schema-registry wraps every failed request
 * in a `ResponseError` with an HTTP `status`: the registry's own answer, or 400 (mappersmith's
 * status for a request that got no answer: connection refused, reset, timed out, a name that
 * does not resolve). Only a 404 is an answer about the message (its schema id does not exist);
 * every other status, a 5xx, an authorisation failure or no answer at all, says nothing about
 * the message and is waited out. Errors without a status are decoding errors of the bytes
 * themselves (Avro, JSON, schema validation), except a bare socket error.
 */
export function isRegistryUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, code } = error as { status?: unknown; code?: unknown };
  if (typeof status === 'number') return status !== 404;
  return code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
