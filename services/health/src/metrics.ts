import { Counter, DURATION_BUCKETS_SECONDS, Histogram, type Registry } from '@hookstream/observability';

export type HealthMetrics = ReturnType<typeof createHealthMetrics>;

/**
 * The health service's metrics, named as in docs/operations.md.
 * No label ever carries a webhook id, URL or workspace id.
 */
export function createHealthMetrics(registry: Registry) {
  return {
    outcomesConsumed: new Counter({
      name: 'hookstream_health_outcomes_consumed_total',
      help: 'Attempt outcomes consumed from webhook-outcomes, by result (succeeded, failed, not_sent, undecodable)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    outcomesUndecodable: new Counter({
      name: 'hookstream_health_outcomes_undecodable_total',
      help: 'Outcomes skipped because they could not be decoded, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    callLogsWritten: new Counter({
      name: 'hookstream_health_call_logs_written_total',
      help: 'Call log rows inserted or updated',
      registers: [registry],
    }),
    attemptsWritten: new Counter({
      name: 'hookstream_health_attempts_written_total',
      help: 'Attempts added to call logs (a redelivered outcome adds none)',
      registers: [registry],
    }),
    pendingCallsWritten: new Counter({
      name: 'hookstream_health_pending_calls_written_total',
      help: 'Calls logged as pending from webhook-deliveries before any outcome (a call an outcome logged first is left as it is)',
      registers: [registry],
    }),
    deliveriesUndecodable: new Counter({
      name: 'hookstream_health_deliveries_undecodable_total',
      help: 'Messages on webhook-deliveries the pending-call log could not decode (skipped: their outcome logs the call)',
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'hookstream_health_batch_duration_seconds',
      help: 'Time to write one consumed batch of outcomes and commit its offsets',
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    }),
    webhooksOffline: new Counter({
      name: 'hookstream_webhooks_offline_total',
      help: 'Webhooks set offline, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    webhookRetriesPaused: new Counter({
      name: 'hookstream_webhook_retry_pauses_total',
      help: 'Times a promoted webhook went over the failure threshold and its automatic retries paused (instead of going offline)',
      registers: [registry],
    }),
    lifecycleMessagesPublished: new Counter({
      name: 'hookstream_health_lifecycle_messages_published_total',
      help: 'Messages published to webhook-lifecycle from the outbox',
      registers: [registry],
    }),
    callLogsPurged: new Counter({
      name: 'hookstream_health_call_logs_purged_total',
      help: 'Call logs deleted after their retention',
      registers: [registry],
    }),
    failuresPurged: new Counter({
      name: 'hookstream_health_failures_purged_total',
      help: 'Failure records deleted once older than any window they can count in',
      registers: [registry],
    }),
  };
}
