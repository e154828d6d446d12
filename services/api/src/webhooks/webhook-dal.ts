import type { Knex } from '@hookstream/db';
import { containsPattern, type SortTerm, type WebhookRow } from './webhook-fns';
import type { WebhookStatus } from './webhook-schemas';

type Db = Knex | Knex.Transaction;

export interface WebhookFilters {
  status?: WebhookStatus;
  /** Webhooks subscribed to every one of these. */
  events?: string[];
  urlContains?: string;
  nameContains?: string;
}

/** Columns a write may set; `updated_at` is always set by the DAL itself. */
export type WebhookChanges = Partial<
  Pick<
    WebhookRow,
    | 'name'
    | 'url'
    | 'events'
    | 'status'
    | 'offline_reason'
    | 'secret_encrypted'
    | 'previous_secret_encrypted'
    | 'previous_secret_expires_at'
    | 'promoted'
  >
> & { reset_failure_window?: boolean; end_retry_pause?: boolean };

export type WebhookDal = ReturnType<typeof createWebhookDal>;

/**
 * `webhooks`, always scoped to one workspace and to rows not soft-deleted. Every write sets
 * `updated_at = now()` (the database clock): the router's and sender's webhook views
 * re-read rows by `updated_at`, which is how a change takes effect within 2 s.
 */
export function createWebhookDal(knex: Knex) {
  const active = (db: Db, workspaceId: string) => db<WebhookRow>('webhooks').where({ workspace_id: workspaceId }).whereNull('deleted_at');

  const applyFilters = (query: Knex.QueryBuilder, filters: WebhookFilters) => {
    if (filters.status) query.where('status', filters.status);
    if (filters.events && filters.events.length > 0) query.whereRaw('events @> ?::text[]', [filters.events]);
    if (filters.urlContains !== undefined) query.whereILike('url', containsPattern(filters.urlContains));
    if (filters.nameContains !== undefined) query.whereILike('name', containsPattern(filters.nameContains));
    return query;
  };

  const columnsOf = (changes: WebhookChanges) => {
    const { reset_failure_window: resetFailureWindow, end_retry_pause: endRetryPause, ...columns } = changes;
    return {
      ...columns,
      ...(resetFailureWindow ? { failure_window_reset_at: knex.fn.now() } : {}),
      // Parked retries are then released at the resume rate (the sender sees no pause).
      ...(endRetryPause ? { retry_state: knex.raw(`CASE WHEN retry_state = 'normal' THEN 'normal' ELSE 'resuming' END`), retry_state_since: knex.raw(`CASE WHEN retry_state = 'normal' THEN retry_state_since ELSE now() END`) } : {}),
      updated_at: knex.fn.now(),
    };
  };

  return {
    /**
     * Serialises webhook creation per workspace, so that two concurrent creates cannot
     * both pass the per-workspace limit.
     */
    async lockWorkspace(workspaceId: string, trx: Knex.Transaction): Promise<boolean> {
      const row = await trx('workspaces').where({ id: workspaceId }).forUpdate().first('id');
      return row !== undefined;
    },

    async countActive(workspaceId: string, db: Db = knex): Promise<number> {
      const row = await active(db, workspaceId).count<{ count: number }[]>({ count: '*' }).first();
      return row?.count ?? 0;
    },

    async insert(
      row: Pick<WebhookRow, 'workspace_id' | 'name' | 'url' | 'events' | 'status' | 'offline_reason' | 'secret_encrypted' | 'promoted'>,
      db: Db = knex,
    ): Promise<WebhookRow> {
      const [inserted] = await db<WebhookRow>('webhooks').insert(row).returning('*');
      if (!inserted) throw new Error('insert into webhooks returned no row');
      return inserted;
    },

    async find(workspaceId: string, id: string, db: Db = knex, options: { forUpdate?: boolean } = {}): Promise<WebhookRow | undefined> {
      const query = active(db, workspaceId).where({ id });
      if (options.forUpdate) query.forUpdate();
      return query.first();
    },

    async list(
      workspaceId: string,
      filters: WebhookFilters,
      sort: readonly SortTerm[],
      page: { offset: number; limit: number },
    ): Promise<{ rows: WebhookRow[]; count: number }> {
      const rowsQuery = applyFilters(active(knex, workspaceId).select('*'), filters)
        .orderBy(sort.map((term) => ({ column: term.column, order: term.order })))
        .offset(page.offset)
        .limit(page.limit);
      const countQuery = applyFilters(active(knex, workspaceId), filters).count<{ count: number }[]>({ count: '*' }).first();
      const [rows, countRow] = await Promise.all([rowsQuery, countQuery]);
      return { rows: rows as WebhookRow[], count: countRow?.count ?? 0 };
    },

    async update(workspaceId: string, id: string, changes: WebhookChanges, db: Db = knex): Promise<WebhookRow | undefined> {
      const [row] = await active(db, workspaceId).where({ id }).update(columnsOf(changes)).returning('*');
      return row as WebhookRow | undefined;
    },

    /** Soft delete: the views see it like any change (deleted_at and updated_at set). */
    async softDelete(workspaceId: string, id: string, db: Db = knex): Promise<boolean> {
      const updated = await active(db, workspaceId).where({ id }).update({ deleted_at: knex.fn.now(), updated_at: knex.fn.now() });
      return updated > 0;
    },

    /** Pending automatic retries of a deleted webhook are dropped (docs/webhooks.md "Managing webhooks"). */
    async cancelRetryingCalls(webhookId: string, db: Db = knex): Promise<number> {
      return db('calls')
        .where({ webhook_id: webhookId, status: 'retrying' })
        .update({ status: 'cancelled', status_reason: 'webhook_deleted', next_retry_at: null, state_changed_at: db.fn.now() });
    },
  };
}
