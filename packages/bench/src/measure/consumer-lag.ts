import type { Admin } from '@hookstream/kafka';

/**
 * Messages of a topic a consumer group has not committed yet, summed over partitions; a
 * partition the group never committed counts from its low watermark. Transaction markers
 * occupy offsets too, so a group that is fully caught up on a transactionally written
 * topic still shows about one message per partition.
 */
export function lagOf(
  ends: ReadonlyArray<{ partition: number; high: string; low: string }>,
  committed: ReadonlyArray<{ partition: number; offset: string }>,
): number {
  const committedByPartition = new Map(committed.map((entry) => [entry.partition, Number(entry.offset)]));
  let lag = 0;
  for (const end of ends) {
    const position = committedByPartition.get(end.partition) ?? -1;
    lag += Math.max(0, Number(end.high) - (position >= 0 ? position : Number(end.low)));
  }
  return lag;
}

export interface WatchedGroup {
  /** Label in the report, e.g. `router on domain-events`. */
  name: string;
  groupId: string;
  topic: string;
}

export interface LagSample {
  atMs: number;
  lag: number;
}

/**
 * Polls the lag of a few consumer groups with the admin client (fetchOffsets against
 * fetchTopicOffsets), as an operator's lag exporter would, and keeps every sample.
 */
export function startLagWatch(admin: Admin, groups: readonly WatchedGroup[], intervalMs = 500) {
  const samples = new Map<string, LagSample[]>(groups.map((group) => [group.name, []]));
  const latest = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const measure = async () => {
    for (const group of groups) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(group.topic),
        admin.fetchOffsets({ groupId: group.groupId, topics: [group.topic] }),
      ]);
      const lag = lagOf(ends, committed.find((entry) => entry.topic === group.topic)?.partitions ?? []);
      latest.set(group.name, lag);
      samples.get(group.name)?.push({ atMs: Date.now(), lag });
    }
  };
  const loop = () => {
    timer = setTimeout(() => {
      measure()
        .catch(() => undefined) // a missed sample is only a gap in the series
        .finally(() => {
          if (!stopped) loop();
        });
    }, intervalMs);
  };
  loop();

  return {
    /** The last measured lag of a group (0 before the first sample). */
    current: (name: string) => latest.get(name) ?? 0,
    /** Largest and last lag of each group between two instants. */
    summary(fromMs: number, toMs: number): Record<string, { max: number; last: number; samples: number }> {
      const result: Record<string, { max: number; last: number; samples: number }> = {};
      for (const [name, series] of samples) {
        const inWindow = series.filter((sample) => sample.atMs >= fromMs && sample.atMs <= toMs);
        result[name] = {
          max: inWindow.reduce((max, sample) => Math.max(max, sample.lag), 0),
          last: inWindow[inWindow.length - 1]?.lag ?? Number.NaN,
          samples: inWindow.length,
        };
      }
      return result;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type LagWatch = ReturnType<typeof startLagWatch>;
