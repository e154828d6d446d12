import { decideWaiting, placeRetry, tierDelaysMs } from './placement';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DEFAULT_DELAYS = tierDelaysMs([1 * HOUR, 4 * HOUR, 13 * HOUR, 40 * HOUR], 4);

describe('tierDelaysMs', () => {
  it('gives each tier the gap between consecutive offsets of the schedule', () => {
    expect(DEFAULT_DELAYS).toEqual([1 * HOUR, 3 * HOUR, 9 * HOUR, 27 * HOUR]);
    expect(tierDelaysMs([2_000, 4_000, 6_000, 8_000], 4)).toEqual([2_000, 2_000, 2_000, 2_000]);
  });

  it('lets tiers beyond a short schedule take its last gap', () => {
    expect(tierDelaysMs([1_000, 5_000], 4)).toEqual([1_000, 4_000, 4_000, 4_000]);
  });
});

describe('placeRetry', () => {
  it('keeps an ordinary retry in the tier its number names, even a little late', () => {
    // Retry 2 after retry 1 was sent 300 ms late: due in 3 h less 300 ms.
    expect(placeRetry(3 * HOUR - 300, DEFAULT_DELAYS, 1)).toBe(1);
  });

  it('puts a retry whose wait is shorter than its tier into the longest tier it covers', () => {
    // A manual retry failed 2 h after the first call: retry 2 is due in 2 h, not 3 h.
    expect(placeRetry(2 * HOUR, DEFAULT_DELAYS, 1)).toBe(0);
    expect(placeRetry(10 * HOUR, DEFAULT_DELAYS, 3)).toBe(2);
  });

  it('puts a wait shorter than every tier into the shortest one', () => {
    expect(placeRetry(5 * MINUTE, DEFAULT_DELAYS, 1)).toBe(0);
    expect(placeRetry(-MINUTE, DEFAULT_DELAYS, 2)).toBe(0);
  });

  it('prefers the numbered tier among tiers of equal delay', () => {
    expect(placeRetry(2_000, [2_000, 2_000, 2_000, 2_000], 2)).toBe(2);
  });
});

describe('decideWaiting', () => {
  const now = 1_000 * HOUR;

  it('sends a due retry', () => {
    expect(decideWaiting({ dueAt: now, writtenAt: now - HOUR, tier: 0, delaysMs: DEFAULT_DELAYS, now })).toEqual({ kind: 'send' });
  });

  it('waits on an ordinary retry until due', () => {
    expect(decideWaiting({ dueAt: now + MINUTE, writtenAt: now + MINUTE - HOUR, tier: 0, delaysMs: DEFAULT_DELAYS, now })).toEqual({
      kind: 'wait',
      until: now + MINUTE,
    });
  });

  it('waits on a retry due later than its tier delay only until the delay has passed since it was written', () => {
    // Written to the 4h tier a minute after the first call: due in 4 h less a minute.
    const writtenAt = now - 30 * MINUTE;
    expect(decideWaiting({ dueAt: writtenAt + 4 * HOUR - MINUTE, writtenAt, tier: 1, delaysMs: DEFAULT_DELAYS, now })).toEqual({
      kind: 'wait',
      until: writtenAt + 3 * HOUR,
    });
  });

  it('moves a retry that has waited its tier delay to the tier that fits the rest of its wait', () => {
    const writtenAt = now - 9 * HOUR;
    // Written to the 13h tier with 13 h to wait: 4 h remain, which the 4h tier (3 h) fits.
    expect(decideWaiting({ dueAt: writtenAt + 13 * HOUR, writtenAt, tier: 2, delaysMs: DEFAULT_DELAYS, now })).toEqual({ kind: 'move', tier: 1 });
  });

  it('holds in memory a retry whose remaining wait is shorter than any tier', () => {
    const writtenAt = now - 3 * HOUR;
    const dueAt = now + 20 * MINUTE;
    expect(decideWaiting({ dueAt, writtenAt, tier: 1, delaysMs: DEFAULT_DELAYS, now })).toEqual({ kind: 'hold', until: dueAt });
  });

  it('never lets the gate of a message pass its due time', () => {
    // Written to a tier longer than its wait (a schedule was shortened): due first.
    const writtenAt = now - MINUTE;
    expect(decideWaiting({ dueAt: now + MINUTE, writtenAt, tier: 3, delaysMs: DEFAULT_DELAYS, now })).toEqual({ kind: 'wait', until: now + MINUTE });
  });
});
