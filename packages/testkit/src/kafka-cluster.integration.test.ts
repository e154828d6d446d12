import { randomBytes } from 'node:crypto';
import { movePartitionLeader, partitionLeaders } from '@hookstream/local-infra';
import { startTestKafkaCluster, waitFor } from './index';

/**
 * The multi-broker cluster the fault tests run on: three KRaft nodes, replication factor 3,
 * min.insync.replicas 2. acks=all keeps working through a SIGKILL of one node, a restarted
 * node rejoins, and a partition leader can be moved while producing.
 */
describe('a local 3-node Kafka cluster', () => {
  let test: Awaited<ReturnType<typeof startTestKafkaCluster>>;

  beforeAll(async () => {
    test = await startTestKafkaCluster('cluster');
  }, 240_000);

  afterAll(async () => {
    await test?.teardown();
  });

  it('replicates to three nodes, survives the SIGKILL of one, takes it back, and moves a leader on request', async () => {
    const topic = `t-cluster-${randomBytes(4).toString('hex')}`;
    await test.createTopics([{ topic, partitions: 3 }]);
    const kafka = test.kafka('cluster-test');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      for (const partition of topics[0]?.partitions ?? []) {
        expect(partition.replicas).toHaveLength(3);
      }
      const { brokers } = await admin.describeCluster();
      expect(brokers.map(({ nodeId }) => nodeId).sort()).toEqual([1, 2, 3]);

      const leaders = await partitionLeaders(admin, topic);
      const victim = test.cluster.node(leaders.get(0) as number);
      await victim.kill();
      expect(victim.isRunning()).toBe(false);
      // The controller notices the loss (broker session timeout) and elects another leader.
      await waitFor(async () => (await partitionLeaders(admin, topic)).get(0) !== victim.nodeId, {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'a new leader for partition 0',
      });
      // acks=all with two in-sync replicas left: writes go on.
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, (_, index) => ({ key: `k${index}`, value: `v${index}` })) });
      expect((await partitionLeaders(admin, topic)).get(0)).not.toBe(victim.nodeId);

      await victim.start();
      await waitFor(
        async () => {
          const { topics: now } = await admin.fetchTopicMetadata({ topics: [topic] });
          return now[0]?.partitions.every((partition) => partition.isr.length === 3);
        },
        { timeoutMs: 90_000, intervalMs: 250, description: 'the restarted node back in every ISR' },
      );

      const before = (await partitionLeaders(admin, topic)).get(1) as number;
      const move = await movePartitionLeader(admin, { topic, partition: 1 });
      expect(move.from).toBe(before);
      expect((await partitionLeaders(admin, topic)).get(1)).toBe(move.to);
      const { topics: after } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(after[0]?.partitions.find((partition) => partition.partitionId === 1)?.replicas).toHaveLength(3);

      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((sum, { high }) => sum + Number(high), 0)).toBe(30);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
