import { Counter, DURATION_BUCKETS_SECONDS, Gauge, Histogram, type Registry } from '@hookstream/observability';

export type RouterMetrics = ReturnType<typeof createRouterMetrics>;

/** The router's metrics, named as in docs/operations.md. */
export function createRouterMetrics(registry: Registry) {
  return {
    eventsConsumed: new Counter({
      name: 'hookstream_router_events_consumed_total',
      help: 'Domain events consumed, by result (routed, no_match, duplicate, dead_lettered)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    dlqMessages: new Counter({
      name: 'hookstream_router_dlq_messages_total',
      help: 'Domain events sent to the dead-letter topic, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    // A schema registry outage: wire-format batches wait (never dead-lettered).
    registryUnavailable: new Counter({
      name: 'hookstream_router_registry_unavailable_total',
      help: 'Batches put back to wait because the schema registry could not answer (unreachable, timeout, 5xx)',
      registers: [registry],
    }),
    partitionsWaitingForRegistry: new Gauge({
      name: 'hookstream_router_partitions_waiting_for_registry',
      help: 'Domain-event partitions paused until the schema registry answers again',
      registers: [registry],
    }),
    deliveriesRouted: new Counter({
      name: 'hookstream_router_deliveries_routed_total',
      help: 'Webhook calls routed to webhook-deliveries, by top-level event',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    fanout: new Histogram({
      name: 'hookstream_router_fanout',
      help: 'Webhook calls per domain event',
      buckets: [0, 1, 2, 5, 10, 20, 50],
      registers: [registry],
    }),
    incompleteSends: new Counter({
      name: 'hookstream_router_incomplete_sends_total',
      help: 'Produce requests that resolved without writing every partition (a leader moved); their transaction was aborted and retried',
      registers: [registry],
    }),
    // A broker lost during a transaction: the producer is replaced, the batches routed again.
    producerRenewals: new Counter({
      name: 'hookstream_router_producer_renewals_total',
      help: 'Transactional producers replaced by a new one of the same id, by reason (refused: the broker refused a record; failed_transaction: a broker fault left the producer unusable)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    transactionsFailed: new Counter({
      name: 'hookstream_router_transactions_failed_total',
      help: 'Kafka transactions that failed on a broker fault, by outcome (retried: their batches are routed again; committed: a cut-off commit was found committed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'hookstream_router_batch_duration_seconds',
      help: 'Time to route one consumed batch and commit its transaction',
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    }),
    // Group commit: the batches of all partitions share transactions. The counts of these
    // histograms are the committed transactions; their sums the batches and messages in them.
    transactionBatches: new Histogram({
      name: 'hookstream_router_transaction_batches',
      help: 'Consumed batches (one per partition) committed per Kafka transaction',
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32],
      registers: [registry],
    }),
    transactionMessages: new Histogram({
      name: 'hookstream_router_transaction_messages',
      help: 'Messages (deliveries and dead letters) produced per Kafka transaction',
      buckets: [0, 1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000],
      registers: [registry],
    }),
    // Replays (docs/replays.md).
    replayEventsScanned: new Counter({
      name: 'hookstream_router_replay_events_scanned_total',
      help: 'Domain events read by replays, in their time ranges',
      registers: [registry],
    }),
    replayCalls: new Counter({
      name: 'hookstream_router_replay_calls_total',
      help: 'Replayed calls written to webhook-replays for the sender',
      registers: [registry],
    }),
    replaysRunning: new Gauge({
      name: 'hookstream_router_replays_running',
      help: 'Replays this router instance is running',
      registers: [registry],
    }),
    replaysFinished: new Counter({
      name: 'hookstream_router_replays_finished_total',
      help: 'Replays this router instance ended, by status (done, failed)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
}
