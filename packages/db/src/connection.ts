import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (bigint, count(*)) as numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type { Knex } from 'knex';

export function createDatabase(options: {
  url: string;
  poolMax?: number;
  applicationName?: string;
  /**
   * Commits without waiting for the WAL flush, for writes that may be lost in a database
   * crash (the last few hundred milliseconds of them) but must not wait on other writers'
   * fsyncs. Never for the webhooks, secrets or call logs.
   */
  asynchronousCommit?: boolean;
}): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'hookstream',
      ...(options.asynchronousCommit ? { options: '-c synchronous_commit=off' } : {}),
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}

export class DatabaseUnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Start one with `npm start` (it runs a project-local server), or point DATABASE_URL at a running server.',
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Fails fast, naming the address, when the database does not answer in time. */
export async function waitForDatabase(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new DatabaseUnreachableError(url, lastError);
}
