/**
 * `npm start`: brings up a local broker, database and schema registry (unless
 * KAFKA_BROKERS / DATABASE_URL / SCHEMA_REGISTRY_URL point elsewhere), creates topics, runs migrations, starts the four services with
 * development settings, prints where everything is, and stops it all on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createDatabase, migrateLatest, redactUrl, waitForDatabase } from '@hookstream/db';
import { createKafka, prepareKafka, waitForBroker } from '@hookstream/kafka';
import { silenceTimeoutNegativeWarning } from '@hookstream/observability';
import { startLocalKafka } from '../kafka-broker';
import { firstFreePort } from '../ports';
import { startLocalPostgres } from '../postgres-server';
import { findRepoRoot } from '../repo-root';
import { serviceNodeOptions } from '../service-node-flags';
import { startLocalSchemaRegistry } from '../schema-registry';

const SERVICES = ['api', 'router', 'sender', 'health'] as const;
const say = (line: string) => process.stdout.write(`[hookstream] ${line}\n`);

function readOrCreateSecret(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

async function waitForHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

// What has been started so far, so that a failure part-way stops it again.
const stopInfrastructure: Array<() => Promise<void>> = [];
const children = new Map<string, ChildProcess>();
let stopping = false;

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping services');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  say('stopping local infrastructure');
  for (const stop of stopInfrastructure.reverse()) await stop().catch(() => undefined);
  say('stopped');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  silenceTimeoutNegativeWarning();
  const env = process.env;
  const repoRoot = findRepoRoot();
  const devDir = path.join(repoRoot, '.data', 'dev');
  mkdirSync(devDir, { recursive: true });

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  let kafkaBrokers = env.KAFKA_BROKERS;
  let databaseUrl = env.DATABASE_URL;
  let schemaRegistryUrl = env.SCHEMA_REGISTRY_URL;
  const silent = pino({ level: 'silent' });

  const startKafka = async () => {
    if (kafkaBrokers) {
      const brokers = kafkaBrokers.split(',');
      await waitForBroker(createKafka({ brokers, clientId: 'dev-stack', logger: silent }), brokers, 15_000);
      say(`using the Kafka broker at ${kafkaBrokers} (KAFKA_BROKERS)`);
      return;
    }
    say('starting a local Kafka broker (KRaft, single node)');
    const broker = await startLocalKafka({ repoRoot, dataDir: path.join(devDir, 'kafka'), port: 9092, controllerPort: 9093 });
    stopInfrastructure.push(() => broker.stop());
    kafkaBrokers = broker.brokers.join(',');
  };
  const startPostgres = async () => {
    if (databaseUrl) {
      await waitForDatabase(databaseUrl, 15_000);
      say(`using PostgreSQL at ${redactUrl(databaseUrl)} (DATABASE_URL)`);
      return;
    }
    say('starting a project-local PostgreSQL server');
    const server = await startLocalPostgres({ baseDir: path.join(devDir, 'postgres'), port: 5432 });
    stopInfrastructure.push(() => server.stop());
    databaseUrl = server.url;
  };
  const startSchemaRegistry = async () => {
    if (schemaRegistryUrl) {
      say(`using the schema registry at ${redactUrl(schemaRegistryUrl)} (SCHEMA_REGISTRY_URL)`);
      return;
    }
    say('starting a local schema registry (Apicurio Registry, Confluent API)');
    const registry = await startLocalSchemaRegistry({
      repoRoot,
      dataDir: path.join(devDir, 'schema-registry'),
      port: 8081,
      managementPort: 9081,
      log: say,
    });
    stopInfrastructure.push(() => registry.stop());
    schemaRegistryUrl = registry.url;
  };
  await Promise.all([startKafka(), startPostgres(), startSchemaRegistry()]);
  if (!kafkaBrokers || !databaseUrl) throw new Error('infrastructure did not start');

  const topicConfig = {
    KAFKA_BROKERS: kafkaBrokers.split(','),
    KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX ?? '',
    KAFKA_TOPIC_PARTITIONS: Number(env.KAFKA_TOPIC_PARTITIONS ?? 3),
    KAFKA_REPLICATION_FACTOR: Number(env.KAFKA_REPLICATION_FACTOR ?? 1),
    KAFKA_MIN_INSYNC_REPLICAS: Number(env.KAFKA_MIN_INSYNC_REPLICAS ?? 1),
  };
  await prepareKafka(createKafka({ brokers: topicConfig.KAFKA_BROKERS, clientId: 'dev-stack', logger: silent }), topicConfig);
  const database = createDatabase({ url: databaseUrl, poolMax: 1 });
  const applied = await migrateLatest(database);
  await database.destroy();
  say(`topics ready; ${applied.length} migration(s) applied`);

  const adminToken = env.ADMIN_TOKEN ?? readOrCreateSecret(path.join(devDir, 'admin-token'), () => `dev-${randomBytes(24).toString('hex')}`);
  const secretKey =
    env.WEBHOOK_SECRET_KEY ?? readOrCreateSecret(path.join(devDir, 'webhook-secret-key'), () => randomBytes(32).toString('base64'));
  const apiPort = Number(env.API_PORT ?? (await firstFreePort(8080)));
  const metricsPorts: Record<string, number> = {};
  let nextMetricsPort = 9464;
  for (const service of SERVICES) {
    metricsPorts[service] = await firstFreePort(nextMetricsPort);
    nextMetricsPort = (metricsPorts[service] as number) + 1;
  }

  for (const service of SERVICES) {
    const child = spawn(process.execPath, [path.join(repoRoot, 'services', service, 'dist', 'main.js')], {
      stdio: 'inherit',
      env: {
        // Development defaults; anything set in the environment wins.
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        ...env,
        KAFKA_BROKERS: kafkaBrokers,
        DATABASE_URL: databaseUrl,
        ...(schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: schemaRegistryUrl } : {}),
        ADMIN_TOKEN: adminToken,
        WEBHOOK_SECRET_KEY: secretKey,
        API_PORT: String(apiPort),
        METRICS_PORT: String(metricsPorts[service]),
        NODE_OPTIONS: serviceNodeOptions(env.NODE_OPTIONS),
      },
    });
    children.set(service, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${service} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    });
  }

  const healthy = await Promise.all(
    SERVICES.map((service) => waitForHealthy(`http://127.0.0.1:${metricsPorts[service]}/healthz`, 60_000)),
  );
  if (!healthy.every(Boolean)) {
    say('a service did not become healthy within 60 s');
    await stopAll(1);
    return;
  }
  say('');
  say('hookstream is running');
  say(`  Console        http://127.0.0.1:${apiPort}/console/  (sign in with a workspace API key)`);
  say(`  REST API       http://127.0.0.1:${apiPort}/v1  (docs: http://127.0.0.1:${apiPort}/docs, http://127.0.0.1:${apiPort}/openapi.json)`);
  for (const service of SERVICES) {
    say(`  ${service.padEnd(14)} metrics http://127.0.0.1:${metricsPorts[service]}/metrics  health /healthz /readyz`);
  }
  say(`  Kafka          ${kafkaBrokers}`);
  say(`  PostgreSQL     ${redactUrl(databaseUrl)}`);
  if (schemaRegistryUrl) say(`  registry       ${redactUrl(schemaRegistryUrl)}  (schemas of wire-format domain events, Confluent API)`);
  say(`  admin token    stored in ${path.relative(repoRoot, path.join(devDir, 'admin-token'))} (or ADMIN_TOKEN)`);
  say('  an API key:    curl -s -X POST -H "Authorization: Bearer $(cat .data/dev/admin-token)" \\');
  say(`                   -H 'content-type: application/json' -d '{"name":"My workspace"}' http://127.0.0.1:${apiPort}/admin/v1/workspaces`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((error: unknown) => {
  process.stderr.write(`[hookstream] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
