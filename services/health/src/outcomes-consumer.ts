import { enqueueLifecycleMessages, type Knex } from '@hookstream/db';
import type { Consumer, EachBatchPayload } from '@hookstream/kafka';
import type { LifecycleMessage, OutcomeMessage } from '@hookstream/messages';
import type { Logger } from '@hookstream/observability';
import { foldOutcomes } from './call-logs/call-log-batch';
import type { CallLogDal } from './call-logs/call-log-dal';
import { decodeOutcome, type UndecodableReason } from './call-logs/outcome-decoding';
import { commitBatchOffsets } from './batch-commit';
import { untilWritten } from './database-waits';
import type { HealthMetrics } from './metrics';
import type { FailureWindowDal } from './offline-rule/failure-window-dal';
import { FAILURE_THRESHOLD_REASON, offlineLifecycleMessage, shouldGoOffline, shouldPauseRetries } from './offline-rule/offline-decision';

export interface OutcomesConsumerDependencies {
  knex: Knex;
  consumer: Pick<Consumer, 'commitOffsets'>;
  callLogs: CallLogDal;
  failureWindow: FailureWindowDal;
  offlineRule: { threshold: number; windowMs: number };
  /** Called after a batch set webhooks offline, to publish the outbox. */
  onLifecycleMessages: () => void;
  metrics: HealthMetrics;
  logger: Logger;
  now?: () => Date;
}

/** What one batch did, for logs and tests. */
export interface BatchResult {
  callsWritten: number;
  attemptsWritten: number;
  newFailures: number;
  webhooksSetOffline: Array<{ id: string; failureCount: number }>;
  /** Promoted webhooks over the threshold whose automatic retries this batch paused. */
  webhooksRetriesPaused: Array<{ id: string; failureCount: number }>;
}

/**
 * Writes one consumed batch of webhook-outcomes (one partition) in one database
 * transaction: the call logs and their attempts, the failed attempts, and any webhook the
 * offline rule takes offline with its lifecycle message. The batch's offsets are
 * committed only after that transaction: a crash before replays the batch, and every
 * write is idempotent, so nothing is lost and nothing is counted twice.
 */
