import {
  EVENT_FAMILIES,
  EVENT_TYPES,
  contextKeysOf,
  familyOf,
  getEventDefinition,
  isEventType,
  listCatalog,
  type EventFamily,
} from './catalog';

describe('event catalog (docs/webhooks.md "Event catalog")', () => {
  const guideTypes: Array<[EventFamily, string[]]> = [
    ['Case', ['Case.Created', 'Case.Updated', 'Case.ReviewUpdated', 'Case.ReviewDue', 'Case.ReviewConfirmed', 'Case.Deleted']],
    ['CaseReport', ['CaseReport.Generated']],
    ['Note', ['Note.Created', 'Note.Updated', 'Note.Deleted']],
    ['NoteComment', ['NoteComment.Created', 'NoteComment.Updated', 'NoteComment.Deleted']],
    ['Individual', ['Individual.Created', 'Individual.Updated', 'Individual.Deleted']],
    ['Company', ['Company.Created', 'Company.Updated', 'Company.Deleted']],
    ['Check', ['Check.Started', 'Check.ReviewNeeded', 'Check.Approved', 'Check.Rejected', 'Check.Expired', 'Check.Deleted']],
    ['DocumentOrder', ['DocumentOrder.Completed', 'DocumentOrder.Failed']],
  ];

  it.each(guideTypes)('%s family has exactly the top-level events of the public webhook guide', (family, types) => {
    const topLevel = listCatalog().filter((entry) => entry.family === family && entry.parent === null);
    expect(topLevel.map((entry) => entry.type)).toEqual(types);
  });

  const subEvents: Array<[string, string]> = [
    ['Case.StatusUpdated', 'Case.Updated'],
    ['Case.FlagsUpdated', 'Case.Updated'],
    ['Case.InfoUpdated', 'Case.Updated'],
    ['Case.TemplateUpdated', 'Case.Updated'],
    ['Case.RiskUpdated', 'Case.Updated'],
    ['Case.MetadataUpdated', 'Case.Updated'],
    ['Case.TagsUpdated', 'Case.Updated'],
    ['Case.ContactHasActionsUpdated', 'Case.Updated'],
    ['Case.ReviewerHasActionsUpdated', 'Case.Updated'],
    ['Case.AssigneeUpdated', 'Case.Updated'],
    ['Individual.InfoUpdated', 'Individual.Updated'],
    ['Individual.MarkedAsRelevant', 'Individual.Updated'],
    ['Individual.MarkedAsNotRelevant', 'Individual.Updated'],
    ['Company.InfoUpdated', 'Company.Updated'],
    ['Company.MarkedAsRelevant', 'Company.Updated'],
    ['Company.MarkedAsNotRelevant', 'Company.Updated'],
  ];

  it.each(subEvents)('%s is a sub-event of %s', (type, parent) => {
    expect(getEventDefinition(type)?.parent).toBe(parent);
  });

  it('has no other sub-events', () => {
    const withParent = listCatalog().filter((entry) => entry.parent !== null).map((entry) => entry.type);
    expect(withParent.sort()).toEqual(subEvents.map(([type]) => type).sort());
  });

  it('lists every type once, each in the family its name starts with, with a one-line description', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(EVENT_TYPES).toHaveLength(43);
    for (const entry of listCatalog()) {
      expect(entry.type.split('.')[0]).toBe(entry.family);
      expect(entry.description).toMatch(/^When .+\.$/);
      expect(entry.description).not.toContain('\n');
    }
  });

  it('gives every parent as a top-level event of the same family', () => {
    for (const entry of listCatalog().filter((candidate) => candidate.parent !== null)) {
      const parent = getEventDefinition(entry.parent ?? '');
      expect(parent?.parent).toBeUndefined();
      expect(parent?.family).toBe(entry.family);
    }
  });

  it.each([
    ['Case.StatusUpdated', true],
    ['Case.Updated', true],
    ['DocumentOrder.Failed', true],
    ['case.statusupdated', false],
    ['Case', false],
    ['Case.Archived', false],
    ['', false],
    ['toString', false],
    ['__proto__', false],
  ])('isEventType(%j) is %s', (value, expected) => {
    expect(isEventType(value)).toBe(expected);
  });

  it.each([
    ['Case.TagsUpdated', 'Case'],
    ['CaseReport.Generated', 'CaseReport'],
    ['NoteComment.Deleted', 'NoteComment'],
    ['Check.ReviewNeeded', 'Check'],
    ['DocumentOrder.Completed', 'DocumentOrder'],
  ] as const)('familyOf(%s) is %s', (type, family) => {
    expect(familyOf(type)).toBe(family);
  });

  it('returns undefined for a type outside the catalog', () => {
    expect(getEventDefinition('Case.Archived')).toBeUndefined();
  });

  it('lists the catalog for GET /v1/events with parent null on top-level events', () => {
    expect(listCatalog()).toContainEqual({
      type: 'Case.StatusUpdated',
      family: 'Case',
      parent: 'Case.Updated',
      description: 'When case status is updated from one status to another one (example: case open → approved).',
    });
    expect(listCatalog()).toContainEqual({
      type: 'CaseReport.Generated',
      family: 'CaseReport',
      parent: null,
      description: 'When a case report link is generated.',
    });
  });

  it('hands out copies: changing a listing does not change the catalog', () => {
    const listing = listCatalog();
    const first = listing[0];
    if (first === undefined) throw new Error('empty catalog');
    first.description = 'changed';
    expect(listCatalog()[0]?.description).not.toBe('changed');
  });
});

describe('event families (docs/webhooks.md "Payload")', () => {
  it.each([
    ['Case', 'case', []],
    ['CaseReport', 'report', ['case']],
    ['Note', 'note', ['case']],
    ['NoteComment', 'noteComment', ['case', 'note']],
    ['Individual', 'individual', ['case']],
    ['Company', 'company', ['case']],
    ['Check', 'check', ['case', 'individual', 'company']],
    ['DocumentOrder', 'document_order', []],
  ] as const)('%s: entity under "%s", context keys %j', (family, payloadKey, contextKeys) => {
    expect(EVENT_FAMILIES[family].payloadKey).toBe(payloadKey);
    expect(contextKeysOf(family)).toEqual(contextKeys);
  });

  it('every family has at least one event type', () => {
    for (const family of Object.keys(EVENT_FAMILIES)) {
      expect(listCatalog().some((entry) => entry.family === family)).toBe(true);
    }
  });
});
