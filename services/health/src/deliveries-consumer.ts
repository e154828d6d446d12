import type { Knex } from '@hookstream/db';
import type { Consumer, EachBatchPayload } from '@hookstream/kafka';
import { decodeMessage, deliveryMessageSchema, type DeliveryMessage } from '@hookstream/messages';
import type { Logger } from '@hookstream/observability';
import { pendingRowsOf, writePendingCalls } from './call-logs/pending-calls';
import { commitBatchOffsets } from './batch-commit';
import { untilWritten } from './database-waits';
import type { HealthMetrics } from './metrics';

export interface DeliveriesConsumerDependencies {
  knex: Knex;
  consumer: Pick<Consumer, 'commitOffsets'>;
  /** Deliveries produced longer ago than the call log's retention are not logged. */
  retentionMs: number;
  metrics: HealthMetrics;
  logger: Logger;
  now?: () => Date;
}

/**
 * Logs every first call of one consumed batch of webhook-deliveries (one partition) as
 * `pending`, in one statement, then commits the batch's offsets. The router's hot path
 * does no database write for it: the health service reads the topic in its own consumer
 * group. A database error is retried within the batch until the write succeeds (it is
 * idempotent), the consumer staying in its group (`database-waits.ts`).
 */
export async function writePendingBatch(dependencies: DeliveriesConsumerDependencies, payload: EachBatchPayload): Promise<number | undefined> {
  const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
  if (batch.messages.length === 0 || !isRunning() || isStale()) return undefined;
  const { metrics, logger } = dependencies;

  const deliveries: DeliveryMessage[] = [];
  let undecodable = 0;
  for (const message of batch.messages) {
    const decoded = decodeMessage(deliveryMessageSchema, message.value);
    if (decoded.ok) {
      deliveries.push(decoded.value);
    } else {
      undecodable += 1;
      logger.debug({ topic: batch.topic, partition: batch.partition, offset: message.offset, error: decoded.error.slice(0, 300) }, 'undecodable delivery skipped by the pending-call log');
    }
  }
  const notBefore = new Date((dependencies.now?.() ?? new Date()).getTime() - dependencies.retentionMs);
  const rows = pendingRowsOf(deliveries, notBefore);
  // A database outage holds the partition here, in the group, until the write succeeds.
  const written = await untilWritten(() => writePendingCalls(dependencies.knex, rows), payload, {
    logger,
    what: 'writing pending calls',
    topic: batch.topic,
    partition: batch.partition,
  });
  if (written === undefined) return undefined;

  const lastOffset = batch.lastOffset();
  await commitBatchOffsets(dependencies.consumer, [{ topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
  resolveOffset(lastOffset);
  await heartbeat();
  metrics.pendingCallsWritten.inc(written);
  if (undecodable > 0) metrics.deliveriesUndecodable.inc(undecodable);
  return written;
}