export async function writeOutcomeBatch(dependencies: OutcomesConsumerDependencies, payload: EachBatchPayload): Promise<BatchResult | undefined> {
  const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
  if (batch.messages.length === 0 || !isRunning() || isStale()) return undefined;
  const { metrics, logger } = dependencies;
  const stopTimer = metrics.batchDuration.startTimer();

  const outcomes: OutcomeMessage[] = [];
  const storable = new Set<OutcomeMessage>();
  const consumed = { succeeded: 0, failed: 0, not_sent: 0, undecodable: 0 };
  const undecodable: UndecodableReason[] = [];
  for (const message of batch.messages) {
    const decoded = decodeOutcome(message.value);
    if (!decoded.ok) {
      consumed.undecodable += 1;
      undecodable.push(decoded.reason);
      logger.warn(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: decoded.reason, detail: decoded.detail.slice(0, 500) },
        'undecodable outcome skipped',
      );
      continue;
    }
    consumed[decoded.outcome.result] += 1;
    outcomes.push(decoded.outcome);
    if (decoded.storable) storable.add(decoded.outcome);
  }

  const rows = foldOutcomes(outcomes, { storable });
  // The calls and attempts are one statement, atomic on its own: a batch without failures
  // needs no transaction around it (and saves its two round trips). Failures are counted
  // by the offline rule under row locks, in the transaction that writes them with the log.
  const write = async (): Promise<BatchResult> =>
    rows.failures.length === 0
      ? { ...(await dependencies.callLogs.writeCalls(dependencies.knex, rows)), newFailures: 0, webhooksSetOffline: [], webhooksRetriesPaused: [] }
      : await dependencies.knex.transaction(async (transaction) => {
          const written = await dependencies.callLogs.writeCalls(transaction, rows);
          const setOffline = await applyOfflineRule(dependencies, transaction, rows.failures);
          return { ...written, ...setOffline };
        });
  // A database outage holds the partition here, in the group, until the write succeeds.
  const result = await untilWritten(write, payload, { logger, what: 'writing call logs', topic: batch.topic, partition: batch.partition });
  if (result === undefined) return undefined;

  const lastOffset = batch.lastOffset();
  await commitBatchOffsets(dependencies.consumer, [{ topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
  resolveOffset(lastOffset);
  await heartbeat();

  // Counted once the batch is committed, so that a batch retried after an error is not
  // counted twice.
  for (const reason of undecodable) metrics.outcomesUndecodable.inc({ reason });
  for (const [outcomeResult, count] of Object.entries(consumed)) {
    if (count > 0) metrics.outcomesConsumed.inc({ result: outcomeResult }, count);
  }
  metrics.callLogsWritten.inc(result.callsWritten);
  metrics.attemptsWritten.inc(result.attemptsWritten);
  if (result.webhooksSetOffline.length > 0) {
    metrics.webhooksOffline.inc({ reason: FAILURE_THRESHOLD_REASON }, result.webhooksSetOffline.length);
    for (const webhook of result.webhooksSetOffline) {
      logger.info({ webhookId: webhook.id, failureCount: webhook.failureCount, reason: FAILURE_THRESHOLD_REASON }, 'webhook set offline');
    }
    dependencies.onLifecycleMessages();
  }
  if (result.webhooksRetriesPaused.length > 0) {
    metrics.webhookRetriesPaused.inc(result.webhooksRetriesPaused.length);
    for (const webhook of result.webhooksRetriesPaused) {
      logger.info({ webhookId: webhook.id, failureCount: webhook.failureCount }, 'promoted webhook over the failure threshold: its automatic retries pause');
    }
  }
  stopTimer();
  logger.debug(
    { topic: batch.topic, partition: batch.partition, offset: lastOffset, messages: batch.messages.length, ...consumed },
    'outcome batch written',
  );
  return result;
}

/**
 * docs/webhooks.md "Offline rule", inside the batch's transaction: record the failed
 * attempts, then count the rolling window of every online webhook that has new ones. A
 * promoted webhook over the threshold is not set offline: its automatic retries pause.
 */
async function applyOfflineRule(
  dependencies: OutcomesConsumerDependencies,
  transaction: Knex.Transaction,
  failures: ReturnType<typeof foldOutcomes>['failures'],
): Promise<Pick<BatchResult, 'newFailures' | 'webhooksSetOffline' | 'webhooksRetriesPaused'>> {
  const { failureWindow, offlineRule } = dependencies;
  const newAttemptIds = await failureWindow.recordFailures(transaction, failures);
  if (newAttemptIds.length === 0) return { newFailures: 0, webhooksSetOffline: [], webhooksRetriesPaused: [] };

  const fresh = new Set(newAttemptIds);
  const webhookIds = [...new Set(failures.filter((failure) => fresh.has(failure.attempt_id)).map((failure) => failure.webhook_id))];
  const webhooks = await failureWindow.lockWebhooks(transaction, webhookIds);
  // Offline, deleted and paused webhooks keep their failures recorded but need no count.
  const watched = webhooks.filter((webhook) => webhook.status === 'online' && !webhook.deleted && webhook.retryState !== 'paused');
  const counts = await failureWindow.largestWindowCounts(
    transaction,
    newAttemptIds,
    watched.map((webhook) => webhook.id),
    offlineRule.windowMs,
  );

  const stateOf = (webhook: (typeof watched)[number]) => ({ ...webhook, failuresInWindow: counts.get(webhook.id) ?? 0 });
  const goingOffline = watched.filter((webhook) => shouldGoOffline(stateOf(webhook), offlineRule.threshold));
  const pausing = watched.filter((webhook) => shouldPauseRetries(stateOf(webhook), offlineRule.threshold));
  const paused = await failureWindow.pauseRetries(
    transaction,
    pausing.map((webhook) => webhook.id),
  );
  const changed = await failureWindow.setOffline(
    transaction,
    goingOffline.map((webhook) => webhook.id),
    FAILURE_THRESHOLD_REASON,
  );
  const now = dependencies.now?.() ?? new Date();
  const messages: LifecycleMessage[] = changed.map((webhook) => offlineLifecycleMessage(webhook, counts.get(webhook.id) ?? 0, now));
  await enqueueLifecycleMessages(transaction, messages);
  return {
    newFailures: newAttemptIds.length,
    webhooksSetOffline: changed.map((webhook) => ({ id: webhook.id, failureCount: counts.get(webhook.id) ?? 0 })),
    webhooksRetriesPaused: paused.map((id) => ({ id, failureCount: counts.get(id) ?? 0 })),
  };
}
