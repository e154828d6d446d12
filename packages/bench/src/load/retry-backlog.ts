import { randomUUID } from 'node:crypto';
import type { Producer } from '@hookstream/kafka';
import { BENCH_EVENT_TYPE, benchDomainEvent, BENCH_SUBSCRIPTION, type BenchWorkspace } from './domain-event';

/**
 * One automatic retry as the sender writes it to a tier after a failed first call: due at
 * `dueAtMs`, for a webhook of the scenario. The bench writes many of them at once to put a
 * backlog of waiting retries in the tiers without failing that many calls first.
 */
export function waitingRetry(input: { workspace: BenchWorkspace; webhookId: string; run: string; nowMs: number; dueAtMs: number; sizeBytes: number }): {
  key: string;
  value: Buffer;
} {
  const domainEvent: unknown = JSON.parse(benchDomainEvent({ workspace: input.workspace, run: `${input.run}-backlog`, sentAtMs: input.nowMs, sizeBytes: input.sizeBytes }).toString('utf8'));
  const eventId = randomUUID();
  const at = new Date(input.nowMs).toISOString();
  const retry = {
    version: 1,
    type: 'automatic_retry',
    event_id: eventId,
    webhook_id: input.webhookId,
    workspace_id: input.workspace.id,
    event: BENCH_SUBSCRIPTION[0],
    sub_event: BENCH_EVENT_TYPE,
    domain_event: domainEvent,
    retry_count: 1,
    first_attempt_at: at,
    due_at: new Date(input.dueAtMs).toISOString(),
    produced_at: at,
  };
  return { key: eventId, value: Buffer.from(JSON.stringify(retry)) };
}

/** Writes `count` retries due in `dueInMs` to `topic`, spread over the webhooks; resolves once all are durable. */
export async function writeRetryBacklog(input: {
  producer: Producer;
  topic: string;
  webhooks: ReadonlyArray<{ workspace: BenchWorkspace; webhookId: string }>;
  run: string;
  count: number;
  dueInMs: number;
  sizeBytes: number;
}): Promise<void> {
  const chunk = 500;
  const inFlight = new Set<Promise<unknown>>();
  for (let written = 0; written < input.count; written += chunk) {
    const nowMs = Date.now();
    const messages = Array.from({ length: Math.min(chunk, input.count - written) }, (_, index) => {
      const target = input.webhooks[(written + index) % input.webhooks.length] as { workspace: BenchWorkspace; webhookId: string };
      return waitingRetry({ ...target, run: input.run, nowMs, dueAtMs: nowMs + input.dueInMs, sizeBytes: input.sizeBytes });
    });
    const send = input.producer.send({ topic: input.topic, acks: -1, messages });
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send)).catch(() => undefined);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}
