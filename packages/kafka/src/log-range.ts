import type { Admin } from 'kafkajs';

/** Where a time range starts and ends in each partition of a topic: [next, end). */
export interface PartitionRange {
  partition: number;
  /** The first offset whose timestamp is at or after the range's start. */
  next: string;
  /** The first offset whose timestamp is at or after the range's end (or the log's end). */
  end: string;
}

/**
 * The offsets of a time range [from, to) in every partition, from the brokers' time
 * indexes (ListOffsets by timestamp): a range later than the last message ends at the
 * log's end as it is now.
 */
export async function offsetsOfTimeRange(admin: Pick<Admin, 'fetchTopicOffsetsByTimestamp'>, topic: string, from: Date, to: Date): Promise<PartitionRange[]> {
  const [starts, ends] = await Promise.all([
    admin.fetchTopicOffsetsByTimestamp(topic, from.getTime()),
    admin.fetchTopicOffsetsByTimestamp(topic, to.getTime()),
  ]);
  const endOf = new Map(ends.map((entry) => [entry.partition, entry.offset]));
  return starts.map(({ partition, offset }) => ({ partition, next: offset, end: endOf.get(partition) ?? offset }));
}

/**
 * Whether the log still holds everything from `from` on: undefined when it does, else the
 * oldest time from which it holds everything. A partition whose beginning was deleted (retention, or records
 * deleted by an operator) may have lost messages of the range when its first remaining
 * message is also the first at or after `from`; the time of that message is then found by
 * bisection over the time index (about 40 ListOffsets requests, only in that case). A
 * partition the broker emptied entirely says nothing about when its messages were, and
 * is left out.
 */
export async function oldestRetainedTime(
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicOffsetsByTimestamp'>,
  topic: string,
  from: Date,
  now: Date,
): Promise<Date | undefined> {
  const [bounds, atFrom] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchTopicOffsetsByTimestamp(topic, from.getTime())]);
  const fromOffset = new Map(atFrom.map((entry) => [entry.partition, BigInt(entry.offset)]));
  const truncated = bounds.filter((entry) => {
    const low = BigInt(entry.low);
    return low > 0n && low < BigInt(entry.high) && fromOffset.get(entry.partition) === low;
  });
  if (truncated.length === 0) return undefined;
  const lows = new Map(truncated.map((entry) => [entry.partition, BigInt(entry.low)]));
  // The largest t at which some truncated partition still answers its first offset: the
  // time of the latest of their first messages. From then on, every partition is whole.
  let below = from.getTime();
  let above = now.getTime() + 1;
  while (above - below > 1) {
    const middle = Math.floor((below + above) / 2);
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, middle);
    const stillFirst = offsets.some((entry) => lows.has(entry.partition) && BigInt(entry.offset) === lows.get(entry.partition));
    if (stillFirst) below = middle;
    else above = middle;
  }
  // A range starting exactly at that first message is whole.
  return below > from.getTime() ? new Date(below) : undefined;
}
