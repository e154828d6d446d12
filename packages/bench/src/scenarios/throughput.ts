import type { Producer } from '@hookstream/kafka';
import { createEventSender, offerSaturatingLoad } from '../load/offered-load';
import type { ProcessUsage } from '../measure/process-usage';
import { watchServiceMetrics, type ServiceDiagnostics } from '../measure/service-diagnostics';
import { cpuPerDeliveryMs } from '../stats/cpu-per-delivery';
import { summarizeLatencies, type LatencySummary } from '../stats/percentiles';
import { LAG_GROUPS, scenarioProcesses, startScenario, watchWindow, type BenchContext, type ScenarioOptions } from '../stack/scenario-stack';
import type { ServiceName } from '@hookstream/e2e';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ThroughputResult {
  label: string;
  fanOut: number;
  webhooks: number;
  measuredSeconds: number;
  deliveriesPerSecond: number;
  eventsPerSecond: number;
  /** Delivered rate in the first and second half of the window: a falling rate is not sustained. */
  halves: [number, number];
  /** Delivered rate per 10 s of the window, to show where a falling rate falls. */
  bySlice: number[];
  lag: Record<string, { max: number; last: number; samples: number }>;
  /** Lag at the end of the window in seconds of the measured rate, per group. */
  lagSecondsAtEnd: Record<string, number>;
  sustained: boolean;
  /** Latency of the deliveries of the window, at saturation (queues full by design). */
  latencyAtSaturation: LatencySummary;
  producerHeld: { byDeliveryWindow: number; byHealthLag: number };
  delivered: { produced: number; received: number; missing: number };
  usage: Record<string, ProcessUsage>;
  machineBusy: number;
  /** CPU cores used meanwhile by processes that are not part of the bench (a shared machine's noise). */
  otherCores: number;
  /** CPU ms of router + sender + health per delivery over the window (cpuPerDeliveryMs). */
  cpuPerDeliveryMs?: number;
  /** The machine's 1-, 5- and 15-minute load averages at the end of the window. */
  loadAverage?: [number, number, number];
  serviceErrors: Record<string, Array<{ message: string; count: number }>>;
  diagnostics: Record<string, ServiceDiagnostics>;
  /** Topic settings that differ from the defaults (a workaround, said in the report). */
  topicSettings?: ScenarioOptions['topicSettings'];
}

/** Lag above this many seconds of the measured rate at the end of the window: not sustained. */
const SUSTAINED_LAG_SECONDS = 5;
const SLICE_MS = 10_000;

/**
 * Saturation throughput at a fan-out: 12 workspaces each with `fanOut` webhooks, the
 * producer in a closed loop (see offerSaturatingLoad), warm-up first, then the delivered
 * rate over the measured window. Router, sender and health run with their defaults.
 */
