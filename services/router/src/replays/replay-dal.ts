import type { Knex } from '@hookstream/db';
import type { Positions, ReplayJob } from './replay-fns';

interface ReplayRow {
  id: string;
  workspace_id: string;
  webhook_id: string;
  range_from: Date;
  range_to: Date;
  events: string[] | null;
  positions: Positions | null;
}

const toJob = (row: ReplayRow): ReplayJob => ({
  id: row.id,
  workspaceId: row.workspace_id,
  webhookId: row.webhook_id,
  from: row.range_from,
  to: row.range_to,
  events: row.events ? new Set(row.events) : undefined,
  positions: row.positions ?? undefined,
});

/**
 * The replay jobs as a worker sees them. A worker holds a job under a lease, renewed with
 * every checkpoint; a job whose lease ran out (its worker crashed or stopped) is taken by
 * the next worker that asks, and resumes from its last checkpoint. Every write checks the
 * lease and the status, so a worker that lost its job, or whose job was cancelled, learns
 * it at its next checkpoint and stops.
 */
export function createReplayDal(knex: Knex) {
  return {
    /** Takes the oldest running job nobody holds, for `leaseMs`. */
    async claim(owner: string, leaseMs: number): Promise<ReplayJob | undefined> {
      const result = await knex.raw(
        `UPDATE replays SET lease_owner = ?, lease_expires_at = now() + make_interval(secs => ?), updated_at = now()
         WHERE id = (
           SELECT id FROM replays
           WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())
           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
         )
         RETURNING id, workspace_id, webhook_id, range_from, range_to, events, positions`,
        [owner, leaseMs / 1_000],
      );
      const [row] = (result as { rows: ReplayRow[] }).rows;
      return row ? toJob(row) : undefined;
    },

    /**
     * Records progress (calls already durable in webhook-replays) and renews the lease.
     * False when the job is no longer this worker's to run: cancelled, or taken over.
     */
    async checkpoint(owner: string, leaseMs: number, jobId: string, positions: Positions, scanned: number, calls: number): Promise<boolean> {
      const updated = await knex('replays')
        .where({ id: jobId, status: 'running', lease_owner: owner })
        .update({
          positions: JSON.stringify(positions),
          events_scanned: knex.raw('events_scanned + ?', [scanned]),
          calls_made: knex.raw('calls_made + ?', [calls]),
          lease_expires_at: knex.raw('now() + make_interval(secs => ?)', [leaseMs / 1_000]),
          updated_at: knex.fn.now(),
        });
      return updated === 1;
    },

    /** Ends the job (done, or failed with a reason), if it is still this worker's. */
    async finish(owner: string, jobId: string, outcome: { status: 'done' } | { status: 'failed'; reason: string }): Promise<void> {
      await knex('replays')
        .where({ id: jobId, status: 'running', lease_owner: owner })
        .update({
          status: outcome.status,
          failure_reason: outcome.status === 'failed' ? outcome.reason : null,
          lease_owner: null,
          lease_expires_at: null,
          finished_at: knex.fn.now(),
          updated_at: knex.fn.now(),
        });
    },

    /** Hands the job back at once (shutdown, a fault): the next worker resumes it. */
    async release(owner: string, jobId: string): Promise<void> {
      await knex('replays').where({ id: jobId, lease_owner: owner }).update({ lease_owner: null, lease_expires_at: null, updated_at: knex.fn.now() });
    },

    /** The highest retry number logged for each call, by event id. */
    async loggedRetryCounts(eventIds: readonly string[]): Promise<Map<string, number>> {
      if (eventIds.length === 0) return new Map();
      const rows: Array<{ event_id: string; retry_count: number }> = await knex('calls')
        .select('event_id', 'retry_count')
        .whereIn('event_id', [...eventIds]);
      return new Map(rows.map((row) => [row.event_id, row.retry_count]));
    },
  };
}

export type ReplayDal = ReturnType<typeof createReplayDal>;
