import { randomUUID } from 'node:crypto';
import type { DeliveryMessage, OutcomeMessage } from '@hookstream/messages';

/**
 * A well-formed outcome as the sender would produce it: a first call that failed with a
 * 500 and an automatic retry due an hour later. Tests override what they exercise.
 */
export function makeOutcome(overrides: Partial<OutcomeMessage> = {}): OutcomeMessage {
  const attemptedAt = overrides.attempted_at ?? new Date().toISOString();
  const eventId = overrides.event_id ?? randomUUID();
  const retryCount = overrides.retry_count ?? 0;
  const body = JSON.stringify({
    context: { event_id: eventId, retry_count: retryCount, remaining_retry_count: Math.max(0, 4 - retryCount), timestamp: 1 },
    case: { id: 'case-1', name: 'Acme' },
  });
  return {
    version: 1,
    attempt_id: randomUUID(),
    event_id: eventId,
    webhook_id: randomUUID(),
    workspace_id: randomUUID(),
    domain_event_id: randomUUID(),
    event: 'Case.Updated',
    sub_event: 'Case.StatusUpdated',
    type: 'first_call',
    retry_count: retryCount,
    result: 'failed',
    failure_kind: 'http_status',
    not_sent_reason: null,
    error: 'HTTP 500',
    status_code: 500,
    endpoint: 'http://127.0.0.1:9/hook',
    duration_ms: 12,
    attempted_at: attemptedAt,
    first_attempt_at: attemptedAt,
    next_retry_at: new Date(Date.parse(attemptedAt) + 3_600_000).toISOString(),
    final: false,
    case_id: 'case-1',
    individual_id: null,
    company_id: null,
    request: {
      headers: { 'content-type': 'application/json', 'dotfile-signature': '[masked]', 'dotfile-event-id': eventId },
      body,
    },
    response: { headers: { 'content-type': 'text/plain' }, body: 'internal error' },
    produced_at: attemptedAt,
    domain_event: { id: 'de-1', type: 'Case.StatusUpdated' },
    ...overrides,
  };
}

/**
 * The outcomes of one call: each later attempt shares the call's ids and T0. Like the
 * sender's, a later outcome carries no domain event (only first calls do).
 */
export function nextAttemptOf(previous: OutcomeMessage, overrides: Partial<OutcomeMessage>): OutcomeMessage {
  return makeOutcome({
    event_id: previous.event_id,
    webhook_id: previous.webhook_id,
    workspace_id: previous.workspace_id,
    domain_event_id: previous.domain_event_id,
    first_attempt_at: previous.first_attempt_at,
    domain_event: null,
    ...overrides,
  });
}

/** The fields of an outcome that say the receiver accepted the call. */
export const ACCEPTED: Partial<OutcomeMessage> = {
  result: 'succeeded',
  status_code: 200,
  error: null,
  failure_kind: null,
  next_retry_at: null,
  final: true,
};

/** A first call as the router writes it to webhook-deliveries. */
export function firstCallOf(webhookId: string, workspaceId: string, overrides: Partial<DeliveryMessage> = {}): DeliveryMessage {
  const now = new Date().toISOString();
  return {
    version: 1,
    type: 'first_call',
    event_id: randomUUID(),
    webhook_id: webhookId,
    workspace_id: workspaceId,
    event: 'Individual.Updated',
    sub_event: null,
    domain_event: {
      id: randomUUID(),
      type: 'Individual.Updated',
      occurred_at: now,
      workspace: { id: workspaceId, name: 'Acme' },
      entity: { id: 'ind-7' },
      context: { case: { id: 'case-3' } },
    },
    retry_count: 0,
    first_attempt_at: null,
    due_at: now,
    produced_at: now,
    ...overrides,
  };
}
