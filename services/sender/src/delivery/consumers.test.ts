import type { EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import { Registry } from '@hookstream/observability';
import { createSenderMetrics } from '../metrics';
import { createImmediateBatchHandler, type DispatchDependencies } from './consumers';
import { Capacity } from './endpoint-limiter';
import { PartitionTracker } from './partition-tracker';

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
  it('starts every attempt, commits only past finished ones, and frees the slot of an attempt that throws', async () => {
    const finish = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
    const started: Array<{ eventId: string; traceparent: string | undefined }> = [];
    const errors: unknown[] = [];
    const tracker = new PartitionTracker();
    const capacity = new Capacity(10);
    const dependencies: DispatchDependencies = {
      tracker,
      capacity,
      metrics: createSenderMetrics(new Registry()),
      logger: { error: (fields: unknown) => errors.push(fields) } as unknown as DispatchDependencies['logger'],
      execute: (attempt, traceparent) =>
        new Promise<void>((resolve, reject) => {
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
    expect((await dependencies.metrics.undecodable.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { topic_kind: 'deliveries' } })]);

    finish.get(EVENT_IDS[1] as string)?.reject(new Error('bug'));
    finish.get(EVENT_IDS[2] as string)?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // Offset 10 is still in flight: nothing may be committed past it.
    expect(tracker.takeCommittable()).toEqual([]);
    expect(capacity.inUse).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ offset: '11' }), expect.objectContaining({ eventId: EVENT_IDS[1] })]);

    finish.get(EVENT_IDS[0] as string)?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tracker.takeCommittable()).toEqual([{ topic: 'deliveries', partition: 2, offset: '14' }]);
    expect(capacity.inUse).toBe(0);
    expect((await dependencies.metrics.inFlight.get()).values[0]?.value).toBe(0);
  });

  it('waits for a free slot before starting the next attempt', async () => {
    const capacity = new Capacity(1);
    const finishers: Array<() => void> = [];
    const dependencies: DispatchDependencies = {
      tracker: new PartitionTracker(),
      capacity,
      metrics: createSenderMetrics(new Registry()),
      logger: { error: () => undefined } as unknown as DispatchDependencies['logger'],
      execute: () => new Promise<void>((resolve) => finishers.push(resolve)),
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
