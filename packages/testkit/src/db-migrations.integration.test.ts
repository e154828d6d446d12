import { migrateDownAll, migrateLatest, migrationNames } from '@hookstream/db';
import { createTestDatabase, type TestDatabase } from './isolation';

const TABLES = ['workspaces', 'api_keys', 'webhooks', 'calls', 'attempts', 'webhook_failures', 'domain_event_receipts'];

async function existingTables(database: TestDatabase): Promise<string[]> {
  const rows = await database.knex('information_schema.tables').select('table_name').where({ table_schema: 'public' });
  return rows.map((row: { table_name: string }) => row.table_name).filter((name) => TABLES.includes(name)).sort();
}

describe('migrations against the real PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await database.drop();
  });

  it('go up, down and up again', async () => {
    expect(await existingTables(database)).toEqual([]);

    expect(await migrateLatest(database.knex)).toEqual(migrationNames());
    expect(await existingTables(database)).toEqual([...TABLES].sort());
    const [workspace] = await database.knex('workspaces').insert({ name: 'Acme' }).returning('id');
    expect(workspace.id).toMatch(/^[0-9a-f-]{36}$/);
    // The status constraint holds.
    await expect(
      database.knex('webhooks').insert({
        workspace_id: workspace.id,
        url: 'https://example.test/hook',
        events: ['Case.Created'],
        status: 'paused',
        secret_encrypted: 'x',
      }),
    ).rejects.toThrow(/webhooks_status_check/);

    expect(await migrateDownAll(database.knex)).toEqual([...migrationNames()].reverse());
    expect(await existingTables(database)).toEqual([]);

    expect(await migrateLatest(database.knex)).toEqual(migrationNames());
    expect(await existingTables(database)).toEqual([...TABLES].sort());
    expect(await database.knex('workspaces').count({ count: '*' })).toEqual([{ count: 0 }]);
    // Running again is a no-op.
    expect(await migrateLatest(database.knex)).toEqual([]);
  });
});
