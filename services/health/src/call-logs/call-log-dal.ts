import type { Knex } from '@hookstream/db';
import type { AttemptRow, CallRow } from './call-log-batch';

/**
 * Writes of the call log, each one statement (one round trip) for a whole batch: the rows
 * travel as one JSON parameter and are unpacked by `jsonb_to_recordset`. Every write is
 * idempotent, so a batch redelivered after a crash leaves the log as it was.
 */
export interface CallLogDal {
  /** Inserts new calls and merges into existing ones; returns the rows written. */
  upsertCalls(transaction: Knex.Transaction, calls: readonly CallRow[]): Promise<number>;
  /** Adds attempts not seen before (keyed by attempt id); returns how many were new. */
  insertAttempts(transaction: Knex.Transaction, attempts: readonly AttemptRow[]): Promise<number>;
  /** Deletes at most `limit` calls (their attempts cascade) created before `cutoff`. */
  purgeCallsCreatedBefore(knex: Knex, cutoff: Date, limit: number): Promise<number>;
}

// A row's state fields move only forward in time, and so do its attempt fields: an
// outcome older than what the row shows (a redelivery, a late message) changes neither.
const NEWER_STATE = `(calls.state_changed_at IS NULL OR excluded.state_changed_at >= calls.state_changed_at)`;
const NEWER_ATTEMPT = `(excluded.last_attempt_at IS NOT NULL AND (calls.last_attempt_at IS NULL OR excluded.last_attempt_at >= calls.last_attempt_at))`;

const UPSERT_CALLS = `
INSERT INTO calls (
  event_id, workspace_id, webhook_id, domain_event_id, event, sub_event, case_id, individual_id, company_id,
  domain_event, status, status_reason, next_retry_at, state_changed_at,
  status_code, endpoint, retry_count, payload, last_attempt_at, first_attempt_at
)
SELECT
  r.event_id, r.workspace_id, r.webhook_id, r.domain_event_id, r.event, r.sub_event, r.case_id, r.individual_id, r.company_id,
  r.domain_event, r.status, r.status_reason, r.next_retry_at, r.state_changed_at,
  r.status_code, r.endpoint, COALESCE(r.retry_count, 0), r.payload, r.last_attempt_at, r.first_attempt_at
FROM jsonb_to_recordset(?::jsonb) AS r(
  event_id uuid, workspace_id uuid, webhook_id uuid, domain_event_id uuid, event text, sub_event text,
  case_id text, individual_id text, company_id text, domain_event jsonb,
  status text, status_reason text, next_retry_at timestamptz, state_changed_at timestamptz,
  status_code integer, endpoint text, retry_count integer, payload jsonb, last_attempt_at timestamptz, first_attempt_at timestamptz
)
ORDER BY r.event_id
ON CONFLICT (event_id) DO UPDATE SET
  status = CASE WHEN ${NEWER_STATE} THEN excluded.status ELSE calls.status END,
  status_reason = CASE WHEN ${NEWER_STATE} THEN excluded.status_reason ELSE calls.status_reason END,
  next_retry_at = CASE WHEN ${NEWER_STATE} THEN excluded.next_retry_at ELSE calls.next_retry_at END,
  state_changed_at = GREATEST(calls.state_changed_at, excluded.state_changed_at),
  status_code = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.status_code ELSE calls.status_code END,
  endpoint = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.endpoint ELSE calls.endpoint END,
  retry_count = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.retry_count ELSE calls.retry_count END,
  payload = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.payload ELSE calls.payload END,
  last_attempt_at = GREATEST(calls.last_attempt_at, excluded.last_attempt_at),
  first_attempt_at = LEAST(calls.first_attempt_at, excluded.first_attempt_at),
  domain_event = COALESCE(excluded.domain_event, calls.domain_event)`;

const INSERT_ATTEMPTS = `
INSERT INTO attempts (
  id, call_id, type, retry_count, endpoint, status_code, error, duration_ms,
  request_headers, response_headers, response_body, attempted_at
)
SELECT
  r.id, calls.id, r.type, r.retry_count, r.endpoint, r.status_code, r.error, r.duration_ms,
  r.request_headers, r.response_headers, r.response_body, r.attempted_at
FROM jsonb_to_recordset(?::jsonb) AS r(
  id uuid, event_id uuid, type text, retry_count integer, endpoint text, status_code integer, error text,
  duration_ms integer, request_headers jsonb, response_headers jsonb, response_body text, attempted_at timestamptz
)
JOIN calls ON calls.event_id = r.event_id
ORDER BY r.id
ON CONFLICT (id) DO NOTHING`;

export function createCallLogDal(): CallLogDal {
  return {
    async upsertCalls(transaction, calls) {
      if (calls.length === 0) return 0;
      const result = await transaction.raw(UPSERT_CALLS, [JSON.stringify(calls)]);
      return (result as { rowCount: number }).rowCount;
    },
    async insertAttempts(transaction, attempts) {
      if (attempts.length === 0) return 0;
      const result = await transaction.raw(INSERT_ATTEMPTS, [JSON.stringify(attempts)]);
      return (result as { rowCount: number }).rowCount;
    },
    async purgeCallsCreatedBefore(knex, cutoff, limit) {
      // Small batches, each its own short transaction: the purge never holds many locks
      // or blocks the writers for long, however much there is to delete.
      const result = await knex.raw(
        `DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
        [cutoff, limit],
      );
      return (result as { rowCount: number }).rowCount;
    },
  };
}
