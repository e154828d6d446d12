import type { Knex } from '@hookstream/db';
import type { Replay, ReplayStatus } from './replay-schemas';

export interface ReplayRow {
  id: string;
  workspace_id: string;
  webhook_id: string;
  range_from: Date;
  range_to: Date;
  events: string[] | null;
  status: ReplayStatus;
  failure_reason: string | null;
  events_scanned: string | number;
  calls_made: string | number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export function replayOf(row: ReplayRow): Replay {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    from: row.range_from.toISOString(),
    to: row.range_to.toISOString(),
    events: row.events,
    status: row.status,
    failure_reason: row.failure_reason,
    events_scanned: Number(row.events_scanned),
    calls_made: Number(row.calls_made),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
  };
}

const COLUMNS = [
  'id',
  'workspace_id',
  'webhook_id',
  'range_from',
  'range_to',
  'events',
  'status',
  'failure_reason',
  'events_scanned',
  'calls_made',
  'created_at',
  'updated_at',
  'finished_at',
] as const;

/** Replay jobs, always within one workspace. */
export function createReplayDal(knex: Knex) {
  return {
    async insert(
      db: Knex | Knex.Transaction,
      replay: { workspaceId: string; webhookId: string; from: Date; to: Date; events: readonly string[] | undefined },
    ): Promise<ReplayRow> {
      const [row] = await db('replays')
        .insert({
          workspace_id: replay.workspaceId,
          webhook_id: replay.webhookId,
          range_from: replay.from,
          range_to: replay.to,
          events: replay.events ? [...replay.events] : null,
        })
        .returning([...COLUMNS]);
      return row as ReplayRow;
    },
    async runningFor(db: Knex | Knex.Transaction, workspaceId: string, webhookId: string): Promise<ReplayRow | undefined> {
      return db('replays').select([...COLUMNS]).where({ workspace_id: workspaceId, webhook_id: webhookId, status: 'running' }).first();
    },
    async find(workspaceId: string, id: string): Promise<ReplayRow | undefined> {
      return knex('replays').select([...COLUMNS]).where({ workspace_id: workspaceId, id }).first();
    },
    async listForWebhook(workspaceId: string, webhookId: string, limit: number): Promise<ReplayRow[]> {
      return knex('replays').select([...COLUMNS]).where({ workspace_id: workspaceId, webhook_id: webhookId }).orderBy('created_at', 'desc').limit(limit);
    },
    /** Cancels a running replay; undefined when it is not running (or not in the workspace). */
    async cancel(workspaceId: string, id: string): Promise<ReplayRow | undefined> {
      const [row] = await knex('replays')
        .where({ workspace_id: workspaceId, id, status: 'running' })
        .update({ status: 'cancelled', lease_owner: null, lease_expires_at: null, finished_at: knex.fn.now(), updated_at: knex.fn.now() })
        .returning([...COLUMNS]);
      return row as ReplayRow | undefined;
    },
  };
}

export type ReplayDal = ReturnType<typeof createReplayDal>;
