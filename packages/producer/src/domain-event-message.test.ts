import { buildDomainEvent, InvalidDomainEventError, toAvroRecord } from './domain-event-message';

const workspace = { id: 'ws-1', name: 'Acme' };

describe('buildDomainEvent', () => {
  it('completes the envelope: a UUID id and the occurrence time', () => {
    const event = buildDomainEvent(
      { type: 'Case.StatusUpdated', workspace, entity: { id: 'case-1', status: 'approved' } },
      () => new Date('2026-11-25T12:00:00.000Z'),
    );
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event).toMatchObject({ type: 'Case.StatusUpdated', occurred_at: '2026-11-25T12:00:00.000Z', workspace, context: {} });
  });

  it('refuses, before publishing, an event whose family context is missing', () => {
    expect(() => buildDomainEvent({ type: 'Note.Created', workspace, entity: { id: 'note-1' } })).toThrow(InvalidDomainEventError);
    expect(() => buildDomainEvent({ type: 'Note.Created', workspace, entity: { id: 'note-1' } })).toThrow(/context_missing/);
  });

  it('refuses an id that is not a UUID', () => {
    expect(() => buildDomainEvent({ id: 'not-a-uuid', type: 'Case.Created', workspace, entity: { id: 'c' } })).toThrow(/schema_invalid/);
  });

  it('writes entity and context as JSON text in the Avro form', () => {
    const event = buildDomainEvent({ type: 'Note.Created', workspace, entity: { id: 'n' }, context: { case: { id: 'c' } } });
    expect(toAvroRecord(event)).toMatchObject({ entity: '{"id":"n"}', context: '{"case":{"id":"c"}}' });
  });
});
