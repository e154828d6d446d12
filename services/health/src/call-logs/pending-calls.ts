import { storableJson, storableText, type Knex } from '@hookstream/db';
import { entityIdsOf } from '@hookstream/events';
import type { DeliveryMessage } from '@hookstream/messages';
import type { CallRow } from './call-log-batch';

/**
 * A routed call, logged `pending` as soon as the router has written its first call to
 * webhook-deliveries, before the sender has tried it: a customer looking at the logs
 * during a backlog sees every call. Only first calls make such rows (a manual retry
 * already has its call, marked pending by the API).
 */
export type PendingCallRow = Pick<
  CallRow,
  'event_id' | 'workspace_id' | 'webhook_id' | 'domain_event_id' | 'event' | 'sub_event' | 'case_id' | 'individual_id' | 'company_id' | 'domain_event'
>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One row per first call of the batch (a redelivered message counts once), in event_id
 * order so that concurrent writers lock rows in one order; none produced before
 * `notBefore` (past the log's retention). A delivery whose ids the log
 * cannot hold is left to its outcome (which says the same ids) rather than failing the batch.
 */
export function pendingRowsOf(deliveries: readonly DeliveryMessage[], notBefore?: Date): PendingCallRow[] {
  const rows = new Map<string, PendingCallRow>();
  for (const delivery of deliveries) {
    if (delivery.type !== 'first_call') continue;
    if (notBefore && Date.parse(delivery.produced_at) < notBefore.getTime()) continue;
    const eventId = delivery.event_id.toLowerCase();
    const workspaceId = delivery.workspace_id.toLowerCase();
    const domainEventId = delivery.domain_event.id.toLowerCase();
    if (!UUID.test(workspaceId) || !UUID.test(domainEventId) || rows.has(eventId)) continue;
    const entities = entityIdsOf(delivery.domain_event);
    rows.set(eventId, {
      event_id: eventId,
      workspace_id: workspaceId,
      webhook_id: delivery.webhook_id.toLowerCase(),
      domain_event_id: domainEventId,
      event: storableText(delivery.event),
      sub_event: storableText(delivery.sub_event),
      case_id: storableText(entities.case_id),
      individual_id: storableText(entities.individual_id),
      company_id: storableText(entities.company_id),
      domain_event: storableJson(delivery.domain_event),
    });
  }
  return [...rows.values()].sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

// A pending row never overwrites a call that already exists: whatever an outcome (or a
// manual retry) wrote is newer than "routed". It only fills in a domain event the row
// lacks. Its state_changed_at stays null, so that the first outcome always wins.
const WRITE_PENDING = `
INSERT INTO calls (
  event_id, workspace_id, webhook_id, domain_event_id, event, sub_event, case_id, individual_id, company_id,
  domain_event, status, retry_count
)
SELECT
  r.event_id, r.workspace_id, r.webhook_id, r.domain_event_id, r.event, r.sub_event, r.case_id, r.individual_id, r.company_id,
  r.domain_event, 'pending', 0
FROM jsonb_to_recordset(?::jsonb) AS r(
  event_id uuid, workspace_id uuid, webhook_id uuid, domain_event_id uuid, event text, sub_event text,
  case_id text, individual_id text, company_id text, domain_event jsonb
)
ORDER BY r.event_id
ON CONFLICT (event_id) DO UPDATE SET domain_event = excluded.domain_event
  WHERE calls.domain_event IS NULL
RETURNING (xmax = 0) AS inserted`;

/** Writes a batch's pending rows in one statement; returns how many calls were new. */
export async function writePendingCalls(db: Knex | Knex.Transaction, rows: readonly PendingCallRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.raw(WRITE_PENDING, [JSON.stringify(rows)]).options({ name: 'health_write_pending_calls' });
  return (result as { rows: Array<{ inserted: boolean }> }).rows.filter((row) => row.inserted).length;
}
