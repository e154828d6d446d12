import type { Producer } from '@hookstream/kafka';
import { scrapeMetrics } from '@hookstream/e2e';
import { createEventSender, offerFixedRate } from '../load/offered-load';
import type { ListenerBehaviour } from '../receiver/protocol';
import { cpuPerDeliveryMs } from '../stats/cpu-per-delivery';
import { summarizeLatencies, type LatencySummary } from '../stats/percentiles';
import { metricSum } from '../stats/prometheus-text';
import type { ProcessUsage } from '../measure/process-usage';
import { watchServiceMetrics, type ServiceDiagnostics } from '../measure/service-diagnostics';
import { scenarioProcesses, startScenario, watchWindow, type BenchContext, type ScenarioOptions, type ScenarioStack } from '../stack/scenario-stack';

/** Of `total` extra endpoints spread over `workspaces`, how many workspace `index` gets (the first ones one more). */
export function extraDeadOf(index: number, workspaces: number, total: number): number {
  return Math.floor(total / workspaces) + (index < total % workspaces ? 1 : 0);
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FixedRateResult {
  label: string;
  webhooks: { healthy: number; dead: number };
  offeredDeliveriesPerSecond: number;
  achievedDeliveriesPerSecond: number;
  measuredSeconds: number;
  /** The measured window: events produced in [startMs, endMs) (epoch ms). */
  window: { startMs: number; endMs: number };
  latency: LatencySummary;
  /** p99 per slice of the window, to show a latency that drifts over time. */
  p99BySlice: Array<{ fromSecond: number; p99: number; count: number }>;
  lag: Record<string, { max: number; last: number; samples: number }>;
  delivered: { expected: number; received: number; missing: number };
  /** The sender's own view at the end of the window (hookstream_sender_in_flight, attempts by failure kind). */
  /** Failed attempts by kind, from the sender's metrics at the end of the run. */
  failedAttempts: Record<string, number>;
  diagnostics: Record<string, ServiceDiagnostics>;
  hangingConnections: number;
  usage: Record<string, ProcessUsage>;
  machineBusy: number;
  otherCores: number;
  /** CPU ms of router + sender + health per delivery over the window (cpuPerDeliveryMs). */
  cpuPerDeliveryMs?: number;
  /** The machine's 1-, 5- and 15-minute load averages at the end of the window. */
  loadAverage?: [number, number, number];
  serviceErrors: Record<string, Array<{ message: string; count: number }>>;
  /** With dead endpoints: failed attempts to healthy endpoints (timeouts, endpoint_overloaded), from the call log. */
  healthyFailures?: number;
}

/**
 * End-to-end latency at a fixed offered rate of healthy deliveries (open loop, as real
 * producers are): produce time in the event, receive time at the receiver, first calls
 * only, events produced in the measured window only (after the warm-up).
 */
export async function measureFixedRateLatency(
  context: BenchContext,
  options: {
    label: string;
    /** Per workspace, its webhooks' endpoint behaviours. */
    webhooks: ListenerBehaviour[];
    /** Never-answering endpoints added on top, spread over the workspaces (one webhook each). */
    extraDeadEndpoints?: number;
    /** Runs once the services are up, before the load starts (e.g. a backlog of retries). */
    prepare?: (stack: ScenarioStack) => Promise<void>;
    /** Runs once the load is over and delivered, before the services stop (e.g. reading a replay's progress). */
    afterLoad?: (stack: ScenarioStack, window: { startMs: number; endMs: number }) => Promise<void>;
    workspaces: number;
    healthyDeliveriesPerSecond: number;
    warmupMs: number;
    measureMs: number;
    sliceMs: number;
    sizeBytes: number;
    producer: Producer;
    topicSettings?: ScenarioOptions['topicSettings'];
    perServiceEnv?: ScenarioOptions['perServiceEnv'];
  },
): Promise<FixedRateResult> {
  const { receiver, log } = context;
  const stack = await startScenario(context, {
    label: options.label,
    workspaces: Array.from({ length: options.workspaces }, (_, index) => [
      ...options.webhooks,
      ...Array.from({ length: extraDeadOf(index, options.workspaces, options.extraDeadEndpoints ?? 0) }, () => 'hang' as const),
    ]),
    services: ['router', 'sender', 'health'],
    topicSettings: options.topicSettings,
    perServiceEnv: options.perServiceEnv,
  });
  const run = options.label;
  try {
    const healthyFanOut = options.webhooks.filter((behaviour) => behaviour === 'ok').length;
    const dead = options.webhooks.length - healthyFanOut + (options.extraDeadEndpoints ?? 0) / options.workspaces;
    const eventsPerSecond = options.healthyDeliveriesPerSecond / healthyFanOut;
    log(
      `${options.label}: ${options.workspaces} workspaces × (${healthyFanOut} healthy${dead > 0 ? ` + ${dead} never answering` : ''}) webhooks, ` +
        `${eventsPerSecond.toFixed(1)} events/s = ${options.healthyDeliveriesPerSecond} healthy deliveries/s, ${options.warmupMs / 1_000} s warm-up + ${options.measureMs / 1_000} s`,
    );
    if (options.prepare) await options.prepare(stack);
    const send = createEventSender({ producer: options.producer, topic: stack.topics.domainEvents, workspaces: stack.workspaces, run, sizeBytes: options.sizeBytes });
    const window = watchWindow(scenarioProcesses(context, stack), options.warmupMs, options.measureMs);
    const serviceMetrics = watchServiceMetrics(stack.services.values(), options.warmupMs, options.measureMs);
    const load = await offerFixedRate({ send, eventsPerSecond, durationMs: options.warmupMs + options.measureMs });
    const measureStart = load.startMs + options.warmupMs;
    const measureEnd = load.startMs + options.warmupMs + options.measureMs;

    const diagnostics = await serviceMetrics.result();
    const sender = stack.services.get('sender');
    const metrics = sender ? await scrapeMetrics(sender).catch(() => '') : '';
    const hangingConnections = receiver.hangingConnections();
    const usage = window.result();
    const serviceErrors = stack.serviceErrors();

    const expected = load.produced * healthyFanOut;
    const drainDeadline = now() + 20_000;
    while (receiver.firstCalls(run) < expected && now() < drainDeadline) await sleep(100);
    await sleep(300);
    if (options.afterLoad) await options.afterLoad(stack, { startMs: measureStart, endMs: measureEnd });

    const p99BySlice = [];
    for (let from = measureStart; from < measureEnd; from += options.sliceMs) {
      const slice = summarizeLatencies(receiver.latencies(run, from, Math.min(measureEnd, from + options.sliceMs)));
      p99BySlice.push({ fromSecond: Math.round((from - measureStart) / 1_000), p99: slice.p99, count: slice.count });
    }
    const latencies = receiver.latencies(run, measureStart, measureEnd);
    const received = receiver.firstCalls(run);
    const healthyWebhooks = stack.workspaces.flatMap((workspace) => workspace.webhooks.filter((webhook) => webhook.behaviour === 'ok').map((webhook) => webhook.id));
    const healthyFailures = dead > 0 ? await stack.failedAttempts(healthyWebhooks).catch(() => undefined) : undefined;
    const failedAttempts: Record<string, number> = {};
    for (const kind of ['timeout', 'endpoint_overloaded', 'connection_error', 'http_status', 'connect_timeout']) {
      const value = metricSum(metrics, 'hookstream_sender_attempts_total', { outcome: 'failed', failure_kind: kind });
      if (value > 0) failedAttempts[kind] = value;
    }
    const achievedDeliveriesPerSecond = receiver.receivedBetween(run, measureStart, measureEnd) / (options.measureMs / 1_000);
    const result: FixedRateResult = {
      label: options.label,
      webhooks: { healthy: options.workspaces * healthyFanOut, dead: Math.round(options.workspaces * dead) },
      offeredDeliveriesPerSecond: options.healthyDeliveriesPerSecond,
      achievedDeliveriesPerSecond,
      measuredSeconds: options.measureMs / 1_000,
      window: { startMs: measureStart, endMs: measureEnd },
      latency: summarizeLatencies(latencies),
      p99BySlice,
      lag: stack.lag.summary(measureStart, measureEnd),
      delivered: { expected, received, missing: Math.max(0, expected - received) },
      failedAttempts,
      diagnostics,
      hangingConnections,
      usage: usage?.processes ?? {},
      machineBusy: usage?.machineBusy ?? Number.NaN,
      otherCores: usage?.otherCores ?? Number.NaN,
      cpuPerDeliveryMs: cpuPerDeliveryMs(usage?.processes ?? {}, achievedDeliveriesPerSecond),
      loadAverage: usage?.loadAverage,
      serviceErrors,
      ...(healthyFailures === undefined ? {} : { healthyFailures }),
    };
    receiver.forget(run);
    return result;
  } finally {
    await stack.stop();
  }
}
