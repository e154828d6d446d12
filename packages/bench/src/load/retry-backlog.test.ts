import { deliveryMessageSchema } from '@hookstream/messages';
import { waitingRetry } from './retry-backlog';

describe('waitingRetry', () => {
  it('is an automatic retry the sender accepts, due when asked', () => {
    const nowMs = Date.parse('2026-12-06T10:00:00.000Z');
    const { key, value } = waitingRetry({
      workspace: { id: 'ws-1', name: 'bench-01' },
      webhookId: '2f1d3c1e-8a4b-4c1e-9c1e-1a2b3c4d5e6f',
      run: 'backlog',
      nowMs,
      dueAtMs: nowMs + 3_600_000,
      sizeBytes: 1_024,
    });
    const parsed = deliveryMessageSchema.parse(JSON.parse(value.toString('utf8')));
    expect(parsed.type).toBe('automatic_retry');
    expect(parsed.event_id).toBe(key);
    expect(parsed.due_at).toBe('2026-12-06T11:00:00.000Z');
  });
});
