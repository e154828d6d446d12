import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from '@hookstream/kafka';

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS of a process (and its direct children, for PostgreSQL's backends), in bytes. */
export function rssBytes(pid: number, withChildren = false): number {
  const own = (target: number) => Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(read(`/proc/${target}/status`) ?? '')?.[1] ?? 0) * 1_024;
  let total = own(pid);
  if (withChildren) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = read(`/proc/${entry}/stat`);
      if (!stat) continue;
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) total += own(Number(entry));
    }
  }
  return total;
}

/** Samples the RSS of whatever `targets()` names every `intervalMs`; keeps the peak per name. */
export function watchRss(targets: () => Array<{ name: string; pid: number | undefined; withChildren?: boolean }>, intervalMs = 2_000) {
  const peak = new Map<string, number>();
  const sample = () => {
    for (const target of targets()) {
      if (target.pid === undefined) continue;
      const bytes = rssBytes(target.pid, target.withChildren);
      if (bytes > 0) peak.set(target.name, Math.max(peak.get(target.name) ?? 0, bytes));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    peak,
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}

export interface LagGroup {
  name: string;
  groupId: string;
  topics: string[];
}

/**
 * Offsets the group has not committed yet, per topic and partition (its committed
 * offset to the end of the partition). On a topic written in transactions this counts
 * commit and abort markers and aborted records too, which no consumer ever sees; see
 * unconsumedRecords for what is really left.
 */
export async function offsetLag(admin: Admin, group: LagGroup) {
  const result: Array<{ topic: string; partition: number; from: number; to: number }> = [];
  const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
  for (const topic of group.topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byPartition = new Map((committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]));
    for (const end of ends) {
      const position = byPartition.get(end.partition) ?? -1;
      const from = position >= 0 ? position : Number(end.low);
      if (Number(end.high) > from) result.push({ topic, partition: end.partition, from, to: Number(end.high) });
    }
  }
  return result;
}

export async function groupLag(admin: Admin, group: LagGroup): Promise<number> {
  return (await offsetLag(admin, group)).reduce((sum, entry) => sum + entry.to - entry.from, 0);
}

/**
 * The records a consumer of the group would still get: a read-committed consumer of its
 * own reads each lagging partition from the group's committed offset for `windowMs` and
 * counts what it is given (markers and aborted records are not given).
 */
export async function unconsumedRecords(kafka: Kafka, admin: Admin, group: LagGroup, windowMs = 8_000): Promise<number> {
  const lagging = await offsetLag(admin, group);
  if (lagging.length === 0) return 0;
  const consumer = kafka.consumer({ groupId: `${group.groupId}-lag-probe-${randomBytes(3).toString('hex')}`, maxWaitTimeInMs: 200 });
  let count = 0;
  try {
    await consumer.connect();
    const topics = [...new Set(lagging.map((entry) => entry.topic))];
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
    const startOf = new Map(lagging.map((entry) => [`${entry.topic}|${entry.partition}`, entry]));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const entry = startOf.get(`${topic}|${partition}`);
        if (entry && Number(message.offset) >= entry.from && Number(message.offset) < entry.to) count += 1;
      },
    });
    for (const entry of lagging) consumer.seek({ topic: entry.topic, partition: entry.partition, offset: String(entry.from) });
    await new Promise((resolve) => setTimeout(resolve, windowMs));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return count;
}

/** Polls each group's lag every `intervalMs` and keeps the series. */
export function watchLag(admin: Admin, groups: readonly LagGroup[], intervalMs = 2_000) {
  const series = new Map<string, Array<{ atMs: number; lag: number }>>(groups.map((group) => [group.name, []]));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(async () => {
      for (const group of groups) {
        try {
          series.get(group.name)?.push({ atMs: Date.now(), lag: await groupLag(admin, group) });
        } catch {
          // a missed sample (a broker is down) is a gap in the series
        }
      }
      if (!stopped) loop();
    }, intervalMs);
  };
  loop();
  return {
    series,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Probes an HTTP URL every `intervalMs`; keeps each failure's instant, to measure outages. */
export function watchAvailability(url: string, headers: Record<string, string>, intervalMs = 500) {
  const samples: Array<{ atMs: number; ok: boolean }> = [];
  const timer = setInterval(() => {
    const atMs = Date.now();
    fetch(url, { headers, signal: AbortSignal.timeout(2_000) })
      .then((response) => samples.push({ atMs, ok: response.ok }))
      .catch(() => samples.push({ atMs, ok: false }));
  }, intervalMs);
  return {
    samples,
    /** From `fromMs`, how long until the first successful probe after a failed one (0 if none failed). */
    outageAfter(fromMs: number, toMs: number): number {
      const window = samples.filter((sample) => sample.atMs >= fromMs && sample.atMs < toMs).sort((a, b) => a.atMs - b.atMs);
      const firstFailure = window.findIndex((sample) => !sample.ok);
      if (firstFailure < 0) return 0;
      const back = window.slice(firstFailure).find((sample) => sample.ok);
      return (back?.atMs ?? toMs) - fromMs;
    },
    stop: () => clearInterval(timer),
  };
}
