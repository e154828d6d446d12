import { randomBytes } from 'node:crypto';
import { createSeeder, newSecretKey, startService, type RunningService, type ServiceName } from '@hookstream/e2e';
import type { Knex } from '@hookstream/db';
import { ConfigResourceTypes } from 'kafkajs';
import { prepareKafka, type Admin, type Kafka, type TopicNames } from '@hookstream/kafka';
import { summarizeServiceErrors } from '../measure/service-errors';
import { watchProcesses, type WatchedProcess } from '../measure/process-usage';
import { startLagWatch, type LagWatch } from '../measure/consumer-lag';
import type { ReceiverProcess } from '../receiver/receiver-handle';
import type { ListenerBehaviour } from '../receiver/protocol';
import { BENCH_SUBSCRIPTION, type BenchWorkspace } from '../load/domain-event';
import type { BenchInfrastructure } from './infrastructure';

/** Every service process a scenario has running, for an emergency stop. */
const activeServices = new Set<RunningService>();

/** SIGKILLs every service still running (the bench was interrupted or crashed). */
export function killActiveServices(): void {
  for (const service of activeServices) {
    if (service.process.exitCode === null && service.process.signalCode === null) service.process.kill('SIGKILL');
  }
  activeServices.clear();
}

/** Consumer groups watched for lag, named as the report shows them. */
export const LAG_GROUPS = {
  router: 'router on domain-events',
  sender: 'sender on webhook-deliveries',
  health: 'health on webhook-outcomes',
} as const;

export interface BenchWebhook {
  id: string;
  label: string;
  behaviour: ListenerBehaviour;
  url: string;
}

export interface ScenarioWorkspace extends BenchWorkspace {
  webhooks: BenchWebhook[];
}

export interface ScenarioStack {
  label: string;
  prefix: string;
  topics: TopicNames;
  databaseUrl: string;
  /** The scenario's database, as the services see it. */
  knex: Knex;
  workspaces: ScenarioWorkspace[];
  services: Map<ServiceName, RunningService>;
  lag: LagWatch;
  /** Deliveries each event yields to listeners that answer 200. */
  healthyFanOut: number;
  webhookStatus(webhookId: string): Promise<string | undefined>;
  /** Failed attempts the call log holds for these webhooks. */
  failedAttempts(webhookIds: readonly string[]): Promise<number>;
  /** Errors each service logged so far, grouped by message. */
  serviceErrors(): Record<string, Array<{ message: string; count: number }>>;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  label: string;
  /** Per workspace, the behaviour of each of its webhooks' endpoints. */
  workspaces: ListenerBehaviour[][];
  services: readonly ServiceName[];
  /** Extra environment for the services (e.g. a compressed retry schedule). */
  serviceEnv?: Record<string, string>;
  /** Extra environment for some services only (e.g. NODE_OPTIONS for a CPU profile). */
  perServiceEnv?: Partial<Record<ServiceName, Record<string, string>>> | undefined;
  /** Topic-level settings applied after creation, e.g. a larger `max.message.bytes`. */
  topicSettings?: Partial<Record<keyof TopicNames, Record<string, string>>> | undefined;
}

export interface BenchContext {
  infrastructure: BenchInfrastructure;
  receiver: ReceiverProcess;
  kafka: Kafka;
  admin: Admin;
  log: (line: string) => void;
  /** Print the tail of each service's output (warnings and errors) after each scenario. */
  showServiceOutput?: boolean;
  /** Extra environment for every service of every scenario (BENCH_SERVICE_ENV). */
  serviceEnv?: Record<string, string>;
}

/**
 * One scenario's world: its own database, topic prefix and consumer groups (so scenarios
 * never see each other's data), workspaces and webhooks seeded as the API would, one
 * receiver listener (its own origin) per webhook, and the services as processes.
 */
