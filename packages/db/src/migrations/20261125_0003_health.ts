import type { Knex } from 'knex';

/**
 * What the health service needs beyond the initial schema:
 * - `calls.state_changed_at`: when the outcome that set the call's current status
 *   happened (an attempt, or a retry not sent). A redelivered or late outcome older than
 *   it never moves the status back; `last_attempt_at` cannot serve, since a retry that is
 *   not sent is no attempt.
 * - indexes for the background purges (call logs past their retention, failures past
 *   the offline window), which delete by age alone;
 * - `webhook_failures.event_id` and `retry_count`, unique together: the offline rule
 *   counts failed calls, and a call the sender made twice around one of its own crashes
 *   (same call, same retry number, a new attempt id) is one failed call, not two;
 * - the lifecycle outbox: a `webhook.offline` message is written in the transaction that
 *   sets the webhook offline and published after it commits, so that neither a crash nor
 *   a broker outage between the two loses it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (table) => {
    table.timestamp('state_changed_at', { useTz: true });
    table.index(['created_at'], 'calls_created_at_index');
  });
  await knex.schema.alterTable('webhook_failures', (table) => {
    table.index(['failed_at'], 'webhook_failures_failed_at_index');
    table.uuid('event_id');
    table.integer('retry_count');
    table.unique(['event_id', 'retry_count'], { indexName: 'webhook_failures_call_attempt_unique' });
  });
  await knex.schema.createTable('webhook_lifecycle_outbox', (table) => {
    table.bigIncrements('id').primary();
    table.uuid('webhook_id').notNullable();
    table.jsonb('message').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_lifecycle_outbox');
  await knex.schema.alterTable('webhook_failures', (table) => {
    table.dropUnique(['event_id', 'retry_count'], 'webhook_failures_call_attempt_unique');
    table.dropColumn('retry_count');
    table.dropColumn('event_id');
    table.dropIndex(['failed_at'], 'webhook_failures_failed_at_index');
  });
  await knex.schema.alterTable('calls', (table) => {
    table.dropIndex(['created_at'], 'calls_created_at_index');
    table.dropColumn('state_changed_at');
  });
}
