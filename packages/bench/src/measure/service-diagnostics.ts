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
export function watchServiceMetrics(services: Iterable<RunningService>, delayMs: number, durationMs: number) {
  const list = [...services];
  const scrapeAll = async () =>
    Object.fromEntries(await Promise.all(list.map(async (service) => [service.name, await scrapeMetrics(service).catch(() => '')] as const)));
  let before: Record<string, string> = {};
  let resolveEnd: (value: Record<string, ServiceDiagnostics>) => void = () => undefined;
  const end = new Promise<Record<string, ServiceDiagnostics>>((resolve) => (resolveEnd = resolve));
  const startTimer = setTimeout(() => {
    void scrapeAll().then((texts) => (before = texts));
  }, delayMs);
  const endTimer = setTimeout(() => {
    void scrapeAll().then((texts) =>
      resolveEnd(Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, diagnosticsOf(name, text, before[name] ?? '')]))),
    );
  }, delayMs + durationMs);
  return {
    /** The window's diagnostics; empty if the window was cut short. */
    async result(): Promise<Record<string, ServiceDiagnostics>> {
      const timeout = new Promise<Record<string, ServiceDiagnostics>>((resolve) => setTimeout(() => resolve({}), 5_000));
      const value = await Promise.race([end, timeout]);
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      return value;
    },
  };
}
