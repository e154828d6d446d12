/** The performance targets (docs/benchmarks.md "Targets", second round). */
export const TARGETS = {
  fanOut1DeliveriesPerSecond: 5_000,
  p99AtFixedRateMs: 50,
  isolationP99Ratio: 1.5,
} as const;

/** The second round's further targets, each also a ratio to a limit of the same run where one applies. */
export const MORE_TARGETS = {
  /** Fan-out 1's sustained rate as a share of the receiver-alone rate of the same run. */
  fanOut1ShareOfReceiver: 0.13,
  fanOut10DeliveriesPerSecond: 8_000,
  cpuPerDeliveryAtFixedRateMs: 0.3,
  cpuPerDeliveryAtSaturationMs: 0.2,
  deadEndpointsP99Ratio: 2,
  maxRssBytes: 150 * 1_048_576,
  backlogP99Ratio: 1.2,
  backlogSenderRssGrowthBytes: 50 * 1_048_576,
  /** Live first-call p99 with a replay running over without (the `replay` run). */
  replayP99Ratio: 1.2,
} as const;

export type Verdict = 'pass' | 'FAIL' | 'n/a';

export interface TargetCheck {
  target: string;
  figure: string;
  verdict: Verdict;
}

/** Pure: the verdict of each target from the figures (undefined when not measured). */
export function checkTargets(figures: {
  fanOut1DeliveriesPerSecond: number | undefined;
  fanOut1Sustained: boolean | undefined;
  p99AtFixedRateMs: number | undefined;
  /** Events of the fixed-rate run never delivered: their latency is unbounded, whatever p99 the rest show. */
  fixedRateUndelivered?: number | undefined;
  isolationBaselineP99Ms: number | undefined;
  isolationDeadP99Ms: number | undefined;
  /** Healthy events the baseline never delivered: a baseline that fell behind is no reference. */
  isolationBaselineUndelivered?: number | undefined;
}): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const throughput = figures.fanOut1DeliveriesPerSecond;
  checks.push({
    target: `≥ ${TARGETS.fanOut1DeliveriesPerSecond.toLocaleString('en-US')} deliveries/s sustained at fan-out 1`,
    figure: throughput === undefined ? 'not measured' : `${Math.round(throughput).toLocaleString('en-US')}/s${figures.fanOut1Sustained ? ' (sustained)' : ' (NOT sustained)'}`,
    verdict: throughput === undefined ? 'n/a' : throughput >= TARGETS.fanOut1DeliveriesPerSecond && figures.fanOut1Sustained === true ? 'pass' : 'FAIL',
  });
  const p99 = figures.p99AtFixedRateMs;
  const undelivered = figures.fixedRateUndelivered ?? 0;
  checks.push({
    target: `p99 ≤ ${TARGETS.p99AtFixedRateMs} ms at 1,000 deliveries/s`,
    figure:
      p99 === undefined || Number.isNaN(p99)
        ? 'not measured'
        : `${formatMs(p99)}${undelivered > 0 ? ` of those delivered; ${undelivered.toLocaleString('en-US')} never delivered` : ''}`,
    verdict:
      p99 === undefined || Number.isNaN(p99) ? 'n/a' : p99 <= TARGETS.p99AtFixedRateMs && undelivered === 0 ? 'pass' : 'FAIL',
  });
  const baseline = figures.isolationBaselineP99Ms;
  const dead = figures.isolationDeadP99Ms;
  const measured = baseline !== undefined && dead !== undefined && !Number.isNaN(baseline) && !Number.isNaN(dead);
  const baselineBehind = (figures.isolationBaselineUndelivered ?? 0) > 0;
  checks.push({
    target: `healthy p99 with 10 % dead endpoints ≤ ${TARGETS.isolationP99Ratio}× without`,
    figure: measured
      ? `${formatMs(dead)} vs ${formatMs(baseline)} (${(dead / baseline).toFixed(2)}×)${baselineBehind ? BEHIND : ''}`
      : 'not measured',
    verdict: !measured || baselineBehind ? 'n/a' : dead <= TARGETS.isolationP99Ratio * baseline ? 'pass' : 'FAIL',
  });
  return checks;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (Math.abs(ms) >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Said of a ratio whose reference run did not deliver everything: it measured a backlog, not a latency. */
const BEHIND = '; the run it is compared with fell behind (events never delivered): no verdict';

const mebibytes = (bytes: number) => `${Math.round(bytes / 1_048_576)} MiB`;

function check(target: string, measured: boolean, figure: () => string, pass: () => boolean): TargetCheck {
  return measured ? { target, figure: figure(), verdict: pass() ? 'pass' : 'FAIL' } : { target, figure: 'not measured', verdict: 'n/a' };
}

/** A ratio's verdict only when its reference run kept up. */
function withReference(undelivered: number | undefined, result: TargetCheck): TargetCheck {
  if ((undelivered ?? 0) === 0 || result.verdict === 'n/a') return result;
  return { ...result, figure: `${result.figure}${BEHIND}`, verdict: 'n/a' };
}

const known = (value: number | undefined): value is number => value !== undefined && !Number.isNaN(value);

/** Pure: the verdicts of the second round's further targets (undefined when not measured). */
export function checkMoreTargets(figures: {
  fanOut1DeliveriesPerSecond: number | undefined;
  receiverAlonePerSecond: number | undefined;
  fanOut10DeliveriesPerSecond: number | undefined;
  fanOut10Sustained: boolean | undefined;
  cpuPerDeliveryAtFixedRateMs: number | undefined;
  /** The largest CPU per delivery of the throughput runs. */
  cpuPerDeliveryAtSaturationMs: number | undefined;
  p999AtFixedRateMs: number | undefined;
  isolationBaselineP99Ms: number | undefined;
  deadEndpointsP99Ms: number | undefined;
  deadEndpointsHealthyFailures: number | undefined;
  /** Events the reference runs (isolation baseline, latency run) never delivered. */
  isolationBaselineUndelivered?: number | undefined;
  latencyUndelivered?: number | undefined;
  /** The largest RSS of router, sender or health over every run, and whose it was. */
  maxServiceRss: { bytes: number; where: string } | undefined;
  latencyP99Ms: number | undefined;
  backlogP99Ms: number | undefined;
  latencySenderRssBytes: number | undefined;
  backlogSenderRssBytes: number | undefined;
  /** The `replay` runs: live first-call p99 without and with a replay running. */
  replayBaselineP99Ms?: number | undefined;
  replayP99Ms?: number | undefined;
  replayBaselineUndelivered?: number | undefined;
  /** The part of the measured window the replay ran through (0: it did not overlap, no verdict). */
  replayShareOfWindow?: number | undefined;
}): TargetCheck[] {
  const f = figures;
  const T = MORE_TARGETS;
  return [
    check(
      `fan-out 1 ≥ ${Math.round(T.fanOut1ShareOfReceiver * 100)} % of the receiver-alone rate`,
      known(f.fanOut1DeliveriesPerSecond) && known(f.receiverAlonePerSecond),
      () => `${(((f.fanOut1DeliveriesPerSecond as number) / (f.receiverAlonePerSecond as number)) * 100).toFixed(1)} %`,
      () => (f.fanOut1DeliveriesPerSecond as number) >= T.fanOut1ShareOfReceiver * (f.receiverAlonePerSecond as number),
    ),
    check(
      `≥ ${T.fanOut10DeliveriesPerSecond.toLocaleString('en-US')} deliveries/s sustained at fan-out 10`,
      known(f.fanOut10DeliveriesPerSecond),
      () => `${Math.round(f.fanOut10DeliveriesPerSecond as number).toLocaleString('en-US')}/s${f.fanOut10Sustained ? ' (sustained)' : ' (NOT sustained)'}`,
      () => (f.fanOut10DeliveriesPerSecond as number) >= T.fanOut10DeliveriesPerSecond && f.fanOut10Sustained === true,
    ),
    check(
      `CPU per delivery (router + sender + health) ≤ ${T.cpuPerDeliveryAtFixedRateMs} ms at the fixed rate`,
      known(f.cpuPerDeliveryAtFixedRateMs),
      () => `${(f.cpuPerDeliveryAtFixedRateMs as number).toFixed(3)} ms`,
      () => (f.cpuPerDeliveryAtFixedRateMs as number) <= T.cpuPerDeliveryAtFixedRateMs,
    ),
    check(
      `CPU per delivery ≤ ${T.cpuPerDeliveryAtSaturationMs} ms at saturation`,
      known(f.cpuPerDeliveryAtSaturationMs),
      () => `${(f.cpuPerDeliveryAtSaturationMs as number).toFixed(3)} ms`,
      () => (f.cpuPerDeliveryAtSaturationMs as number) <= T.cpuPerDeliveryAtSaturationMs,
    ),
    { target: 'p99.9 at the fixed rate (printed, no target)', figure: known(f.p999AtFixedRateMs) ? formatMs(f.p999AtFixedRateMs) : 'not measured', verdict: 'n/a' },
    withReference(f.isolationBaselineUndelivered, check(
      `50 dead endpoints: no healthy call fails, healthy p99 ≤ ${T.deadEndpointsP99Ratio}× without`,
      known(f.deadEndpointsP99Ms) && known(f.isolationBaselineP99Ms) && known(f.deadEndpointsHealthyFailures),
      () =>
        `${formatMs(f.deadEndpointsP99Ms)} vs ${formatMs(f.isolationBaselineP99Ms)} (${((f.deadEndpointsP99Ms as number) / (f.isolationBaselineP99Ms as number)).toFixed(2)}×); ${f.deadEndpointsHealthyFailures as number} healthy calls failed`,
      () => (f.deadEndpointsHealthyFailures as number) === 0 && (f.deadEndpointsP99Ms as number) <= T.deadEndpointsP99Ratio * (f.isolationBaselineP99Ms as number),
    )),
    check(
      `max RSS of each service in every run ≤ ${mebibytes(T.maxRssBytes)}`,
      f.maxServiceRss !== undefined,
      () => `${mebibytes(f.maxServiceRss?.bytes ?? 0)} (${f.maxServiceRss?.where ?? ''})`,
      () => (f.maxServiceRss?.bytes ?? 0) <= T.maxRssBytes,
    ),
    withReference(f.latencyUndelivered, check(
      `100,000 waiting retries: first-call p99 ≤ ${T.backlogP99Ratio}×, sender RSS ≤ +${mebibytes(T.backlogSenderRssGrowthBytes)}`,
      known(f.backlogP99Ms) && known(f.latencyP99Ms) && known(f.backlogSenderRssBytes) && known(f.latencySenderRssBytes),
      () =>
        `p99 ${formatMs(f.backlogP99Ms)} vs ${formatMs(f.latencyP99Ms)} (${((f.backlogP99Ms as number) / (f.latencyP99Ms as number)).toFixed(2)}×); sender ${mebibytes(f.backlogSenderRssBytes as number)} vs ${mebibytes(f.latencySenderRssBytes as number)}`,
      () =>
        (f.backlogP99Ms as number) <= T.backlogP99Ratio * (f.latencyP99Ms as number) &&
        (f.backlogSenderRssBytes as number) - (f.latencySenderRssBytes as number) <= T.backlogSenderRssGrowthBytes,
    )),
    replayCheck(f.replayBaselineUndelivered, f.replayShareOfWindow, check(
      `a replay running: live first-call p99 ≤ ${T.replayP99Ratio}× without`,
      known(f.replayP99Ms) && known(f.replayBaselineP99Ms),
      () =>
        `${formatMs(f.replayP99Ms)} vs ${formatMs(f.replayBaselineP99Ms)} (${((f.replayP99Ms as number) / (f.replayBaselineP99Ms as number)).toFixed(2)}×)` +
        (known(f.replayShareOfWindow) ? `; replay running ${Math.round(f.replayShareOfWindow * 100)} % of the window` : ''),
      () => (f.replayP99Ms as number) <= T.replayP99Ratio * (f.replayBaselineP99Ms as number),
    )),
  ];
}

/** No verdict when the reference fell behind, or when the replay did not run during the measured window. */
function replayCheck(baselineUndelivered: number | undefined, shareOfWindow: number | undefined, result: TargetCheck): TargetCheck {
  const checked = withReference(baselineUndelivered, result);
  if (checked.verdict === 'n/a' || shareOfWindow === undefined || shareOfWindow > 0) return checked;
  return { ...checked, figure: `${checked.figure}; the replay did not run during the measured window: no verdict`, verdict: 'n/a' };
}
