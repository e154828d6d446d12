import type { Knex } from '@hookstream/db';
import type { CallLogBatch } from './call-log-batch';

/**
 * Writes of the call log. A batch's calls and attempts are one statement (one round trip,
 * atomic on its own): the rows travel as two JSON parameters unpacked by
 * `jsonb_to_recordset`. Every write is idempotent, so a batch redelivered after a crash
 * leaves the log as it was.
 */
export interface CallLogDal {
  /**
   * Inserts new calls and merges into existing ones, and adds the attempts not seen
   * before (keyed by attempt id). Returns the calls written and the attempts that were new.
   */
  writeCalls(db: Knex | Knex.Transaction, batch: Pick<CallLogBatch, 'calls' | 'attempts'>): Promise<{ callsWritten: number; attemptsWritten: number }>;
  /** Deletes at most `limit` calls (their attempts cascade) created before `cutoff`. */
  purgeCallsCreatedBefore(knex: Knex, cutoff: Date, limit: number): Promise<number>;
}

// A row moves only forward: to a higher retry number, or within one retry number forward
// in time. An outcome behind what the row shows (a redelivery, a late message, an earlier
// attempt made again by a sender that lost its partition before committing) changes
// neither its state nor its attempt fields. Retry numbers only grow (a manual retry or a
// replay takes the next one), so the highest is the latest attempt the sender meant.
// The domain event is kept as first written (a later outcome carries none, or the same).
const BOTH_ATTEMPTED = `excluded.last_attempt_at IS NOT NULL AND calls.last_attempt_at IS NOT NULL`;
const HIGHER_RETRY = `(${BOTH_ATTEMPTED} AND excluded.retry_count > calls.retry_count)`;
const LOWER_RETRY = `(${BOTH_ATTEMPTED} AND excluded.retry_count < calls.retry_count)`;
const NEWER_STATE = `(${HIGHER_RETRY} OR (NOT ${LOWER_RETRY} AND (calls.state_changed_at IS NULL OR excluded.state_changed_at >= calls.state_changed_at)))`;
const NEWER_ATTEMPT = `(excluded.last_attempt_at IS NOT NULL AND (calls.last_attempt_at IS NULL OR ${HIGHER_RETRY} OR (NOT ${LOWER_RETRY} AND excluded.last_attempt_at >= calls.last_attempt_at)))`;

// Calls are written in event_id order and attempts in id order, so that writers that
// meet on the same rows (two instances during a rebalance) lock them in one order. Every
// call of the batch comes back from `written` (ON CONFLICT DO UPDATE returns the rows it
// updates), and every attempt's call is in the batch, so each attempt finds its call id.
const WRITE_CALLS = `
WITH written AS (
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
  state_changed_at = CASE WHEN ${NEWER_STATE} THEN GREATEST(calls.state_changed_at, excluded.state_changed_at) ELSE calls.state_changed_at END,
  status_code = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.status_code ELSE calls.status_code END,
  endpoint = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.endpoint ELSE calls.endpoint END,
  retry_count = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.retry_count ELSE calls.retry_count END,
  payload = CASE WHEN ${NEWER_ATTEMPT} THEN excluded.payload ELSE calls.payload END,
  last_attempt_at = GREATEST(calls.last_attempt_at, excluded.last_attempt_at),
  first_attempt_at = LEAST(calls.first_attempt_at, excluded.first_attempt_at),
  domain_event = COALESCE(calls.domain_event, excluded.domain_event)
RETURNING id, event_id
),
new_attempts AS (
INSERT INTO attempts (
  id, call_id, type, retry_count, endpoint, status_code, error, duration_ms,
  request_headers, response_headers, response_body, attempted_at
)
SELECT
  r.id, written.id, r.type, r.retry_count, r.endpoint, r.status_code, r.error, r.duration_ms,
  r.request_headers, r.response_headers, r.response_body, r.attempted_at
FROM jsonb_to_recordset(?::jsonb) AS r(
  id uuid, event_id uuid, type text, retry_count integer, endpoint text, status_code integer, error text,
  duration_ms integer, request_headers jsonb, response_headers jsonb, response_body text, attempted_at timestamptz
)
JOIN written ON written.event_id = r.event_id
ORDER BY r.id
ON CONFLICT (id) DO NOTHING
RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS calls, (SELECT count(*) FROM new_attempts) AS attempts`;

export function createCallLogDal(): CallLogDal {
  return {
    async writeCalls(db, { calls, attempts }) {
      // Every attempt belongs to a call of the batch (call-log-batch.ts).
      if (calls.length === 0) return { callsWritten: 0, attemptsWritten: 0 };
      // A named (prepared) statement: each connection parses and plans it once, where
      // planning it for every batch cost more than writing a small batch.
      const result = await db.raw(WRITE_CALLS, [JSON.stringify(calls), JSON.stringify(attempts)]).options({ name: 'health_write_calls' });
      const [row] = (result as { rows: Array<{ calls: number | string; attempts: number | string }> }).rows;
      return { callsWritten: Number(row?.calls ?? 0), attemptsWritten: Number(row?.attempts ?? 0) };
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
