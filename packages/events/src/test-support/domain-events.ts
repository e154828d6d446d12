import type { DomainEvent } from '../envelope';

// Realistic context subsets (docs/webhooks.md "Payload": Subsets), shared by tests.
export const workspace = { id: 'ws_7d1f', name: 'Acme Compliance' };

export const caseSubset = {
  id: 'c0a8f5e2-3b1d-4c7e-9f2a-1b2c3d4e5f60',
  external_id: 'CRM-1042',
  name: 'Acme SAS onboarding',
  tags: ['priority'],
  contact_has_actions: false,
  reviewer_has_actions: true,
  flags: ['aml_hit'],
  metadata: { region: 'eu' },
  status: 'open',
};
export const noteSubset = {
  id: 'note_1',
  author: { first_name: 'Ada', last_name: 'Lovelace' },
  content: 'Asked for the KBIS.',
};
export const individualSubset = { id: 'ind_1', first_name: 'Grace', last_name: 'Hopper' };
export const companySubset = { id: 'cmp_1', name: 'Acme SAS', country: 'FR' };

export function aDomainEvent(overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace,
    entity: { id: caseSubset.id, name: caseSubset.name, status: 'approved' },
    context: {},
    ...overrides,
  };
}
