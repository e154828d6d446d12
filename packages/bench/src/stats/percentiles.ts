/** Latency figures of one sample set, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99.9: with 60,000 samples a minute, the 60 slowest calls. */
  p999: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * The value at quantile `q` (0..1) of an ascending array, by the nearest-rank method:
 * the smallest sample that at least q of all samples do not exceed. No interpolation, so
 * every figure printed is a latency that was actually measured.
 */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  const sum = values.reduce((total, value) => total + value, 0);
  return {
    count: values.length,
    p50: quantileOfSorted(values, 0.5),
    p95: quantileOfSorted(values, 0.95),
    p99: quantileOfSorted(values, 0.99),
    p999: quantileOfSorted(values, 0.999),
    min: values.length > 0 ? (values[0] as number) : Number.NaN,
    max: values.length > 0 ? (values[values.length - 1] as number) : Number.NaN,
    mean: values.length > 0 ? sum / values.length : Number.NaN,
  };
}
