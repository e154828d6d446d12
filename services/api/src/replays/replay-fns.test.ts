import { replayRange, unsubscribedEvents } from './replay-fns';

const now = new Date('2026-12-06T12:00:00Z');

describe('replayRange', () => {
  it('accepts a range of up to 30 days, and takes a future end as now', () => {
    expect(replayRange({ from: '2026-11-06T12:00:00Z', to: '2026-12-06T12:00:00Z' }, now)).toEqual({
      ok: true,
      from: new Date('2026-11-06T12:00:00Z'),
      to: now,
    });
    expect(replayRange({ from: '2026-12-06T11:00:00Z', to: '2026-12-07T00:00:00Z' }, now)).toMatchObject({ ok: true, to: now });
  });

  it.each([
    ['`to` before `from`', '2026-12-05T00:00:00Z', '2026-12-04T00:00:00Z', 'to', 'must be after `from`'],
    ['`to` equal to `from`', '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z', 'to', 'must be after `from`'],
    ['longer than 30 days', '2026-11-01T00:00:00Z', '2026-12-01T00:00:01Z', 'to', 'must be at most 30 days after `from`'],
    ['starting in the future', '2026-12-07T00:00:00Z', '2026-12-08T00:00:00Z', 'from', 'must not be in the future'],
  ])('refuses a range %s', (_label, from, to, field, message) => {
    expect(replayRange({ from, to }, now)).toEqual({ ok: false, problems: [{ field, location: 'body', message }] });
  });
});

describe('unsubscribedEvents', () => {
  it('accepts subscribed types and sub-events of subscribed parents', () => {
    expect(unsubscribedEvents(['Case.Updated', 'Case.StatusUpdated'], ['Case.Updated'])).toEqual([]);
  });

  it('names each type the webhook does not get, with what it gets', () => {
    expect(unsubscribedEvents(['Case.Created', 'Case.Deleted'], ['Case.Created', 'Case.Updated'])).toEqual([
      { field: 'events.1', location: 'body', message: 'the webhook is not subscribed to Case.Deleted; it gets: Case.Created, Case.Updated' },
    ]);
  });
});
