// The event catalog as data (docs/webhooks.md "Event catalog"). Adding an event type is one line in
// EVENT_CATALOG; adding a family is one entry in EVENT_FAMILIES (its payload key and the
// context it needs). Descriptions follow the wording of the public webhook guide.

/** The context subsets a domain event may carry besides `workspace` (docs/webhooks.md "Payload"). */
export type ContextKey = 'case' | 'note' | 'individual' | 'company';

/**
 * One clause of a family's context rule: either a key that must be present, or
 * `{ anyOf }` when at least one of several keys must be (a check runs on an individual
 * or on a company).
 */
export type ContextRequirement = ContextKey | { readonly anyOf: readonly ContextKey[] };

export interface FamilyDefinition {
  /** The key the entity object sits under in the outbound payload. */
  readonly payloadKey: string;
  /** Every clause must hold for a domain event of this family to be routable. */
  readonly requiredContext: readonly ContextRequirement[];
}

export const EVENT_FAMILIES = {
  Case: { payloadKey: 'case', requiredContext: [] },
  CaseReport: { payloadKey: 'report', requiredContext: ['case'] },
  Note: { payloadKey: 'note', requiredContext: ['case'] },
  NoteComment: { payloadKey: 'noteComment', requiredContext: ['case', 'note'] },
  Individual: { payloadKey: 'individual', requiredContext: ['case'] },
  Company: { payloadKey: 'company', requiredContext: ['case'] },
  Check: { payloadKey: 'check', requiredContext: ['case', { anyOf: ['individual', 'company'] }] },
  DocumentOrder: { payloadKey: 'document_order', requiredContext: [] },
} as const satisfies Record<string, FamilyDefinition>;

export type EventFamily = keyof typeof EVENT_FAMILIES;

interface CatalogEntry {
  readonly type: string;
  readonly family: EventFamily;
  /** Set on sub-events only: the top-level event always delivered in their place when subscribed. */
  readonly parent?: string;
  readonly description: string;
}

// Sub-events follow their parent so that listCatalog() reads like the guide's list.
const EVENT_CATALOG = [
  { type: 'Case.Created', family: 'Case', description: 'When a new case is created (empty case).' },
  { type: 'Case.Updated', family: 'Case', description: 'When any case property (such as name, external_id, status, flags, risk, tags, template_id, metadata, custom_properties) is updated.' },
  { type: 'Case.StatusUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case status is updated from one status to another one (example: case open → approved).' },
  { type: 'Case.FlagsUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case flags are updated (any flag changes can trigger this event).' },
  { type: 'Case.InfoUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case info are updated (such as name, external_id or custom_properties).' },
  { type: 'Case.TemplateUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case template is updated.' },
  { type: 'Case.RiskUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case current Risk is updated.' },
  { type: 'Case.MetadataUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case metadata are updated.' },
  { type: 'Case.TagsUpdated', family: 'Case', parent: 'Case.Updated', description: 'When tags have been updated on case.' },
  { type: 'Case.ContactHasActionsUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case contact_has_actions is updated (the contact has actions to take, or no longer has).' },
  { type: 'Case.ReviewerHasActionsUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case reviewer_has_actions is updated (a reviewer has actions to take, or no longer has).' },
  { type: 'Case.AssigneeUpdated', family: 'Case', parent: 'Case.Updated', description: 'When case assignee is updated.' },
  { type: 'Case.ReviewUpdated', family: 'Case', description: "When the case periodic review is updated (for example when the case's risk changes and the next_review_at date is updated)." },
  { type: 'Case.ReviewDue', family: 'Case', description: 'When the case periodic review is due.' },
  { type: 'Case.ReviewConfirmed', family: 'Case', description: 'When the case periodic review is confirmed.' },
  { type: 'Case.Deleted', family: 'Case', description: 'When a case is deleted.' },

  { type: 'CaseReport.Generated', family: 'CaseReport', description: 'When a case report link is generated.' },

  { type: 'Note.Created', family: 'Note', description: 'When a new note is created.' },
  { type: 'Note.Updated', family: 'Note', description: 'When any note content is updated.' },
  { type: 'Note.Deleted', family: 'Note', description: 'When a note is deleted.' },

  { type: 'NoteComment.Created', family: 'NoteComment', description: 'When a new note comment is created.' },
  { type: 'NoteComment.Updated', family: 'NoteComment', description: 'When any note comment content is updated.' },
  { type: 'NoteComment.Deleted', family: 'NoteComment', description: 'When a note comment is deleted.' },

  { type: 'Individual.Created', family: 'Individual', description: 'When a new individual is created.' },
  { type: 'Individual.Updated', family: 'Individual', description: 'When any individual property (not check related) is updated (example: risk property is updated).' },
  { type: 'Individual.InfoUpdated', family: 'Individual', parent: 'Individual.Updated', description: 'When individual info are updated.' },
  { type: 'Individual.MarkedAsRelevant', family: 'Individual', parent: 'Individual.Updated', description: 'When an individual is marked as relevant for the case.' },
  { type: 'Individual.MarkedAsNotRelevant', family: 'Individual', parent: 'Individual.Updated', description: 'When an individual is marked as not relevant for the case.' },
  { type: 'Individual.Deleted', family: 'Individual', description: 'When an individual is deleted.' },

  { type: 'Company.Created', family: 'Company', description: 'When a new company is created.' },
  { type: 'Company.Updated', family: 'Company', description: 'When any company property (not check related) is updated (example: risk property is updated).' },
  { type: 'Company.InfoUpdated', family: 'Company', parent: 'Company.Updated', description: 'When company info are updated.' },
  { type: 'Company.MarkedAsRelevant', family: 'Company', parent: 'Company.Updated', description: 'When a company is marked as relevant for the case.' },
  { type: 'Company.MarkedAsNotRelevant', family: 'Company', parent: 'Company.Updated', description: 'When a company is marked as not relevant for the case.' },
  { type: 'Company.Deleted', family: 'Company', description: 'When a company is deleted.' },

  { type: 'Check.Started', family: 'Check', description: 'When a check is started on an entity (example: start an AML check on an individual).' },
  { type: 'Check.ReviewNeeded', family: 'Check', description: 'When a check needs manual review (example: hits found on an AML check, a reviewer needs to look at them).' },
  { type: 'Check.Approved', family: 'Check', description: 'When a check is approved (example: the reviewer ignores all hits as false positives and approves the AML check).' },
  { type: 'Check.Rejected', family: 'Check', description: 'When a check is rejected (example: a document is invalid, the reviewer rejects the document check).' },
  { type: 'Check.Expired', family: 'Check', description: 'When a check is expired (example: a document check expiration date has passed).' },
  { type: 'Check.Deleted', family: 'Check', description: 'When a check is deleted (example: a document check has been removed by a user).' },

  { type: 'DocumentOrder.Completed', family: 'DocumentOrder', description: 'When a document order for a company has been completed (example: KBIS for a French company has been retrieved).' },
  { type: 'DocumentOrder.Failed', family: 'DocumentOrder', description: 'When a document order for a company has failed, i.e. the document is not available (example: unavailable annual accounts).' },
] as const satisfies readonly CatalogEntry[];

