import type { EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import { Registry } from '@hookstream/observability';
import { createSenderMetrics } from '../metrics';
import { backoffDelayMs, createImmediateBatchHandler, InfrastructureWaits, type DispatchDependencies } from './consumers';
import { Capacity } from './endpoint-limiter';
import { PartitionTracker } from './partition-tracker';
import type { DeliveryResult } from './steps';

// The first-call batch handler without a broker: a fetched batch is a list of messages,
// and the tracker says what may be committed once the attempts are done.

const delivery = (eventId: string): DeliveryMessage => ({
  version: 1,
  type: 'first_call',
  event_id: eventId,
  webhook_id: '00000000-0000-4000-8000-000000000001',
  workspace_id: 'ws-1',
  event: 'Case.Updated',
  sub_event: null,
  domain_event: {
    id: 'evt-1',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace: { id: 'ws-1', name: 'Acme' },
    entity: { id: 'case-1' },
    context: {},
  },
  retry_count: 0,
  first_attempt_at: null,
  due_at: '2026-11-25T12:00:00.000Z',
  produced_at: '2026-11-25T12:00:00.000Z',
});

const EVENT_IDS = ['6f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e50', '6f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e51', '6f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e52'];

function message(offset: string, value: Buffer, traceparent?: string): KafkaMessage {
  return { offset, value, key: null, timestamp: '0', attributes: 0, headers: traceparent ? { traceparent: Buffer.from(traceparent) } : {} } as KafkaMessage;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function batchOf(messages: KafkaMessage[]) {
  const resolved: string[] = [];
  const payload = {
    batch: { topic: 'deliveries', partition: 2, messages, lastOffset: () => messages[messages.length - 1]?.offset ?? '-1' },
    resolveOffset: (offset: string) => resolved.push(offset),
    isRunning: () => true,
    isStale: () => false,
    heartbeat: async () => undefined,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

describe('createImmediateBatchHandler', () => {
  const noBackoff = { firstMs: 1, maxMs: 1, random: () => 0 };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('starts every attempt, commits only past finished ones, and never past one whose execution failed', async () => {
    const finish = new Map<string, { resolve: (result: DeliveryResult) => void; reject: (error: Error) => void }>();
    const started: Array<{ eventId: string; traceparent: string | undefined }> = [];
    const errors: unknown[] = [];
    const tracker = new PartitionTracker();
    const capacity = new Capacity(10);
    const metrics = createSenderMetrics(new Registry());
    const dependencies: DispatchDependencies = {
      tracker,
      capacity,
      metrics,
      waits: new InfrastructureWaits(metrics),
      backoff: noBackoff,
      logger: { error: (fields: unknown) => errors.push(fields), warn: () => undefined } as unknown as DispatchDependencies['logger'],
      execute: (attempt, traceparent) =>
        new Promise<DeliveryResult>((resolve, reject) => {
          started.push({ eventId: attempt.event_id, traceparent });
          finish.set(attempt.event_id, { resolve, reject });
        }),
    };
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { payload, resolved } = batchOf([
      message('10', Buffer.from(JSON.stringify(delivery(EVENT_IDS[0] as string))), traceparent),
      message('11', Buffer.from('not json')),
      message('12', Buffer.from(JSON.stringify(delivery(EVENT_IDS[1] as string)))),
      message('13', Buffer.from(JSON.stringify(delivery(EVENT_IDS[2] as string)))),
    ]);

    await createImmediateBatchHandler(dependencies)(payload);
    expect(started).toEqual([
      { eventId: EVENT_IDS[0], traceparent },
      { eventId: EVENT_IDS[1], traceparent: undefined },
      { eventId: EVENT_IDS[2], traceparent: undefined },
    ]);
    expect(resolved).toEqual(['10', '11', '12', '13']);
    expect(capacity.inUse).toBe(3);
    expect(tracker.takeCommittable()).toEqual([]);
    expect((await metrics.undecodable.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { topic_kind: 'deliveries' } })]);
    expect((await metrics.gaveUp.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { reason: 'undecodable' } })]);

    // Offset 12's execution throws (a fault of the sender): it is tried again, never completed
    // without an outcome. Offset 13 gives up with an outcome that says why.
    finish.get(EVENT_IDS[1] as string)?.reject(new Error('bug'));
    finish.get(EVENT_IDS[2] as string)?.resolve({ kind: 'gave_up', reason: 'webhook_offline' });
    await tick();
    expect(started.map((attempt) => attempt.eventId)).toEqual([EVENT_IDS[0], EVENT_IDS[1], EVENT_IDS[2], EVENT_IDS[1]]);
    expect(errors).toEqual([expect.objectContaining({ offset: '11' }), expect.objectContaining({ eventId: EVENT_IDS[1], reason: 'unexpected', failures: 1 })]);
    expect((await metrics.infrastructureFailures.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { reason: 'unexpected' } })]);
    expect((await metrics.waitingForInfrastructure.get()).values[0]?.value).toBe(1);
    expect(capacity.inUse).toBe(2);

    finish.get(EVENT_IDS[0] as string)?.resolve({ kind: 'done' });
    await tick();
    // 12 is still unresolved: the commit point stops below it (11, dropped, was never tracked).
    expect(tracker.takeCommittable()).toEqual([{ topic: 'deliveries', partition: 2, offset: '11' }]);

    finish.get(EVENT_IDS[1] as string)?.resolve({ kind: 'done' });
    await tick();
    expect(tracker.takeCommittable()).toEqual([{ topic: 'deliveries', partition: 2, offset: '14' }]);
    expect(capacity.inUse).toBe(0);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(0);
    expect((await metrics.waitingForInfrastructure.get()).values[0]?.value).toBe(0);
    expect((await metrics.gaveUp.get()).values).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 1, labels: { reason: 'webhook_offline' } })]),
    );
  });

  it('holds a message whose database read fails and tries it again until it is done', async () => {
    const tracker = new PartitionTracker();
    const metrics = createSenderMetrics(new Registry());
    const waits = new InfrastructureWaits(metrics);
    const results: DeliveryResult[] = [
      { kind: 'retry_later', reason: 'database', error: new Error('connect ECONNREFUSED') },
      { kind: 'retry_later', reason: 'database', error: new Error('connect ECONNREFUSED') },
      { kind: 'done' },
    ];
    let calls = 0;
    const dependencies: DispatchDependencies = {
      tracker,
      capacity: new Capacity(10),
      metrics,
      waits,
      backoff: noBackoff,
      logger: { error: () => undefined, warn: () => undefined } as unknown as DispatchDependencies['logger'],
      execute: async () => results[calls++] as DeliveryResult,
    };
    const { payload } = batchOf([message('7', Buffer.from(JSON.stringify(delivery(EVENT_IDS[0] as string))))]);
    await createImmediateBatchHandler(dependencies)(payload);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.takeCommittable()).toEqual([]);
    await waitUntil(() => calls === 3);
    await tick();
    expect(tracker.takeCommittable()).toEqual([{ topic: 'deliveries', partition: 2, offset: '8' }]);
    expect((await metrics.infrastructureFailures.get()).values).toEqual([expect.objectContaining({ value: 2, labels: { reason: 'database' } })]);
    expect(waits.waiting).toBe(0);
  });

  it('leaves a waiting message uncommitted and frees its slot at shutdown', async () => {
    const tracker = new PartitionTracker();
    const metrics = createSenderMetrics(new Registry());
    const capacity = new Capacity(10);
    const stopping = new AbortController();
    let calls = 0;
    const dependencies: DispatchDependencies = {
      tracker,
      capacity,
      metrics,
      waits: new InfrastructureWaits(metrics),
      signal: stopping.signal,
      backoff: { firstMs: 60_000, maxMs: 60_000, random: () => 0 },
      logger: { error: () => undefined, warn: () => undefined } as unknown as DispatchDependencies['logger'],
      execute: async () => {
        calls += 1;
        return { kind: 'retry_later', reason: 'database', error: new Error('down') };
      },
    };
    const { payload } = batchOf([message('3', Buffer.from(JSON.stringify(delivery(EVENT_IDS[0] as string))))]);
    await createImmediateBatchHandler(dependencies)(payload);
    await tick();
    expect(capacity.inUse).toBe(1);
    stopping.abort();
    await waitUntil(() => capacity.inUse === 0);
    expect(calls).toBe(1);
    expect(tracker.takeCommittable()).toEqual([]);
  });

  it('waits for a free slot before starting the next attempt', async () => {
    const capacity = new Capacity(1);
    const finishers: Array<() => void> = [];
    const dependencies: DispatchDependencies = {
      tracker: new PartitionTracker(),
      capacity,
      metrics: createSenderMetrics(new Registry()),
      waits: new InfrastructureWaits(createSenderMetrics(new Registry())),
      logger: { error: () => undefined } as unknown as DispatchDependencies['logger'],
      execute: () => new Promise<DeliveryResult>((resolve) => finishers.push(() => resolve({ kind: 'done' }))),
    };
    const { payload, resolved } = batchOf([
      message('0', Buffer.from(JSON.stringify(delivery(EVENT_IDS[0] as string)))),
      message('1', Buffer.from(JSON.stringify(delivery(EVENT_IDS[1] as string)))),
    ]);
    const handled = createImmediateBatchHandler(dependencies)(payload);
    await new Promise((resolve) => setImmediate(resolve));
    expect(finishers).toHaveLength(1);
    expect(resolved).toEqual(['0']);
    finishers[0]?.();
    await handled;
    expect(finishers).toHaveLength(2);
    expect(resolved).toEqual(['0', '1']);
    finishers[1]?.();
  });
});

describe('backoffDelayMs', () => {
  it('doubles up to the ceiling and keeps a random half', () => {
    const policy = { firstMs: 250, maxMs: 5_000, random: () => 1 };
    expect([1, 2, 3, 5, 10].map((failures) => backoffDelayMs(failures, policy))).toEqual([250, 500, 1_000, 4_000, 5_000]);
    expect(backoffDelayMs(3, { ...policy, random: () => 0 })).toBe(500);
  });
});
