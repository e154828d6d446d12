import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@hookstream/testkit';
import { createApiKeyDal } from '../auth/api-key-dal';
import { hashApiKey } from '../auth/api-keys';
import { runCommand, UsageError } from './commands';

jest.setTimeout(60_000);

describe('the operators\' CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  const run = (...argv: string[]) => runCommand(argv, { knex: database.knex });
  const findKey = (key: string) => createApiKeyDal(database.knex).findActiveByHash(hashApiKey(key));

  it('creates a workspace and prints its id and API key once', async () => {
    const lines = await run('workspace', 'create', '--name', 'Acme Corp');
    const [, id, name] = /^workspace {2}(\S+) {2}(.+)$/.exec(lines[0] ?? '') ?? [];
    const [, key] = /^api key {4}(dotkey\.\S+)$/.exec(lines[1] ?? '') ?? [];
    expect(name).toBe('Acme Corp');
    expect(key).toBeDefined();
    expect((await findKey(key as string))?.workspace_id).toBe(id);
    expect(lines.join('\n')).toContain('shown this once');
  });

  it('speaks JSON, lists workspaces, creates and revokes keys', async () => {
    const created = JSON.parse((await run('workspace', 'create', '--name=Globex', '--json'))[0] as string);
    expect(created).toMatchObject({ name: 'Globex', api_key: expect.stringMatching(/^dotkey\./) });

    const listed = await run('workspace', 'list');
    expect(listed.some((line) => line.includes(created.id) && line.endsWith('Globex'))).toBe(true);

    const key = JSON.parse((await run('api-key', 'create', '--workspace', created.id, '--json'))[0] as string);
    expect((await findKey(key.api_key))?.workspace_id).toBe(created.id);
    expect(await run('api-key', 'revoke', '--workspace', created.id, '--key', key.id)).toEqual(['revoked']);
    expect(await findKey(key.api_key)).toBeUndefined();
    expect(await findKey(created.api_key)).toBeDefined();
  });

  it.each([
    [[]],
    [['workspace', 'create']],
    [['workspace', 'create', '--name']],
    [['workspace', 'explode']],
    [['api-key', 'create', '--workspace', 'not-a-uuid']],
    [['workspace', 'list', '--page', '0']],
  ])('refuses %j as bad usage', async (argv) => {
    await expect(runCommand(argv, { knex: database.knex })).rejects.toBeInstanceOf(UsageError);
  });

  it('answers a clear error for an unknown workspace', async () => {
    await expect(run('api-key', 'create', '--workspace', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/No workspace/);
  });

  // The compiled entry point behind `npm run cli`, as operators run it (`npm test` builds it first).
  const compiled = path.resolve(__dirname, '../../dist/cli/main.js');
  it('runs as `npm run cli -- workspace create --name …`', async () => {
    expect(existsSync(compiled)).toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [compiled, 'workspace', 'create', '--name', 'From the shell'], {
      env: { ...process.env, DATABASE_URL: database.url },
    });
    const key = /api key {4}(dotkey\.\S+)/.exec(stdout)?.[1];
    expect(key).toBeDefined();
    expect(await findKey(key as string)).toBeDefined();

    const usage = await promisify(execFile)(process.execPath, [compiled, 'workspace', 'nope'], {
      env: { ...process.env, DATABASE_URL: database.url },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run cli') });
  });
});
