import { Partitioners, type Message, type PartitionMetadata, type RecordMetadata } from 'kafkajs';
import { assignedPartition, IncompleteSendError, sendCoverage, trackingPartitioner } from './produce-coverage';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: partitionId % 3, replicas: [0, 1, 2], isr: [0, 1, 2] }));

const written = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset: '0' });

describe('trackingPartitioner', () => {
  it("puts keyed messages where kafkajs' default partitioner does", () => {
    const tracked = trackingPartitioner()();
    const plain = Partitioners.DefaultPartitioner();
    for (let index = 0; index < 50; index += 1) {
      const message = { key: `event-${index}`, value: 'x' };
      expect(tracked({ topic: 't', partitionMetadata: metadata(6), message })).toBe(
        plain({ topic: 't', partitionMetadata: metadata(6), message: { ...message } }),
      );
      expect(assignedPartition(message, 't')).toBeDefined();
    }
  });

  it('keeps a message without a key in its first partition when kafkajs asks again (its retry)', () => {
    const choose = trackingPartitioner()();
    const messages: Message[] = Array.from({ length: 10 }, () => ({ key: null, value: 'x' }));
    const first = messages.map((message) => choose({ topic: 't', partitionMetadata: metadata(6), message }));
    const again = messages.map((message) => choose({ topic: 't', partitionMetadata: metadata(6), message }));
    expect(again).toEqual(first);
    // The default partitioner spreads keyless messages: without the memory the retry would move them.
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});

describe('sendCoverage', () => {
  const partitions = new Map<Message, number>();
  const message = (partition: number, label: string): Message => {
    const created = { key: label, value: label };
    partitions.set(created, partition);
    return created;
  };
  const partitionOf = (candidate: Message) => partitions.get(candidate);

  it('finds nothing unwritten when every partition is in the response', () => {
    const topicMessages = [
      { topic: 'deliveries', messages: [message(0, 'a'), message(1, 'b'), message(1, 'c')] },
      { topic: 'dlq', messages: [message(2, 'd')] },
    ];
    const coverage = sendCoverage(topicMessages, [written('deliveries', 0), written('deliveries', 1), written('dlq', 2)], partitionOf);
    expect(coverage).toEqual({ unwritten: [], missing: [] });
  });

  it('returns the messages of a partition missing from the response (a leader moved to a broker that had answered)', () => {
    const a = message(0, 'a');
    const b = message(2, 'b');
    const c = message(2, 'c');
    const d = message(2, 'd');
    const coverage = sendCoverage(
      [
        { topic: 'deliveries', messages: [a, b, c] },
        { topic: 'dlq', messages: [d] },
      ],
      // Partition 2 of "deliveries" is absent; partition 2 of "dlq" is a different partition.
      [written('deliveries', 0), written('dlq', 2)],
      partitionOf,
    );
    expect(coverage.unwritten).toEqual([{ topic: 'deliveries', messages: [b, c] }]);
    expect(coverage.missing).toEqual([{ topic: 'deliveries', partition: 2, messages: 2 }]);
    expect(new IncompleteSendError(coverage.missing).message).toContain('deliveries[2] (2 messages)');
  });

  it('counts a message never placed in a partition as unwritten', () => {
    const stray = { key: 'x', value: 'x' };
    expect(sendCoverage([{ topic: 't', messages: [stray] }], [written('t', 0)]).unwritten).toEqual([{ topic: 't', messages: [stray] }]);
  });
});
