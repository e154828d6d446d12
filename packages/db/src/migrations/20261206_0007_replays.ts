import type { Knex } from 'knex';

/**
 * Replays (docs/replays.md): a job that re-delivers to one webhook the domain events of
 * its workspace that Kafka still holds in a time range. The API creates the row; a router
 * instance takes it under a lease, scans the log and checkpoints its place in `positions`
 * (the next offset to read and the end offset of each partition of `domain-events`), so
 * that another instance resumes it after a crash. Replayed calls are attempts of type
 * `replay` on the call of their (webhook, domain event) pair.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('replays', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    table.uuid('webhook_id').notNullable();
    table.timestamp('range_from', { useTz: true }).notNullable();
    table.timestamp('range_to', { useTz: true }).notNullable();
    // The event types asked for; null: every type the webhook is subscribed to.
    table.specificType('events', 'text[]');
    table.text('status').notNullable().defaultTo('running');
    table.text('failure_reason');
    table.bigInteger('events_scanned').notNullable().defaultTo(0);
    table.bigInteger('calls_made').notNullable().defaultTo(0);
    // { "<partition>": { "next": "<offset>", "end": "<offset>" } }; null until planned.
    table.jsonb('positions');
    table.text('lease_owner');
    table.timestamp('lease_expires_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('finished_at', { useTz: true });
    table.index(['workspace_id', 'created_at']);
    table.index(['webhook_id', 'created_at']);
  });
  await knex.raw(`ALTER TABLE replays ADD CONSTRAINT replays_status_check CHECK (status IN ('running', 'done', 'failed', 'cancelled'))`);
  // Workers look for running jobs only.
  await knex.raw(`CREATE INDEX replays_running_index ON replays (lease_expires_at) WHERE status = 'running'`);
  await knex.raw('ALTER TABLE attempts DROP CONSTRAINT attempts_type_check');
  await knex.raw(
    `ALTER TABLE attempts ADD CONSTRAINT attempts_type_check CHECK (type IN ('first_call', 'automatic_retry', 'manual_retry', 'test', 'replay'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('attempts').where({ type: 'replay' }).delete();
  await knex.raw('ALTER TABLE attempts DROP CONSTRAINT attempts_type_check');
  await knex.raw(
    `ALTER TABLE attempts ADD CONSTRAINT attempts_type_check CHECK (type IN ('first_call', 'automatic_retry', 'manual_retry', 'test'))`,
  );
  await knex.schema.dropTableIfExists('replays');
}
