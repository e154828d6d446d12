import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, migrateLatest, waitForDatabase, type Knex } from '@hookstream/db';
import { createKafka, waitForBroker } from '@hookstream/kafka';
import { createDatabaseIfMissing, startLocalKafka, startLocalPostgres } from '@hookstream/local-infra';
import pino from 'pino';
import type { WatchedProcess } from '../measure/process-usage';

export interface BenchInfrastructure {
  brokers: string[];
  /** A database URL on a server where the bench may create databases. */
  serverUrl: string;
  /** The broker and PostgreSQL processes, when the bench started them (for CPU and memory). */
  processes: WatchedProcess[];
  describe: string;
  /** A fresh, migrated database of its own for one scenario. */
  createDatabase(label: string): Promise<{ url: string; knex: Knex }>;
  stop(): Promise<void>;
}

/**
 * The broker and database: those of KAFKA_BROKERS / DATABASE_URL when set, else a local
 * single-node KRaft broker and a PostgreSQL cluster under `.data/bench-<time>`, removed
 * afterwards. PostgreSQL runs with its durable defaults (fsync on): the health service's
 * call-log writes cost what they cost in production.
 */
export async function startBenchInfrastructure(options: {
  repoRoot: string;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
}): Promise<BenchInfrastructure> {
  const runDir = path.join(options.repoRoot, '.data', `bench-${Date.now()}`);
  const stops: Array<() => Promise<void>> = [];
  const processes: WatchedProcess[] = [];
  const created: Array<{ adminUrl: string; name: string; knex: Knex }> = [];
  const silent = pino({ level: 'silent' });

  const kafka = async (): Promise<string[]> => {
    if (options.env.KAFKA_BROKERS) {
      const brokers = options.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
      await waitForBroker(createKafka({ brokers, clientId: 'bench', logger: silent }), brokers, 15_000);
      return brokers;
    }
    const broker = await startLocalKafka({ repoRoot: options.repoRoot, dataDir: path.join(runDir, 'kafka') });
    stops.push(() => broker.stop());
    processes.push({ name: 'kafka broker', pid: broker.pid });
    return broker.brokers;
  };
  const postgres = async (): Promise<string> => {
    if (options.env.DATABASE_URL) {
      await waitForDatabase(options.env.DATABASE_URL, 15_000);
      return options.env.DATABASE_URL;
    }
    const baseDir = path.join(runDir, 'postgres');
    const server = await startLocalPostgres({ baseDir });
    stops.push(() => server.stop());
    const postmasterPid = Number.parseInt(readFileSync(path.join(baseDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    if (Number.isInteger(postmasterPid)) processes.push({ name: 'postgresql', pid: postmasterPid, withChildren: true });
    return server.url;
  };

  const local = !options.env.KAFKA_BROKERS || !options.env.DATABASE_URL;
  if (local) options.log(`starting a local broker and/or PostgreSQL under ${path.relative(options.repoRoot, runDir)}`);
  const [brokersResult, serverResult] = await Promise.allSettled([kafka(), postgres()]);
  if (brokersResult.status === 'rejected' || serverResult.status === 'rejected') {
    // Whichever did start must not outlive us.
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
    throw brokersResult.status === 'rejected' ? brokersResult.reason : (serverResult as PromiseRejectedResult).reason;
  }
  const brokers = brokersResult.value;
  const serverUrl = serverResult.value;

  return {
    brokers,
    serverUrl,
    processes,
    describe: `${options.env.KAFKA_BROKERS ? 'KAFKA_BROKERS' : 'local KRaft broker'}, ${options.env.DATABASE_URL ? 'DATABASE_URL' : 'local PostgreSQL (fsync on)'}`,
    async createDatabase(label) {
      const name = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`;
      const adminUrl = new URL(serverUrl);
      adminUrl.pathname = '/postgres';
      await createDatabaseIfMissing(adminUrl.toString(), name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const knex = createDatabase({ url: url.toString(), poolMax: 4, applicationName: 'hookstream-bench' });
      await migrateLatest(knex);
      created.push({ adminUrl: adminUrl.toString(), name, knex });
      return { url: url.toString(), knex };
    },
    async stop() {
      for (const database of created) await database.knex.destroy().catch(() => undefined);
      if (options.env.DATABASE_URL) {
        // Someone else's server: leave it as we found it.
        for (const database of created) {
          const client = new pg.Client({ connectionString: database.adminUrl });
          await client.connect();
          await client.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`).catch(() => undefined);
          await client.end();
        }
      }
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
