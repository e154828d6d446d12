import { createKafka, ensureTopics } from '@hookstream/kafka';
import { startDedicatedKafka, silentLogger, waitFor } from './isolation';
import { rmSync } from 'node:fs';

/**
 * An idempotent acks=all producer keeps working while its broker restarts in the middle of
 * a send loop, and the broker holds every message exactly once afterwards (no loss from
 * the outage, no duplicates from the producer's retries).
 */
describe('idempotent producer across a broker restart', () => {
  let dedicated: Awaited<ReturnType<typeof startDedicatedKafka>>;
  let currentBroker: Awaited<ReturnType<typeof startDedicatedKafka>>['broker'];

  beforeAll(async () => {
    dedicated = await startDedicatedKafka('idempotent');
    currentBroker = dedicated.broker;
  });

  afterAll(async () => {
    await currentBroker?.stop();
    rmSync(dedicated.dataDir, { recursive: true, force: true });
  });

  it('delivers every message exactly once', async () => {
    // Enough reconnection budget to ride out a broker restart, even on a loaded machine.
    const kafka = createKafka({
      brokers: currentBroker.brokers,
      clientId: 'idempotence-test',
      logger: silentLogger,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 60 },
    });
    const topic = 'restart-loop';
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1, configEntries: [] }]);
    await admin.disconnect();

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Enough retries to ride out a broker restart of a few seconds.
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 60 },
    });
    await producer.connect();

    const total = 600;
    let restart: Promise<void> | undefined;
    for (let index = 0; index < total; index += 10) {
      if (index === 200) {
        restart = currentBroker.restart().then((broker) => {
          currentBroker = broker;
        });
      }
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, (_, offset) => ({ key: `k${(index + offset) % 7}`, value: String(index + offset) })),
      });
    }
    await restart;
    await producer.disconnect();

    const received = new Map<number, number>();
    const consumer = kafka.consumer({ groupId: 'restart-verifier' });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = Number(String(message.value));
        received.set(value, (received.get(value) ?? 0) + 1);
      },
    });
    await waitFor(() => received.size === total, { description: 'every message consumed', timeoutMs: 60_000 });
    await consumer.disconnect();

    const duplicates = [...received.entries()].filter(([, count]) => count !== 1);
    expect(duplicates).toEqual([]);
    expect(received.size).toBe(total);
    expect(restart).toBeDefined();
  });
});
