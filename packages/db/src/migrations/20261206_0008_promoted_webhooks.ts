import type { Knex } from 'knex';

/**
 * Promoted webhooks (docs/webhooks.md "Promoted webhooks"): the offline rule never sets
 * such a webhook offline. Over the failure threshold its automatic retries pause instead:
 * the sender parks each one that falls due in `parked_retries` (durable before the retry
 * tier's offset is committed), probes the receiver with the oldest at a bounded interval,
 * and once a probe succeeds releases them, oldest first, at a bounded rate.
 *
 * - `retry_state`: `normal`; `paused` (set by the health service); `resuming` (a probe
 *   succeeded; parked retries are released, and new ones queue behind them until none is
 *   left).
 * - `retries_probed_at`: when the last probe was claimed; `retries_next_release_at`: when
 *   the next release slot opens. Shared by every sender instance, so that the interval and
 *   the rate hold across them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhooks', (table) => {
    table.boolean('promoted').notNullable().defaultTo(false);
    table.text('retry_state').notNullable().defaultTo('normal');
    table.timestamp('retry_state_since', { useTz: true });
    table.timestamp('retries_probed_at', { useTz: true });
    table.timestamp('retries_next_release_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE webhooks ADD CONSTRAINT webhooks_retry_state_check CHECK (retry_state IN ('normal', 'paused', 'resuming'))`);
  await knex.raw(`CREATE INDEX webhooks_retry_state_idx ON webhooks (retry_state) WHERE retry_state <> 'normal'`);

  await knex.schema.createTable('parked_retries', (table) => {
    // One row per call and retry number: a retry read twice (a redelivered tier message) parks once.
    table.uuid('event_id').notNullable();
    table.integer('retry_count').notNullable();
    table.uuid('webhook_id').notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    table.timestamp('due_at', { useTz: true }).notNullable();
    table.timestamp('parked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // The delivery message as read from the retry tier, sent as it is when released.
    table.jsonb('delivery').notNullable();
    // A sender instance took it (probe or release) and holds it until then.
    table.timestamp('claimed_until', { useTz: true });
    table.primary(['event_id', 'retry_count']);
    table.index(['webhook_id', 'due_at', 'parked_at', 'event_id'], 'parked_retries_oldest_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('parked_retries');
  await knex.raw('DROP INDEX IF EXISTS webhooks_retry_state_idx');
  await knex.raw('ALTER TABLE webhooks DROP CONSTRAINT webhooks_retry_state_check');
  await knex.schema.alterTable('webhooks', (table) => {
    table.dropColumns('promoted', 'retry_state', 'retry_state_since', 'retries_probed_at', 'retries_next_release_at');
  });
}
