import type { ProcessUsage } from '../measure/process-usage';
import type { ServiceDiagnostics } from '../measure/service-diagnostics';
import type { FixedRateResult } from '../scenarios/fixed-rate-latency';
import type { BenchResults } from './results';
import { formatMs } from './targets';

type ThroughputErrors = Record<string, Array<{ message: string; count: number }>>;

const integer = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : Math.round(value).toLocaleString('en-US'));
const mebibytes = (bytes: number | undefined) => (bytes === undefined ? '–' : `${Math.round(bytes / 1_048_576)} MiB`);
const cores = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface MeasuredRun {
  label: string;
  usage: Record<string, ProcessUsage>;
  otherCores: number;
  machineBusy: number;
  cpuPerDeliveryMs?: number | undefined;
  loadAverage?: [number, number, number] | undefined;
  diagnostics: Record<string, ServiceDiagnostics>;
}

/**
 * Every run with a measured window, in the order of the report; without the runs of the
 * workaround settings when `workaround` is false (the targets hold for the defaults).
 */
export function measuredRuns(results: BenchResults, { workaround = true }: { workaround?: boolean } = {}): MeasuredRun[] {
  const defaults = [
    ...results.throughput,
    ...(results.latency ? [results.latency] : []),
    ...(results.isolation?.baseline ? [results.isolation.baseline] : []),
    ...(results.isolation?.dead ? [results.isolation.dead] : []),
    ...(results.isolation?.dead50 ? [results.isolation.dead50] : []),
    ...(results.backlog ? [results.backlog] : []),
    ...(results.replay?.baseline ? [results.replay.baseline] : []),
    ...(results.replay?.running ? [results.replay.running] : []),
  ];
  if (!workaround) return defaults;
  return [
    ...defaults,
    ...(results.workaround?.latency ? [results.workaround.latency] : []),
    ...(results.workaround?.isolation?.baseline ? [results.workaround.isolation.baseline] : []),
    ...(results.workaround?.isolation?.dead ? [results.workaround.isolation.dead] : []),
  ];
}

