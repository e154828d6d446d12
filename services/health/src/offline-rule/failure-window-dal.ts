import type { Knex, RetryState } from '@hookstream/db';
import type { FailureRow } from '../call-logs/call-log-batch';

export interface LockedWebhook {
  id: string;
  workspaceId: string;
  status: 'online' | 'offline';
  deleted: boolean;
  promoted: boolean;
  retryState: RetryState;
}

/**
 * The offline rule's exact rolling window over `webhook_failures` (one row per failed
 * attempt, docs/webhooks.md "Offline rule").
 */
export interface FailureWindowDal {
  /**
   * Records failed calls; returns the attempt ids of those not recorded before. A
   * redelivered outcome (same attempt id) adds none, and neither does a call the sender
   * repeated (same call and retry number, another attempt id).
   */
  recordFailures(transaction: Knex.Transaction, failures: readonly FailureRow[]): Promise<string[]>;
  /**
   * Locks the webhooks' rows until the transaction ends. Two transactions adding failures
   * to one webhook (two partitions, or two instances during a rebalance) count one after
   * the other, the second seeing the first's rows: no 51st failure goes unnoticed because
   * each transaction saw only 50. Rows are locked in id order, so they cannot deadlock.
   */
  lockWebhooks(transaction: Knex.Transaction, webhookIds: readonly string[]): Promise<LockedWebhook[]>;
  /**
   * For each webhook, the most failures in any window of `windowMs` that holds one of the
   * new failures: for every failure at t with t at or after the webhook's earliest new
   * failure, the failures in (t - window, t] since its `failure_window_reset_at`.
   */
  largestWindowCounts(
    transaction: Knex.Transaction,
    newAttemptIds: readonly string[],
    webhookIds: readonly string[],
    windowMs: number,
  ): Promise<Map<string, number>>;
  /** Sets online, not deleted webhooks offline by the failure rule; returns those it changed. */
  setOffline(transaction: Knex.Transaction, webhookIds: readonly string[], reason: string): Promise<Array<{ id: string; workspaceId: string }>>;
  /**
   * Pauses the automatic retries of promoted, online, not deleted webhooks (not paused
   * already); the first probe is due one probe interval later. Returns those it changed.
   */
  pauseRetries(transaction: Knex.Transaction, webhookIds: readonly string[]): Promise<string[]>;
  /** Deletes at most `limit` failures older than `cutoff`. */
  purgeFailedBefore(knex: Knex, cutoff: Date, limit: number): Promise<number>;
}

// Frames of RANGE mode include their lower bound; timestamps have microsecond
// resolution, so "at least t - (window - 1 µs)" is exactly "after t - window".
const LARGEST_WINDOW_COUNTS = `
WITH fresh AS (
  SELECT webhook_id, min(failed_at) AS earliest, max(failed_at) AS latest
  FROM webhook_failures
  WHERE attempt_id = ANY(?::uuid[])
  GROUP BY webhook_id
),
candidates AS (
  SELECT fresh.webhook_id, fresh.earliest, fresh.latest, webhooks.failure_window_reset_at
  FROM fresh JOIN webhooks ON webhooks.id = fresh.webhook_id
  WHERE fresh.webhook_id = ANY(?::uuid[])
),
windowed AS (
  SELECT
    f.webhook_id,
    f.failed_at,
    c.earliest,
    count(*) OVER (
      PARTITION BY f.webhook_id ORDER BY f.failed_at
      RANGE BETWEEN (make_interval(secs => ?) - interval '1 microsecond') PRECEDING AND CURRENT ROW
    ) AS in_window
  FROM webhook_failures f
  JOIN candidates c ON c.webhook_id = f.webhook_id
  WHERE f.failed_at >= c.failure_window_reset_at
    -- Failures that share no window with a new one change no count this batch affects.
    AND f.failed_at > c.earliest - make_interval(secs => ?)
    AND f.failed_at < c.latest + make_interval(secs => ?)
)
SELECT webhook_id, max(in_window) AS failures
FROM windowed
WHERE failed_at >= earliest
GROUP BY webhook_id`;

