import type { Admin } from '@hookstream/kafka';
import { waitUntil } from './processes';

export interface LeaderMove {
  topic: string;
  partition: number;
  from: number;
  to: number;
}

async function partitionState(admin: Admin, topic: string, partition: number) {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = topics[0]?.partitions.find((candidate) => candidate.partitionId === partition);
  if (!found) throw new Error(`no partition ${topic}[${partition}]`);
  return found;
}

async function reassigning(admin: Admin, topic: string, partition: number): Promise<boolean> {
  const { topics } = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [partition] }] });
  return topics.some((entry) => entry.topic === topic && entry.partitions.some((candidate) => candidate.partitionIndex === partition));
}


/**
 * Moves a partition's leadership to another in-sync replica (`to`, or the first other one),
 * as an operator's reassignment does, while clients keep producing and consuming: the
 * leader is first taken out of the replica set (the controller elects `to`, and the old
 * leader answers NOT_LEADER_OR_FOLLOWER from then on), then added back as a follower, so
 * the replication factor is the same afterwards. Resolves once the partition is fully
 * replicated again. Uses Kafka's AlterPartitionReassignments through kafkajs' admin.
 */
export async function movePartitionLeader(
  admin: Admin,
  options: { topic: string; partition: number; to?: number; timeoutMs?: number },
): Promise<LeaderMove> {
  const { topic, partition } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const before = await partitionState(admin, topic, partition);
  const from = before.leader;
  const to = options.to ?? before.isr.find((replica) => replica !== from);
  if (to === undefined || to === from) throw new Error(`${topic}[${partition}] has no other in-sync replica to lead it (isr ${before.isr.join(',')})`);
  if (!before.isr.includes(to)) throw new Error(`node ${to} is not an in-sync replica of ${topic}[${partition}] (isr ${before.isr.join(',')})`);
  const others = before.replicas.filter((replica) => replica !== from && replica !== to);

  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition, replicas: [to, ...others] }] }] });
  await waitUntil(
    async () => (await partitionState(admin, topic, partition)).leader === to && !(await reassigning(admin, topic, partition)),
    timeoutMs,
    `node ${to} to lead ${topic}[${partition}]`,
    100,
  );
  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition, replicas: [to, ...others, from] }] }] });
  await waitUntil(
    async () => {
      if (await reassigning(admin, topic, partition)) return false;
      const state = await partitionState(admin, topic, partition);
      return state.replicas.length === before.replicas.length && state.isr.length === before.replicas.length;
    },
    timeoutMs,
    `${topic}[${partition}] to be fully replicated again`,
    100,
  );
  return { topic, partition, from, to };
}

/** The leader of each partition of a topic, by partition. */
export async function partitionLeaders(admin: Admin, topic: string): Promise<Map<number, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return new Map((topics[0]?.partitions ?? []).map(({ partitionId, leader }) => [partitionId, leader]));
}