/** The figures as Markdown tables: readable in a terminal, pasteable into docs/benchmarks.md. */
export function renderResults(results: BenchResults): string {
  const out: string[] = [];
  const rows: string[][] = [];
  const reference = results.reference;
  for (const run of results.throughput) {
    rows.push([
      `sustained deliveries/s, fan-out ${run.fanOut} (${run.webhooks} webhooks, ${run.measuredSeconds} s)${run.topicSettings ? ', max.message.bytes 16 MiB' : ''}`,
      `${integer(run.deliveriesPerSecond)}/s (${integer(run.eventsPerSecond)} events/s)${run.sustained ? '' : ' NOT sustained'}; halves ${integer(run.halves[0])} → ${integer(run.halves[1])}; per 10 s: ${(run.bySlice ?? []).map(integer).join(', ')}`,
      `receiver alone ${integer(reference?.receiver?.requestsPerSecond)}/s; broker alone ${integer(reference?.broker?.produceConsumePerSecond)} msg/s`,
    ]);
    rows.push([
      `  max lag during run, fan-out ${run.fanOut} (router / sender / health)`,
      Object.values(run.lag)
        .map((lag) => integer(lag.max))
        .join(' / '),
      `at end: ${Object.values(run.lagSecondsAtEnd)
        .map((seconds) => `${seconds.toFixed(1)} s`)
        .join(' / ')} of traffic`,
    ]);
    rows.push([
      `  latency at saturation, fan-out ${run.fanOut} (p50 / p99)`,
      `${formatMs(run.latencyAtSaturation.p50)} / ${formatMs(run.latencyAtSaturation.p99)}`,
      'queues full by design (closed loop)',
    ]);
  }
  const delivered = (run: FixedRateResult) =>
    `${integer(run.achievedDeliveriesPerSecond)}/s delivered of ${integer(run.offeredDeliveriesPerSecond)}/s` +
    `${run.delivered.missing > 0 ? `, ${integer(run.delivered.missing)} never delivered` : ''}; p99 per 10 s: ${run.p99BySlice
      .map((slice) => formatMs(slice.p99))
      .join(', ')}`;
  const fixedRateRows = (variant: string, latency: FixedRateResult | undefined, isolation: BenchResults['isolation']) => {
    if (latency) {
      rows.push([
        `latency at ${integer(latency.offeredDeliveriesPerSecond)} deliveries/s, fan-out 1 (p50 / p95 / p99 / p99.9)${variant}`,
        `${formatMs(latency.latency.p50)} / ${formatMs(latency.latency.p95)} / ${formatMs(latency.latency.p99)} / ${formatMs(latency.latency.p999)}`,
        `max ${formatMs(latency.latency.max)}; ${delivered(latency)}`,
      ]);
    }
    if (isolation?.baseline) {
      rows.push([
        `healthy latency, no dead endpoints (p50 / p99 / p99.9), ${isolation.baseline.webhooks.healthy} webhooks${variant}`,
        `${formatMs(isolation.baseline.latency.p50)} / ${formatMs(isolation.baseline.latency.p99)} / ${formatMs(isolation.baseline.latency.p999)}`,
        delivered(isolation.baseline),
      ]);
    }
    if (isolation?.dead) {
      rows.push([
        `healthy latency, + ${isolation.dead.webhooks.dead} endpoints (10 %) never answering (p50 / p99 / p99.9)${variant}`,
        `${formatMs(isolation.dead.latency.p50)} / ${formatMs(isolation.dead.latency.p99)} / ${formatMs(isolation.dead.latency.p999)}`,
        delivered(isolation.dead),
      ]);
    }
    if (isolation?.dead50) {
      const run = isolation.dead50;
      rows.push([
        `healthy latency, + ${run.webhooks.dead} endpoints never answering among ${run.webhooks.healthy} healthy (p50 / p99 / p99.9)${variant}`,
        `${formatMs(run.latency.p50)} / ${formatMs(run.latency.p99)} / ${formatMs(run.latency.p999)}`,
        `${delivered(run)}; healthy calls failed: ${run.healthyFailures === undefined ? '–' : integer(run.healthyFailures)}`,
      ]);
    }
  };
  fixedRateRows('', results.latency, results.isolation);
  if (results.workaround) fixedRateRows(', max.message.bytes 16 MiB', results.workaround.latency, results.workaround.isolation);
  if (results.backlog) {
    const run = results.backlog;
    rows.push([
      `latency at ${integer(run.offeredDeliveriesPerSecond)} deliveries/s, fan-out 1, ${integer(run.waitingRetries)} retries waiting in the tiers (p50 / p99 / p99.9)`,
      `${formatMs(run.latency.p50)} / ${formatMs(run.latency.p99)} / ${formatMs(run.latency.p999)}`,
      `max ${formatMs(run.latency.max)}; ${delivered(run)}`,
    ]);
  }
  if (results.replay) {
    const { baseline, running, replay, events } = results.replay;
    const percentiles = (run: FixedRateResult) => `${formatMs(run.latency.p50)} / ${formatMs(run.latency.p99)} / ${formatMs(run.latency.p999)}`;
    const offered = integer((baseline ?? running)?.offeredDeliveriesPerSecond);
    if (baseline) {
      rows.push([`live first calls at ${offered} deliveries/s after ${integer(events)} events of one workspace, no replay (p50 / p99 / p99.9)`, percentiles(baseline), delivered(baseline)]);
    }
    if (running) {
      rows.push([
        `live first calls at ${offered} deliveries/s, replay of those ${integer(events)} events running (p50 / p99 / p99.9)`,
        percentiles(running),
        `${delivered(running)}${baseline ? `; p99 ${(running.latency.p99 / baseline.latency.p99).toFixed(2)}× without` : ''}`,
      ]);
    }
    if (replay) {
      rows.push([
        `  the replay: events scanned / calls made, ${replay.finished ? 'duration' : 'running for'}, achieved rate`,
        `${integer(replay.eventsScanned)} / ${integer(replay.callsMade)}, ${replay.durationSeconds.toFixed(1)} s, ${integer(replay.achievedRatePerSecond)}/s of ${integer(replay.configuredRatePerSecond)}/s configured (${Math.round(replay.shareOfConfiguredRate * 100)} %)` +
          (replay.startDelaySeconds === undefined ? '' : `; first calls after ${replay.startDelaySeconds.toFixed(1)} s, ${integer(replay.rateAfterStartPerSecond)}/s from then`),
        `${replay.status}${replay.finished ? '' : ' at the end of the run'}; ran through ${Math.round(replay.shareOfWindowRunning * 100)} % of the measured window; replayed calls received ${integer(replay.replayedCallsReceived)}`,
      ]);
    }
  }
  if (results.retries) {
    rows.push([
      `retry lateness, schedule ${results.retries.schedule} (p50 / p99)`,
      `${formatMs(results.retries.lateness.p50)} / ${formatMs(results.retries.lateness.p99)}`,
      `${results.retries.lateness.count} retries, min ${formatMs(results.retries.lateness.min)}, max ${formatMs(results.retries.lateness.max)}; missing: ${results.retries.missingFirstCalls} first calls, retries by number ${results.retries.missingByRetryNumber.join('/')}`,
    ]);
  }
  if (results.offline) {
    const offline = results.offline;
    rows.push([
      `offline enforcement delay (failure ${offline.threshold + 1} → row offline)`,
      offline.delayMs === undefined ? `not measured` : formatMs(offline.delayMs),
      offline.delayMs === undefined
        ? (offline.problem ?? '')
        : `${offline.callsAfterOffline} calls reached the endpoint after, the last ${formatMs(offline.lastCallAfterOfflineMs)} after`,
    ]);
  }
  out.push(table(['figure', 'value', 'beside it (same run)'], rows));

  if (reference) {
    out.push('');
    out.push(
      table(
        ['reference limit', 'value'],
        [
          [
            `broker alone: kafkajs produce (acks=all) + consume, ${reference.broker?.sizeBytes ?? ''} B messages`,
            reference.broker
              ? `${integer(reference.broker.produceConsumePerSecond)} msg/s (produced ${integer(reference.broker.producedPerSecond)}/s, consumed ${integer(reference.broker.consumedPerSecond)}/s)`
              : '–',
          ],
          [
            `receiver alone: autocannon, ${reference.receiver?.connections ?? ''} keep-alive connections, ${reference.receiver?.bodyBytes ?? ''} B POST`,
            reference.receiver
              ? `${integer(reference.receiver.requestsPerSecond)} req/s (p50 ${formatMs(reference.receiver.latencyP50Ms)}, p99 ${formatMs(reference.receiver.latencyP99Ms)})`
              : '–',
          ],
        ],
      ),
    );
  }

  const usageRuns = measuredRuns(results).filter((run) => Object.keys(run.usage).length > 0);
  if (usageRuns.length > 0) {
    const names = [...new Set(usageRuns.flatMap((run) => Object.keys(run.usage)))];
    out.push('');
    out.push('max RSS / CPU cores used per process over each measured window ("others": processes outside the bench)');
    out.push(
      table(
        ['run', 'CPU per delivery (router + sender + health)', ...names, 'others', 'machine busy', 'load average (1, 5, 15 min)'],
        usageRuns.map((run) => [
          run.label,
          run.cpuPerDeliveryMs === undefined ? '–' : `${run.cpuPerDeliveryMs.toFixed(3)} ms`,
          ...names.map((name) => (run.usage[name] ? `${mebibytes(run.usage[name].maxRssBytes)} / ${cores(run.usage[name].cores)}` : '–')),
          `${cores(run.otherCores)}`,
          `${Math.round(run.machineBusy * 100)} %`,
          run.loadAverage ? run.loadAverage.map((value) => value.toFixed(2)).join(', ') : '–',
        ]),
      ),
    );
  }

  const memoryRuns = measuredRuns(results).filter((run) => ['router', 'sender', 'health'].some((name) => run.diagnostics[name]?.memory));
  if (memoryRuns.length > 0) {
    out.push('');
    out.push("the services' memory, largest over each window (heap used / heap total (of it new space) / external / RSS; the rest of RSS is code, stacks and the allocator's)");
    out.push(
      table(
        ['run', 'router', 'sender', 'health'],
        memoryRuns.map((run) => [
          run.label,
          ...['router', 'sender', 'health'].map((name) => {
            const memory = run.diagnostics[name]?.memory;
            return memory
              ? `${mebibytes(memory.heapUsedBytes)} / ${mebibytes(memory.heapTotalBytes)} (${mebibytes(memory.newSpaceBytes)}) / ${mebibytes(memory.externalBytes)} / ${mebibytes(memory.rssBytes)}`
              : '–';
          }),
        ]),
      ),
    );
  }

  const diagnosticRuns = measuredRuns(results).filter((run) => Object.keys(run.diagnostics).length > 0);
  if (diagnosticRuns.length > 0) {
    out.push('');
    out.push("the services' own metrics over each measured window");
    out.push(
      table(
        ['run', 'event-loop delay p99 / max (router, sender, health)', 'sender: mean first-call POST, calls in flight at end'],
        diagnosticRuns.map((run) => [
          run.label,
          ['router', 'sender', 'health']
            .map((name) => run.diagnostics[name])
            .map((figures) => (figures ? `${formatMs(figures.eventLoopDelayP99Ms)} / ${formatMs(figures.eventLoopDelayMaxMs)}` : '–'))
            .join(', '),
          run.diagnostics.sender ? `${formatMs(run.diagnostics.sender.meanFirstCallHttpMs)}, ${integer(run.diagnostics.sender.inFlight)}` : '–',
        ]),
      ),
    );
  }

  const errorRows: string[][] = [];
  const scenarioErrors: Array<[string, Record<string, Array<{ message: string; count: number }>> | undefined]> = [
    ...results.throughput.map((run): [string, ThroughputErrors] => [run.label, run.serviceErrors]),
    ['latency-fo1', results.latency?.serviceErrors],
    ['isolation-baseline', results.isolation?.baseline?.serviceErrors],
    ['isolation-dead', results.isolation?.dead?.serviceErrors],
    ['isolation-dead50', results.isolation?.dead50?.serviceErrors],
    ['backlog', results.backlog?.serviceErrors],
    ['replay-baseline', results.replay?.baseline?.serviceErrors],
    ['replay-running', results.replay?.running?.serviceErrors],
    ['latency-fo1-16mib', results.workaround?.latency?.serviceErrors],
    ['isolation-baseline-16mib', results.workaround?.isolation?.baseline?.serviceErrors],
    ['isolation-dead-16mib', results.workaround?.isolation?.dead?.serviceErrors],
    ['retries', results.retriesServiceErrors],
  ];
  for (const [scenario, errors] of scenarioErrors) {
    for (const [service, list] of Object.entries(errors ?? {})) {
      for (const error of list) errorRows.push([scenario, service, String(error.count), error.message]);
    }
  }
  if (errorRows.length > 0) {
    out.push('');
    out.push(table(['scenario', 'service', 'count', 'error logged by the service'], errorRows));
  }

  out.push('');
  out.push(table(['target', 'figure', 'verdict'], results.targets.map((check) => [check.target, check.figure, check.verdict])));
  if (results.problems.length > 0) {
    out.push('');
    out.push('Not measured:');
    for (const problem of results.problems) out.push(`- ${problem}`);
  }
  return out.join('\n');
}
