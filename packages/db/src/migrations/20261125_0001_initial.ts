import type { Knex } from 'knex';

/**
 * The first schema: workspaces and their hashed API keys, webhooks with their current and
 * previous secret, and calls (one per webhook and domain event) with their attempts.
 * Webhook secrets must be shown to the customer and used for signing, so they are
 * stored encrypted (AES-256-GCM, key from configuration), not hashed; API keys are only
 * ever compared, so they are stored as SHA-256 digests.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');

  await knex.schema.createTable('workspaces', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.text('name').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('api_keys', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    table.binary('key_hash').notNullable().unique();
    table.text('key_prefix').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('revoked_at', { useTz: true });
    table.index(['workspace_id']);
  });

  await knex.schema.createTable('webhooks', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    table.uuid('workspace_id').notNullable().references('id').inTable('workspaces').onDelete('CASCADE');
    table.text('name');
    table.text('url').notNullable();
    table.specificType('events', 'text[]').notNullable();
    table.text('status').notNullable().defaultTo('online');
    table.text('offline_reason');
    table.text('secret_encrypted').notNullable();
    table.text('previous_secret_encrypted');
    table.timestamp('previous_secret_expires_at', { useTz: true });
    // Failures before this instant do not count toward the offline rule.
    table.timestamp('failure_window_reset_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('deleted_at', { useTz: true });
    table.index(['workspace_id']);
    table.index(['updated_at']);
  });
  await knex.raw(`ALTER TABLE webhooks ADD CONSTRAINT webhooks_status_check CHECK (status IN ('online', 'offline'))`);

  await knex.schema.createTable('calls', (table) => {
    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // event_id is derived from (domain event id, webhook id), so it identifies the call.
    table.uuid('event_id').notNullable().unique();
    table.uuid('workspace_id').notNullable();
    table.uuid('webhook_id').notNullable();
    table.uuid('domain_event_id').notNullable();
    table.text('event').notNullable();
    table.text('sub_event');
    table.text('status').notNullable().defaultTo('pending');
    // Why a call was cancelled or not sent (`webhook_deleted`, `webhook_offline`, ...).
    table.text('status_reason');
    table.integer('status_code');
    table.text('endpoint');
    table.integer('retry_count').notNullable().defaultTo(0);
    table.timestamp('next_retry_at', { useTz: true });
    table.text('case_id');
    table.text('individual_id');
    table.text('company_id');
    table.jsonb('payload');
    // The domain event the call was made for: a manual retry rebuilds its payload from it.
    table.jsonb('domain_event');
    table.timestamp('first_attempt_at', { useTz: true });
    table.timestamp('last_attempt_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['workspace_id', 'created_at']);
    table.index(['webhook_id', 'created_at']);
  });
  await knex.raw(
    `ALTER TABLE calls ADD CONSTRAINT calls_status_check CHECK (status IN ('pending', 'succeeded', 'retrying', 'failed', 'cancelled'))`,
  );

  await knex.schema.createTable('attempts', (table) => {
    // Chosen by the sender, so a redelivered outcome is recognised and not added twice.
    table.uuid('id').primary();
    table.uuid('call_id').notNullable().references('id').inTable('calls').onDelete('CASCADE');
    table.text('type').notNullable();
    table.integer('retry_count').notNullable();
    table.text('endpoint').notNullable();
    table.integer('status_code');
    table.text('error');
    table.integer('duration_ms').notNullable();
    table.jsonb('request_headers').notNullable();
    table.jsonb('response_headers');
    table.text('response_body');
    table.timestamp('attempted_at', { useTz: true }).notNullable();
    table.index(['call_id', 'attempted_at']);
  });
  await knex.raw(
    `ALTER TABLE attempts ADD CONSTRAINT attempts_type_check CHECK (type IN ('first_call', 'automatic_retry', 'manual_retry'))`,
  );

  // The offline rule's exact rolling window: one row per failed attempt, keyed by the
  // attempt id so that a redelivered outcome is not counted twice.
  await knex.schema.createTable('webhook_failures', (table) => {
    table.uuid('attempt_id').primary();
    table.uuid('webhook_id').notNullable();
    table.timestamp('failed_at', { useTz: true }).notNullable();
    table.index(['webhook_id', 'failed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_failures');
  await knex.schema.dropTableIfExists('attempts');
  await knex.schema.dropTableIfExists('calls');
  await knex.schema.dropTableIfExists('webhooks');
  await knex.schema.dropTableIfExists('api_keys');
  await knex.schema.dropTableIfExists('workspaces');
}
