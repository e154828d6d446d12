import { deriveEventId, type DomainEvent } from '@hookstream/events';
import { isFinished, numberReplayedCall, replayDelivery, ReplayRate } from './replay-fns';

const workspace = { id: '6f1f9b1e-4a8e-4c43-9a41-0c7d6a3c2b10', name: 'Acme' };
const event = (type: string, workspaceId = workspace.id): DomainEvent =>
  ({
    id: 'a0c5d8c2-52a4-4f0f-8d7e-3b9d0f1c2e31',
    type,
    occurred_at: '2026-12-01T10:00:00.000Z',
    workspace: { id: workspaceId, name: 'Acme' },
    entity: { id: 'case_1' },
    context: {},
  }) as unknown as DomainEvent;
const webhook = (events: string[]) => ({ id: '0e4b1c3a-9d7f-4e55-b0aa-7e1a2c3d4f50', workspaceId: workspace.id, events: new Set(events) });
const job = (events?: string[]) => ({ id: 'b1d2c3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e', events: events ? new Set(events) : undefined });
const producedAt = new Date('2026-12-01T10:00:00.100Z');

describe('replayDelivery', () => {
  it('replays a subscribed event as the ordinary call, with its event id', () => {
    const call = replayDelivery(event('Case.Created'), webhook(['Case.Created']), job(), producedAt);
    expect(call).toMatchObject({
      type: 'replay',
      event: 'Case.Created',
      sub_event: null,
      event_id: deriveEventId('a0c5d8c2-52a4-4f0f-8d7e-3b9d0f1c2e31', webhook([]).id),
    });
  });

  it.each<[string, string, string[], string[] | undefined, boolean]>([
    ['another workspace', 'Case.Created', ['Case.Created'], undefined, false],
    ['not subscribed now', 'Case.Deleted', ['Case.Created'], undefined, false],
    ['outside the types asked for', 'Case.Created', ['Case.Created', 'Case.Deleted'], ['Case.Deleted'], false],
    ['among the types asked for', 'Case.Created', ['Case.Created', 'Case.Deleted'], ['Case.Created'], true],
  ])('%s: replayed %s', (label, type, subscribed, asked, replayed) => {
    const workspaceId = label === 'another workspace' ? '11111111-2222-4333-8444-555555555555' : workspace.id;
    expect(replayDelivery(event(type, workspaceId), webhook(subscribed), job(asked), producedAt) !== undefined).toBe(replayed);
  });
});

describe('numberReplayedCall', () => {
  const call = replayDelivery(event('Case.Created'), webhook(['Case.Created']), job(), producedAt);
  it('takes the next retry number of a logged call, and 0 for a call never logged', () => {
    expect(numberReplayedCall(call!, 'r', 2)).toMatchObject({ retry_count: 3, replay: { id: 'r', first_retry_count: 3 } });
    expect(numberReplayedCall(call!, 'r', undefined)).toMatchObject({ retry_count: 0, replay: { id: 'r', first_retry_count: 0 } });
  });
});

describe('isFinished', () => {
  it('is finished when every partition reached its end', () => {
    expect(isFinished({ 0: { next: '5', end: '5' }, 1: { next: '9', end: '3' } })).toBe(true);
    expect(isFinished({ 0: { next: '5', end: '5' }, 1: { next: '2', end: '3' } })).toBe(false);
  });
});

describe('ReplayRate', () => {
  it('lets one second of calls through at once, then paces them at the rate', () => {
    const rate = new ReplayRate(50, 0);
    expect(rate.take(50, 0)).toBe(0);
    expect(rate.take(25, 0)).toBe(500);
    expect(rate.take(50, 500)).toBe(1_000);
  });

  it('does not save up idle time beyond one second', () => {
    const rate = new ReplayRate(10, 0);
    expect(rate.take(10, 60_000)).toBe(0);
    expect(rate.take(10, 60_000)).toBe(1_000);
  });
});
