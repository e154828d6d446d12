import { familyOf, isEventType, type ContextKey, type EventFamily, type EventType } from './catalog';

// One realistic entity and context per family, valid for every event type of the family:
// what `npm run cli -- event publish --example` sends, and what the docs show.

const caseSubset = {
  id: '0b6c7b1e-4f3a-4d8e-9c21-5a7e2f1d3c40',
  external_id: 'CRM-1042',
  name: 'Acme SAS onboarding',
  tags: ['priority'],
  contact_has_actions: false,
  reviewer_has_actions: true,
  flags: ['aml_hit'],
  metadata: { region: 'eu' },
  status: 'approved',
};
const noteSubset = {
  id: '5d1e8a3c-2b7f-4a9e-8c6d-1f0e2d3c4b5a',
  author: { first_name: 'Ada', last_name: 'Lovelace' },
  content: 'Asked the client for the latest KBIS.',
};
const individualSubset = { id: '8e2f4a6c-1d3b-4c5e-9f7a-2b4d6e8f0a1c', first_name: 'Grace', last_name: 'Hopper' };
const companySubset = { id: '3a5c7e9f-2b4d-4e6f-8a0c-1e3f5a7c9e2b', name: 'Acme SAS', country: 'FR' };

const CONTEXT_SUBSETS: Record<ContextKey, Record<string, unknown>> = {
  case: caseSubset,
  note: noteSubset,
  individual: individualSubset,
  company: companySubset,
};

interface FamilyExample {
  readonly entity: { id: string } & Record<string, unknown>;
  /** The context subsets the family needs (Check: the case and the individual checked). */
  readonly context: readonly ContextKey[];
}

const FAMILY_EXAMPLES: Record<EventFamily, FamilyExample> = {
  Case: { entity: { ...caseSubset, risk: { level: 'medium' }, template_id: 'kyb-standard' }, context: [] },
  CaseReport: { entity: { id: '9c1e3a5f-7b2d-4f6a-8e0c-4d2b6f8a1c3e', url: 'https://example.com/reports/acme-sas.pdf', expires_at: '2026-12-01T00:00:00.000Z' }, context: ['case'] },
  Note: { entity: noteSubset, context: ['case'] },
  NoteComment: {
    entity: { id: '6f8a0c2e-4b6d-4e8f-9a1c-3e5f7a9c1e3d', author: { first_name: 'Alan', last_name: 'Turing' }, content: 'Received, thanks.' },
    context: ['case', 'note'],
  },
  Individual: { entity: { ...individualSubset, birth_date: '1906-12-09', nationality: 'US', risk: { level: 'low' } }, context: ['case'] },
  Company: { entity: { ...companySubset, registration_number: '552100554', risk: { level: 'low' } }, context: ['case'] },
  Check: {
    entity: { id: '2d4f6a8c-0e1b-4d3f-8a5c-7e9b1d3f5a7c', type: 'aml', status: 'approved', individual_id: individualSubset.id },
    context: ['case', 'individual'],
  },
  DocumentOrder: {
    entity: { id: '7a9c1e3f-5b7d-4f9a-8c2e-6b8d0f2a4c6e', company_id: companySubset.id, document_type: 'kbis', status: 'completed' },
    context: [],
  },
};

/**
 * An example entity and context for `type`, as a producer would send them: fresh copies,
 * so callers may change them. Undefined for a type outside the catalog.
 */
export function exampleEventContent(
  type: string,
): { entity: { id: string } & Record<string, unknown>; context: Record<string, unknown> } | undefined {
  if (!isEventType(type)) return undefined;
  const example = FAMILY_EXAMPLES[familyOf(type as EventType)];
  return structuredClone({
    entity: example.entity,
    context: Object.fromEntries(example.context.map((key) => [key, CONTEXT_SUBSETS[key]])),
  });
}