export async function measureThroughput(
  context: BenchContext,
  options: {
    label: string;
    fanOut: number;
    workspaces: number;
    warmupMs: number;
    measureMs: number;
    /** The closed loop's window of outstanding deliveries (see outstandingWindow). */
    window: { min: number; max: number; seconds: number };
    sizeBytes: number;
    producer: Producer;
    perServiceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
    topicSettings?: ScenarioOptions['topicSettings'];
  },
): Promise<ThroughputResult> {
  const { receiver, log } = context;
  const stack = await startScenario(context, {
    label: options.label,
    workspaces: Array.from({ length: options.workspaces }, () => Array.from({ length: options.fanOut }, () => 'ok' as const)),
    services: ['router', 'sender', 'health'],
    perServiceEnv: options.perServiceEnv,
    topicSettings: options.topicSettings,
  });
  const run = options.label;
  try {
    const send = createEventSender({ producer: options.producer, topic: stack.topics.domainEvents, workspaces: stack.workspaces, run, sizeBytes: options.sizeBytes });
    const loadStart = now();
    const measureStart = loadStart + options.warmupMs;
    const measureEnd = measureStart + options.measureMs;
    const window = watchWindow(scenarioProcesses(context, stack), options.warmupMs, options.measureMs);
    const serviceMetrics = watchServiceMetrics(stack.services.values(), options.warmupMs, options.measureMs);
    log(`${options.label}: ${options.workspaces} workspaces × ${options.fanOut} webhooks, closed loop, ${options.warmupMs / 1_000} s warm-up + ${options.measureMs / 1_000} s`);
    const load = await offerSaturatingLoad({
      send,
      durationMs: options.warmupMs + options.measureMs,
      fanOut: options.fanOut,
      window: options.window,
      received: () => receiver.firstCalls(run),
      healthLag: () => stack.lag.current(LAG_GROUPS.health),
    });
    const usage = window.result();
    const serviceErrors = stack.serviceErrors();
    const diagnostics = await serviceMetrics.result();

    // Drain: everything produced must arrive (nothing lost), within a bounded wait.
    const producedDeliveries = load.produced * options.fanOut;
    const drainDeadline = now() + 30_000;
    while (receiver.firstCalls(run) < producedDeliveries && now() < drainDeadline) await sleep(100);
    await sleep(300); // reports trail by up to 100 ms

    const seconds = options.measureMs / 1_000;
    const middle = measureStart + options.measureMs / 2;
    const delivered = receiver.receivedBetween(run, measureStart, measureEnd);
    const halves: [number, number] = [
      receiver.receivedBetween(run, measureStart, middle) / (seconds / 2),
      receiver.receivedBetween(run, middle, measureEnd) / (seconds / 2),
    ];
    const bySlice: number[] = [];
    for (let from = measureStart; from < measureEnd; from += SLICE_MS) {
      const to = Math.min(measureEnd, from + SLICE_MS);
      bySlice.push(receiver.receivedBetween(run, from, to) / ((to - from) / 1_000));
    }
    const deliveriesPerSecond = delivered / seconds;
    const lag = stack.lag.summary(measureStart, measureEnd);
    const ratePerGroup: Record<string, number> = {
      [LAG_GROUPS.router]: deliveriesPerSecond / options.fanOut,
      [LAG_GROUPS.sender]: deliveriesPerSecond,
      [LAG_GROUPS.health]: deliveriesPerSecond,
    };
    const lagSecondsAtEnd = Object.fromEntries(
      Object.entries(lag).map(([name, figures]) => [name, figures.last / Math.max(1, ratePerGroup[name] ?? 1)]),
    );
    const received = receiver.firstCalls(run);
    // Sustained: queues bounded at the end, no falling rate, and nothing left undelivered.
    const sustained =
      Object.values(lagSecondsAtEnd).every((value) => Number.isFinite(value) && value <= SUSTAINED_LAG_SECONDS) &&
      halves[1] >= 0.8 * halves[0] &&
      received >= producedDeliveries;
    const result: ThroughputResult = {
      label: options.label,
      fanOut: options.fanOut,
      webhooks: options.workspaces * options.fanOut,
      measuredSeconds: seconds,
      deliveriesPerSecond,
      eventsPerSecond: deliveriesPerSecond / options.fanOut,
      halves,
      bySlice,
      lag,
      lagSecondsAtEnd,
      sustained,
      latencyAtSaturation: summarizeLatencies(receiver.latencies(run, measureStart, measureEnd)),
      producerHeld: {
        byDeliveryWindow: load.ticks.heldByDeliveryWindow / Math.max(1, load.ticks.total),
        byHealthLag: load.ticks.heldByHealthLag / Math.max(1, load.ticks.total),
      },
      delivered: { produced: producedDeliveries, received, missing: Math.max(0, producedDeliveries - received) },
      usage: usage?.processes ?? {},
      machineBusy: usage?.machineBusy ?? Number.NaN,
      otherCores: usage?.otherCores ?? Number.NaN,
      cpuPerDeliveryMs: cpuPerDeliveryMs(usage?.processes ?? {}, deliveriesPerSecond),
      loadAverage: usage?.loadAverage,
      serviceErrors,
      diagnostics,
      ...(options.topicSettings ? { topicSettings: options.topicSettings } : {}),
    };
    receiver.forget(run);
    return result;
  } finally {
    await stack.stop();
  }
}
