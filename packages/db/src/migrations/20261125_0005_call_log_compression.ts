import type { Knex } from 'knex';

/**
 * The call log's large values (a call's payload and domain event, an attempt's headers
 * and response body) are compressed with lz4 rather than PostgreSQL's default pglz when
 * TOAST compresses them: a call row carries two JSON documents of a KiB or more, so most
 * rows pass the ~2 KiB threshold, and lz4 costs the writer (and the API reading logs
 * back) less CPU for about the same size. Only values written from now on change; older
 * ones stay readable as they are. A server built without lz4 keeps pglz (the migration
 * still applies, with a notice).
 */
const COLUMNS = {
  calls: ['payload', 'domain_event'],
  attempts: ['request_headers', 'response_headers', 'response_body'],
} as const;

function setCompression(method: 'lz4' | 'default'): string {
  return Object.entries(COLUMNS)
    .map(([table, columns]) => `ALTER TABLE ${table} ${columns.map((column) => `ALTER COLUMN ${column} SET COMPRESSION ${method}`).join(', ')};`)
    .join('\n');
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
DO $$
BEGIN
  ${setCompression('lz4')}
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'this PostgreSQL server has no lz4 support: the call log keeps pglz compression';
END
$$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(setCompression('default'));
}
