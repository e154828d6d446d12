import { manualRetryDelivery } from './manual-retry';

const call = {
  event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
  webhook_id: '00000000-0000-4000-8000-000000000001',
  workspace_id: 'ws-1',
  event: 'Case.Updated',
  sub_event: 'Case.StatusUpdated',
  domain_event: {
    id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace: { id: 'ws-1', name: 'Acme' },
    entity: { id: 'case-1' },
    context: {},
  },
  retry_count: 1,
  first_attempt_at: new Date('2026-11-25T12:00:01.000Z'),
};
const now = new Date('2026-11-25T12:30:00.000Z');

describe('manualRetryDelivery', () => {
  it('takes the next retry number and keeps T0 (docs/webhooks.md example)', () => {
    expect(manualRetryDelivery(call, now)).toMatchObject({
      type: 'manual_retry',
      retry_count: 2,
      first_attempt_at: '2026-11-25T12:00:01.000Z',
      due_at: now.toISOString(),
      event_id: call.event_id,
      sub_event: 'Case.StatusUpdated',
    });
  });

  it('counts on past an exhausted call', () => {
    expect(manualRetryDelivery({ ...call, retry_count: 4 }, now)?.retry_count).toBe(5);
  });

  it('cannot rebuild a call whose domain event was not recorded', () => {
    expect(manualRetryDelivery({ ...call, domain_event: null }, now)).toBeUndefined();
  });
});
