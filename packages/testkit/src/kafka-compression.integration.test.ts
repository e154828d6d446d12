import { CompressionTypes, compressionType } from '@hookstream/kafka';
import type { Consumer, Producer } from '@hookstream/kafka';
import { createTestTopic, testKafka, uniquePrefix, waitFor } from './isolation';

/**
 * Zstandard is not built into kafkajs: `@hookstream/kafka` registers a codec on Node's
 * zlib. The broker must accept the batches (it decompresses them to validate), and a
 * read_committed consumer must get back the exact bytes, keys and headers, in order,
 * from plain and transactional producers alike.
 */
describe('zstd-compressed record batches against the real broker', () => {
  const prefix = uniquePrefix('zstd');
  const topic = `${prefix}compressed`;
  const kafka = testKafka('zstd-test');
  let producer: Producer;
  let transactional: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    await createTestTopic(topic);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    transactional = kafka.producer({ transactionalId: `${prefix}tx`, idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([producer.connect(), transactional.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled([consumer?.disconnect(), producer?.disconnect(), transactional?.disconnect()]);
  });

  it('round-trips values, keys and headers from plain and transactional producers', async () => {
    expect(compressionType('zstd')).toBe(CompressionTypes.ZSTD);
    const json = (index: number) => JSON.stringify({ index, body: 'a webhook body that repeats itself '.repeat(40), unicode: 'é✓🚀' });
    const plain = Array.from({ length: 300 }, (_, index) => ({ key: `key-${index}`, value: json(index), headers: { traceparent: `tp-${index}` } }));
    const [sent] = await producer.send({ topic, acks: -1, compression: CompressionTypes.ZSTD, messages: plain });
    const transaction = await transactional.transaction();
    await transaction.send({ topic, acks: -1, compression: CompressionTypes.ZSTD, messages: [{ key: 'tx', value: json(300) }] });
    await transaction.commit();

    const received: Array<{ key: string; value: string; traceparent: string | undefined }> = [];
    consumer = kafka.consumer({ groupId: `${prefix}reader`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: String(message.key), value: String(message.value), traceparent: message.headers?.traceparent?.toString() });
      },
    });
    await waitFor(() => received.length === 301, { description: '301 messages read back' });
    expect(received.slice(0, 300)).toEqual(plain.map((message) => ({ key: message.key, value: message.value, traceparent: message.headers.traceparent })));
    expect(received[300]).toEqual({ key: 'tx', value: json(300), traceparent: undefined });

    expect(sent?.errorCode).toBe(0);
  });
});
