import type { Knex } from 'knex';

/**
 * Test calls (docs/webhooks.md "Test calls"): the API sends one example payload to a
 * webhook on request and logs it as a call of kind `test` with one attempt of type
 * `test`. Such a call is never retried and never counted by the offline rule; the kind
 * lets the call log filter on it and the range retry skip it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (table) => {
    table.text('kind').notNullable().defaultTo('delivery');
  });
  await knex.raw(`ALTER TABLE calls ADD CONSTRAINT calls_kind_check CHECK (kind IN ('delivery', 'test'))`);
  await knex.raw('ALTER TABLE attempts DROP CONSTRAINT attempts_type_check');
  await knex.raw(
    `ALTER TABLE attempts ADD CONSTRAINT attempts_type_check CHECK (type IN ('first_call', 'automatic_retry', 'manual_retry', 'test'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('calls').where({ kind: 'test' }).delete();
  await knex.raw('ALTER TABLE attempts DROP CONSTRAINT attempts_type_check');
  await knex.raw(`ALTER TABLE attempts ADD CONSTRAINT attempts_type_check CHECK (type IN ('first_call', 'automatic_retry', 'manual_retry'))`);
  await knex.schema.alterTable('calls', (table) => {
    table.dropColumn('kind');
  });
}
