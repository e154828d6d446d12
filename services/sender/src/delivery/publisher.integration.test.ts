import { randomBytes } from 'node:crypto';
import { movePartitionLeader } from '@hookstream/local-infra';
import { silentLogger, startTestKafkaCluster, waitFor } from '@hookstream/testkit';
import { createBatchingPublisher, type OutgoingMessage } from './publisher';

/**
 * kafkajs 2.2.4 can resolve a send spanning several brokers without writing a partition
 * whose leader moved during the request (tulios/kafkajs#1303). On a 3-broker cluster,
 * partition leaders are moved again and again while the publisher streams outcomes; every
 * published message must be in the topic afterwards.
 */
describe('the outcome publisher while partition leaders move', () => {
  let test: Awaited<ReturnType<typeof startTestKafkaCluster>>;

  beforeAll(async () => {
    test = await startTestKafkaCluster('publisher');
  }, 240_000);

  afterAll(async () => {
    await test?.teardown();
  });

  it('writes every published message', async () => {
    const topic = `t-outcomes-${randomBytes(4).toString('hex')}`;
    const partitions = 12;
    await test.createTopics([{ topic, partitions }]);
    const kafka = test.kafka('publisher-test');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    let incomplete = 0;
    const publisher = createBatchingPublisher(producer, silentLogger, { onIncompleteSend: () => (incomplete += 1) });

    const published: string[] = [];
    let streaming = true;
    const stream = (async () => {
      for (let round = 0; streaming; round += 1) {
        const messages: OutgoingMessage[] = Array.from({ length: 60 }, (_, index) => ({
          topic,
          key: `r${round}-m${index}`,
          value: Buffer.from(JSON.stringify({ round, index })),
        }));
        await publisher.publish(messages);
        published.push(...messages.map((message) => message.key));
      }
    })();

    const moves: string[] = [];
    try {
      for (let move = 0; move < 18; move += 1) {
        const partition = move % partitions;
        const done = await movePartitionLeader(admin, { topic, partition, timeoutMs: 90_000 });
        moves.push(`${partition}:${done.from}->${done.to}`);
      }
    } finally {
      streaming = false;
      await stream;
    }
    expect(moves).toHaveLength(18);

    const received = new Set<string>();
    const consumer = kafka.consumer({ groupId: `check-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.add(message.key?.toString() ?? '') });
    try {
      // Until everything is read back, or a minute (then the assertion names what is missing).
      await waitFor(() => received.size >= published.length, { timeoutMs: 60_000, intervalMs: 250, description: 'every published message read back' }).catch(
        () => undefined,
      );
      const missing = published.filter((key) => !received.has(key));
      expect({ published: published.length, missing: missing.slice(0, 20), missingCount: missing.length }).toEqual({
        published: published.length,
        missing: [],
        missingCount: 0,
      });
      // Figures for the report: how often kafkajs left a partition out.
      console.info(`publisher under leader moves: ${published.length} messages, ${incomplete} incomplete sends, moves ${moves.join(' ')}`);
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
      await producer.disconnect();
    }
  }, 300_000);
});
