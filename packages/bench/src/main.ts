/**
 * `npm run bench`: the performance figures of docs/benchmarks.md, measured in one run on
 * this machine with broker, database, receiver and services all local, printed as tables
 * and written to bench-results/<time>.json. See docs/benchmarks.md for what each figure
 * means and what limits it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import pino from 'pino';
import { loadConfig } from '@hookstream/config';
import { createKafka } from '@hookstream/kafka';
import { findRepoRoot } from '@hookstream/local-infra';
import { configShape } from './config';
import { summarizeProfiles } from './measure/cpu-profile';
import { startReceiverProcess } from './receiver/receiver-handle';
import { measuredRuns, renderResults } from './report/print';
import type { BenchResults } from './report/results';
import { checkMoreTargets, checkTargets } from './report/targets';
import { writeRetryBacklog } from './load/retry-backlog';
import { measureFixedRateLatency } from './scenarios/fixed-rate-latency';
import { measureBrokerRate, measureReceiverRate } from './scenarios/reference-rates';
import { replayHooks } from './scenarios/replay';
import { measureRetriesAndOffline } from './scenarios/retries-and-offline';
import { measureThroughput } from './scenarios/throughput';
import { startBenchInfrastructure } from './stack/infrastructure';
import { killActiveServices, type BenchContext, type ScenarioOptions } from './stack/scenario-stack';

/** About two seconds of traffic in the queues, never fewer than a few batches' worth. */
function throughputWindow(fanOut: number) {
  return { min: 1_000 * Math.min(fanOut, 5), max: 50_000, seconds: 2 };
}

/**
 * The workaround for services whose produce requests outgrow the broker's default 1 MiB
 * (`message.max.bytes`): a topic-level `max.message.bytes` of 16 MiB on the two topics
 * the router and sender write in large batches. Used only to re-measure, beside the
 * default run that hit the limit.
 */
const LARGE_MESSAGES: ScenarioOptions['topicSettings'] = {
  webhookDeliveries: { 'max.message.bytes': String(16 * 1_048_576) },
  webhookOutcomes: { 'max.message.bytes': String(16 * 1_048_576) },
};

/** A service logged the broker's answer to a produce request above the message size limit. */
function hitMessageSizeLimit(errors: Record<string, Array<{ message: string }>>): boolean {
  return Object.values(errors).some((list) => list.some((error) => error.message.includes('larger than the max message size')));
}

/**
 * The whole run stops by itself well within this, whatever hangs. A full run took 13
 * minutes on a loaded machine before the `replay` run, which delivers its history twice.
 */
