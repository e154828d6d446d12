import { scrapeMetrics, type RunningService } from '@hookstream/e2e';
import { metricSum } from '../stats/prometheus-text';

/** What a service's own metrics say about a measured window. */
export interface ServiceDiagnostics {
  /** Event-loop delay over the window (prom-client's monitorEventLoopDelay, reset at each scrape). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Sender only: mean duration of first-call POSTs, as the sender timed them. */
  meanFirstCallHttpMs?: number;
  /** Sender only: calls in flight at the end of the window. */
  inFlight?: number;
  /** Largest of each memory figure the service reported over the window (sampled every few seconds). */
  memory?: ServiceMemory;
}

/**
 * A service's memory as V8 and the process see it, in bytes. RSS minus the heap V8 holds
 * (`heapTotal`) minus `external` (Buffers and other off-heap memory V8 knows of, Kafka
 * fetch buffers among them) is code, stacks and what the allocator keeps.
 */
export interface ServiceMemory {
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  rssBytes: number;
  /** Of heapTotal: the young generation (new space), which V8 sizes by allocation rate. */
  newSpaceBytes: number;
}

export function memoryOf(text: string): ServiceMemory {
  return {
    heapUsedBytes: metricSum(text, 'hookstream_nodejs_heap_size_used_bytes', {}),
    heapTotalBytes: metricSum(text, 'hookstream_nodejs_heap_size_total_bytes', {}),
    externalBytes: metricSum(text, 'hookstream_nodejs_external_memory_bytes', {}),
    rssBytes: metricSum(text, 'hookstream_process_resident_memory_bytes', {}),
    newSpaceBytes: metricSum(text, 'hookstream_nodejs_heap_space_size_total_bytes', { space: 'new' }),
  };
}

/** Each figure's largest value over several samples. */
export function maxMemory(samples: readonly ServiceMemory[]): ServiceMemory | undefined {
  if (samples.length === 0) return undefined;
  const keys = Object.keys(samples[0] as ServiceMemory) as Array<keyof ServiceMemory>;
  return Object.fromEntries(keys.map((key) => [key, Math.max(...samples.map((sample) => sample[key]))])) as unknown as ServiceMemory;
}

export function diagnosticsOf(name: string, text: string, before: string): ServiceDiagnostics {
  const diagnostics: ServiceDiagnostics = {
    eventLoopDelayP99Ms: 1_000 * metricSum(text, 'hookstream_nodejs_eventloop_lag_p99_seconds', {}),
    eventLoopDelayMaxMs: 1_000 * metricSum(text, 'hookstream_nodejs_eventloop_lag_max_seconds', {}),
  };
  if (name === 'sender') {
    const delta = (metric: string) =>
      metricSum(text, metric, { type: 'first_call' }) - metricSum(before, metric, { type: 'first_call' });
    diagnostics.meanFirstCallHttpMs =
      (1_000 * delta('hookstream_sender_attempt_duration_seconds_sum')) / Math.max(1, delta('hookstream_sender_attempt_duration_seconds_count'));
    diagnostics.inFlight = metricSum(text, 'hookstream_sender_in_flight', {});
  }
  return diagnostics;
}

/**
 * Scrapes every service at the start of the measured window (which also resets the
 * event-loop delay histogram) and at its end; `result()` waits for the second scrape.
 */
export function watchServiceMetrics(services: Iterable<RunningService>, delayMs: number, durationMs: number, memoryEveryMs = 5_000) {
  const list = [...services];
  const memorySamples = new Map<string, ServiceMemory[]>();
  const scrapeAll = async () => {
    const texts: Record<string, string> = Object.fromEntries(
      await Promise.all(list.map(async (service) => [service.name, await scrapeMetrics(service).catch(() => '')] as const)),
    );
    for (const [name, text] of Object.entries(texts)) {
      if (text) memorySamples.set(name, [...(memorySamples.get(name) ?? []), memoryOf(text)]);
    }
    return texts;
  };
  let memoryTimer: NodeJS.Timeout | undefined;
  let before: Record<string, string> = {};
  let resolveEnd: (value: Record<string, ServiceDiagnostics>) => void = () => undefined;
  const end = new Promise<Record<string, ServiceDiagnostics>>((resolve) => (resolveEnd = resolve));
  const startTimer = setTimeout(() => {
    void scrapeAll().then((texts) => (before = texts));
    memoryTimer = setInterval(() => void scrapeAll(), memoryEveryMs);
  }, delayMs);
  const endTimer = setTimeout(() => {
    clearInterval(memoryTimer);
    void scrapeAll().then((texts) =>
      resolveEnd(
        Object.fromEntries(
          Object.entries(texts).map(([name, text]) => {
            const memory = maxMemory(memorySamples.get(name) ?? []);
            return [name, { ...diagnosticsOf(name, text, before[name] ?? ''), ...(memory ? { memory } : {}) }];
          }),
        ),
      ),
    );
  }, delayMs + durationMs);
  return {
    /** The window's diagnostics; empty if the window was cut short. */
    async result(): Promise<Record<string, ServiceDiagnostics>> {
      const timeout = new Promise<Record<string, ServiceDiagnostics>>((resolve) => setTimeout(() => resolve({}), 5_000));
      const value = await Promise.race([end, timeout]);
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      clearInterval(memoryTimer);
      return value;
    },
  };
}
