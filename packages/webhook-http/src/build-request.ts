import { buildWebhookPayload, type DomainEvent } from '@hookstream/events';
import type { DeliveryMessage } from '@hookstream/messages';
import {
  EVENT_ID_HEADER,
  OLD_SIGNATURE_HEADER,
  REMAINING_RETRY_COUNT_HEADER,
  RETRY_COUNT_HEADER,
  SIGNATURE_HEADER,
  signBody,
} from '@hookstream/signing';

export interface SigningSecrets {
  secret: string;
  previousSecret?: string | undefined;
  previousSecretExpiresAt?: Date | undefined;
}

export interface WebhookRequest {
  body: Buffer;
  /** The same body as text (what the call log keeps), so that nobody decodes it again. */
  bodyText: string;
  headers: Record<string, string>;
}

// Node sends header names as given; receivers see them case-insensitively.
const SIGNATURE = SIGNATURE_HEADER.toLowerCase();
const OLD_SIGNATURE = OLD_SIGNATURE_HEADER.toLowerCase();
const EVENT_ID = EVENT_ID_HEADER.toLowerCase();
const RETRY_COUNT = RETRY_COUNT_HEADER.toLowerCase();
const REMAINING_RETRY_COUNT = REMAINING_RETRY_COUNT_HEADER.toLowerCase();

/**
 * Builds and signs one attempt (docs/webhooks.md "Request"): the body carries this
 * attempt's timestamp and counters, and the signature is computed over exactly the bytes
 * that are sent. While a rotation's grace period runs, the previous secret signs too.
 */
export function buildWebhookRequest(input: {
  /** The call: a delivery message, or what a test call makes up from the catalog's example. */
  delivery: Pick<DeliveryMessage, 'event' | 'sub_event' | 'domain_event' | 'event_id' | 'retry_count'>;
  secrets: SigningSecrets;
  now: Date;
  maxRetries: number;
  userAgent: string;
  traceparent?: string | undefined;
}): WebhookRequest {
  const { delivery, secrets, now } = input;
  const payload = buildWebhookPayload({
    match: delivery.sub_event ? { event: delivery.event, subEvent: delivery.sub_event } : { event: delivery.event },
    event: delivery.domain_event as unknown as DomainEvent,
    eventId: delivery.event_id,
    timestampSeconds: Math.floor(now.getTime() / 1_000),
    retryCount: delivery.retry_count,
    maxRetries: input.maxRetries,
  });
  const bodyText = JSON.stringify(payload);
  const body = Buffer.from(bodyText, 'utf8');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    [SIGNATURE]: signBody(body, secrets.secret),
    [EVENT_ID]: delivery.event_id,
    [RETRY_COUNT]: String(delivery.retry_count),
    [REMAINING_RETRY_COUNT]: String(Math.max(0, input.maxRetries - delivery.retry_count)),
  };
  if (secrets.previousSecret && secrets.previousSecretExpiresAt && secrets.previousSecretExpiresAt > now) {
    headers[OLD_SIGNATURE] = signBody(body, secrets.previousSecret);
  }
  if (input.traceparent) headers.traceparent = input.traceparent;
  return { body, bodyText, headers };
}
