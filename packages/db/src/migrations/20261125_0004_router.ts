import type { Knex } from 'knex';

/**
 * Domain event ids the router has routed, so that a producer publishing the same `id`
 * twice yields one call per webhook (docs/producing-events.md). Rows older than the
 * deduplication retention are purged by the router.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('domain_event_receipts', (table) => {
    table.uuid('domain_event_id').primary();
    table.timestamp('routed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['routed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('domain_event_receipts');
}
