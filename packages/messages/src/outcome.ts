import { z } from 'zod';
import { ATTEMPT_TYPES } from './delivery';

/**
 * `webhook-outcomes`: one message per attempt the sender made or declined to make. The
 * health service turns them into call logs and failure counts. Key: the call's
 * `event_id`, so one call's outcomes stay in order.
 */
export const OUTCOME_RESULTS = ['succeeded', 'failed', 'not_sent'] as const;
export type OutcomeResult = (typeof OUTCOME_RESULTS)[number];

/** Why a failed attempt failed; the call log keeps the detail in `error`. */
export const FAILURE_KINDS = [
  'http_status',
  'redirect',
  'timeout',
  'connect_timeout',
  'connection_error',
  'dns_error',
  'tls_error',
  'target_refused',
  'endpoint_overloaded',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Why an attempt was not sent at all. `unknown_event_type`: the domain event's type left
 * the catalog after the event was routed, so no payload can be built for it.
 * `retries_paused`: an automatic retry of a promoted webhook whose retries are paused; it
 * is parked, not dropped, and sent later (docs/webhooks.md "Promoted webhooks").
 */
export const NOT_SENT_REASONS = ['webhook_deleted', 'webhook_offline', 'already_succeeded', 'superseded', 'unknown_event_type', 'retries_paused'] as const;
export type NotSentReason = (typeof NOT_SENT_REASONS)[number];

const isoTimestamp = z.iso.datetime({ offset: true });

export const outcomeMessageSchema = z.object({
  version: z.literal(1),
  /** Unique per attempt: a redelivered outcome is recognised by it. */
  attempt_id: z.uuid(),
  event_id: z.uuid(),
  webhook_id: z.uuid(),
  workspace_id: z.string().min(1),
  domain_event_id: z.string(),
  event: z.string(),
  sub_event: z.string().nullable(),
  type: z.enum(ATTEMPT_TYPES),
  retry_count: z.number().int().min(0),
  result: z.enum(OUTCOME_RESULTS),
  failure_kind: z.enum(FAILURE_KINDS).nullable(),
  not_sent_reason: z.enum(NOT_SENT_REASONS).nullable(),
  error: z.string().nullable(),
  status_code: z.number().int().nullable(),
  endpoint: z.string(),
  duration_ms: z.number().int().min(0),
  attempted_at: isoTimestamp,
  first_attempt_at: isoTimestamp,
  /** When the next automatic retry is due, if one was scheduled. */
  next_retry_at: isoTimestamp.nullable(),
  /** No automatic retry follows (success, retries exhausted, or not sent). */
  final: z.boolean(),
  /** Entity ids for the call log's filters. */
  case_id: z.string().nullable(),
  individual_id: z.string().nullable(),
  company_id: z.string().nullable(),
  request: z.object({
    headers: z.record(z.string(), z.string()),
    /** The payload as sent (JSON text). */
    body: z.string(),
  }),
  response: z
    .object({
      headers: z.record(z.string(), z.string()),
      /** At most 16 KiB of the response body. */
      body: z.string(),
    })
    .nullable(),
  produced_at: isoTimestamp,
  /**
   * The domain event, so that the call log can rebuild a manual retry of this call. Sent
   * with first calls only: later outcomes of the call would repeat it.
   */
  domain_event: z.record(z.string(), z.unknown()).nullable(),
});

export type OutcomeMessage = z.infer<typeof outcomeMessageSchema>;
