import type { CallRecord } from '../receiver/protocol';
import { offlineEnforcement, retryLateness } from './retry-timing';

const call = (eventId: string, retryCount: number, receivedAtMs: number): CallRecord => ({ label: 'l', run: 'r', eventId, retryCount, receivedAtMs });

describe('retryLateness', () => {
  const schedule = [1_000, 2_000, 3_000, 4_000];

  it('measures each retry against T0 + its offset, not against the previous attempt', () => {
    const calls = [call('a', 0, 10_000), call('a', 1, 11_050), call('a', 2, 12_020), call('a', 3, 13_500), call('a', 4, 13_995)];
    expect(retryLateness(calls, schedule)).toEqual({ latenessMs: [50, 20, 500, -5], missing: 0, missingByRetryNumber: [0, 0, 0, 0], calls: 1 });
  });

  it('counts retries that never came, and ignores a duplicate attempt', () => {
    const calls = [call('a', 0, 0), call('a', 1, 1_010), call('a', 1, 1_900), call('b', 0, 5), call('b', 1, 1_005)];
    const result = retryLateness(calls, schedule);
    expect(result.latenessMs.sort((x, y) => x - y)).toEqual([0, 10]);
    expect(result.missing).toBe(6);
    expect(result.missingByRetryNumber).toEqual([0, 2, 2, 2]);
  });

  it('skips calls whose first call was not seen', () => {
    expect(retryLateness([call('x', 2, 100)], schedule)).toEqual({ latenessMs: [], missing: 0, missingByRetryNumber: [0, 0, 0, 0], calls: 1 });
  });
});

describe('offlineEnforcement', () => {
  const times = Array.from({ length: 60 }, (_, index) => 1_000 + index * 10); // 51st failure at 1_500

  it('measures from the (threshold+1)th failure and counts the calls after offline', () => {
    expect(offlineEnforcement({ failedCallTimesMs: times, threshold: 50, offlineSeenAtMs: 1_545 })).toEqual({
      triggeringFailureAtMs: 1_500,
      delayMs: 45,
      callsAfterOffline: 5,
      lastCallAfterOfflineMs: 45,
    });
  });

  it('orders the calls by arrival first', () => {
    const shuffled = [...times].reverse();
    expect(offlineEnforcement({ failedCallTimesMs: shuffled, threshold: 50, offlineSeenAtMs: 2_000 }).delayMs).toBe(500);
  });

  it('has no delay when the webhook never went offline or too few calls failed', () => {
    expect(offlineEnforcement({ failedCallTimesMs: times, threshold: 50, offlineSeenAtMs: undefined }).delayMs).toBeUndefined();
    expect(offlineEnforcement({ failedCallTimesMs: times.slice(0, 50), threshold: 50, offlineSeenAtMs: 9_999 }).delayMs).toBeUndefined();
  });
});
