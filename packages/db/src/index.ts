export { createDatabase, waitForDatabase, DatabaseUnreachableError, redactUrl, type Knex } from './connection';
export { migrateLatest, migrateDownAll, migrationNames } from './migrations';
