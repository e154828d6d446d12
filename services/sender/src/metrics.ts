import { Counter, DURATION_BUCKETS_SECONDS, Gauge, Histogram, type Registry } from '@hookstream/observability';

export type SenderMetrics = ReturnType<typeof createSenderMetrics>;

/** The sender's metrics, named as in docs/operations.md. */
export function createSenderMetrics(registry: Registry) {
  return {
    attempts: new Counter({
      name: 'hookstream_sender_attempts_total',
      help: 'Webhook call attempts, by attempt type, outcome and failure kind',
      labelNames: ['type', 'outcome', 'failure_kind'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'hookstream_sender_attempt_duration_seconds',
      help: 'Duration of one webhook POST, from connect to the end of the capped body read',
      labelNames: ['type', 'outcome'] as const,
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    }),
    endToEndLatency: new Histogram({
      name: 'hookstream_delivery_end_to_end_latency_seconds',
      help: 'From the domain event reaching Kafka to a 2xx from the endpoint (first calls)',
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    }),
    retriesScheduled: new Counter({
      name: 'hookstream_sender_retries_scheduled_total',
      help: 'Automatic retries handed to a retry tier, by tier',
      labelNames: ['tier'] as const,
      registers: [registry],
    }),
    retriesWaiting: new Gauge({
      name: 'hookstream_sender_retries_waiting',
      help: 'Retries read from a tier and waiting until due in this process, by tier',
      labelNames: ['tier'] as const,
      registers: [registry],
    }),
    retriesMoved: new Counter({
      name: 'hookstream_sender_retries_moved_total',
      help: 'Retries that waited their tier\'s delay without falling due (after a manual retry or a schedule change) and were written to the tier that fits the rest of their wait',
      labelNames: ['from_tier', 'to_tier'] as const,
      registers: [registry],
    }),
    retriesHeld: new Gauge({
      name: 'hookstream_sender_retries_held',
      help: 'Retries kept in memory until due because the rest of their wait is shorter than any tier\'s delay (their offsets stay uncommitted)',
      registers: [registry],
    }),
    retriesParked: new Counter({
      name: 'hookstream_sender_retries_parked_total',
      help: 'Automatic retries of promoted webhooks parked because their retries are paused (kept in the database until released)',
      registers: [registry],
    }),
    pausedRetries: new Gauge({
      name: 'hookstream_sender_paused_retries',
      help: 'Parked retries of promoted webhooks not yet released, all webhooks together (read from the database: every sender process reports the same figure, so take the max, not the sum)',
      registers: [registry],
    }),
    retryProbes: new Counter({
      name: 'hookstream_sender_retry_probes_total',
      help: 'Probes of a promoted webhook whose retries are paused (its oldest parked retry sent alone), by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    retryResumes: new Counter({
      name: 'hookstream_sender_retry_resumes_total',
      help: 'Promoted webhooks whose paused retries resumed after a probe succeeded',
      registers: [registry],
    }),
    pausedRetriesReleased: new Counter({
      name: 'hookstream_sender_paused_retries_released_total',
      help: 'Parked retries released (sent, or given up under the usual rules) after their webhook resumed',
      registers: [registry],
    }),
    retryLateness: new Histogram({
      name: 'hookstream_sender_retry_lateness_seconds',
      help: 'How late an automatic retry was sent: sent minus due, by tier',
      labelNames: ['tier'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'hookstream_sender_in_flight',
      help: 'Webhook calls in flight in this process',
      registers: [registry],
    }),
    overloadDeferrals: new Counter({
      name: 'hookstream_sender_overload_deferrals_total',
      help: 'Calls re-queued (not failed) because their endpoint held its share of the sender, the sender was nearly full, or the endpoint\'s Retry-After had not passed, by attempt type and reason',
      labelNames: ['type', 'reason'] as const,
      registers: [registry],
    }),
    endpointLimitChanges: new Counter({
      name: 'hookstream_sender_endpoint_limit_changes_total',
      help: 'Changes of the adaptive concurrency limits of endpoint origins, by direction (increase, decrease)',
      labelNames: ['direction'] as const,
      registers: [registry],
    }),
    endpointLimit: new Histogram({
      name: 'hookstream_sender_endpoint_limit',
      help: 'The adaptive concurrency limit of an endpoint origin, observed at each change',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
    retryAfterPauses: new Counter({
      name: 'hookstream_sender_retry_after_pauses_total',
      help: 'Answers 429 or 503 whose Retry-After paused the calls to their origin',
      registers: [registry],
    }),
    poolInUse: new Gauge({
      name: 'hookstream_sender_pool_in_use',
      help: 'Calls held in the sender pool (calling or waiting for their endpoint), by class',
      labelNames: ['class'] as const,
      registers: [registry],
    }),
    poolBytesInUse: new Gauge({
      name: 'hookstream_sender_pool_bytes_in_use',
      help: 'Bytes of the calls held in the sender pool',
      registers: [registry],
    }),
    dnsLookups: new Counter({
      name: 'hookstream_sender_dns_lookups_total',
      help: 'Host name lookups of webhook connections, by how they were answered (local, cached, resolved, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    gaveUp: new Counter({
      name: 'hookstream_sender_gave_up_total',
      help: 'Messages that ended without an attempt, by reason: a not-sent outcome says why (webhook_deleted, webhook_offline, already_succeeded, superseded, unknown_event_type), or the message was dropped (undecodable)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    infrastructureFailures: new Counter({
      name: 'hookstream_sender_infrastructure_failures_total',
      help: 'Attempts that could not be decided because something the sender depends on failed (database), or failed unexpectedly; each is tried again after a backoff',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    waitingForInfrastructure: new Gauge({
      name: 'hookstream_sender_waiting_for_infrastructure',
      help: 'Messages backing off after an infrastructure failure, their offsets held until they are tried again',
      registers: [registry],
    }),
    webhookViewBadRows: new Counter({
      name: 'hookstream_sender_webhook_view_bad_rows_total',
      help: 'Webhook rows left out of the view because their secret cannot be decrypted (their calls are not sent)',
      registers: [registry],
    }),
    undecodable: new Counter({
      name: 'hookstream_sender_undecodable_messages_total',
      help: 'Messages on the delivery or retry topics that do not match the contract (skipped)',
      labelNames: ['topic_kind'] as const,
      registers: [registry],
    }),
  };
}
