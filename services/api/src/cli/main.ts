import { databaseEnv, loadConfig } from '@hookstream/config';
import { createDatabase, redactUrl, waitForDatabase } from '@hookstream/db';
import { ApiError } from '../http/errors';
import { USAGE, UsageError, runCommand } from './commands';

// `npm run cli -- workspace create --name Acme`: see USAGE. Exit codes: 0 done, 1 failed,
// 2 bad usage.
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig(databaseEnv, process.env);
  await waitForDatabase(config.DATABASE_URL, 10_000);
  const knex = createDatabase({ url: config.DATABASE_URL, poolMax: 2, applicationName: 'hookstream-cli' });
  try {
    for (const line of await runCommand(argv, { knex })) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`hookstream: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ApiError) {
      console.error(`hookstream: ${error.message}`);
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    if (code === '42P01') {
      console.error(`hookstream: the database at ${redactUrl(config.DATABASE_URL)} has no hookstream schema yet; start the stack once (npm start) to migrate it`);
      return 1;
    }
    throw error;
  } finally {
    await knex.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`hookstream: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
