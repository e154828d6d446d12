import { matchSubscription } from './matching';

// docs/webhooks.md "Top-level events and sub-events".
describe('matchSubscription', () => {
  it.each([
    {
      name: 'sub-event reaches a subscriber of its parent, as the parent with sub_event',
      type: 'Case.StatusUpdated',
      subscribed: ['Case.Updated'],
      expected: { event: 'Case.Updated', subEvent: 'Case.StatusUpdated' },
    },
    {
      name: 'subscribed to both Case.Updated and Case.StatusUpdated: one match, with sub_event',
      type: 'Case.StatusUpdated',
      subscribed: ['Case.Updated', 'Case.StatusUpdated'],
      expected: { event: 'Case.Updated', subEvent: 'Case.StatusUpdated' },
    },
    {
      name: 'sub-event-only subscription receives the sub-event as the event, without sub_event',
      type: 'Case.StatusUpdated',
      subscribed: ['Case.StatusUpdated'],
      expected: { event: 'Case.StatusUpdated' },
    },
    {
      name: 'another sub-event of the same parent does not match a sub-event-only subscription',
      type: 'Case.FlagsUpdated',
      subscribed: ['Case.StatusUpdated'],
      expected: undefined,
    },
    {
      name: 'top-level-typed event reaches a subscriber of that top-level event',
      type: 'Case.Updated',
      subscribed: ['Case.Updated'],
      expected: { event: 'Case.Updated' },
    },
    {
      name: 'top-level-typed event does not reach sub-event-only subscribers',
      type: 'Case.Updated',
      subscribed: ['Case.StatusUpdated', 'Case.TagsUpdated'],
      expected: undefined,
    },
    {
      name: 'public-API sub-event of Individual.Updated reaches its parent subscriber',
      type: 'Individual.MarkedAsRelevant',
      subscribed: ['Individual.Updated'],
      expected: { event: 'Individual.Updated', subEvent: 'Individual.MarkedAsRelevant' },
    },
    {
      name: 'Company sub-event does not reach an Individual.Updated subscriber',
      type: 'Company.InfoUpdated',
      subscribed: ['Individual.Updated'],
      expected: undefined,
    },
    {
      name: 'event without sub-events matches when subscribed',
      type: 'Check.ReviewNeeded',
      subscribed: ['Check.Approved', 'Check.ReviewNeeded'],
      expected: { event: 'Check.ReviewNeeded' },
    },
    {
      name: 'Case.Deleted does not reach subscribers of other families (no invented events)',
      type: 'Case.Deleted',
      subscribed: ['Individual.Deleted', 'Company.Deleted', 'Check.Deleted'],
      expected: undefined,
    },
    {
      name: 'empty subscription matches nothing',
      type: 'Case.Created',
      subscribed: [],
      expected: undefined,
    },
  ])('$name', ({ type, subscribed, expected }) => {
    expect(matchSubscription(type, new Set(subscribed))).toEqual(expected);
  });

  it('leaves sub_event out entirely (not undefined-valued) under rule 2', () => {
    const match = matchSubscription('Case.Updated', new Set(['Case.Updated']));
    expect(match && Object.keys(match)).toEqual(['event']);
  });
});