export type EventType = (typeof EVENT_CATALOG)[number]['type'];

export interface EventDefinition {
  readonly type: EventType;
  readonly family: EventFamily;
  readonly parent?: EventType;
  readonly description: string;
}

/** One row of `GET /v1/events`. */
export interface CatalogListing {
  type: EventType;
  family: EventFamily;
  parent: EventType | null;
  description: string;
}

const DEFINITIONS: readonly EventDefinition[] = EVENT_CATALOG;

const DEFINITION_BY_TYPE: ReadonlyMap<string, EventDefinition> = new Map(
  DEFINITIONS.map((definition) => [definition.type, definition]),
);

export const EVENT_TYPES: readonly EventType[] = Object.freeze(DEFINITIONS.map((definition) => definition.type));

export function isEventType(value: string): value is EventType {
  return DEFINITION_BY_TYPE.has(value);
}

export function getEventDefinition(type: EventType): EventDefinition;
export function getEventDefinition(type: string): EventDefinition | undefined;
export function getEventDefinition(type: string): EventDefinition | undefined {
  return DEFINITION_BY_TYPE.get(type);
}

export function familyOf(type: EventType): EventFamily {
  return getEventDefinition(type).family;
}

export function getFamilyDefinition(family: EventFamily): FamilyDefinition {
  return EVENT_FAMILIES[family];
}

/** Every context key a family's payload can carry, in the order of its rule (Check: case, individual, company). */
export function contextKeysOf(family: EventFamily): readonly ContextKey[] {
  return getFamilyDefinition(family).requiredContext.flatMap((requirement) =>
    typeof requirement === 'string' ? [requirement] : requirement.anyOf,
  );
}

/** The catalog as `GET /v1/events` lists it; fresh objects, so callers may not alter the catalog. */
export function listCatalog(): CatalogListing[] {
  return DEFINITIONS.map((definition) => ({
    type: definition.type,
    family: definition.family,
    parent: definition.parent ?? null,
    description: definition.description,
  }));
}
