/**
 * The sum of every series of `name` whose labels include `labels`, from the Prometheus
 * text exposition format (what a service's /metrics serves). 0 when none matches.
 */
export function metricSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const seriesLabels = new Map<string, string>();
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      seriesLabels.set(pair[1] as string, pair[2] as string);
    }
    if (Object.entries(labels).every(([key, value]) => seriesLabels.get(key) === value)) sum += Number(match[3]);
  }
  return sum;
}
