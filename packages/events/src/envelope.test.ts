import { validateDomainEvent } from './envelope';
import { caseSubset, companySubset, individualSubset, noteSubset, workspace } from './test-support/domain-events';

// docs/producing-events.md: the envelope, and the bad-input kinds that go to the DLQ.
function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace,
    entity: { id: caseSubset.id, status: 'approved' },
    context: {},
    ...overrides,
  };
}

function without(key: string): Record<string, unknown> {
  const copy = envelope();
  delete copy[key];
  return copy;
}

describe('validateDomainEvent', () => {
  describe('accepts', () => {
    it.each([
      ['a Case event with empty context', envelope()],
      ['a Case event without context (defaults to {})', without('context')],
      ['an occurred_at with a numeric offset', envelope({ occurred_at: '2026-11-25T13:00:00+01:00' })],
      ['an upper-case UUID id', envelope({ id: '2F0C4A1E-8B7D-4E6F-9A1B-3C5D7E9F1A2B' })],
      ['a Note event with context.case', envelope({ type: 'Note.Created', context: { case: caseSubset } })],
      ['a NoteComment event with case and note', envelope({ type: 'NoteComment.Updated', context: { case: caseSubset, note: noteSubset } })],
      ['a Check on an individual', envelope({ type: 'Check.Started', context: { case: caseSubset, individual: individualSubset } })],
      ['a Check on a company', envelope({ type: 'Check.Approved', context: { case: caseSubset, company: companySubset } })],
      ['a DocumentOrder event without context', envelope({ type: 'DocumentOrder.Failed', context: {} })],
      ['extra context keys the family does not use', envelope({ context: { case: caseSubset, trace: 'x' } })],
    ])('%s', (_name, value) => {
      const result = validateDomainEvent(value);
      expect(result).toMatchObject({ ok: true });
    });

    it('returns the entity and context exactly as sent (same objects, key order and extra fields)', () => {
      const entity = { status: 'approved', id: caseSubset.id, custom_properties: { score: 3 } };
      const context = { case: { ...caseSubset, unknown_field: true } };
      const result = validateDomainEvent(envelope({ type: 'Individual.Updated', entity, context }));
      if (!result.ok) throw new Error(result.message);
      expect(result.event.entity).toBe(entity);
      expect(Object.keys(result.event.entity)).toEqual(['status', 'id', 'custom_properties']);
      expect(result.event.context).toBe(context);
    });

    it('gives context {} when the producer left it out', () => {
      const result = validateDomainEvent(without('context'));
      expect(result.ok && result.event.context).toEqual({});
    });

    it('keeps only id and name of the workspace', () => {
      const result = validateDomainEvent(envelope({ workspace: { ...workspace, plan: 'enterprise' } }));
      expect(result.ok && result.event.workspace).toEqual(workspace);
    });
  });

  describe('rejects as schema_invalid, naming the field', () => {
    it.each([
      ['not an object', 'not json', '(envelope)'],
      ['null', null, '(envelope)'],
      ['an array', [], '(envelope)'],
      ['a missing id', without('id'), 'id'],
      ['an id that is not a UUID', envelope({ id: 'evt-1' }), 'id'],
      ['a missing type', without('type'), 'type'],
      ['an empty type', envelope({ type: '' }), 'type'],
      ['a non-string type', envelope({ type: 42 }), 'type'],
      ['an occurred_at that is not a date-time', envelope({ occurred_at: 'yesterday' }), 'occurred_at'],
      ['an occurred_at without offset', envelope({ occurred_at: '2026-11-25T12:00:00' }), 'occurred_at'],
      ['an occurred_at as epoch number', envelope({ occurred_at: 1764072000 }), 'occurred_at'],
      ['a missing workspace', without('workspace'), 'workspace'],
      ['a workspace without name', envelope({ workspace: { id: 'ws_1' } }), 'workspace.name'],
      ['a workspace with an empty id', envelope({ workspace: { id: '', name: 'x' } }), 'workspace.id'],
      ['a missing entity', without('entity'), 'entity'],
      ['an entity as JSON text', envelope({ entity: '{"id":"x"}' }), 'entity'],
      ['an entity without id', envelope({ entity: { name: 'x' } }), 'entity.id'],
      ['an entity with a numeric id', envelope({ entity: { id: 7 } }), 'entity.id'],
      ['a context that is an array', envelope({ context: [] }), 'context'],
      ['a context that is null', envelope({ context: null }), 'context'],
    ])('%s', (_name, value, field) => {
      const result = validateDomainEvent(value);
      expect(result).toMatchObject({ ok: false, reason: 'schema_invalid' });
      expect(!result.ok && result.message).toContain(`${field}: `);
    });

    it('names every bad field at once', () => {
      const result = validateDomainEvent(envelope({ id: 'x', occurred_at: 'y' }));
      expect(!result.ok && result.message).toMatch(/^id: .*; occurred_at: /);
    });
  });

  it.each(['Case.Archived', 'case.created', 'Case.Updated.Extra'])('rejects unknown type %s as unknown_type', (type) => {
    const result = validateDomainEvent(envelope({ type }));
    expect(result).toEqual({ ok: false, reason: 'unknown_type', message: expect.stringContaining(`"${type}"`) });
  });

  describe('rejects as context_missing when the family lacks its context', () => {
    it.each([
      ['CaseReport without case', 'CaseReport.Generated', {}, 'context.case'],
      ['Note without case', 'Note.Deleted', { note: noteSubset }, 'context.case'],
      ['Individual with case as a string', 'Individual.Created', { case: caseSubset.id }, 'context.case'],
      ['Company with case null', 'Company.Updated', { case: null }, 'context.case'],
      ['Company with case as an array', 'Company.Updated', { case: [caseSubset] }, 'context.case'],
      ['NoteComment without note', 'NoteComment.Created', { case: caseSubset }, 'context.note'],
      ['Check without case', 'Check.Expired', { individual: individualSubset }, 'context.case'],
      ['Check without individual or company', 'Check.Started', { case: caseSubset }, 'context.individual or context.company'],
    ])('%s', (_name, type, context, field) => {
      const result = validateDomainEvent(envelope({ type, context }));
      expect(result).toMatchObject({ ok: false, reason: 'context_missing' });
      expect(!result.ok && result.message).toContain(`${field} must be an object`);
    });

    it('names every missing key', () => {
      const result = validateDomainEvent(envelope({ type: 'NoteComment.Deleted', context: {} }));
      expect(!result.ok && result.message).toContain('context.case must be an object; context.note must be an object');
    });

    it('CaseReport with no context at all', () => {
      const result = validateDomainEvent({ ...without('context'), type: 'CaseReport.Generated' });
      expect(result).toMatchObject({ ok: false, reason: 'context_missing' });
    });
  });

  it('checks the schema before the type, and the type before the context', () => {
    expect(validateDomainEvent(envelope({ type: 'Nope.Nope', id: 'x' }))).toMatchObject({ reason: 'schema_invalid' });
    expect(validateDomainEvent(envelope({ type: 'Nope.Nope', context: {} }))).toMatchObject({ reason: 'unknown_type' });
  });
});
