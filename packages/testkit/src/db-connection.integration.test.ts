import { createDatabase } from '@hookstream/db';
import { createTestDatabase, type TestDatabase } from './isolation';

/** The session's synchronous_commit, and where it came from ('client' when the connection set it). */
async function synchronousCommitOf(url: string, asynchronousCommit: boolean) {
  const knex = createDatabase({ url, poolMax: 1, asynchronousCommit });
  try {
    const { rows } = await knex.raw<{ rows: Array<{ setting: string; source: string }> }>(
      "SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'",
    );
    return rows[0];
  } finally {
    await knex.destroy();
  }
}

describe('createDatabase against the real PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await database.drop();
  });

  it('opens sessions that commit without waiting for the WAL flush only when asked to', async () => {
    expect(await synchronousCommitOf(database.url, true)).toEqual({ setting: 'off', source: 'client' });
    // Otherwise the server's own setting holds (the test server's is off too, for speed).
    expect((await synchronousCommitOf(database.url, false))?.source).not.toBe('client');
  });
});
