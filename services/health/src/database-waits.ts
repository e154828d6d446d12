import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@hookstream/observability';

/** How long a batch waits between two tries of its database write. */
export interface DatabaseRetryPolicy {
  firstMs: number;
  maxMs: number;
}

/**
 * Doubling from 100 ms, at most 1 s apart: a database that comes back is written to within
 * a second, and a consumer that waits heartbeats well inside its session timeout.
 */
export const DATABASE_RETRY: DatabaseRetryPolicy = { firstMs: 100, maxMs: 1_000 };

/** The wait after `failures` failed tries. */
export function databaseRetryDelayMs(failures: number, policy: DatabaseRetryPolicy): number {
  return Math.min(policy.maxMs, policy.firstMs * 2 ** Math.max(0, failures - 1));
}

/** What a consumed batch offers while it waits: kafkajs' `EachBatchPayload` has these. */
export interface BatchLease {
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * Runs a batch's database write until it succeeds, and resolves with its result; or with
 * `undefined` once the consumer stops or the partition was taken from it (a rebalance), in
 * which case the batch is left uncommitted for its next reader.
 *
 * A database outage thus holds the batch's partition where it is, the consumer staying in
 * its group (it heartbeats between tries), instead of throwing: kafkajs would retry the
 * batch with a backoff that grows to many seconds and, past its retry budget, restart the
 * consumer (a rebalance of the whole group). Every write of the health service is
 * idempotent, so a try that failed half-way is simply made again.
 */
export async function untilWritten<T>(
  work: () => Promise<T>,
  lease: BatchLease,
  context: { logger: Logger; what: string; topic: string; partition: number; policy?: DatabaseRetryPolicy },
): Promise<T | undefined> {
  const { logger, what, topic, partition } = context;
  let failures = 0;
  for (;;) {
    try {
      const result = await work();
      if (failures > 0) logger.info({ topic, partition, failures }, `${what}: the database answers again`);
      return result;
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 20 === 0) {
        logger.warn({ err: error, topic, partition, failures }, `${what} failed; the batch waits and is written again`);
      }
    }
    await sleep(databaseRetryDelayMs(failures, context.policy ?? DATABASE_RETRY));
    if (!lease.isRunning() || lease.isStale()) return undefined;
    // Throws when the group rebalances: kafkajs then rejoins and the batch is read again.
    await lease.heartbeat();
    if (!lease.isRunning() || lease.isStale()) return undefined;
  }
}
