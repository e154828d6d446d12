import { familyOf, isEventType } from './catalog';

/** The entity ids a call log can be filtered by. */
export interface EntityIds {
  case_id: string | null;
  individual_id: string | null;
  company_id: string | null;
}

/**
 * The case, individual and company a domain event is about: its own entity for its
 * family, the others from its context (`context.case.id`, ...), null when absent.
 */
export function entityIdsOf(event: { type: string; entity: { id: string }; context: Record<string, unknown> }): EntityIds {
  const family = isEventType(event.type) ? familyOf(event.type) : undefined;
  const contextId = (key: string) => {
    const value = event.context[key] as { id?: unknown } | undefined;
    return typeof value?.id === 'string' ? value.id : null;
  };
  return {
    case_id: family === 'Case' ? event.entity.id : contextId('case'),
    individual_id: family === 'Individual' ? event.entity.id : contextId('individual'),
    company_id: family === 'Company' ? event.entity.id : contextId('company'),
  };
}
