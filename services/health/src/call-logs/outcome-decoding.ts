import { ATTEMPT_TYPES, FAILURE_KINDS, NOT_SENT_REASONS, OUTCOME_RESULTS, outcomeMessageSchema, type OutcomeMessage } from '@hookstream/messages';
import { jsonTextIsStorable } from '@hookstream/db';

/** Why an outcome was skipped; the `reason` label of hookstream_health_outcomes_undecodable_total. */
export type UndecodableReason = 'empty' | 'not_json' | 'schema_invalid' | 'identifier_invalid';

export type OutcomeDecoding =
  | {
      ok: true;
      outcome: OutcomeMessage;
      /**
       * No string of the outcome, and nothing in the JSON of its request body, can hold a
       * character PostgreSQL refuses (storableText in @hookstream/db): the call log may store it as it is.
       */
      storable: boolean;
    }
  | { ok: false; reason: UndecodableReason; detail: string };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bytes of a webhook-outcomes message to an outcome, or the reason it cannot be one. A
 * skipped outcome is counted and logged by the caller; it never stops the partition.
 * The call log keys workspaces and domain events by UUID (the contract allows any
 * string), so an outcome naming other identifiers could never be stored: skipping it
 * here keeps one bad message from failing the whole batch's transaction forever.
 */
export function decodeOutcome(value: Buffer | null): OutcomeDecoding {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty', detail: 'empty message value' };
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'not_json', detail: `not JSON: ${(error as Error).message}` };
  }
  let outcome = wellFormedOutcome(parsed);
  if (outcome === undefined) {
    // The schema decides, and says what is wrong.
    const result = outcomeMessageSchema.safeParse(parsed);
    if (!result.success) {
      return {
        ok: false,
        reason: 'schema_invalid',
        detail: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      };
    }
    outcome = result.data;
  }
  for (const [field, identifier] of [
    ['workspace_id', outcome.workspace_id],
    ['domain_event_id', outcome.domain_event_id],
  ] as const) {
    if (!UUID_PATTERN.test(identifier)) {
      return { ok: false, reason: 'identifier_invalid', detail: `${field} is not a UUID` };
    }
  }
  return { ok: true, outcome, storable: jsonTextIsStorable(text) };
}

// zod's own patterns for z.uuid() and z.iso.datetime({ offset: true }) (a unit test
// keeps them equal to the schema's).
const ZOD_UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
const ZOD_ISO_DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/;
const ATTEMPT_TYPE_SET: ReadonlySet<unknown> = new Set(ATTEMPT_TYPES);
const OUTCOME_RESULT_SET: ReadonlySet<unknown> = new Set(OUTCOME_RESULTS);
const FAILURE_KIND_SET: ReadonlySet<unknown> = new Set(FAILURE_KINDS);
const NOT_SENT_REASON_SET: ReadonlySet<unknown> = new Set(NOT_SENT_REASONS);

/**
 * The outcome schema's checks written out, for the hot path: validating every outcome
 * with zod cost the health service about a tenth of its CPU. It accepts only what
 * `outcomeMessageSchema` accepts (a unit test compares the two on valid and broken
 * outcomes) and returns what the schema would, the known fields only; anything else is
 * left to the schema, which also explains what is wrong.
 */
export function wellFormedOutcome(value: unknown): OutcomeMessage | undefined {
  if (!isObject(value)) return undefined;
  const request = value.request;
  const response = value.response;
  const domainEvent = value.domain_event;
  if (
    value.version !== 1 ||
    !isUuid(value.attempt_id) ||
    !isUuid(value.event_id) ||
    !isUuid(value.webhook_id) ||
    typeof value.workspace_id !== 'string' ||
    value.workspace_id.length === 0 ||
    typeof value.domain_event_id !== 'string' ||
    typeof value.event !== 'string' ||
    !isStringOrNull(value.sub_event) ||
    !ATTEMPT_TYPE_SET.has(value.type) ||
    !isCount(value.retry_count) ||
    !OUTCOME_RESULT_SET.has(value.result) ||
    !(value.failure_kind === null || FAILURE_KIND_SET.has(value.failure_kind)) ||
    !(value.not_sent_reason === null || NOT_SENT_REASON_SET.has(value.not_sent_reason)) ||
    !isStringOrNull(value.error) ||
    !(value.status_code === null || Number.isSafeInteger(value.status_code)) ||
    typeof value.endpoint !== 'string' ||
    !isCount(value.duration_ms) ||
    !isTimestamp(value.attempted_at) ||
    !isTimestamp(value.first_attempt_at) ||
    !(value.next_retry_at === null || isTimestamp(value.next_retry_at)) ||
    typeof value.final !== 'boolean' ||
    !isStringOrNull(value.case_id) ||
    !isStringOrNull(value.individual_id) ||
    !isStringOrNull(value.company_id) ||
    !isObject(request) ||
    !isStringRecord(request.headers) ||
    typeof request.body !== 'string' ||
    !(response === null || (isObject(response) && isStringRecord(response.headers) && typeof response.body === 'string')) ||
    !isTimestamp(value.produced_at) ||
    !(domainEvent === null || isObject(domainEvent))
  ) {
    return undefined;
  }
  // The checks above narrowed every field to its type in the schema.
  const outcome = value as OutcomeMessage;
  return {
    version: outcome.version,
    attempt_id: outcome.attempt_id,
    event_id: outcome.event_id,
    webhook_id: outcome.webhook_id,
    workspace_id: outcome.workspace_id,
    domain_event_id: outcome.domain_event_id,
    event: outcome.event,
    sub_event: outcome.sub_event,
    type: outcome.type,
    retry_count: outcome.retry_count,
    result: outcome.result,
    failure_kind: outcome.failure_kind,
    not_sent_reason: outcome.not_sent_reason,
    error: outcome.error,
    status_code: outcome.status_code,
    endpoint: outcome.endpoint,
    duration_ms: outcome.duration_ms,
    attempted_at: outcome.attempted_at,
    first_attempt_at: outcome.first_attempt_at,
    next_retry_at: outcome.next_retry_at,
    final: outcome.final,
    case_id: outcome.case_id,
    individual_id: outcome.individual_id,
    company_id: outcome.company_id,
    request: { headers: outcome.request.headers, body: outcome.request.body },
    response: outcome.response === null ? null : { headers: outcome.response.headers, body: outcome.response.body },
    produced_at: outcome.produced_at,
    domain_event: outcome.domain_event,
  };
}

/** A JSON object (what zod's z.object and z.record take from JSON.parse). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (!isObject(value)) return false;
  for (const key in value) {
    if (Object.hasOwn(value, key) && typeof value[key] !== 'string') return false;
  }
  return true;
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** z.number().int().min(0): zod's int is a safe integer. */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && ZOD_UUID.test(value);
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && ZOD_ISO_DATETIME.test(value);
}
