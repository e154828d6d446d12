import type { Consumer } from '@hookstream/kafka';

/** Broker answers to a commit that mean the group moved on without this member's batch. */
const GROUP_MOVED_ON = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP']);

/** The broker's own error in a kafkajs error's chain of causes, if it says the group moved on. */
export function groupMovedOn(error: unknown): Error | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && GROUP_MOVED_ON.has(type)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Commits a batch's offsets. `consumer.commitOffsets` wraps a refusal in an error kafkajs
 * does not retry: a member that the group evicted (its session expired while a broker was
 * lost, say) and that commits would stop its consumer for good. The broker's own error is
 * thrown instead, which kafkajs answers by rejoining the group; the batch, whose writes are
 * idempotent, is read again by the partition's owner.
 */
export async function commitBatchOffsets(
  consumer: Pick<Consumer, 'commitOffsets'>,
  offsets: Parameters<Consumer['commitOffsets']>[0],
): Promise<void> {
  try {
    await consumer.commitOffsets(offsets);
  } catch (error) {
    throw groupMovedOn(error) ?? error;
  }
}
