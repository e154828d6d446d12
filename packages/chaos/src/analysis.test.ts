import {
  callsByPair,
  checkDelivered,
  checkDuplicates,
  checkNoStrayCalls,
  checkRetriesOnTime,
  checkSignatures,
  compareCallLogs,
  duplicateArrivals,
  expectedPairs,
  faultFigures,
  firstCallLatencies,
  retryTimings,
  type ChaosWebhook,
  type ProducedEvent,
} from './analysis';
import type { ReceivedCall } from './receivers';

const webhooks: ChaosWebhook[] = [
  { id: 'h-ok', workspaceId: 'w1', behaviour: 'ok' },
  { id: 'h-flaky', workspaceId: 'w1', behaviour: 'flaky' },
  { id: 'h-none', workspaceId: 'w1', behaviour: 'unmatched' },
  { id: 'h-other', workspaceId: 'w2', behaviour: 'ok' },
];
const event: ProducedEvent = { id: 'e1', workspaceId: 'w1', producedAtMs: 1_000 };
const produced = new Map([[event.id, event]]);

function call(overrides: Partial<ReceivedCall>): ReceivedCall {
  return {
    webhookId: 'h-ok',
    headerEventId: 'call-ok',
    bodyEventId: 'call-ok',
    domainEventId: 'e1',
    workspaceId: 'w1',
    retryCount: 0,
    producedAtMs: 1_000,
    receivedAtMs: 1_100,
    signatureValid: true,
    rejection: undefined,
    status: 204,
    ...overrides,
  };
}

const flakyCalls = [
  call({ webhookId: 'h-flaky', headerEventId: 'call-f', bodyEventId: 'call-f', status: 503, receivedAtMs: 1_100 }),
  call({ webhookId: 'h-flaky', headerEventId: 'call-f', bodyEventId: 'call-f', retryCount: 1, status: 503, receivedAtMs: 3_200 }),
  call({ webhookId: 'h-flaky', headerEventId: 'call-f', bodyEventId: 'call-f', retryCount: 2, status: 204, receivedAtMs: 6_300 }),
];
const good = [call({}), ...flakyCalls];
const expected = expectedPairs([event], webhooks);

describe('the chaos checks', () => {
  it('expects a call at every matching webhook of the event workspace, none elsewhere', () => {
    expect([...expected.values()].map((pair) => pair.webhookId).sort()).toEqual(['h-flaky', 'h-ok']);
  });

  it('pass on a clean run', () => {
    const byPair = callsByPair(good);
    expect(checkDelivered(expected, byPair).passed).toBe(true);
    expect(checkDuplicates(byPair, expected.size).result.passed).toBe(true);
    expect(checkSignatures(good).passed).toBe(true);
    expect(checkNoStrayCalls(good, webhooks, produced).passed).toBe(true);
    expect(checkRetriesOnTime(retryTimings(byPair, [2_000, 5_000, 10_000, 20_000]), 5_000).passed).toBe(true);
  });

  it('fail when a call never got accepted', () => {
    expect(checkDelivered(expected, callsByPair(good.slice(0, 3))).passed).toBe(false);
  });

  it('count a redelivery as a duplicate, and fail when it carries another event id', () => {
    const again = call({ receivedAtMs: 9_000 });
    const same = checkDuplicates(callsByPair([...good, again]), expected.size);
    expect([same.duplicates, same.result.passed]).toEqual([1, true]);
    expect(duplicateArrivals(callsByPair([...good, again]))).toEqual([9_000]);
    const other = checkDuplicates(callsByPair([...good, call({ headerEventId: 'call-x', bodyEventId: 'call-x' })]), expected.size);
    expect(other.result.passed).toBe(false);
  });

  it('fail on a bad signature, a call to an unmatched webhook or to another workspace', () => {
    expect(checkSignatures([...good, call({ signatureValid: false, rejection: 'bad_signature', status: 400 })]).passed).toBe(false);
    expect(checkNoStrayCalls([...good, call({ webhookId: 'h-none' })], webhooks, produced).passed).toBe(false);
    expect(checkNoStrayCalls([...good, call({ webhookId: 'h-other' })], webhooks, produced).passed).toBe(false);
  });

  it('fail a retry later than the bound, or one never sent', () => {
    const late = [...good.slice(0, 3), { ...(flakyCalls[2] as ReceivedCall), receivedAtMs: 1_100 + 5_000 + 6_000 }];
    expect(checkRetriesOnTime(retryTimings(callsByPair(late), [2_000, 5_000, 10_000, 20_000]), 5_000).passed).toBe(false);
    const missing = retryTimings(callsByPair(good.slice(0, 3)), [2_000, 5_000, 10_000, 20_000]);
    expect(missing.missing).toHaveLength(1);
    expect(checkRetriesOnTime(missing, 5_000).passed).toBe(false);
  });

  it('compare the call log with the receivers', () => {
    const byPair = callsByPair(good);
    const rows = [
      { webhookId: 'h-ok', eventId: 'call-ok', domainEventId: 'e1', status: 'succeeded', retryCount: 0, attemptRetryCounts: [0] },
      { webhookId: 'h-flaky', eventId: 'call-f', domainEventId: 'e1', status: 'succeeded', retryCount: 2, attemptRetryCounts: [0, 1, 2] },
    ];
    expect(compareCallLogs(expected, byPair, rows).passed).toBe(true);
    expect(compareCallLogs(expected, byPair, [rows[0]!, { ...rows[1]!, status: 'retrying', retryCount: 1 }]).passed).toBe(false);
    expect(compareCallLogs(expected, byPair, [rows[0]!, { ...rows[1]!, attemptRetryCounts: [0, 2] }]).passed).toBe(false);
    expect(compareCallLogs(expected, byPair, rows.slice(0, 1)).passed).toBe(false);
  });
});

describe('faultFigures', () => {
  it('counts the first calls produced in the window that took longer than normal, and when the last of them arrived', () => {
    const events = [0, 1, 2, 3].map((index) => ({ id: `e${index}`, workspaceId: 'w1', producedAtMs: 10_000 + index * 1_000 }));
    const pairs = expectedPairs(events, webhooks.slice(0, 1));
    const arrivals = [
      call({ domainEventId: 'e0', receivedAtMs: 10_100 }),
      call({ domainEventId: 'e1', receivedAtMs: 25_000 }),
      call({ domainEventId: 'e2', receivedAtMs: 24_000 }),
    ];
    const figures = faultFigures(firstCallLatencies(pairs, callsByPair(arrivals)), 10_000, 20_000, 1_000);
    expect(figures).toEqual({ callsInWindow: 4, callsDelayed: 3, undelivered: 1, worstLatencyMs: 14_000, recoveryMs: 15_000 });
  });
});
