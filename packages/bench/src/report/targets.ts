/** The performance targets (docs/benchmarks.md "Targets"). */
export const TARGETS = {
  fanOut1DeliveriesPerSecond: 3_000,
  p99AtFixedRateMs: 100,
  isolationP99Ratio: 2,
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
  checks.push({
    target: `healthy p99 with 10 % dead endpoints ≤ ${TARGETS.isolationP99Ratio}× without`,
    figure: measured ? `${formatMs(dead)} vs ${formatMs(baseline)} (${(dead / baseline).toFixed(2)}×)` : 'not measured',
    verdict: !measured ? 'n/a' : dead <= TARGETS.isolationP99Ratio * baseline ? 'pass' : 'FAIL',
  });
  return checks;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (Math.abs(ms) >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
