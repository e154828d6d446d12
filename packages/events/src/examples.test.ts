import { EVENT_TYPES } from './catalog';
import { validateDomainEvent } from './envelope';
import { exampleEventContent } from './examples';

describe('example event content', () => {
  it.each(EVENT_TYPES.map((type) => [type]))('makes a valid domain event of type %s', (type) => {
    const content = exampleEventContent(type);
    const validation = validateDomainEvent({
      id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
      type,
      occurred_at: '2026-11-25T12:00:00.000Z',
      workspace: { id: 'ws-1', name: 'Acme' },
      ...content,
    });
    expect(validation).toMatchObject({ ok: true });
  });

  it('knows no example for a type outside the catalog, and hands out copies', () => {
    expect(exampleEventContent('Case.Exploded')).toBeUndefined();
    const first = exampleEventContent('Note.Created');
    (first?.context.case as Record<string, unknown>).name = 'changed';
    expect((exampleEventContent('Note.Created')?.context.case as Record<string, unknown>).name).toBe('Acme SAS onboarding');
  });
});
