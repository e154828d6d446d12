import { Counter, DURATION_BUCKETS_SECONDS, Gauge, Histogram, type Registry } from '@hookstream/observability';

export type SenderMetrics = ReturnType<typeof createSenderMetrics>;

/** The sender's metrics, named as in spec/operations.md "Metrics and traces". */
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
