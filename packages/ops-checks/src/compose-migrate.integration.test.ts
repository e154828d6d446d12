import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrationNames } from '@hookstream/db';
import { createTestDatabase, type TestDatabase } from '@hookstream/testkit';
import { commandOf, loadComposeFile, repoPath } from './index';

const run = promisify(execFile);

// docker-compose.yml's one-shot `migrate` service, run as its command says, from the
// repository (the image has the same layout under /app), against an empty database.
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});

afterAll(async () => {
  await database?.drop();
});

async function runMigrateService() {
  const [runtime, ...args] = commandOf(loadComposeFile().services.migrate ?? {});
  expect(runtime).toBe('node');
  return run(process.execPath, args, { cwd: repoPath(), env: { ...process.env, DATABASE_URL: database.url }, timeout: 60_000 });
}

describe('the compose migrate service', () => {
  it('applies every migration to an empty database, then finds nothing left to do', async () => {
    const first = await runMigrateService();
    expect(first.stdout).toContain(`${migrationNames().length} migration(s) applied`);
    const tables = await database.knex('information_schema.tables').where({ table_schema: 'public' }).pluck('table_name');
    expect(tables).toEqual(expect.arrayContaining(['workspaces', 'webhooks', 'calls', 'attempts']));

    const second = await runMigrateService();
    expect(second.stdout).toContain('0 migration(s) applied');
  });

  it('stops with a one-line message, not a stack trace, without DATABASE_URL', async () => {
    const [, ...args] = commandOf(loadComposeFile().services.migrate ?? {});
    const { DATABASE_URL: _unset, ...env } = process.env;
    const failure = await run(process.execPath, args, { cwd: repoPath(), env, timeout: 30_000 }).catch(
      (error: { code?: number; stderr?: string }) => error,
    );
    expect('code' in failure && failure.code).toBe(1);
    expect('stderr' in failure && failure.stderr).toBe('hookstream-migrate: DATABASE_URL is not set\n');
  });
});
