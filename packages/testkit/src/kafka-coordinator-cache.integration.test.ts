import { COORDINATOR_CACHE_TTL_MS } from '@hookstream/kafka';
import type { Consumer, Producer } from '@hookstream/kafka';
import { createTestTopic, testKafka, uniquePrefix, waitFor } from './isolation';

/**
 * `@hookstream/kafka` makes kafkajs remember coordinators for a second instead of asking
 * the broker before every coordinator request (four times per transaction). Against the
 * real broker: transactions still commit their messages and offsets, and a run of them
 * asks for each coordinator about once per second instead of once per request.
 */
describe('coordinator lookups of a transactional producer against the real broker', () => {
  const prefix = uniquePrefix('coord');
  const topic = `${prefix}out`;
  const group = `${prefix}group`;
  const kafka = testKafka('coordinator-test');
  let transactional: Producer;
  let reader: Consumer | undefined;

  beforeAll(async () => {
    await createTestTopic(topic);
    transactional = kafka.producer({ transactionalId: `${prefix}tx`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
  });

  afterAll(async () => {
    await Promise.allSettled([reader?.disconnect(), transactional?.disconnect()]);
  });

  it('commits every transaction while looking each coordinator up about once a second', async () => {
    // The group whose offsets the transactions commit is a live one, as the router's is:
    // its member reads what the transactions produce.
    const received: string[] = [];
    reader = kafka.consumer({ groupId: group, readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    let joined = false;
    reader.on(reader.events.GROUP_JOIN, () => (joined = true));
    await reader.run({ autoCommit: false, eachMessage: async ({ message }) => void received.push(String(message.value)) });
    await waitFor(() => joined, { description: 'the reader joined its group' });

    const lookups: number[] = [];
    const removeListener = transactional.on(transactional.events.REQUEST, (event) => {
      if (event.payload.apiName === 'GroupCoordinator') lookups.push(Date.now());
    });
    const startedAt = Date.now();
    const transactions = 20;
    for (let index = 0; index < transactions; index += 1) {
      const transaction = await transactional.transaction();
      await transaction.send({ topic, acks: -1, messages: [{ key: String(index), value: `value-${index}` }] });
      await transaction.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: String(index + 1) }] }] });
      await transaction.commit();
    }
    const elapsedMs = Date.now() - startedAt;
    removeListener();

    // Two coordinators (the transaction's and the group's), each asked at most once per
    // second, plus one each for a window that straddles a second. Uncached: 4 per transaction.
    const allowed = 2 * (Math.ceil(elapsedMs / COORDINATOR_CACHE_TTL_MS) + 1);
    expect(lookups.length).toBeLessThanOrEqual(allowed);
    expect(lookups.length).toBeLessThan(4 * transactions);

    await waitFor(() => received.length === transactions, { description: 'every committed message' });
    expect(received).toEqual(Array.from({ length: transactions }, (_, index) => `value-${index}`));
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    expect(committed?.partitions[0]?.offset).toBe(String(transactions));
  });
});
