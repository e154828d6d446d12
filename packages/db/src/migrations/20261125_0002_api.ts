import type { Knex } from 'knex';

/**
 * Indexes for the call-log filters of the REST API (docs/webhooks.md "Call logs"): a workspace
 * looks its calls up by the case, individual or company they concern, newest first. Most
 * calls carry only some of these ids, so the indexes are partial.
 */
const ENTITY_COLUMNS = ['case_id', 'individual_id', 'company_id'] as const;

export async function up(knex: Knex): Promise<void> {
  for (const column of ENTITY_COLUMNS) {
    await knex.raw(`CREATE INDEX calls_workspace_${column}_index ON calls (workspace_id, ${column}, created_at) WHERE ${column} IS NOT NULL`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const column of ENTITY_COLUMNS) {
    await knex.raw(`DROP INDEX IF EXISTS calls_workspace_${column}_index`);
  }
}