export function createFailureWindowDal(): FailureWindowDal {
  return {
    async recordFailures(transaction, failures) {
      if (failures.length === 0) return [];
      const result = await transaction.raw(
        `INSERT INTO webhook_failures (attempt_id, event_id, retry_count, webhook_id, failed_at)
         SELECT r.attempt_id, r.event_id, r.retry_count, r.webhook_id, r.failed_at
         FROM jsonb_to_recordset(?::jsonb) AS r(attempt_id uuid, event_id uuid, retry_count integer, webhook_id uuid, failed_at timestamptz)
         ORDER BY r.attempt_id
         ON CONFLICT DO NOTHING
         RETURNING attempt_id`,
        [JSON.stringify(failures)],
      );
      return (result as { rows: Array<{ attempt_id: string }> }).rows.map((row) => row.attempt_id);
    },

    async lockWebhooks(transaction, webhookIds) {
      if (webhookIds.length === 0) return [];
      const result = await transaction.raw(
        `SELECT id, workspace_id, status, deleted_at IS NOT NULL AS deleted, promoted, retry_state
         FROM webhooks WHERE id = ANY(?::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
        [[...webhookIds]],
      );
      type Row = { id: string; workspace_id: string; status: 'online' | 'offline'; deleted: boolean; promoted: boolean; retry_state: RetryState };
      return (result as { rows: Row[] }).rows.map((row) => ({
        id: row.id,
        workspaceId: row.workspace_id,
        status: row.status,
        deleted: row.deleted,
        promoted: row.promoted,
        retryState: row.retry_state,
      }));
    },

    async largestWindowCounts(transaction, newAttemptIds, webhookIds, windowMs) {
      if (newAttemptIds.length === 0 || webhookIds.length === 0) return new Map();
      const windowSeconds = windowMs / 1_000;
      const result = await transaction.raw(LARGEST_WINDOW_COUNTS, [
        [...newAttemptIds],
        [...webhookIds],
        windowSeconds,
        windowSeconds,
        windowSeconds,
      ]);
      return new Map(
        (result as { rows: Array<{ webhook_id: string; failures: number }> }).rows.map((row) => [row.webhook_id, Number(row.failures)]),
      );
    },

    async setOffline(transaction, webhookIds, reason) {
      if (webhookIds.length === 0) return [];
      const result = await transaction.raw(
        `UPDATE webhooks SET status = 'offline', offline_reason = ?, updated_at = now()
         WHERE id = ANY(?::uuid[]) AND status = 'online' AND deleted_at IS NULL
         RETURNING id, workspace_id`,
        [reason, [...webhookIds]],
      );
      return (result as { rows: Array<{ id: string; workspace_id: string }> }).rows.map((row) => ({
        id: row.id,
        workspaceId: row.workspace_id,
      }));
    },

    async pauseRetries(transaction, webhookIds) {
      if (webhookIds.length === 0) return [];
      const result = await transaction.raw(
        `UPDATE webhooks
         SET retry_state = 'paused', retry_state_since = now(), retries_probed_at = now(), updated_at = now()
         WHERE id = ANY(?::uuid[]) AND promoted AND status = 'online' AND deleted_at IS NULL AND retry_state <> 'paused'
         RETURNING id`,
        [[...webhookIds]],
      );
      return (result as { rows: Array<{ id: string }> }).rows.map((row) => row.id);
    },

    async purgeFailedBefore(knex, cutoff, limit) {
      const result = await knex.raw(
        `DELETE FROM webhook_failures WHERE attempt_id IN (
           SELECT attempt_id FROM webhook_failures WHERE failed_at < ? ORDER BY failed_at LIMIT ?
         )`,
        [cutoff, limit],
      );
      return (result as { rowCount: number }).rowCount;
    },
  };
}
