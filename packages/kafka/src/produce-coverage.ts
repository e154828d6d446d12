/**
 * kafkajs 2.2.4 can resolve a `send`/`sendBatch` that spans several brokers without having
 * written some of its partitions (tulios/kafkajs#1303): when one broker answers and
 * another fails with NOT_LEADER_FOR_PARTITION, the retry groups the partitions by their
 * new leaders but skips every broker that has already answered, so a partition that moved
 * to such a broker is never sent, and the call resolves with that partition missing from
 * its RecordMetadata[]. No error, no log line: the records are simply not written.
 *
 * The check: every producer made by `createKafka` puts each message object in a partition
 * and remembers it (the choice sticks across kafkajs' own retries, so that a message
 * without a key is not moved to a partition that has already answered); after a send,
 * every partition a message went to must appear in the response. The messages of a
 * partition that does not are returned, to be sent again (or the transaction aborted).
 */
import { Partitioners, type ICustomPartitioner, type Message, type RecordMetadata } from 'kafkajs';

const assigned = new WeakMap<object, { topic: string; partition: number }>();

/** Wraps a partitioner so that each message object keeps the partition it was first put in. */
export function trackingPartitioner(base: ICustomPartitioner = Partitioners.DefaultPartitioner): ICustomPartitioner {
  return () => {
    const choose = base();
    return (args) => {
      const previous = assigned.get(args.message);
      if (previous && previous.topic === args.topic && args.partitionMetadata.some(({ partitionId }) => partitionId === previous.partition)) {
        return previous.partition;
      }
      const partition = choose(args);
      assigned.set(args.message, { topic: args.topic, partition });
      return partition;
    };
  };
}

/** The partition a tracking partitioner put the message object in, if it did. */
export function assignedPartition(message: object, topic: string): number | undefined {
  const entry = assigned.get(message);
  return entry && entry.topic === topic ? entry.partition : undefined;
}

export interface UnwrittenPartition {
  topic: string;
  partition: number | undefined;
  messages: number;
}

export interface SendCoverage<M extends Message> {
  /** The messages whose partition is missing from the response (or that were never placed). */
  unwritten: Array<{ topic: string; messages: M[] }>;
  /** The partitions missing from the response, with their message counts. */
  missing: UnwrittenPartition[];
}

/**
 * Compares a send's topic messages with its response. `partitionOf` tells which partition
 * a message went to (`assignedPartition` for producers made by `createKafka`).
 */
export function sendCoverage<M extends Message>(
  topicMessages: ReadonlyArray<{ topic: string; messages: readonly M[] }>,
  response: readonly RecordMetadata[],
  partitionOf: (message: M, topic: string) => number | undefined = assignedPartition,
): SendCoverage<M> {
  const written = new Set(response.map(({ topicName, partition }) => `${topicName}\u0000${partition}`));
  const unwritten: Array<{ topic: string; messages: M[] }> = [];
  const missing = new Map<string, UnwrittenPartition>();
  for (const { topic, messages } of topicMessages) {
    const left: M[] = [];
    for (const message of messages) {
      const partition = partitionOf(message, topic);
      const key = `${topic}\u0000${partition ?? '?'}`;
      if (partition !== undefined && written.has(key)) continue;
      left.push(message);
      const entry = missing.get(key) ?? { topic, partition, messages: 0 };
      entry.messages += 1;
      missing.set(key, entry);
    }
    if (left.length > 0) unwritten.push({ topic, messages: left });
  }
  return { unwritten, missing: [...missing.values()] };
}

/** A send that resolved without writing every partition it was given. */
export class IncompleteSendError extends Error {
  constructor(readonly missing: readonly UnwrittenPartition[]) {
    super(
      `the produce request resolved without writing ${missing
        .map(({ topic, partition, messages }) => `${topic}[${partition ?? '?'}] (${messages} messages)`)
        .join(', ')}`,
    );
    this.name = 'IncompleteSendError';
  }
}
