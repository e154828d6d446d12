import { Counter, DURATION_BUCKETS_SECONDS, Histogram, type Registry } from '@hookstream/observability';

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/**
 * The API's metrics (docs/operations.md). `route` is the operation's
 * path template (`/v1/webhooks/{id}`), never a raw path: no ids, URLs or workspaces in
 * labels, so the series stay few.
 */
export function createApiMetrics(registry: Registry) {
  return {
    httpRequests: new Counter({
      name: 'hookstream_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'hookstream_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: DURATION_BUCKETS_SECONDS,
      registers: [registry],
    }),
    manualRetries: new Counter({
      name: 'hookstream_api_manual_retries_total',
      help: 'Calls queued for a manual retry, by how they were asked for (single call, or failed calls of a date range)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    testCalls: new Counter({
      name: 'hookstream_api_test_calls_total',
      help: 'Test calls (POST /v1/webhooks/{id}/test), by result: succeeded, the failure kind, or rate_limited when refused',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    replaysCreated: new Counter({
      name: 'hookstream_api_replays_created_total',
      help: 'Replays requested (POST /v1/webhooks/{id}/replays) and recorded for a router to run',
      registers: [registry],
    }),
    lifecycleEvents: new Counter({
      name: 'hookstream_api_lifecycle_events_total',
      help: 'Webhook lifecycle events recorded by the API (written to the outbox with their change), by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
  };
}
