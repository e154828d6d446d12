import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createKafka, ensureTopics, topicNames, topicSpecs, type Kafka, type TopicNames } from '@hookstream/kafka';
import { createDatabase, migrateLatest, type Knex } from '@hookstream/db';
import { createDatabaseIfMissing } from '@hookstream/local-infra';

export const silentLogger = pino({ level: 'silent' });

/** The broker and database the global setup provided, for this test file. */
export function testInfrastructure(): { kafkaBrokers: string[]; databaseUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (!brokers || !databaseUrl) {
    throw new Error('KAFKA_BROKERS / DATABASE_URL are not set: run integration tests through `npm test` (jest global setup)');
  }
  return { kafkaBrokers: brokers.split(','), databaseUrl };
}

/** A prefix for topics and consumer groups that no other test shares. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}-`;
}

export function testKafka(clientId = 'test'): Kafka {
  return createKafka({ brokers: testInfrastructure().kafkaBrokers, clientId, logger: silentLogger });
}

/** Creates every hookstream topic behind a fresh prefix. */
export async function createTestTopics(prefix: string, partitions = 3): Promise<TopicNames> {
  const names = topicNames(prefix);
  const admin = testKafka('test-admin').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(names, { partitions, replicationFactor: 1, minInsyncReplicas: 1 }));
  } finally {
    await admin.disconnect();
  }
  return names;
}

/** Creates one plain topic (replication factor 1) on the test broker. */
export async function createTestTopic(topic: string, partitions = 1): Promise<void> {
  const admin = testKafka('test-admin').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: [] }]);
  } finally {
    await admin.disconnect();
  }
}

export interface TestDatabase {
  readonly url: string;
  readonly knex: Knex;
  drop(): Promise<void>;
}

/** A database of its own for one test file, optionally migrated to the latest schema. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = new URL(testInfrastructure().databaseUrl);
  const name = `hs_${randomBytes(6).toString('hex')}`;
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = '/postgres';
  await createDatabaseIfMissing(adminUrl.toString(), name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const knex = createDatabase({ url: url.toString(), poolMax: 5 });
  if (options.migrate ?? true) await migrateLatest(knex);
  return {
    url: url.toString(),
    knex,
    drop: async () => {
      await knex.destroy();
      const admin = createDatabase({ url: adminUrl.toString(), poolMax: 1 });
      try {
        await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** Awaits an observable condition instead of sleeping for a guessed time. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; description: string },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
  throw new Error(`timed out waiting for ${options.description}${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * A broker of the test's own, for tests that stop and restart it. It always runs as a
 * local process (the shared broker of the run must not be restarted under other tests).
 */
export async function startDedicatedKafka(label: string) {
  const { findRepoRoot, startLocalKafka } = await import('@hookstream/local-infra');
  const repoRoot = findRepoRoot();
  const dataDir = `${repoRoot}/.data/dedicated-${label}-${randomBytes(4).toString('hex')}`;
  const broker = await startLocalKafka({ repoRoot, dataDir, heapMb: 512 });
  return { broker, dataDir };
}

/**
 * A 3-node KRaft cluster of the test's own (replication factor 3, min.insync.replicas 2,
 * no unclean leader election), on loopback ports of its own: for tests that kill a broker
 * or move partition leaders. `teardown` stops every node and removes its data.
 */
export async function startTestKafkaCluster(label: string, options: { nodes?: number; heapMb?: number } = {}) {
  const { findRepoRoot, startLocalKafkaCluster } = await import('@hookstream/local-infra');
  const { rm } = await import('node:fs/promises');
  const repoRoot = findRepoRoot();
  const dataDir = `${repoRoot}/.data/cluster-${label}-${randomBytes(4).toString('hex')}`;
  const cluster = await startLocalKafkaCluster({ repoRoot, dataDir, nodes: options.nodes ?? 3, heapMb: options.heapMb ?? 384 });
  return {
    cluster,
    dataDir,
    kafka: (clientId = 'test') => createKafka({ brokers: cluster.brokers, clientId, logger: silentLogger }),
    /** Creates topics with the cluster's replication (factor 3, min.insync.replicas 2). */
    async createTopics(topics: ReadonlyArray<{ topic: string; partitions: number; configEntries?: Array<{ name: string; value: string }> }>) {
      const admin = createKafka({ brokers: cluster.brokers, clientId: 'test-admin', logger: silentLogger }).admin();
      await admin.connect();
      try {
        await ensureTopics(
          admin,
          topics.map(({ topic, partitions, configEntries }) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: cluster.replicationFactor,
            configEntries: [{ name: 'min.insync.replicas', value: String(cluster.minInsyncReplicas) }, ...(configEntries ?? [])],
          })),
          60_000,
        );
      } finally {
        await admin.disconnect();
      }
    },
    async teardown() {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL server of the test's own, with a migrated database, for tests of a database
 * outage (the shared server serves other test files meanwhile). `stop` is `pg_ctl stop`
 * (fast mode: every connection is cut at once); `start` brings it back on the same port.
 */
export async function startDedicatedPostgres(label: string) {
  const { findRepoRoot, startLocalPostgres } = await import('@hookstream/local-infra');
  const { rm } = await import('node:fs/promises');
  const baseDir = `${findRepoRoot()}/.data/dedicated-pg-${label}-${randomBytes(4).toString('hex')}`;
  let server = await startLocalPostgres({ baseDir, ephemeral: true });
  const { port, url } = server;
  const knex = createDatabase({ url, poolMax: 5 });
  await migrateLatest(knex);
  return {
    url,
    knex,
    stop: () => server.stop(),
    async start() {
      server = await startLocalPostgres({ baseDir, port, ephemeral: true });
      if (server.port !== port) throw new Error(`PostgreSQL came back on port ${server.port}, not ${port}`);
    },
    async teardown() {
      await knex.destroy();
      await server.stop();
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}