const WATCHDOG_MS = 40 * 60_000;

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const config = loadConfig(configShape, process.env);
  const repoRoot = findRepoRoot();
  const startedAt = new Date();
  const problems: string[] = [];
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.version,
      infrastructure: '',
    },
    settings: {
      payloadBytes: config.BENCH_PAYLOAD_BYTES,
      workspaces: config.BENCH_WORKSPACES,
      throughputSeconds: config.BENCH_THROUGHPUT_DURATION / 1_000,
      latencySeconds: config.BENCH_LATENCY_DURATION / 1_000,
      isolationSeconds: config.BENCH_ISOLATION_DURATION / 1_000,
      latencyRate: config.BENCH_LATENCY_RATE,
      retrySchedule: config.BENCH_RETRY_SCHEDULE,
      offlineThreshold: config.BENCH_OFFLINE_THRESHOLD,
      replayEvents: config.BENCH_REPLAY_EVENTS,
      replayRate: config.BENCH_REPLAY_RATE,
      services: 'router, sender, health with their default settings (3 partitions per topic)',
      cpuProfile: config.BENCH_CPU_PROFILE,
      serviceEnv: config.BENCH_SERVICE_ENV,
    },
    throughput: [],
    targets: [],
    problems,
  };

  log(`hookstream bench on ${cpus().length} cores; scenarios: ${config.BENCH_SCENARIOS.join(', ')}`);
  const infrastructure = await startBenchInfrastructure({
    repoRoot,
    env: { KAFKA_BROKERS: config.KAFKA_BROKERS, DATABASE_URL: config.DATABASE_URL },
    log,
  });
  results.machine.infrastructure = infrastructure.describe;
  const cleanups: Array<() => Promise<unknown>> = [() => infrastructure.stop()];
  let cleaningUp: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaningUp ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`clean-up step failed: ${String(error)}`));
    })());
  const abort = (reason: string) => {
    log(`${reason}: stopping everything`);
    killActiveServices();
    void cleanUp().finally(() => process.exit(1));
  };
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));
  const watchdog = setTimeout(() => abort(`still running after ${WATCHDOG_MS / 60_000} minutes`), WATCHDOG_MS);
  watchdog.unref();

  try {
    const receiver = await startReceiverProcess();
    cleanups.push(() => receiver.stop());
    const kafka = createKafka({ brokers: infrastructure.brokers, clientId: 'hookstream-bench', logger: pino({ level: 'silent' }) });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    // Not idempotent: that would allow one request in flight, and the bench's producer
    // must not be what limits the pipeline.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const context: BenchContext = { infrastructure, receiver, kafka, admin, log, showServiceOutput: config.BENCH_SERVICE_OUTPUT, serviceEnv: config.BENCH_SERVICE_ENV };
    const sizeBytes = config.BENCH_PAYLOAD_BYTES;
    const scenarios = new Set(config.BENCH_SCENARIOS);

    const attempt = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
      const started = Date.now();
      try {
        const value = await work();
        log(`${name}: done in ${Math.round((Date.now() - started) / 1_000)} s`);
        return value;
      } catch (error) {
        const message = `${name}: ${error instanceof Error ? error.message.split('\n').slice(0, 6).join(' ') : String(error)}`;
        log(`FAILED ${message}`);
        problems.push(message);
        return undefined;
      }
    };

    if (scenarios.has('reference')) {
      log('reference: the broker alone');
      const broker = await attempt('broker reference', () =>
        measureBrokerRate(context, { durationMs: config.BENCH_REFERENCE_DURATION, sizeBytes, partitions: 3 }),
      );
      log('reference: the receiver alone (autocannon)');
      const receiverRate = await attempt('receiver reference', () =>
        measureReceiverRate(context, { durationSeconds: config.BENCH_REFERENCE_DURATION / 1_000, connections: 32, sizeBytes }),
      );
      results.reference = { ...(broker ? { broker } : {}), ...(receiverRate ? { receiver: receiverRate } : {}) };
    }

    const profileRoot = path.join(repoRoot, 'bench-results', `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
    const profileEnv = (label: string, name: string) => ({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(profileRoot, label, name)}` });
    const profiledServices = (label: string) => ({
      router: profileEnv(label, 'router'),
      sender: profileEnv(label, 'sender'),
      health: profileEnv(label, 'health'),
    });
    const summarizeServiceProfiles = (label: string) => {
      results.cpuProfiles ??= {};
      for (const name of ['router', 'sender', 'health']) {
        results.cpuProfiles[`${label} ${name}`] = summarizeProfiles(path.join(profileRoot, label, name), 25);
      }
    };

    if (scenarios.has('throughput')) {
      const measure = async (fanOut: number, variant: { suffix: string; topicSettings?: ScenarioOptions['topicSettings'] }) => {
        const label = `throughput-fo${fanOut}${variant.suffix}`;
        // Profiles cover the service's whole life (start-up included): fan-out 1 only.
        const profile = config.BENCH_CPU_PROFILE && fanOut === 1;
        const run = await attempt(label, () =>
          measureThroughput(context, {
            label,
            fanOut,
            workspaces: config.BENCH_WORKSPACES,
            warmupMs: config.BENCH_THROUGHPUT_WARMUP,
            measureMs: config.BENCH_THROUGHPUT_DURATION,
            window: throughputWindow(fanOut),
            sizeBytes,
            producer,
            perServiceEnv: profile ? profiledServices(label) : undefined,
            topicSettings: variant.topicSettings,
          }),
        );
        if (run) results.throughput.push(run);
        if (profile) summarizeServiceProfiles(label);
        return run;
      };
      for (const fanOut of config.BENCH_THROUGHPUT_FANOUTS) {
        const run = await measure(fanOut, { suffix: '' });
        if (run && hitMessageSizeLimit(run.serviceErrors)) {
          // Reported as measured above; this second run only shows what the rest of the
          // pipeline sustains once the services' batches fit (see docs/benchmarks.md).
          log(`fan-out ${fanOut}: a service's produce requests exceeded the broker's 1 MiB message limit; measuring again with max.message.bytes = 16 MiB`);
          await measure(fanOut, { suffix: '-16mib', topicSettings: LARGE_MESSAGES });
        }
      }
    }

    /** The latency run's settings (fan-out 1, every endpoint answering), under a label of its own. */
    const latencySettings = (label: string) => ({
      label,
      webhooks: ['ok' as const],
      workspaces: config.BENCH_WORKSPACES,
      healthyDeliveriesPerSecond: config.BENCH_LATENCY_RATE,
      warmupMs: config.BENCH_LATENCY_WARMUP,
      measureMs: config.BENCH_LATENCY_DURATION,
      sliceMs: 10_000,
      sizeBytes,
      producer,
      perServiceEnv: config.BENCH_CPU_PROFILE ? profiledServices(label) : undefined,
    });

    if (scenarios.has('latency')) {
      const latencyRun = (suffix: string, topicSettings?: ScenarioOptions['topicSettings']) =>
        attempt(`latency-fo1${suffix}`, () => measureFixedRateLatency(context, { ...latencySettings(`latency-fo1${suffix}`), topicSettings }));
      const latency = await latencyRun('');
      if (config.BENCH_CPU_PROFILE) summarizeServiceProfiles('latency-fo1');
      if (latency) results.latency = latency;
      if (latency && hitMessageSizeLimit(latency.serviceErrors)) {
        log(`latency: a service's produce requests exceeded the broker's 1 MiB message limit; measuring again with max.message.bytes = 16 MiB`);
        const rerun = await latencyRun('-16mib', LARGE_MESSAGES);
        if (rerun) (results.workaround ??= {}).latency = rerun;
      }
    }

    if (scenarios.has('isolation')) {
      // 10 webhooks per workspace, one of which (10 %) never answers; the baseline has
      // only the 9 healthy ones, so both runs offer the same healthy deliveries per second.
      const healthy = Array.from({ length: 9 }, () => 'ok' as const);
      const pair = async (suffix: string, topicSettings?: ScenarioOptions['topicSettings']) => {
        const shared = {
          workspaces: config.BENCH_WORKSPACES,
          healthyDeliveriesPerSecond: config.BENCH_LATENCY_RATE,
          warmupMs: config.BENCH_LATENCY_WARMUP,
          measureMs: config.BENCH_ISOLATION_DURATION,
          sliceMs: 10_000,
          sizeBytes,
          producer,
          topicSettings,
        };
        const baseline = await attempt(`isolation-baseline${suffix}`, () =>
          measureFixedRateLatency(context, { ...shared, label: `isolation-baseline${suffix}`, webhooks: healthy }),
        );
        const dead = await attempt(`isolation-dead${suffix}`, () =>
          measureFixedRateLatency(context, { ...shared, label: `isolation-dead${suffix}`, webhooks: [...healthy, 'hang'], perServiceEnv: config.BENCH_CPU_PROFILE ? profiledServices(`isolation-dead${suffix}`) : undefined }),
        );
        return { ...(baseline ? { baseline } : {}), ...(dead ? { dead } : {}) };
      };
      results.isolation = await pair('');
      const { baseline, dead } = results.isolation;
      if ((baseline && hitMessageSizeLimit(baseline.serviceErrors)) || (dead && hitMessageSizeLimit(dead.serviceErrors))) {
        log(`isolation: a service's produce requests exceeded the broker's 1 MiB message limit; measuring both runs again with max.message.bytes = 16 MiB`);
        (results.workaround ??= {}).isolation = await pair('-16mib', LARGE_MESSAGES);
      }
    }

    const healthyOnly = Array.from({ length: 9 }, () => 'ok' as const);
    const isolationShared = {
      workspaces: config.BENCH_WORKSPACES,
      healthyDeliveriesPerSecond: config.BENCH_LATENCY_RATE,
      warmupMs: config.BENCH_LATENCY_WARMUP,
      measureMs: config.BENCH_ISOLATION_DURATION,
      sliceMs: 10_000,
      sizeBytes,
      producer,
    };
    if (scenarios.has('isolation50')) {
      // The isolation baseline's 108 healthy webhooks plus 50 that never answer: more dead
      // calls than the sender's in-flight pool holds, so any slot a dead call keeps shows.
      if (!results.isolation?.baseline) {
        const baseline = await attempt('isolation-baseline', () =>
          measureFixedRateLatency(context, { ...isolationShared, label: 'isolation-baseline', webhooks: healthyOnly }),
        );
        if (baseline) results.isolation = { ...results.isolation, baseline };
      }
      const dead50 = await attempt('isolation-dead50', () =>
        measureFixedRateLatency(context, {
          ...isolationShared,
          label: 'isolation-dead50',
          webhooks: healthyOnly,
          extraDeadEndpoints: config.BENCH_DEAD_ENDPOINTS,
          perServiceEnv: config.BENCH_CPU_PROFILE ? profiledServices('isolation-dead50') : undefined,
        }),
      );
      if (dead50) results.isolation = { ...results.isolation, dead50 };
    }

    if (scenarios.has('backlog')) {
      // The latency run again, with retries waiting in the first tier, due after the run.
      const count = config.BENCH_BACKLOG_RETRIES;
      const backlog = await attempt('backlog', () =>
        measureFixedRateLatency(context, {
          ...latencySettings('latency-fo1-backlog'),
          prepare: async (stack) => {
            const started = Date.now();
            await writeRetryBacklog({
              producer,
              topic: stack.topics.webhookRetry1h,
              webhooks: stack.workspaces.flatMap((workspace) => workspace.webhooks.map((webhook) => ({ workspace, webhookId: webhook.id }))),
              run: 'latency-fo1-backlog',
              count,
              dueInMs: 3_600_000,
              sizeBytes,
            });
            log(`backlog: ${count.toLocaleString('en-US')} retries written to the first tier in ${((Date.now() - started) / 1_000).toFixed(1)} s`);
          },
        }),
      );
      if (backlog) results.backlog = { ...backlog, waitingRetries: count };
    }

    if (scenarios.has('replay')) {
      // The latency run twice after the same history of one workspace: without, then with
      // a replay of that whole history to the workspace's webhook running.
      const events = config.BENCH_REPLAY_EVENTS;
      const replayRun = (label: string, replay: boolean) => {
        const hooks = replayHooks(context, { events, sizeBytes, producer, replay, configuredRatePerSecond: config.BENCH_REPLAY_RATE });
        const settings = latencySettings(label);
        const profile = settings.perServiceEnv;
        return attempt(label, async () => {
          const run = await measureFixedRateLatency(context, {
            ...settings,
            perServiceEnv: { ...profile, router: { ...profile?.router, REPLAY_RATE_PER_SECOND: String(config.BENCH_REPLAY_RATE) } },
            prepare: (stack) => hooks.prepare(stack),
            afterLoad: (stack, window) => hooks.afterLoad(stack, window),
          });
          return { run, replay: hooks.figures() };
        });
      };
      const baseline = await replayRun('replay-baseline', false);
      const running = await replayRun('replay-running', true);
      if (running && !running.replay) problems.push('replay-running: the replay row was not found after the run');
      results.replay = {
        events,
        ...(baseline ? { baseline: baseline.run } : {}),
        ...(running ? { running: running.run } : {}),
        ...(running?.replay ? { replay: running.replay } : {}),
      };
    }

    if (scenarios.has('retries')) {
      const figures = await attempt('retries and offline', () =>
        measureRetriesAndOffline(context, {
          schedule: config.BENCH_RETRY_SCHEDULE,
          retryWorkspaces: 24,
          retryEventsPerWebhook: 8,
          offlineThreshold: config.BENCH_OFFLINE_THRESHOLD,
          sizeBytes,
          producer,
        }),
      );
      if (figures) {
        results.retries = figures.retries;
        results.offline = figures.offline;
        results.retriesServiceErrors = figures.serviceErrors;
        if (figures.offline.problem) problems.push(`offline enforcement: ${figures.offline.problem}`);
      }
    }
  } finally {
    log('stopping the receiver, clients and local infrastructure');
    await cleanUp();
    clearTimeout(watchdog);
  }

  const fanOut1 = results.throughput.find((run) => run.fanOut === 1 && !run.topicSettings);
  results.targets = checkTargets({
    fanOut1DeliveriesPerSecond: fanOut1?.deliveriesPerSecond,
    fanOut1Sustained: fanOut1?.sustained,
    p99AtFixedRateMs: results.latency?.latency.p99,
    fixedRateUndelivered: results.latency?.delivered.missing,
    isolationBaselineP99Ms: results.isolation?.baseline?.latency.p99,
    isolationDeadP99Ms: results.isolation?.dead?.latency.p99,
    isolationBaselineUndelivered: results.isolation?.baseline?.delivered.missing,
  });
  const fanOut10 = results.throughput.find((run) => run.fanOut === 10 && !run.topicSettings);
  const pipelineRuns = measuredRuns(results, { workaround: false });
  let maxServiceRss: { bytes: number; where: string } | undefined;
  for (const run of pipelineRuns) {
    for (const name of ['router', 'sender', 'health']) {
      const bytes = run.usage[name]?.maxRssBytes ?? 0;
      if (bytes > (maxServiceRss?.bytes ?? 0)) maxServiceRss = { bytes, where: `${name}, ${run.label}` };
    }
  }
  const saturationCpu = results.throughput.map((run) => run.cpuPerDeliveryMs).filter((value): value is number => value !== undefined);
  results.targets.push(
    ...checkMoreTargets({
      fanOut1DeliveriesPerSecond: fanOut1?.deliveriesPerSecond,
      receiverAlonePerSecond: results.reference?.receiver?.requestsPerSecond,
      fanOut10DeliveriesPerSecond: fanOut10?.deliveriesPerSecond,
      fanOut10Sustained: fanOut10?.sustained,
      cpuPerDeliveryAtFixedRateMs: results.latency?.cpuPerDeliveryMs,
      cpuPerDeliveryAtSaturationMs: saturationCpu.length > 0 ? Math.max(...saturationCpu) : undefined,
      p999AtFixedRateMs: results.latency?.latency.p999,
      isolationBaselineP99Ms: results.isolation?.baseline?.latency.p99,
      deadEndpointsP99Ms: results.isolation?.dead50?.latency.p99,
      deadEndpointsHealthyFailures: results.isolation?.dead50?.healthyFailures,
      isolationBaselineUndelivered: results.isolation?.baseline?.delivered.missing,
      latencyUndelivered: results.latency?.delivered.missing,
      maxServiceRss,
      latencyP99Ms: results.latency?.latency.p99,
      backlogP99Ms: results.backlog?.latency.p99,
      latencySenderRssBytes: results.latency?.usage.sender?.maxRssBytes,
      backlogSenderRssBytes: results.backlog?.usage.sender?.maxRssBytes,
      replayBaselineP99Ms: results.replay?.baseline?.latency.p99,
      replayP99Ms: results.replay?.running?.latency.p99,
      replayBaselineUndelivered: results.replay?.baseline?.delivered.missing,
      replayShareOfWindow: results.replay?.replay?.shareOfWindowRunning,
    }),
  );
  // The same targets with the message-size workaround, when it was needed.
  const workaroundThroughput = results.throughput.find((run) => run.fanOut === 1 && run.topicSettings);
  if (workaroundThroughput || results.workaround) {
    const workaroundChecks = checkTargets({
      fanOut1DeliveriesPerSecond: workaroundThroughput?.deliveriesPerSecond,
      fanOut1Sustained: workaroundThroughput?.sustained,
      p99AtFixedRateMs: results.workaround?.latency?.latency.p99,
      fixedRateUndelivered: results.workaround?.latency?.delivered.missing,
      isolationBaselineP99Ms: results.workaround?.isolation?.baseline?.latency.p99,
      isolationDeadP99Ms: results.workaround?.isolation?.dead?.latency.p99,
    });
    for (const check of workaroundChecks) {
      if (check.verdict !== 'n/a') results.targets.push({ ...check, target: `${check.target} (16 MiB workaround)` });
    }
  }
  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1_000);

  const outputDir = path.join(repoRoot, 'bench-results');
  mkdirSync(outputDir, { recursive: true });
  const outputFile = path.join(outputDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(outputFile, `${JSON.stringify(results, null, 2)}\n`);

  console.log('');
  console.log(
    `hookstream bench: ${results.machine.cpus} cores (${results.machine.cpuModel}), ${results.machine.infrastructure}; ${results.durationSeconds} s`,
  );
  console.log('');
  console.log(renderResults(results));
  if (results.cpuProfiles) {
    for (const [service, profiles] of Object.entries(results.cpuProfiles)) {
      for (const hot of profiles) {
        console.log('');
        console.log(`${service}: hottest functions by self time (share of busy CPU)`);
        for (const entry of hot.slice(0, 15)) console.log(`  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.name}`);
      }
    }
  }
  console.log('');
  console.log(`results written to ${path.relative(repoRoot, outputFile)}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killActiveServices();
    process.exit(1);
  },
);
