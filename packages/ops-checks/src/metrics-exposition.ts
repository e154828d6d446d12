/** A metric family announced by a `# TYPE` line of the Prometheus text format. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * The metric families of a `/metrics` page, by name. A family counts as exposed from its
 * `# TYPE` line on, even before its first sample: a labelled counter that has not been
 * incremented yet is declared but has no series.
 */
export function parseMetricFamilies(exposition: string): Map<string, MetricType> {
  const families = new Map<string, MetricType>();
  for (const line of exposition.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line.trim());
    if (match) families.set(match[1] as string, match[2] as MetricType);
  }
  return families;
}

const HISTOGRAM_SERIES = /^(.+)_(bucket|sum|count)$/;

/**
 * Whether a metric name used in a query is served: the family itself, or one of the
 * `_bucket`/`_sum`/`_count` series of a histogram (`_sum`/`_count` of a summary).
 */
export function isExposed(metricName: string, families: ReadonlyMap<string, MetricType>): boolean {
  if (families.has(metricName)) return true;
  const match = HISTOGRAM_SERIES.exec(metricName);
  if (!match) return false;
  const type = families.get(match[1] as string);
  return type === 'histogram' || (type === 'summary' && match[2] !== 'bucket');
}
