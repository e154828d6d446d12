/**
 * `npm run chaos`: the scale-out story under faults (docs/reliability.md). A 3-node KRaft
 * cluster, PostgreSQL, one api and two instances each of router, sender and health, a
 * steady stream of events to verifying receivers, and faults on a schedule; then checks
 * (printed and counted), figures per fault and RSS per process, written to
 * chaos-results/<time>/results.json. Loopback only; stops by itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '@hookstream/config';
import { createDatabase, migrateLatest, type Knex } from '@hookstream/db';
import { createKafka, prepareKafka, RETRY_TIER_TOPICS, type Admin, type Producer, type TopicNames } from '@hookstream/kafka';
import { anyFreePort, findRepoRoot, movePartitionLeader, startLocalKafkaCluster, type LocalKafkaCluster } from '@hookstream/local-infra';
import {
  callsByPair,
  checkDelivered,
  checkDuplicates,
  checkNoStrayCalls,
  checkRetriesOnTime,
  checkSignatures,
  compareCallLogs,
  duplicateArrivals,
  expectedPairs,
  faultFigures,
  firstCallLatencies,
  percentile,
  retryTimings,
  type CallLogRow,
  type ChaosWebhook,
  type CheckResult,
  type FaultFigures,
} from './analysis';
import { configShape, settingsFrom, type ChaosSettings } from './config';
import { startChaosPostgres, type ChaosPostgres } from './postgres';
import { groupLag, unconsumedRecords, watchAvailability, watchLag, watchRss, type LagGroup } from './probes';
import { createReceivers, type EndpointBehaviour, type Receivers } from './receivers';
import { planFaults, streamDurationMs, type PlannedFault } from './schedule';
import { createServiceFleet, type ServiceFleet } from './services';
import { startStream, STREAM_EVENT_TYPE } from './stream';

const startedClock = Date.now();
const log = (line: string) => process.stderr.write(`[chaos ${((Date.now() - startedClock) / 1_000).toFixed(0).padStart(4)}s] ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per workspace: one webhook through the parent event, one flaky through the sub-event, one that matches nothing. */
const LAYOUT: Array<{ behaviour: EndpointBehaviour; events: string[] }> = [
  { behaviour: 'ok', events: ['Case.Updated'] },
  { behaviour: 'flaky', events: [STREAM_EVENT_TYPE] },
  { behaviour: 'unmatched', events: ['Case.Deleted'] },
];
const FAN_OUT = LAYOUT.filter((entry) => entry.behaviour !== 'unmatched').length;
const SERVICE_SLOTS = ['router-1', 'router-2', 'sender-1', 'sender-2', 'health-1', 'health-2'];

interface FaultRecord extends PlannedFault {
  startedAtMs: number;
  /** When the downed part was back (replacement ready, broker registered, PostgreSQL up, leader moved). */
  restoredAtMs?: number;
  error?: string;
  figures?: FaultFigures;
  apiOutageMs?: number;
  worstProduceWaitMs?: number;
  /** Duplicate arrivals received from this fault until the next one. */
  duplicates?: number;
}

async function api(base: string, method: string, route: string, auth: Record<string, string>, body?: unknown) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 429 && attempt < 20) {
      await sleep(500);
      continue;
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  }
}

async function readCallLogs(knex: Knex, webhookIds: string[]): Promise<CallLogRow[]> {
  const calls: Array<{ id: string; webhook_id: string; event_id: string; domain_event_id: string; status: string; retry_count: number }> = await knex('calls')
    .select('id', 'webhook_id', 'event_id', 'domain_event_id', 'status', 'retry_count')
    .whereIn('webhook_id', webhookIds);
  const attempts: Array<{ call_id: string; retry_count: number }> = await knex('attempts').select('call_id', 'retry_count');
  const byCall = new Map<string, number[]>();
  for (const attempt of attempts) byCall.set(attempt.call_id, [...(byCall.get(attempt.call_id) ?? []), attempt.retry_count]);
  return calls.map((row) => ({
    webhookId: row.webhook_id,
    eventId: row.event_id,
    domainEventId: row.domain_event_id,
    status: row.status,
    retryCount: row.retry_count,
    attemptRetryCounts: byCall.get(row.id) ?? [],
  }));
}

