import type { Knex } from '@hookstream/db';
import { deliveryMessageSchema, type DeliveryMessage } from '@hookstream/messages';

/** A parked retry, as a sender instance took it out of `parked_retries`. */
export interface ParkedRetry {
  eventId: string;
  retryCount: number;
  webhookId: string;
  dueAt: Date;
  parkedAt: Date;
  delivery: DeliveryMessage;
}

export interface ParkedCounts {
  webhookId: string;
  /** Parked retries of the webhook. */
  parked: number;
  /** Of those, the ones no sender instance holds right now. */
  ready: number;
}

export type ParkedRetryDal = ReturnType<typeof createParkedRetryDal>;

interface ParkedRow {
  event_id: string;
  retry_count: number;
  webhook_id: string;
  due_at: Date;
  parked_at: Date;
  delivery: unknown;
}

/** Oldest first: the earliest due, then the earliest parked; the event id breaks ties. */
export function oldestFirst(a: Pick<ParkedRetry, 'dueAt' | 'parkedAt' | 'eventId'>, b: Pick<ParkedRetry, 'dueAt' | 'parkedAt' | 'eventId'>): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || a.parkedAt.getTime() - b.parkedAt.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * `parked_retries` and the pause columns of `webhooks` (docs/webhooks.md "Promoted
 * webhooks"). The probe interval and the release rate are claimed on the webhook's row
 * (an UPDATE that only succeeds when the last claim is old enough), so that they hold
 * across every sender instance; a parked retry taken out is leased (`claimed_until`), so
 * that two instances never send it together and a crashed one's lease runs out.
 */
export function createParkedRetryDal(knex: Knex) {
  const toParked = (row: ParkedRow): ParkedRetry => ({
    eventId: row.event_id,
    retryCount: row.retry_count,
    webhookId: row.webhook_id,
    dueAt: row.due_at,
    parkedAt: row.parked_at,
    delivery: deliveryMessageSchema.parse(row.delivery),
  });

  return {
    /** Keeps a paused retry; one read twice (a redelivered tier message) is kept once. */
    async park(delivery: DeliveryMessage): Promise<void> {
      await knex('parked_retries')
        .insert({
          event_id: delivery.event_id,
          retry_count: delivery.retry_count,
          webhook_id: delivery.webhook_id,
          due_at: delivery.due_at,
          delivery: JSON.stringify(delivery),
        })
        .onConflict(['event_id', 'retry_count'])
        .ignore();
    },

    async countsByWebhook(): Promise<ParkedCounts[]> {
      const rows: Array<{ webhook_id: string; parked: number; ready: number }> = await knex('parked_retries')
        .select('webhook_id')
        .select(knex.raw('count(*)::int AS parked'))
        .select(knex.raw('(count(*) FILTER (WHERE claimed_until IS NULL OR claimed_until < now()))::int AS ready'))
        .groupBy('webhook_id');
      return rows.map((row) => ({ webhookId: row.webhook_id, parked: row.parked, ready: row.ready }));
    },

    /** Claims the webhook's next probe: it is paused (and online, promoted) and the last probe is `intervalMs` old. */
    async claimProbe(webhookId: string, intervalMs: number): Promise<boolean> {
      const result = await knex.raw(
        `UPDATE webhooks SET retries_probed_at = now()
         WHERE id = ? AND promoted AND retry_state = 'paused' AND status = 'online' AND deleted_at IS NULL
           AND (retries_probed_at IS NULL OR retries_probed_at <= now() - make_interval(secs => ?))
         RETURNING id`,
        [webhookId, intervalMs / 1_000],
      );
      return (result as { rowCount: number }).rowCount > 0;
    },

    /**
     * Claims the webhook's next release slot, if it is open: the webhook is not paused (a
     * probe succeeded, it is no longer promoted, or it went offline or was deleted: its
     * retries are then given up under the usual rules). The next slot opens `spacingMs`
     * after this one; a late claim makes up for at most one slot, so the rate holds.
     */
    async claimRelease(webhookId: string, spacingMs: number): Promise<boolean> {
      const result = await knex.raw(
        `UPDATE webhooks
         SET retries_next_release_at = greatest(coalesce(retries_next_release_at, now()), now() - make_interval(secs => ?)) + make_interval(secs => ?)
         WHERE id = ? AND NOT (promoted AND retry_state = 'paused' AND status = 'online' AND deleted_at IS NULL)
           AND (retries_next_release_at IS NULL OR retries_next_release_at <= now())
         RETURNING id`,
        [spacingMs / 1_000, spacingMs / 1_000, webhookId],
      );
      return (result as { rowCount: number }).rowCount > 0;
    },

    /** Takes the webhook's `limit` oldest parked retries no instance holds, holding them for `leaseMs`. */
    async takeOldest(webhookId: string, limit: number, leaseMs: number): Promise<ParkedRetry[]> {
      const result = await knex.raw(
        `UPDATE parked_retries p SET claimed_until = now() + make_interval(secs => ?)
         FROM (
           SELECT event_id, retry_count FROM parked_retries
           WHERE webhook_id = ? AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY due_at, parked_at, event_id
           LIMIT ?
           FOR UPDATE SKIP LOCKED
         ) taken
         WHERE p.event_id = taken.event_id AND p.retry_count = taken.retry_count
         RETURNING p.event_id, p.retry_count, p.webhook_id, p.due_at, p.parked_at, p.delivery`,
        [leaseMs / 1_000, webhookId, limit],
      );
      return (result as { rows: ParkedRow[] }).rows.map(toParked).sort(oldestFirst);
    },

    /** The retry's outcome is durable: it leaves the parked ones. */
    async remove(retry: Pick<ParkedRetry, 'eventId' | 'retryCount'>): Promise<void> {
      await knex('parked_retries').where({ event_id: retry.eventId, retry_count: retry.retryCount }).delete();
    },

    /** The retry could not be tried (the database failed): it waits again, first in line. */
    async giveBack(retry: Pick<ParkedRetry, 'eventId' | 'retryCount'>): Promise<void> {
      await knex('parked_retries').where({ event_id: retry.eventId, retry_count: retry.retryCount }).update({ claimed_until: null });
    },

    /**
     * A probe succeeded: the webhook resumes. The offline rule's window restarts (as when a
     * webhook is set online again), so that failures from before the recovery do not pause
     * it again at once.
     */
    async resume(webhookId: string): Promise<boolean> {
      const result = await knex.raw(
        `UPDATE webhooks
         SET retry_state = 'resuming', retry_state_since = now(), failure_window_reset_at = now(), updated_at = now()
         WHERE id = ? AND retry_state = 'paused'
         RETURNING id`,
        [webhookId],
      );
      return (result as { rowCount: number }).rowCount > 0;
    },

    /** Resuming webhooks with no parked retry left are back to normal; returns them. */
    async finishResuming(): Promise<string[]> {
      const result = await knex.raw(
        `UPDATE webhooks w SET retry_state = 'normal', retry_state_since = now(), updated_at = now()
         WHERE retry_state = 'resuming' AND NOT EXISTS (SELECT 1 FROM parked_retries p WHERE p.webhook_id = w.id)
         RETURNING id`,
      );
      return (result as { rows: Array<{ id: string }> }).rows.map((row) => row.id);
    },
  };
}
