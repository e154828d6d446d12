import { nextAutomaticRetry, remainingRetries, tierLabel } from './retry-schedule';

const HOUR = 3_600_000;
const schedule = [1 * HOUR, 4 * HOUR, 13 * HOUR, 40 * HOUR];
const t0 = new Date('2026-11-25T12:00:00.000Z');

describe('nextAutomaticRetry', () => {
  it.each([
    [0, 1, 1 * HOUR, 0],
    [1, 2, 4 * HOUR, 1],
    [2, 3, 13 * HOUR, 2],
    [3, 4, 40 * HOUR, 3],
  ])('after attempt %d fails, retry %d is due at T0 + %d ms in tier %d', (failed, retryNumber, offset, tierIndex) => {
    expect(nextAutomaticRetry(failed, t0, schedule)).toEqual({ retryNumber, dueAt: new Date(t0.getTime() + offset), tierIndex });
  });

  it('stops after the fourth retry', () => {
    expect(nextAutomaticRetry(4, t0, schedule)).toBeUndefined();
    expect(nextAutomaticRetry(5, t0, schedule)).toBeUndefined();
  });

  it('keeps the T0 slots after a failed manual retry (docs/webhooks.md example)', () => {
    // First call fails at T0; a manual retry at T0+30m fails and takes number 1;
    // the next automatic retry is number 2 at T0+4h.
    expect(nextAutomaticRetry(1, t0, schedule)?.dueAt).toEqual(new Date(t0.getTime() + 4 * HOUR));
  });

  it('follows a compressed schedule', () => {
    expect(nextAutomaticRetry(0, t0, [1_000, 4_000])).toEqual({ retryNumber: 1, dueAt: new Date(t0.getTime() + 1_000), tierIndex: 0 });
    expect(nextAutomaticRetry(2, t0, [1_000, 4_000])).toBeUndefined();
  });
});

describe('remainingRetries', () => {
  it.each([
    [0, 4],
    [1, 3],
    [4, 0],
    [5, 0],
  ])('attempt %d leaves %d', (retryCount, remaining) => {
    expect(remainingRetries(retryCount, 4)).toBe(remaining);
  });
});

describe('tierLabel', () => {
  it('names the tiers after the default delays', () => {
    expect([0, 1, 2, 3].map(tierLabel)).toEqual(['1h', '4h', '13h', '40h']);
  });
});
