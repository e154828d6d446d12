import { manualRetryDelivery, type DeliveryMessage } from '@hookstream/messages';
import type { Attempt, CallKind, CallLog, CallStatus, LoggedAttemptType } from './call-log-schemas';

// Pure rules of the call logs: row → API object, and the manual retry message.

export interface CallRow {
  id: string;
  event_id: string;
  workspace_id: string;
  webhook_id: string;
  domain_event_id: string;
  event: string;
  sub_event: string | null;
  kind: CallKind;
  status: CallStatus;
  status_reason: string | null;
  status_code: number | null;
  endpoint: string | null;
  retry_count: number;
  next_retry_at: Date | null;
  case_id: string | null;
  individual_id: string | null;
  company_id: string | null;
  payload: unknown;
  domain_event: unknown;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
  created_at: Date;
}

export interface AttemptRow {
  id: string;
  call_id: string;
  type: LoggedAttemptType;
  retry_count: number;
  endpoint: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  request_headers: unknown;
  response_headers: unknown;
  response_body: string | null;
  attempted_at: Date;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Header maps as stored (jsonb), kept to string values so the document's promise holds. */
function headerMap(value: unknown): Record<string, string> | null {
  if (!isRecord(value)) return null;
  return Object.fromEntries(
    Object.entries(value).map(([name, headerValue]) => [name, Array.isArray(headerValue) ? headerValue.join(', ') : String(headerValue)]),
  );
}

/** The payload as last sent: stored as jsonb, or as the JSON text that was sent. */
function payloadObject(value: unknown): Record<string, unknown> | null {
  if (isRecord(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return null;
}

export function toAttempt(row: AttemptRow): Attempt {
  return {
    id: row.id,
    type: row.type,
    retry_count: row.retry_count,
    endpoint: row.endpoint,
    status_code: row.status_code,
    error: row.error,
    duration_ms: row.duration_ms,
    request_headers: headerMap(row.request_headers) ?? {},
    response_headers: headerMap(row.response_headers),
    response_body: row.response_body,
    attempted_at: row.attempted_at.toISOString(),
  };
}

/** docs/webhooks.md "Call logs": one call with its attempts, oldest attempt first. */
export function toCallLog(row: CallRow, attempts: readonly AttemptRow[]): CallLog {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event: row.event,
    sub_event: row.sub_event,
    event_id: row.event_id,
    kind: row.kind,
    status: row.status,
    status_reason: row.status_reason,
    status_code: row.status_code,
    endpoint: row.endpoint,
    retry_count: row.retry_count,
    next_retry_at: iso(row.next_retry_at),
    case_id: row.case_id,
    individual_id: row.individual_id,
    company_id: row.company_id,
    payload: payloadObject(row.payload),
    created_at: row.created_at.toISOString(),
    last_attempt_at: iso(row.last_attempt_at),
    attempts: [...attempts].sort((a, b) => a.attempted_at.getTime() - b.attempted_at.getTime()).map(toAttempt),
  };
}

export type ManualRetry = { ok: true; message: DeliveryMessage } | { ok: false; reason: string };

/** The manual retry of a call, or why the call cannot be retried (shared rule: packages/messages). */
export function manualRetryMessage(call: CallRow, now: Date): ManualRetry {
  const message = manualRetryDelivery(call, now);
  if (!message) return { ok: false, reason: 'the domain event of this call was not recorded, so it cannot be rebuilt' };
  return { ok: true, message };
}
