import { randomUUID } from 'node:crypto';

/** The domain event type every bench event has; bench webhooks subscribe to its parent. */
export const BENCH_EVENT_TYPE = 'Case.StatusUpdated';
export const BENCH_SUBSCRIPTION = ['Case.Updated'];

export interface BenchWorkspace {
  id: string;
  name: string;
}

/**
 * One domain event of exactly `sizeBytes` bytes of JSON. The entity carries what the
 * receiver needs to measure the call without any shared state: the run it belongs to and
 * the instant the bench produced it (epoch milliseconds with fractions, from the same
 * clock the receiver reads).
 */
export function benchDomainEvent(input: { workspace: BenchWorkspace; run: string; sentAtMs: number; sizeBytes: number }): Buffer {
  const event = {
    id: randomUUID(),
    type: BENCH_EVENT_TYPE,
    occurred_at: new Date(input.sentAtMs).toISOString(),
    workspace: input.workspace,
    entity: {
      id: randomUUID(),
      name: 'bench case',
      status: 'approved',
      bench_run: input.run,
      bench_sent_at_ms: input.sentAtMs,
      padding: '',
    },
    context: {},
  };
  const unpadded = Buffer.byteLength(JSON.stringify(event));
  event.entity.padding = 'x'.repeat(Math.max(0, input.sizeBytes - unpadded));
  return Buffer.from(JSON.stringify(event));
}

/** What the receiver reads back from a webhook body (docs/webhooks.md "Payload"). */
export interface BenchCall {
  run: string | undefined;
  sentAtMs: number | undefined;
  eventId: string | undefined;
  retryCount: number | undefined;
}

export function readBenchCall(body: unknown): BenchCall {
  const payload = (body ?? {}) as { context?: { event_id?: unknown; retry_count?: unknown }; case?: Record<string, unknown> };
  const entity = payload.case ?? {};
  return {
    run: typeof entity.bench_run === 'string' ? entity.bench_run : undefined,
    sentAtMs: typeof entity.bench_sent_at_ms === 'number' ? entity.bench_sent_at_ms : undefined,
    eventId: typeof payload.context?.event_id === 'string' ? payload.context.event_id : undefined,
    retryCount: typeof payload.context?.retry_count === 'number' ? payload.context.retry_count : undefined,
  };
}
