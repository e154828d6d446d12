import type { Knex } from 'knex';
import * as initial from './migrations/20261125_0001_initial';
import * as api from './migrations/20261125_0002_api';
import * as health from './migrations/20261125_0003_health';
import * as router from './migrations/20261125_0004_router';
import * as callLogCompression from './migrations/20261125_0005_call_log_compression';
import * as testCalls from './migrations/20261206_0006_test_calls';
import * as replays from './migrations/20261206_0007_replays';
import * as promotedWebhooks from './migrations/20261206_0008_promoted_webhooks';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are listed here rather than discovered on disk, so that they run the same
 * from the TypeScript sources (tests) and from the compiled output (services).
 */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261125_0001_initial', initial],
  ['20261125_0002_api', api],
  ['20261125_0003_health', health],
  ['20261125_0004_router', router],
  ['20261125_0005_call_log_compression', callLogCompression],
  ['20261206_0006_test_calls', testCalls],
  ['20261206_0007_replays', replays],
  ['20261206_0008_promoted_webhooks', promotedWebhooks],
];

const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  // Applied in name order, whatever the order of the list above.
  getMigrations: async () => [...MIGRATIONS].sort(([a], [b]) => a.localeCompare(b)),
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

const options: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(options)) as [number, string[]];
  return applied;
}

/** Rolls back every migration (used by tests of the down path and by resets). */
export async function migrateDownAll(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(options, true)) as [number, string[]];
  return reverted;
}

export function migrationNames(): string[] {
  return MIGRATIONS.map(([name]) => name);
}
