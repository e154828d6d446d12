import { deliveryMessageSchema } from '@hookstream/messages';
import { manualRetryMessage, toCallLog, type AttemptRow, type CallRow } from './call-log-fns';

const domainEvent = {
  id: '2b0b7c1e-1c1a-4f53-9c55-8f8f0a0c7a01',
  type: 'Case.StatusUpdated',
  occurred_at: '2026-11-25T10:00:00.000Z',
  workspace: { id: 'w-1', name: 'Acme' },
  entity: { id: 'case-1', status: 'approved' },
  context: {},
  extra: 'kept',
};

const call: CallRow = {
  id: '11111111-1111-4111-8111-111111111111',
  event_id: '22222222-2222-5222-8222-222222222222',
  workspace_id: '33333333-3333-4333-8333-333333333333',
  webhook_id: '44444444-4444-4444-8444-444444444444',
  domain_event_id: domainEvent.id,
  event: 'Case.Updated',
  sub_event: 'Case.StatusUpdated',
  kind: 'delivery',
  status: 'failed',
  status_reason: null,
  status_code: 503,
  endpoint: 'https://example.com/hook',
  retry_count: 1,
  next_retry_at: null,
  case_id: 'case-1',
  individual_id: null,
  company_id: null,
  payload: '{"event":"Case.Updated"}',
  domain_event: domainEvent,
  first_attempt_at: new Date('2026-11-25T10:00:01.000Z'),
  last_attempt_at: new Date('2026-11-25T10:30:00.000Z'),
  created_at: new Date('2026-11-25T10:00:00.500Z'),
};

describe('manualRetryMessage', () => {
  const now = new Date('2026-11-25T11:00:00.000Z');

  it('builds a manual_retry that takes the next retry number and keeps T0', () => {
    const retry = manualRetryMessage(call, now);
    expect(retry).toEqual({
      ok: true,
      message: {
        version: 1,
        type: 'manual_retry',
        event_id: call.event_id,
        webhook_id: call.webhook_id,
        workspace_id: call.workspace_id,
        event: 'Case.Updated',
        sub_event: 'Case.StatusUpdated',
        domain_event: domainEvent,
        retry_count: 2,
        first_attempt_at: '2026-11-25T10:00:01.000Z',
        due_at: '2026-11-25T11:00:00.000Z',
        produced_at: '2026-11-25T11:00:00.000Z',
      },
    });
    expect(retry.ok && deliveryMessageSchema.parse(retry.message)).toBeTruthy();
  });

  it('still retries a call never attempted (no T0 yet)', () => {
    const retry = manualRetryMessage({ ...call, first_attempt_at: null, retry_count: 0 }, now);
    expect(retry.ok && [retry.message.first_attempt_at, retry.message.retry_count]).toEqual([null, 1]);
  });

  it.each([[null], [{ id: 'x' }], ['not an object']])('refuses a call whose domain event is %p', (recorded) => {
    expect(manualRetryMessage({ ...call, domain_event: recorded }, now).ok).toBe(false);
  });
});

describe('toCallLog', () => {
  const attempt = (id: string, attemptedAt: string, type: AttemptRow['type']): AttemptRow => ({
    id,
    call_id: call.id,
    type,
    retry_count: 0,
    endpoint: 'https://example.com/hook',
    status_code: 503,
    error: null,
    duration_ms: 40,
    request_headers: { 'dotfile-signature': '***', 'dotfile-retry-count': 0 },
    response_headers: null,
    response_body: null,
    attempted_at: new Date(attemptedAt),
  });

  it('orders attempts oldest first, parses a payload stored as text and keeps header values as strings', () => {
    const log = toCallLog(call, [attempt('b', '2026-11-25T10:30:00.000Z', 'manual_retry'), attempt('a', '2026-11-25T10:00:01.000Z', 'first_call')]);
    expect(log.attempts.map((item) => item.id)).toEqual(['a', 'b']);
    expect(log.payload).toEqual({ event: 'Case.Updated' });
    expect(log.attempts[0]?.request_headers).toEqual({ 'dotfile-signature': '***', 'dotfile-retry-count': '0' });
    expect(log).toMatchObject({ created_at: '2026-11-25T10:00:00.500Z', last_attempt_at: '2026-11-25T10:30:00.000Z', next_retry_at: null });
  });

  it('shows an unreadable payload as null rather than failing', () => {
    expect(toCallLog({ ...call, payload: '{oops' }, []).payload).toBeNull();
    expect(toCallLog({ ...call, payload: null }, []).payload).toBeNull();
  });
});
