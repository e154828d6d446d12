import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  findRepoRoot,
  startLocalKafka,
  startLocalPostgres,
  startLocalSchemaRegistry,
  stopLocalSchemaRegistry,
} from '@hookstream/local-infra';

/** A Kafka broker, a PostgreSQL database and a schema registry, wherever they come from. */
export interface Infrastructure {
  readonly kafkaBrokers: string[];
  /** A database URL on a server where the test kit may create more databases. */
  readonly databaseUrl: string;
  /**
   * A real schema registry (Apicurio Registry, Confluent API) run as a local process in
   * every case, so that tests can stop and restart it: its URL and its data directory.
   */
  readonly schemaRegistry: { url: string; dataDir: string; startupMs: number };
  readonly source: 'environment' | 'testcontainers' | 'local-processes';
  stop(): Promise<void>;
}

/**
 * One interface, three sources, in this order:
 * 1. `KAFKA_BROKERS` and `DATABASE_URL` when both are set (a developer's own services, CI);
 * 2. testcontainers' Kafka and PostgreSQL modules when a Docker engine answers;
 * 3. local processes: a single-node KRaft broker from Maven Central and a project-local
 *    PostgreSQL cluster (this machine kind has no Docker engine).
 */
export async function provideInfrastructure(
  options: { env?: Record<string, string | undefined>; runDir?: string; log?: (line: string) => void } = {},
): Promise<Infrastructure> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const repoRoot = findRepoRoot();
  const runDir = options.runDir ?? path.join(repoRoot, '.data', `test-${process.pid}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  // Started beside the broker and the database, whichever source they come from.
  const registryDir = path.join(runDir, 'schema-registry');
  const registry = startLocalSchemaRegistry({ repoRoot, dataDir: registryDir, log });
  registry.catch(() => undefined);
  const withRegistry = async (base: Omit<Infrastructure, 'schemaRegistry'>): Promise<Infrastructure> => {
    let started: Awaited<typeof registry>;
    try {
      started = await registry;
    } catch (error) {
      await base.stop();
      throw error;
    }
    return {
      ...base,
      schemaRegistry: { url: started.url, dataDir: registryDir, startupMs: started.startupMs },
      stop: async () => {
        // By its pid file: a test may have restarted it, so it may not be the process started here.
        await Promise.allSettled([stopLocalSchemaRegistry(registryDir), base.stop()]);
        rmSync(runDir, { recursive: true, force: true });
      },
    };
  };
  const startBase = async (): Promise<Omit<Infrastructure, 'schemaRegistry'>> => {
    if (env.KAFKA_BROKERS && env.DATABASE_URL) {
      log(`using KAFKA_BROKERS=${env.KAFKA_BROKERS} and DATABASE_URL from the environment`);
      return {
        kafkaBrokers: env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
        databaseUrl: env.DATABASE_URL,
        source: 'environment',
        stop: async () => undefined,
      };
    }
    if (await dockerEngineAnswers(env)) {
      log('a Docker engine answers: starting Kafka and PostgreSQL with testcontainers');
      return startWithTestcontainers();
    }
    return startLocalProcesses(repoRoot, runDir, log);
  };
  let base: Omit<Infrastructure, 'schemaRegistry'>;
  try {
    base = await startBase();
  } catch (error) {
    await registry.then(() => stopLocalSchemaRegistry(registryDir)).catch(() => undefined);
    throw error;
  }
  return withRegistry(base);
}

async function startLocalProcesses(repoRoot: string, runDir: string, log: (line: string) => void): Promise<Omit<Infrastructure, 'schemaRegistry'>> {
  log(`no Docker engine: starting a local Kafka broker and PostgreSQL under ${path.relative(repoRoot, runDir)}`);
  const [postgres, kafka] = await Promise.all([
    startLocalPostgres({ baseDir: path.join(runDir, 'postgres'), ephemeral: true }),
    startLocalKafka({ repoRoot, dataDir: path.join(runDir, 'kafka') }),
  ]);
  return {
    kafkaBrokers: kafka.brokers,
    databaseUrl: postgres.url,
    source: 'local-processes',
    stop: async () => {
      await Promise.allSettled([kafka.stop(), postgres.stop()]);
    },
  };
}

async function dockerEngineAnswers(env: Record<string, string | undefined>): Promise<boolean> {
  if (env.HOOKSTREAM_TEST_INFRA === 'local') return false;
  if (!env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000)),
    ]);
    return Boolean(client);
  } catch {
    return false;
  }
}

async function startWithTestcontainers(): Promise<Omit<Infrastructure, 'schemaRegistry'>> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(),
    new PostgreSqlContainer('postgres:15').withDatabase('hookstream').withUsername('postgres').withPassword('postgres').start(),
  ]);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    databaseUrl: postgres.getConnectionUri(),
    source: 'testcontainers',
    stop: async () => {
      await Promise.allSettled([kafka.stop(), postgres.stop()]);
    },
  };
}
