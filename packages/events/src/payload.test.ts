import { buildWebhookPayload } from './payload';
import type { DomainEvent } from './envelope';
import {
  aDomainEvent,
  caseSubset,
  companySubset,
  individualSubset,
  noteSubset,
  workspace,
} from './test-support/domain-events';

// docs/webhooks.md "Payload".
const attempt = { eventId: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a', timestampSeconds: 1764072000, retryCount: 0, maxRetries: 4 };

describe('buildWebhookPayload', () => {
  it('builds the example of the spec, keys in order event, sub_event, context, entity', () => {
    const event = aDomainEvent({ type: 'Case.StatusUpdated' });
    const payload = buildWebhookPayload({ ...attempt, event, match: { event: 'Case.Updated', subEvent: 'Case.StatusUpdated' } });

    expect(JSON.stringify(payload)).toBe(
      JSON.stringify({
        event: 'Case.Updated',
        sub_event: 'Case.StatusUpdated',
        context: {
          timestamp: 1764072000,
          event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
          retry_count: 0,
          remaining_retry_count: 4,
          workspace,
        },
        case: event.entity,
      }),
    );
  });

  it('has no sub_event key at all without a sub-event match', () => {
    const payload = buildWebhookPayload({ ...attempt, event: aDomainEvent({ type: 'Case.Created' }), match: { event: 'Case.Created' } });
    expect(Object.keys(payload)).toEqual(['event', 'context', 'case']);
  });

  const families: Array<{ type: DomainEvent['type']; context: Record<string, unknown>; payloadKey: string; expectedContext: Record<string, unknown> }> = [
    { type: 'Case.Deleted', context: { case: caseSubset }, payloadKey: 'case', expectedContext: {} },
    { type: 'CaseReport.Generated', context: { case: caseSubset }, payloadKey: 'report', expectedContext: { case: caseSubset } },
    { type: 'Note.Created', context: { case: caseSubset, note: noteSubset }, payloadKey: 'note', expectedContext: { case: caseSubset } },
    { type: 'NoteComment.Updated', context: { case: caseSubset, note: noteSubset }, payloadKey: 'noteComment', expectedContext: { case: caseSubset, note: noteSubset } },
    { type: 'Individual.Updated', context: { case: caseSubset }, payloadKey: 'individual', expectedContext: { case: caseSubset } },
    { type: 'Company.Created', context: { case: caseSubset }, payloadKey: 'company', expectedContext: { case: caseSubset } },
    { type: 'Check.Started', context: { case: caseSubset, individual: individualSubset }, payloadKey: 'check', expectedContext: { case: caseSubset, individual: individualSubset } },
    { type: 'Check.Rejected', context: { case: caseSubset, company: companySubset, note: noteSubset }, payloadKey: 'check', expectedContext: { case: caseSubset, company: companySubset } },
    { type: 'Check.Approved', context: { case: caseSubset, individual: individualSubset, company: companySubset }, payloadKey: 'check', expectedContext: { case: caseSubset, individual: individualSubset, company: companySubset } },
    { type: 'DocumentOrder.Completed', context: { case: caseSubset }, payloadKey: 'document_order', expectedContext: {} },
  ];

  it.each(families)('$type: entity under "$payloadKey", only the family context copied', ({ type, context, payloadKey, expectedContext }) => {
    const entity = { id: 'entity_1', name: 'whatever', nested: { kept: true } };
    const payload = buildWebhookPayload({ ...attempt, event: aDomainEvent({ type, context, entity }), match: { event: type } });

    expect(Object.keys(payload)).toEqual(['event', 'context', payloadKey]);
    expect(payload[payloadKey]).toBe(entity);
    expect(payload.context).toEqual({
      timestamp: attempt.timestampSeconds,
      event_id: attempt.eventId,
      retry_count: 0,
      remaining_retry_count: 4,
      workspace,
      ...expectedContext,
    });
  });

  it('puts the family context after workspace, in rule order', () => {
    const payload = buildWebhookPayload({
      ...attempt,
      event: aDomainEvent({ type: 'NoteComment.Created', context: { note: noteSubset, case: caseSubset } }),
      match: { event: 'NoteComment.Created' },
    });
    expect(Object.keys(payload.context)).toEqual(['timestamp', 'event_id', 'retry_count', 'remaining_retry_count', 'workspace', 'case', 'note']);
  });

  it.each([
    [0, 4, 4],
    [1, 4, 3],
    [3, 4, 1],
    [4, 4, 0],
    [5, 4, 0], // a manual retry after exhaustion never reports a negative count
    [0, 0, 0],
  ])('retry_count %i of %i gives remaining_retry_count %i', (retryCount, maxRetries, remaining) => {
    const payload = buildWebhookPayload({ ...attempt, retryCount, maxRetries, event: aDomainEvent(), match: { event: 'Case.StatusUpdated' } });
    expect(payload.context.retry_count).toBe(retryCount);
    expect(payload.context.remaining_retry_count).toBe(remaining);
  });

  it('copies only workspace id and name', () => {
    const event = aDomainEvent({ workspace: { ...workspace, plan: 'x' } as DomainEvent['workspace'] });
    const payload = buildWebhookPayload({ ...attempt, event, match: { event: 'Case.StatusUpdated' } });
    expect(payload.context.workspace).toEqual(workspace);
  });
});
