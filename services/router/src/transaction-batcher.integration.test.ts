import { randomBytes } from 'node:crypto';
import { movePartitionLeader } from '@hookstream/local-infra';
import { silentLogger, startTestKafkaCluster, waitFor } from '@hookstream/testkit';
import { createTransactionBatcher, type Contribution } from './transaction-batcher';
import { connectRenewableProducer } from './transactional-producer';

/**
 * kafkajs 2.2.4 can resolve a send spanning several brokers without writing a partition
 * whose leader moved during the request (tulios/kafkajs#1303), and takes back the sequence
 * numbers of partitions the broker did write when a request fails; inside the router's
 * transaction either can commit a batch's offset without its calls (the second when the
 * batch, sent again by the same producer, is taken for a duplicate of aborted records).
 * On a 3-broker cluster, partition leaders move again and again while batches stream
 * through the real batcher and a real transactional producer, replaced as the router
 * replaces it; a rejected batch is submitted again, as kafkajs re-delivers it. Every
 * message must be in the topic, committed.
 */
describe('the router transaction batcher while partition leaders move', () => {
  let test: Awaited<ReturnType<typeof startTestKafkaCluster>>;

  beforeAll(async () => {
    test = await startTestKafkaCluster('router-batcher');
  }, 240_000);

  afterAll(async () => {
    await test?.teardown();
  });

  it('commits every message of every batch', async () => {
    const suffix = randomBytes(4).toString('hex');
    const input = `t-in-${suffix}`;
    const output = `t-out-${suffix}`;
    const partitions = 12;
    await test.createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions },
    ]);
    const kafka = test.kafka('router-batcher-test');
    const producer = await connectRenewableProducer(kafka, {
      transactionalId: `router-test-${suffix}`,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: 20 },
    });
    let renewals = 0;
    const admin = kafka.admin();
    await admin.connect();
    let incomplete = 0;
    const batcher = createTransactionBatcher({
      producer,
      consumerGroup: `router-test-${suffix}`,
      maxBytesPerSend: 512 * 1024,
      afterCommit: async () => undefined,
      onIncompleteSend: () => (incomplete += 1),
      renewProducer: async () => {
        await producer.renew();
        renewals += 1;
      },
      logger: silentLogger,
    });

    const committed: string[] = [];
    let rejected = 0;
    let streaming = true;
    const stream = (async () => {
      for (let round = 0; streaming; round += 1) {
        const keys = Array.from({ length: 60 }, (_, index) => `r${round}-m${index}`);
        const contribution: Contribution = {
          topicMessages: [{ topic: output, messages: keys.map((key) => ({ key, value: Buffer.from(key), headers: {} })) }],
          offset: { topic: input, partition: 0, offset: String(round + 1) },
          routedIds: [],
        };
        for (let attempt = 1; ; attempt += 1) {
          try {
            // A fresh copy each time, as a re-delivered batch is routed anew.
            await batcher.enter().submit({ ...contribution, topicMessages: contribution.topicMessages.map(({ topic, messages }) => ({ topic, messages: messages.map((message) => ({ ...message })) })) });
            break;
          } catch (error) {
            rejected += 1;
            // A batch that can never commit again is a failure of its own: say why.
            if (attempt >= 100) throw new Error(`round ${round} failed ${attempt} times; last: ${String(error)}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        committed.push(...keys);
      }
    })();

    try {
      for (let move = 0; move < 18; move += 1) {
        await movePartitionLeader(admin, { topic: output, partition: move % partitions, timeoutMs: 90_000 });
      }
    } finally {
      streaming = false;
      await stream;
    }

    const received = new Set<string>();
    const consumer = kafka.consumer({ groupId: `check-${suffix}`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.add(message.key?.toString() ?? '') });
    try {
      // Until everything is read back, or a minute (then the assertion names what is missing).
      await waitFor(() => received.size >= committed.length, { timeoutMs: 60_000, intervalMs: 250, description: 'every committed message read back' }).catch(
        () => undefined,
      );
      const missing = committed.filter((key) => !received.has(key));
      expect({ committed: committed.length, missing: missing.slice(0, 20), missingCount: missing.length }).toEqual({
        committed: committed.length,
        missing: [],
        missingCount: 0,
      });
      // Figures for the report: how often kafkajs left a partition out, and the retries.
      console.info(`router batcher under leader moves: ${committed.length} messages, ${incomplete} incomplete sends, ${rejected} batches retried, ${renewals} producers replaced`);
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
      await producer.disconnect();
    }
  }, 300_000);
});
