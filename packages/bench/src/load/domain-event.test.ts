import { buildWebhookPayload, validateDomainEvent, type DomainEvent } from '@hookstream/events';
import { benchDomainEvent, readBenchCall, BENCH_SUBSCRIPTION } from './domain-event';

const workspace = { id: '3f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e5a', name: 'bench-01' };

describe('benchDomainEvent', () => {
  it.each([1_024, 4_096])('is exactly %p bytes whatever the clock reads', (sizeBytes) => {
    for (const sentAtMs of [1_700_000_000_000, 1_764_072_000_123.457, 1_764_072_000_000.5]) {
      expect(benchDomainEvent({ workspace, run: 'latency-fo1', sentAtMs, sizeBytes }).length).toBe(sizeBytes);
    }
  });

  it('is a valid domain event that the bench subscription matches', () => {
    const decoded = JSON.parse(benchDomainEvent({ workspace, run: 'r', sentAtMs: 1, sizeBytes: 1_024 }).toString());
    const validation = validateDomainEvent(decoded);
    expect(validation.ok).toBe(true);
    expect(BENCH_SUBSCRIPTION).toContain('Case.Updated');
  });

  it('round-trips run and send time through the webhook payload the sender builds', () => {
    const sentAtMs = 1_764_072_000_123.457;
    const event = JSON.parse(benchDomainEvent({ workspace, run: 'throughput-fo10', sentAtMs, sizeBytes: 1_024 }).toString()) as DomainEvent;
    const payload = buildWebhookPayload({
      match: { event: 'Case.Updated', subEvent: 'Case.StatusUpdated' },
      event,
      eventId: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
      timestampSeconds: 1_764_072_000,
      retryCount: 2,
      maxRetries: 4,
    });
    expect(readBenchCall(JSON.parse(JSON.stringify(payload)))).toEqual({
      run: 'throughput-fo10',
      sentAtMs,
      eventId: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
      retryCount: 2,
    });
  });

  it('reads nothing from a body that is not a bench call', () => {
    expect(readBenchCall({ hello: 'world' })).toEqual({ run: undefined, sentAtMs: undefined, eventId: undefined, retryCount: undefined });
    expect(readBenchCall(null).run).toBeUndefined();
  });
});
