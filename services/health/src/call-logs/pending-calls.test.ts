import type { DeliveryMessage } from '@hookstream/messages';
import { pendingRowsOf } from './pending-calls';

const delivery = (overrides: Partial<DeliveryMessage> = {}): DeliveryMessage => ({
  version: 1,
  type: 'first_call',
  event_id: 'B0000000-0000-4000-8000-000000000002',
  webhook_id: '00000000-0000-4000-8000-000000000001',
  workspace_id: 'C0000000-0000-4000-8000-000000000003',
  event: 'Case.Updated',
  sub_event: 'Case.StatusUpdated',
  domain_event: {
    id: 'd0000000-0000-4000-8000-000000000004',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace: { id: 'ws', name: 'Acme' },
    entity: { id: 'case-1' },
    context: { individual: { id: 'ind-1' } },
  },
  retry_count: 0,
  first_attempt_at: null,
  due_at: '2026-11-25T12:00:00.000Z',
  produced_at: '2026-11-25T12:00:00.000Z',
  ...overrides,
});

describe('pendingRowsOf', () => {
  it('makes one pending row per first call, with lower-case ids and the entity ids of its domain event', () => {
    const rows = pendingRowsOf([delivery(), delivery()]);
    expect(rows).toEqual([
      {
        event_id: 'b0000000-0000-4000-8000-000000000002',
        workspace_id: 'c0000000-0000-4000-8000-000000000003',
        webhook_id: '00000000-0000-4000-8000-000000000001',
        domain_event_id: 'd0000000-0000-4000-8000-000000000004',
        event: 'Case.Updated',
        sub_event: 'Case.StatusUpdated',
        case_id: 'case-1',
        individual_id: 'ind-1',
        company_id: null,
        domain_event: delivery().domain_event,
      },
    ]);
  });

  it('leaves out retries, deliveries older than the retention, and ids the log cannot hold', () => {
    expect(
      pendingRowsOf(
        [
          delivery({ type: 'manual_retry' }),
          delivery({ type: 'automatic_retry' }),
          delivery({ produced_at: '2026-10-01T00:00:00.000Z' }),
          delivery({ workspace_id: 'not-a-uuid' }),
        ],
        new Date('2026-11-01T00:00:00.000Z'),
      ),
    ).toEqual([]);
  });
});