export async function startScenario(context: BenchContext, options: ScenarioOptions): Promise<ScenarioStack> {
  const { infrastructure, receiver, kafka, admin } = context;
  const prefix = `bench-${options.label}-${randomBytes(3).toString('hex')}-`;
  const secretKey = newSecretKey();
  const database = await infrastructure.createDatabase(options.label);
  const seed = createSeeder(database.knex, secretKey);

  const listenerSpecs = options.workspaces.flatMap((behaviours, workspaceIndex) =>
    behaviours.map((behaviour, webhookIndex) => ({ label: `${options.label}/w${workspaceIndex}/h${webhookIndex}`, behaviour })),
  );
  const urls = await receiver.open(listenerSpecs);
  const workspaces: ScenarioWorkspace[] = [];
  let listenerIndex = 0;
  for (const [workspaceIndex, behaviours] of options.workspaces.entries()) {
    const workspace = await seed.workspace(`bench-${String(workspaceIndex).padStart(2, '0')}`);
    const webhooks: BenchWebhook[] = [];
    for (const behaviour of behaviours) {
      const spec = listenerSpecs[listenerIndex] as (typeof listenerSpecs)[number];
      const url = urls[listenerIndex] as string;
      listenerIndex += 1;
      const { id } = await seed.webhook({ workspaceId: workspace.id, url, events: BENCH_SUBSCRIPTION });
      webhooks.push({ id, label: spec.label, behaviour, url });
    }
    workspaces.push({ id: workspace.id, name: workspace.name, webhooks });
  }

  const topicConfig = {
    KAFKA_BROKERS: infrastructure.brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: Number(options.serviceEnv?.KAFKA_TOPIC_PARTITIONS ?? 3),
    KAFKA_REPLICATION_FACTOR: 1,
    KAFKA_MIN_INSYNC_REPLICAS: 1,
  };
  const topics = await prepareKafka(kafka, topicConfig);
  const topicResources = Object.entries(options.topicSettings ?? {}).map(([key, settings]) => ({
    type: ConfigResourceTypes.TOPIC,
    name: topics[key as keyof TopicNames],
    configEntries: Object.entries(settings ?? {}).map(([name, value]) => ({ name, value })),
  }));
  if (topicResources.length > 0) await admin.alterConfigs({ validateOnly: false, resources: topicResources });

  const env: Record<string, string> = {
    KAFKA_BROKERS: infrastructure.brokers.join(','),
    DATABASE_URL: database.url,
    KAFKA_TOPIC_PREFIX: prefix,
    WEBHOOK_SECRET_KEY: secretKey,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
    ...context.serviceEnv,
    ...options.serviceEnv,
  };
  const envOf = (name: ServiceName) => {
    const extra = options.perServiceEnv?.[name] ?? {};
    const nodeOptions = [env.NODE_OPTIONS, extra.NODE_OPTIONS].filter(Boolean).join(' ');
    return { ...env, ...extra, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
  };
  const services = new Map<ServiceName, RunningService>();
  const starts = await Promise.allSettled(
    options.services.map((name) => startService(name, envOf(name))),
  );
  for (const start of starts) {
    if (start.status === 'fulfilled') {
      services.set(start.value.name, start.value);
      activeServices.add(start.value);
    }
  }
  const failed = starts.find((start): start is PromiseRejectedResult => start.status === 'rejected');
  if (failed) {
    await Promise.allSettled([...services.values()].map((service) => service.kill()));
    for (const service of services.values()) activeServices.delete(service);
    await receiver.close(listenerSpecs.map((spec) => spec.label));
    throw failed.reason;
  }

  const lag = startLagWatch(admin, [
    { name: LAG_GROUPS.router, groupId: `${prefix}hookstream-router`, topic: topics.domainEvents },
    { name: LAG_GROUPS.sender, groupId: `${prefix}hookstream-sender`, topic: topics.webhookDeliveries },
    { name: LAG_GROUPS.health, groupId: `${prefix}hookstream-health`, topic: topics.webhookOutcomes },
  ]);

  return {
    label: options.label,
    prefix,
    topics,
    databaseUrl: database.url,
    knex: database.knex,
    workspaces,
    services,
    lag,
    healthyFanOut: workspaces[0]?.webhooks.filter((webhook) => webhook.behaviour === 'ok').length ?? 0,
    async webhookStatus(webhookId) {
      const row: { status: string } | undefined = await database.knex('webhooks').select('status').where({ id: webhookId }).first();
      return row?.status;
    },
    async failedAttempts(webhookIds) {
      const row = await database
        .knex('attempts')
        .join('calls', 'calls.id', 'attempts.call_id')
        .whereIn('calls.webhook_id', [...webhookIds])
        .whereNotNull('attempts.error')
        .count({ count: '*' })
        .first();
      return Number(row?.count ?? 0);
    },
    serviceErrors() {
      const result: Record<string, Array<{ message: string; count: number }>> = {};
      for (const service of services.values()) {
        const errors = summarizeServiceErrors(service.output.join(''));
        if (errors.length > 0) result[service.name] = errors;
      }
      return result;
    },
    async stop() {
      lag.stop();
      if (context.showServiceOutput) {
        for (const service of services.values()) {
          const output = service.output.join('').trim();
          if (output) context.log(`${options.label}: ${service.name} said:\n${output.split('\n').slice(-40).join('\n')}`);
        }
      }
      // Dead endpoints first: their hanging calls then fail at once instead of holding
      // the sender's shutdown for up to its 30 s timeout.
      const hanging = listenerSpecs.filter((spec) => spec.behaviour === 'hang').map((spec) => spec.label);
      if (hanging.length > 0) await receiver.close(hanging);
      await Promise.all([...services.values()].map((service) => stopWithin(service, 20_000)));
      for (const service of services.values()) activeServices.delete(service);
      await receiver.close(listenerSpecs.map((spec) => spec.label));
    },
  };
}

/** The processes whose CPU and memory a scenario reports: services, receiver, bench, infrastructure. */
export function scenarioProcesses(context: BenchContext, stack: ScenarioStack): WatchedProcess[] {
  return [
    ...[...stack.services.values()].map((service) => ({ name: service.name, pid: service.process.pid as number })),
    { name: 'receiver', pid: context.receiver.pid },
    { name: 'bench (producer)', pid: process.pid },
    ...context.infrastructure.processes,
  ];
}

/**
 * Watches those processes over [delayMs, delayMs + durationMs) from now, i.e. the
 * measured window after a warm-up; `result()` is undefined until the window has ended.
 */
export function watchWindow(processes: WatchedProcess[], delayMs: number, durationMs: number) {
  let watcher: ReturnType<typeof watchProcesses> | undefined;
  let usage: ReturnType<ReturnType<typeof watchProcesses>['finish']> | undefined;
  const start = setTimeout(() => (watcher = watchProcesses(processes)), delayMs);
  const finish = setTimeout(() => (usage = watcher?.finish()), delayMs + durationMs);
  return {
    result() {
      clearTimeout(start);
      clearTimeout(finish);
      usage ??= watcher?.finish();
      return usage;
    },
  };
}

/** SIGTERM and the orderly shutdown, or SIGKILL once `graceMs` has passed. */
export async function stopWithin(service: RunningService, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const result = await Promise.race([service.stop(), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') await service.kill();
}
