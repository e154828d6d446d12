import type { Knex } from '@hookstream/db';
import type { AttemptRow, CallRow } from './call-log-fns';
import type { CallKind, CallStatus } from './call-log-schemas';

type Db = Knex | Knex.Transaction;

export interface CallFilters {
  webhookId?: string;
  /** Matches the call's event or its sub-event. */
  event?: string;
  status?: CallStatus;
  kind?: CallKind;
  caseId?: string;
  individualId?: string;
  companyId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

export type CallLogDal = ReturnType<typeof createCallLogDal>;

/**
 * `calls` and `attempts`, written by the health service; the API reads them, and marks a
 * call `pending` when it queues a manual retry. Always scoped to one workspace.
 */
export function createCallLogDal(knex: Knex) {
  const ofWorkspace = (db: Db, workspaceId: string) => db<CallRow>('calls').where({ workspace_id: workspaceId });

  const applyFilters = (query: Knex.QueryBuilder, filters: CallFilters) => {
    if (filters.webhookId) query.where('webhook_id', filters.webhookId);
    if (filters.event) {
      const event = filters.event;
      query.where((inner) => inner.where('event', event).orWhere('sub_event', event));
    }
    if (filters.status) query.where('status', filters.status);
    if (filters.kind) query.where('kind', filters.kind);
    if (filters.caseId !== undefined) query.where('case_id', filters.caseId);
    if (filters.individualId !== undefined) query.where('individual_id', filters.individualId);
    if (filters.companyId !== undefined) query.where('company_id', filters.companyId);
    if (filters.createdFrom) query.where('created_at', '>=', filters.createdFrom);
    if (filters.createdTo) query.where('created_at', '<=', filters.createdTo);
    return query;
  };

  return {
    async list(
      workspaceId: string,
      filters: CallFilters,
      order: 'asc' | 'desc',
      page: { offset: number; limit: number },
    ): Promise<{ rows: CallRow[]; count: number }> {
      const rowsQuery = applyFilters(ofWorkspace(knex, workspaceId).select('*'), filters)
        .orderBy([
          { column: 'created_at', order },
          { column: 'id', order },
        ])
        .offset(page.offset)
        .limit(page.limit);
      const countQuery = applyFilters(ofWorkspace(knex, workspaceId), filters).count<{ count: number }[]>({ count: '*' }).first();
      const [rows, countRow] = await Promise.all([rowsQuery, countQuery]);
      return { rows: rows as CallRow[], count: countRow?.count ?? 0 };
    },

    async find(workspaceId: string, id: string, db: Db = knex, options: { forUpdate?: boolean } = {}): Promise<CallRow | undefined> {
      const query = ofWorkspace(db, workspaceId).where({ id });
      if (options.forUpdate) query.forUpdate();
      return query.first();
    },

    async attemptsOf(callIds: readonly string[]): Promise<AttemptRow[]> {
      if (callIds.length === 0) return [];
      return knex<AttemptRow>('attempts').whereIn('call_id', callIds).orderBy([{ column: 'attempted_at' }, { column: 'id' }]);
    },

    /** Failed calls (not test calls) of a webhook created in [from, to], locked until the transaction ends. */
    async failedCallsInRange(workspaceId: string, webhookId: string, from: Date, to: Date, trx: Knex.Transaction): Promise<CallRow[]> {
      return ofWorkspace(trx, workspaceId)
        .where({ webhook_id: webhookId, status: 'failed', kind: 'delivery' })
        .where('created_at', '>=', from)
        .where('created_at', '<=', to)
        .orderBy('created_at')
        .forUpdate();
    },

    /** A manual retry is on its way: no automatic retry is pending for these calls any more. */
    async markPending(callIds: readonly string[], trx: Knex.Transaction): Promise<void> {
      if (callIds.length === 0) return;
      await trx('calls').whereIn('id', callIds).update({ status: 'pending', status_reason: null, next_retry_at: null, state_changed_at: trx.fn.now() });
    },
  };
}
