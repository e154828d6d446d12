// The `migrate` one-shot of docker-compose.yml: applies every pending migration of
// packages/db to DATABASE_URL and exits (0 when the schema is current). The services
// start after it; `npm start` migrates by itself (packages/local-infra, dev-stack.ts).
'use strict';
const { createDatabase, migrateLatest, redactUrl, waitForDatabase } = require('@hookstream/db');

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  await waitForDatabase(url, 60_000);
  const database = createDatabase({ url, poolMax: 1, applicationName: 'hookstream-migrate' });
  try {
    const applied = await migrateLatest(database);
    process.stdout.write(`hookstream-migrate: ${applied.length} migration(s) applied to ${redactUrl(url)}\n`);
  } finally {
    await database.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`hookstream-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
