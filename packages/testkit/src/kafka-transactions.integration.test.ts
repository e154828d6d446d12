import { ensureTopics } from '@hookstream/kafka';
import { createTestTopics, testKafka, uniquePrefix, waitFor } from './isolation';
import type { Consumer, Producer } from '@hookstream/kafka';

/**
 * The exactly-once building block the router relies on: consume, produce, sendOffsets
 * and commit in one Kafka transaction. An aborted transaction's output must stay
 * invisible to read_committed consumers, and its input must be processed again.
 */
describe('kafkajs transactional read-process-write against the real broker', () => {
  const prefix = uniquePrefix('tx');
  const input = `${prefix}input`;
  const output = `${prefix}output`;
  const group = `${prefix}processor`;
  const kafka = testKafka('tx-test');
  let producer: Producer;
  let transactional: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    await createTestTopics(prefix);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [input, output].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1, configEntries: [] })));
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    transactional = kafka.producer({ transactionalId: `${prefix}tx`, idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([producer.connect(), transactional.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    await Promise.allSettled([producer?.disconnect(), transactional?.disconnect()]);
  });

  it('commits output and offsets together, and hides an aborted transaction', async () => {
    const values = Array.from({ length: 10 }, (_, index) => `message-${index}`);
    await producer.send({ topic: input, acks: -1, messages: values.map((value) => ({ key: value, value })) });

    let abortedOnce = false;
    const processed: string[] = [];
    const processor = kafka.consumer({ groupId: group, readUncommitted: false });
    consumers.push(processor);
    await processor.connect();
    await processor.subscribe({ topic: input, fromBeginning: true });
    await processor.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const value = String(message.value);
        const transaction = await transactional.transaction();
        await transaction.send({ topic: output, messages: [{ key: message.key, value: `processed:${value}` }] });
        if (value === 'message-5' && !abortedOnce) {
          abortedOnce = true;
          await transaction.send({ topic: output, messages: [{ key: 'poison', value: 'must-never-be-seen' }] });
          await transaction.abort();
          // Throwing makes kafkajs deliver the same message again, as after a crash.
          throw new Error('simulated failure inside the transaction');
        }
        await transaction.sendOffsets({
          consumerGroupId: group,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
        });
        await transaction.commit();
        processed.push(value);
      },
    });
    await waitFor(() => processed.length === values.length, { description: 'every input processed', timeoutMs: 60_000 });

    const seen: string[] = [];
    const reader = kafka.consumer({ groupId: `${prefix}reader`, readUncommitted: false });
    consumers.push(reader);
    await reader.connect();
    await reader.subscribe({ topic: output, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await waitFor(() => seen.length >= values.length, { description: 'committed output', timeoutMs: 30_000 });

    expect(abortedOnce).toBe(true);
    expect([...seen].sort()).toEqual(values.map((value) => `processed:${value}`).sort());
    expect(seen).not.toContain('must-never-be-seen');

    // The aborted records were written to the log (so hiding them is the broker's doing).
    const admin = kafka.admin();
    await admin.connect();
    const endOffsets = await admin.fetchTopicOffsets(output);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [input] });
    const inputEnds = await admin.fetchTopicOffsets(input);
    await admin.disconnect();
    const totalLogEntries = endOffsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    expect(totalLogEntries).toBeGreaterThan(values.length);
    // The group's committed offsets reached the end of the input: nothing left to redo.
    const committedByPartition = new Map(committed[0]?.partitions.map((partition) => [partition.partition, partition.offset]));
    for (const partition of inputEnds) {
      expect(committedByPartition.get(partition.partition)).toBe(partition.high);
    }
  });
});