async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs: number, intervalMs = 2_000): Promise<T> {
  for (;;) {
    let value: T | undefined;
    try {
      value = await probe();
      if (done(value)) return value;
    } catch (error) {
      if (Date.now() >= deadlineMs) throw error;
    }
    if (Date.now() >= deadlineMs && value !== undefined) return value;
    await sleep(intervalMs);
  }
}

const seconds = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? 'n/a' : `${(ms / 1_000).toFixed(1)} s`);
const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, index) => Math.max(header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index] as number)).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

async function main(): Promise<number> {
  const config = loadConfig(configShape, process.env);
  const settings: ChaosSettings = settingsFrom(config, process.argv.slice(2));
  const repoRoot = findRepoRoot();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(repoRoot, '.data', `chaos-${stamp}`);
  const resultsDir = path.join(repoRoot, 'chaos-results', stamp);
  const faultsPlan = planFaults({ ...settings, brokers: 3 });
  const streamMs = streamDurationMs(faultsPlan, { ...settings, brokers: 3 });
  const eventsPerSecond = settings.rate / FAN_OUT;
  log(`profile ${settings.profile}: ${faultsPlan.length} faults over ${seconds(streamMs)} of stream at ${settings.rate} calls/s (${eventsPerSecond} events/s)`);

  // Whatever hangs, the run ends: set-up, stream, drain and checks all fit well within this.
  const watchdogMs = streamMs + settings.drainTimeoutMs + 8 * 60_000;
  let cluster: LocalKafkaCluster | undefined;
  let postgres: ChaosPostgres | undefined;
  let fleet: ServiceFleet | undefined;
  let receivers: Receivers | undefined;
  const emergencyStop = () => {
    fleet?.killAll();
    for (const node of cluster?.nodes ?? []) {
      const pid = node.pid();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    }
  };
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${seconds(watchdogMs)}; stopping everything`);
    emergencyStop();
    void postgres?.stop().finally(() => process.exit(3));
  }, watchdogMs);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      emergencyStop();
      void (postgres?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }

  const silent = pino({ level: 'silent' });
  let knex: Knex | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  try {
    log(`starting a 3-node KRaft cluster and PostgreSQL under ${path.relative(repoRoot, runDir)}`);
    [cluster, postgres] = await Promise.all([
      startLocalKafkaCluster({ repoRoot, dataDir: path.join(runDir, 'kafka'), nodes: 3 }),
      startChaosPostgres(path.join(runDir, 'postgres')),
    ]);
    knex = createDatabase({ url: postgres.url, poolMax: 2, applicationName: 'hookstream-chaos' });
    await migrateLatest(knex);
    const kafka = createKafka({ brokers: cluster.brokers, clientId: 'chaos', logger: silent, retry: { retries: 20, maxRetryTime: 5_000 } });
    const prefix = `chaos-${randomBytes(3).toString('hex')}-`;
    const topics: TopicNames = await prepareKafka(kafka, {
      KAFKA_BROKERS: cluster.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: settings.partitions,
      KAFKA_REPLICATION_FACTOR: cluster.replicationFactor,
      KAFKA_MIN_INSYNC_REPLICAS: cluster.minInsyncReplicas,
    });
    admin = kafka.admin();
    await admin.connect();

    const secretKey = randomBytes(32).toString('base64');
    const adminToken = randomBytes(24).toString('hex');
    const apiPort = await anyFreePort();
    const env: Record<string, string> = {
      KAFKA_BROKERS: cluster.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(settings.partitions),
      KAFKA_REPLICATION_FACTOR: String(cluster.replicationFactor),
      KAFKA_MIN_INSYNC_REPLICAS: String(cluster.minInsyncReplicas),
      DATABASE_URL: postgres.url,
      WEBHOOK_SECRET_KEY: secretKey,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: settings.retrySchedule,
      // Flaky endpoints refuse thousands of calls a run: at the default threshold (50 a
      // day) the offline rule would take them offline within seconds and stop their calls.
      WEBHOOK_OFFLINE_THRESHOLD: '100000000',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      OTEL_SDK_DISABLED: 'true',
      ...settings.serviceEnv,
    };
    fleet = createServiceFleet({
      env,
      log,
      slotEnv: (slot): Record<string, string> =>
        slot === 'api' ? { API_PORT: String(apiPort), ADMIN_TOKEN: adminToken } : slot.startsWith('router-') ? { ROUTER_INSTANCE_ID: slot } : {},
    });

    log('starting the api and creating workspaces and webhooks through it');
    await fleet.start('api');
    const apiBase = `http://127.0.0.1:${apiPort}`;
    receivers = createReceivers();
    const workspaces: Array<{ id: string; name: string; apiKey: string }> = [];
    const webhooks: ChaosWebhook[] = [];
    for (let index = 0; index < settings.workspaces; index += 1) {
      const created = await api(apiBase, 'POST', '/admin/v1/workspaces', { authorization: `Bearer ${adminToken}` }, { name: `chaos-${index}` });
      const workspace = { id: created.id as string, name: created.name as string, apiKey: created.api_key as string };
      workspaces.push(workspace);
      for (const { behaviour, events } of LAYOUT) {
        const endpoint = await receivers.open(behaviour);
        const webhook = await api(apiBase, 'POST', '/v1/webhooks', { 'x-dotfile-api-key': workspace.apiKey }, { url: endpoint.url, events, name: behaviour });
        endpoint.bind(webhook.id as string, webhook.secret as string);
        webhooks.push({ id: webhook.id as string, workspaceId: workspace.id, behaviour });
      }
    }

    log(`starting ${SERVICE_SLOTS.join(', ')}`);
    await Promise.all(SERVICE_SLOTS.map((slot) => fleet!.start(slot)));

    const lagGroups: LagGroup[] = [
      { name: 'router', groupId: `${prefix}hookstream-router`, topics: [topics.domainEvents] },
      { name: 'sender', groupId: `${prefix}hookstream-sender`, topics: [topics.webhookDeliveries] },
      { name: 'sender retries', groupId: `${prefix}hookstream-sender-retries`, topics: RETRY_TIER_TOPICS.map((topic) => `${prefix}${topic}`) },
      { name: 'health', groupId: `${prefix}hookstream-health`, topics: [topics.webhookOutcomes] },
    ];
    const lagWatch = watchLag(admin, lagGroups);
    const rss = watchRss(() => [
      ...fleet!.processes.filter((entry) => entry.exit === undefined).map((entry) => ({ name: entry.label, pid: entry.service.process.pid })),
      ...cluster!.nodes.map((node) => ({ name: `kafka node ${node.nodeId}`, pid: node.pid() })),
      { name: 'postgresql', pid: postgres!.pid(), withChildren: true },
      { name: 'chaos (stream, receivers)', pid: process.pid },
    ]);
    const apiWatch = watchAvailability(`${apiBase}/v1/webhooks?limit=1`, { 'x-dotfile-api-key': (workspaces[0] as { apiKey: string }).apiKey });

    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    log(`stream on: ${settings.workspaces} workspaces × ${LAYOUT.length} webhooks; ${faultsPlan.length} faults from ${seconds(settings.warmupMs)}`);
    const replaceProducer = async (): Promise<Producer> => {
      const next = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await next.connect();
      void producer?.disconnect().catch(() => undefined);
      producer = next;
      return next;
    };
    const stream = startStream({ producer, topic: topics.domainEvents, workspaces, eventsPerSecond, log, replaceProducer });
    const streamStart = Date.now();

    const faults: FaultRecord[] = [];
    const faultRuns: Array<Promise<void>> = [];
    for (const planned of faultsPlan) {
      const wait = streamStart + planned.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const record: FaultRecord = { ...planned, startedAtMs: Date.now() };
      faults.push(record);
      log(`fault: ${planned.label}`);
      const run = (async () => {
        try {
          if (planned.kind === 'broker') {
            const node = cluster!.node(Number(planned.target));
            await node.kill();
            await sleep(settings.brokerDownMs - (Date.now() - record.startedAtMs));
            await node.start();
          } else if (planned.kind === 'postgres') {
            await postgres!.stopImmediately();
            await sleep(settings.postgresDownMs - (Date.now() - record.startedAtMs));
            await postgres!.start();
          } else if (planned.kind === 'leader') {
            const topic = topics[planned.target as keyof TopicNames];
            await movePartitionLeader(admin!, { topic, partition: 0, timeoutMs: 120_000 });
          } else {
            await fleet!.killAndReplace(planned.target);
          }
          record.restoredAtMs = Date.now();
          log(`restored after ${seconds(record.restoredAtMs - record.startedAtMs)}: ${planned.label}`);
        } catch (error) {
          record.error = (error as Error).message;
          log(`fault ${planned.label} could not be carried out: ${record.error}`);
        }
      })();
      faultRuns.push(run);
    }
    const streamEnd = streamStart + streamMs;
    if (streamEnd > Date.now()) await sleep(streamEnd - Date.now());
    await Promise.all(faultRuns);
    log('stream off; waiting for the last events to be acknowledged');
    await stream.stop();
    const streamStoppedAt = Date.now();
    log(`${stream.produced.size} events produced (${stream.failures()} sends failed and were sent again); draining`);

    // Drain: every expected call accepted (after its retries), then lag, then call logs.
    const expected = expectedPairs(stream.produced.values(), webhooks);
    const drainDeadline = streamStoppedAt + settings.drainTimeoutMs;
    await pollUntil(
      async () => checkDelivered(expected, callsByPair(receivers!.calls)),
      (result) => result.passed,
      drainDeadline,
    );
    // Offsets first (cheap); where a group still shows some, read what is really left
    // (on a topic written in transactions, markers and aborted records take offsets too).
    await pollUntil(
      async () => Promise.all(lagGroups.map((group) => groupLag(admin!, group))),
      (values) => values.every((value) => value === 0),
      Math.max(drainDeadline, Date.now() + 20_000),
    );
    const lags = await Promise.all(
      lagGroups.map(async (group) => ({ group: group.name, offsets: await groupLag(admin!, group), lag: await unconsumedRecords(kafka, admin!, group) })),
    );
    const webhookIds = webhooks.map((webhook) => webhook.id);
    const callLogsDeadline = Math.max(drainDeadline, Date.now() + 30_000);
    let byPair = callsByPair(receivers.calls);
    const callLogResult = await pollUntil(
      async () => compareCallLogs(expected, (byPair = callsByPair(receivers!.calls)), await readCallLogs(knex!, webhookIds)),
      (result) => result.passed,
      callLogsDeadline,
    );
    // The replacement api serves the same call logs: one page per webhook, checked against the receivers.
    const apiProblems: string[] = [];
    let apiLogs = 0;
    for (const workspace of workspaces) {
      for (const webhook of webhooks.filter((entry) => entry.workspaceId === workspace.id && entry.behaviour !== 'unmatched')) {
        const page = await api(apiBase, 'GET', `/v1/webhook-logs?webhook_id=${webhook.id}&limit=20`, { 'x-dotfile-api-key': workspace.apiKey });
        for (const entry of page.data as Array<{ event_id: string; status: string; retry_count: number; payload: { case?: { id?: string } } | null }>) {
          apiLogs += 1;
          const calls = byPair.get(`${entry.payload?.case?.id}|${webhook.id}`) ?? [];
          const acceptedCall = calls.find((call) => call.signatureValid && call.status < 300);
          if (!acceptedCall) apiProblems.push(`${entry.event_id}: logged as ${entry.status}/retry ${entry.retry_count}, never accepted`);
          else if (entry.status !== 'succeeded' || entry.retry_count !== acceptedCall.retryCount || entry.event_id !== acceptedCall.headerEventId) {
            apiProblems.push(`${entry.event_id}: api says ${entry.status}/retry ${entry.retry_count}`);
          }
        }
      }
    }
    lagWatch.stop();
    rss.stop();
    apiWatch.stop();

    // Checks.
    const calls = receivers.calls;
    const duplicates = checkDuplicates(byPair, expected.size);
    const timing = retryTimings(byPair, settings.retryScheduleMs);
    const unexpected = fleet.unexpectedExits();
    const downNodes = cluster.nodes.filter((node) => !node.isRunning()).map((node) => `kafka node ${node.nodeId}`);
    const failedFaults = faults.filter((fault) => fault.error !== undefined);
    const checks: CheckResult[] = [
      checkDelivered(expected, byPair),
      duplicates.result,
      checkSignatures(calls),
      checkNoStrayCalls(calls, webhooks, stream.produced),
      callLogResult,
      {
        name: 'call logs served by the replacement api agree',
        passed: apiLogs > 0 && apiProblems.length === 0,
        detail: `${apiLogs} logs read through the api${apiProblems.length > 0 ? `, ${apiProblems.length} disagree; e.g. ${apiProblems.slice(0, 3).join(', ')}` : ''}`,
      },
      {
        name: 'consumer lag back to zero',
        passed: lags.every((value) => value.lag === 0),
        detail: lags.map((value) => `${value.group} ${value.lag}${value.offsets > value.lag ? ` (${value.offsets} offsets: markers or aborted records)` : ''}`).join(', '),
      },
      {
        name: 'no process exited on its own',
        passed: unexpected.length === 0 && downNodes.length === 0,
        detail:
          unexpected.length + downNodes.length === 0
            ? `${fleet.processes.length} service processes, 3 brokers`
            : [...unexpected.map((entry) => `${entry.label} (code ${entry.exit?.code}, signal ${entry.exit?.signal})`), ...downNodes].join(', '),
      },
      checkRetriesOnTime(timing, settings.retryLatenessMs),
      {
        name: 'every fault was carried out',
        passed: failedFaults.length === 0,
        detail: failedFaults.length === 0 ? `${faults.length} faults` : failedFaults.map((fault) => `${fault.label}: ${fault.error}`).join('; '),
      },
    ];

    // Figures: normal latency from the warm-up, then each fault's window (until the next fault).
    const latencies = firstCallLatencies(expected, byPair);
    const firstFault = faults[0]?.startedAtMs ?? streamStoppedAt;
    // Calls of the warm-up still on their way when the first fault strikes are delayed by
    // it: they count with the latency they had reached by then (a lower bound).
    const warm = latencies
      .filter((entry) => entry.producedAtMs >= streamStart + Math.min(5_000, settings.warmupMs / 2) && entry.producedAtMs < firstFault)
      .map((entry) => ({ ...entry, latencyMs: entry.receivedAtMs !== undefined && entry.receivedAtMs < firstFault ? entry.latencyMs : firstFault - entry.producedAtMs }));
    const normalP99 = percentile(warm.map((entry) => entry.latencyMs), 0.99);
    const normalMs = Math.max(1_000, 2 * (Number.isFinite(normalP99) ? normalP99 : 500));
    const duplicateTimes = duplicateArrivals(byPair);
    for (const [index, fault] of faults.entries()) {
      const windowEnd = faults[index + 1]?.startedAtMs ?? streamStoppedAt;
      const arrivalsEnd = faults[index + 1]?.startedAtMs ?? Number.POSITIVE_INFINITY;
      fault.duplicates = duplicateTimes.filter((atMs) => atMs >= fault.startedAtMs && atMs < arrivalsEnd).length;
      fault.figures = faultFigures(latencies, fault.startedAtMs, windowEnd, normalMs);
      if (fault.kind === 'api') fault.apiOutageMs = apiWatch.outageAfter(fault.startedAtMs, windowEnd);
      fault.worstProduceWaitMs = stream.sendWaits.filter((entry) => entry.atMs >= fault.startedAtMs && entry.atMs < windowEnd).reduce((max, entry) => Math.max(max, entry.waitMs), 0);
    }

    // Report.
    out('');
    out(`chaos ${settings.profile}: ${stream.produced.size} events, ${expected.size} expected calls, ${calls.length} requests received`);
    out(`normal latency: p99 ${seconds(normalP99)} in the warm-up; a call is delayed beyond ${seconds(normalMs)}`);
    out('');
    for (const line of table(
      ['fault', 'at', 'restored', 'calls', 'delayed', 'lost', 'worst latency', 'back to normal', 'other'],
      faults.map((fault) => [
        fault.label,
        seconds(fault.startedAtMs - streamStart),
        fault.restoredAtMs ? seconds(fault.restoredAtMs - fault.startedAtMs) : 'no',
        String(fault.figures?.callsInWindow ?? 0),
        String(fault.figures?.callsDelayed ?? 0),
        String(fault.figures?.undelivered ?? 0),
        seconds(fault.figures?.worstLatencyMs),
        seconds(fault.figures?.recoveryMs),
        [fault.apiOutageMs !== undefined ? `api down ${seconds(fault.apiOutageMs)}` : '', `produce wait ${seconds(fault.worstProduceWaitMs)}`, `${fault.duplicates} duplicates`].filter(Boolean).join(', '),
      ]),
    ))
      out(line);
    out('');
    for (const line of table(['process', 'peak RSS'], [...rss.peak.entries()].map(([name, bytes]) => [name, mib(bytes)]))) out(line);
    out('');
    // What became of each call that was never accepted, to tell a lost first call from a lost retry.
    const behaviourOf = new Map(webhooks.map((webhook) => [webhook.id, webhook.behaviour]));
    const undelivered = [...expected.entries()]
      .filter(([key]) => !(byPair.get(key) ?? []).some((call) => call.signatureValid && call.status < 300))
      .map(([key, { event, webhookId }]) => ({
        event: event.id,
        webhook: webhookId,
        behaviour: behaviourOf.get(webhookId),
        producedAtSeconds: (event.producedAtMs - streamStart) / 1_000,
        received: (byPair.get(key) ?? []).map((call) => ({ retry: call.retryCount, status: call.status, atSeconds: (call.receivedAtMs - streamStart) / 1_000 })),
      }));
    if (undelivered.length > 0) {
      const kinds = new Map<string, number>();
      for (const entry of undelivered) {
        const last = entry.received[entry.received.length - 1];
        const kind = `${entry.behaviour} webhook, ${last ? `last attempt received: retry ${last.retry} (${last.status})` : 'nothing received'}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      out('undelivered calls:');
      for (const [kind, count] of kinds) out(`  ${count} × ${kind}`);
      out('');
    }

    for (const check of checks) out(`${check.passed ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
    const passed = checks.filter((check) => check.passed).length;
    const failed = checks.length - passed;
    out(`${passed} passed, ${failed} failed`);

    mkdirSync(path.join(resultsDir, 'services'), { recursive: true });
    for (const entry of fleet.processes) writeFileSync(path.join(resultsDir, 'services', `${entry.label.replace('#', '.')}.log`), entry.service.output.join(''));
    const results = {
      startedAt: new Date(startedClock).toISOString(),
      finishedAt: new Date().toISOString(),
      settings: { ...settings, eventsPerSecond, fanOut: FAN_OUT, serviceEnv: settings.serviceEnv },
      events: stream.produced.size,
      expectedCalls: expected.size,
      requests: calls.length,
      duplicates: { arrivals: duplicates.duplicates, percentOfCalls: duplicates.share },
      normalLatency: { p99Ms: normalP99, delayedBeyondMs: normalMs },
      faults: faults.map((fault) => ({
        label: fault.label,
        kind: fault.kind,
        target: fault.target,
        atSeconds: (fault.startedAtMs - streamStart) / 1_000,
        restoredAfterSeconds: fault.restoredAtMs ? (fault.restoredAtMs - fault.startedAtMs) / 1_000 : null,
        error: fault.error ?? null,
        ...fault.figures,
        apiOutageMs: fault.apiOutageMs ?? null,
        worstProduceWaitMs: fault.worstProduceWaitMs ?? null,
        duplicateArrivals: fault.duplicates ?? 0,
      })),
      retries: { count: timing.timings.length, missing: timing.missing.length, worstLatenessMs: Math.max(0, ...timing.timings.map((entry) => entry.latenessMs)) },
      lag: Object.fromEntries([...lagWatch.series].map(([name, series]) => [name, series.map((sample) => [(sample.atMs - streamStart) / 1_000, sample.lag])])),
      peakRssBytes: Object.fromEntries(rss.peak),
      undelivered: undelivered.slice(0, 500),
      checks,
      passed,
      failed,
    };
    writeFileSync(path.join(resultsDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    out(`results: ${path.relative(repoRoot, path.join(resultsDir, 'results.json'))} (service logs beside it)`);
    return failed === 0 ? 0 : 1;
  } finally {
    log('stopping everything');
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await fleet?.stopAll().catch(() => undefined);
    await receivers?.close().catch(() => undefined);
    await knex?.destroy().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    if (!settings.keepData) rmSync(runDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`the chaos run failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
