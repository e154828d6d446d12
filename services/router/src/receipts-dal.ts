import type { Knex } from '@hookstream/db';

/** Domain event ids already routed, for dropping a republished duplicate. */
export interface ReceiptsDal {
  /** Of the given ids, those already routed. */
  findRouted(domainEventIds: readonly string[]): Promise<Set<string>>;
  recordRouted(domainEventIds: readonly string[]): Promise<void>;
  purgeOlderThan(cutoff: Date, batchSize?: number): Promise<number>;
}

export function createReceiptsDal(knex: Knex): ReceiptsDal {
  return {
    async findRouted(domainEventIds) {
      if (domainEventIds.length === 0) return new Set();
      const rows: Array<{ domain_event_id: string }> = await knex('domain_event_receipts')
        .select('domain_event_id')
        .whereIn('domain_event_id', domainEventIds as string[]);
      return new Set(rows.map((row) => row.domain_event_id));
    },
    async recordRouted(domainEventIds) {
      if (domainEventIds.length === 0) return;
      await knex('domain_event_receipts')
        .insert(domainEventIds.map((id) => ({ domain_event_id: id })))
        .onConflict('domain_event_id')
        .ignore();
    },
    async purgeOlderThan(cutoff, batchSize = 5_000) {
      let total = 0;
      for (;;) {
        // Small batches keep each delete short, so nothing waits long on its locks.
        const deleted = await knex('domain_event_receipts')
          .whereIn(
            'domain_event_id',
            knex('domain_event_receipts').select('domain_event_id').where('routed_at', '<', cutoff).limit(batchSize),
          )
          .delete();
        total += deleted;
        if (deleted < batchSize) return total;
      }
    },
  };
}
