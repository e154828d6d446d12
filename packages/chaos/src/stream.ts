import { randomUUID } from 'node:crypto';
import { sendCoverage, type Message, type Producer } from '@hookstream/kafka';
import type { ProducedEvent } from './analysis';

/** The stream's events are status changes of cases: their webhooks subscribe to `Case.Updated` or `Case.StatusUpdated`. */
export const STREAM_EVENT_TYPE = 'Case.StatusUpdated';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pending {
  event: ProducedEvent;
  message: Message;
}

/**
 * A steady stream of domain events, as a platform team produces them: JSON, keyed by
 * workspace id, acks=all, the workspaces in turn. The rate holds whatever the cluster does
 * (events due during a stall are sent when it ends). An event counts as produced once the
 * cluster acknowledged it; a send that fails, or resolves without writing a partition, is
 * sent again with the same events (the router drops a republished event id).
 *
 * kafkajs' idempotent producer can lose track of its sequence numbers when a broker dies
 * with a request in flight; every later send then fails with OUT_OF_ORDER_SEQUENCE_NUMBER.
 * The stream then asks `replaceProducer` for a new one (a new producer id), as a platform
 * team's producer would have to.
 */
export function startStream(options: {
  producer: Producer;
  topic: string;
  workspaces: ReadonlyArray<{ id: string; name: string }>;
  eventsPerSecond: number;
  log: (line: string) => void;
  replaceProducer?: () => Promise<Producer>;
}) {
  let producer = options.producer;
  const produced = new Map<string, ProducedEvent>();
  /** Longest a send waited for its acknowledgement, by the instant it started. */
  const sendWaits: Array<{ atMs: number; waitMs: number; failed: boolean }> = [];
  let next = 0;
  let stopped = false;
  let stoppedAtMs = Number.POSITIVE_INFINITY;
  let failures = 0;
  const startedAtMs = now();
  let due = 0;
  let lastTickMs = startedAtMs;
  let queue: Pending[] = [];

  const makeEvent = (): Pending => {
    const workspace = options.workspaces[next % options.workspaces.length] as { id: string; name: string };
    next += 1;
    const id = randomUUID();
    const producedAtMs = now();
    const body = {
      id,
      type: STREAM_EVENT_TYPE,
      occurred_at: new Date(producedAtMs).toISOString(),
      workspace,
      entity: { id, name: 'chaos case', status: 'approved', chaos_produced_at_ms: producedAtMs },
      context: {},
    };
    return { event: { id, workspaceId: workspace.id, producedAtMs }, message: { key: workspace.id, value: JSON.stringify(body) } };
  };

  const loop = (async () => {
    while (!stopped || queue.length > 0) {
      if (!stopped) {
        const nowMs = now();
        due += ((nowMs - lastTickMs) / 1_000) * options.eventsPerSecond;
        lastTickMs = nowMs;
        while (due >= 1) {
          queue.push(makeEvent());
          due -= 1;
        }
      }
      if (queue.length === 0) {
        await sleep(20);
        continue;
      }
      const batch = queue;
      queue = [];
      const atMs = now();
      try {
        const response = await producer.send({ topic: options.topic, acks: -1, messages: batch.map((entry) => entry.message) });
        const coverage = sendCoverage([{ topic: options.topic, messages: batch.map((entry) => entry.message) }], response);
        const unwritten = new Set(coverage.unwritten.flatMap((entry) => entry.messages));
        for (const entry of batch) {
          if (unwritten.has(entry.message)) queue.push(entry);
          else produced.set(entry.event.id, entry.event);
        }
        sendWaits.push({ atMs, waitMs: now() - atMs, failed: unwritten.size > 0 });
      } catch (error) {
        failures += 1;
        sendWaits.push({ atMs, waitMs: now() - atMs, failed: true });
        if (failures % 10 === 1) options.log(`stream: a send failed, sending again (${(error as Error).message})`);
        queue = [...batch, ...queue];
        if (options.replaceProducer && lostSequence(error)) {
          options.log('stream: the producer lost its sequence numbers; replacing it');
          producer = await options.replaceProducer().catch(() => producer);
        }
        await sleep(200);
      }
      // Events still refused two minutes after the stream stopped are given up (and reported missing).
      if (stopped && queue.length > 0 && now() - stoppedAtMs > 120_000) break;
    }
  })();

  return {
    produced,
    sendWaits,
    startedAtMs,
    failures: () => failures,
    /** Stops making events and resolves once every event made so far was acknowledged. */
    async stop(): Promise<void> {
      stopped = true;
      stoppedAtMs = now();
      await loop;
    },
  };
}

export type Stream = ReturnType<typeof startStream>;

/** Whether a send failed because the broker refused the producer's sequence numbers. */
function lostSequence(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if ((current as { type?: unknown }).type === 'OUT_OF_ORDER_SEQUENCE_NUMBER') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
