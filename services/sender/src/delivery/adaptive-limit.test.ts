import { AdaptiveLimit, retryAfterUntil, type CallSignal, type LimitChange } from './adaptive-limit';

/** Feeds one round trip: `count` calls that started at `startMs` and took `latencyMs`, with `inFlight` calls in flight. */
function roundTrip(limit: AdaptiveLimit, startMs: number, latencyMs: number, count = limit.limit, inFlight = limit.limit, signal: CallSignal = 'answer'): LimitChange[] {
  return Array.from({ length: count }, () => limit.sample({ startedAtMs: startMs, endedAtMs: startMs + latencyMs, inFlight, signal }));
}

describe('AdaptiveLimit', () => {
  it.each([
    ['the initial limit within the bounds', { min: 2, max: 32, initial: 8 }, 8],
    ['an initial limit above the maximum', { min: 2, max: 4, initial: 8 }, 4],
    ['an initial limit below the minimum', { min: 4, max: 32, initial: 1 }, 4],
    ['a minimum above the maximum', { min: 10, max: 4, initial: 8 }, 4],
  ])('starts at %s', (_label, options, expected) => {
    expect(new AdaptiveLimit(options).limit).toBe(expected);
  });

  it('grows by half per round trip while latency stays at its best, up to the maximum', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 32, initial: 8 });
    const limits: number[] = [];
    for (let trip = 0; trip < 6; trip += 1) {
      roundTrip(limit, trip * 1_000, 50);
      limits.push(limit.limit);
    }
    expect(limits).toEqual([12, 18, 27, 32, 32, 32]);
    expect(limit.bestLatencyMs).toBe(50);
  });

  it('shrinks when latency rises beyond twice its best, then grows by one per round trip', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 100, initial: 20 });
    roundTrip(limit, 0, 50); // best 50 ms, 20 → 30
    expect(limit.limit).toBe(30);
    expect(roundTrip(limit, 1_000, 150)).toContain('decrease'); // three times the best
    expect(limit.limit).toBe(27);
    expect(limit.bestLatencyMs).toBe(50); // an overload's slowness is not learnt
    roundTrip(limit, 2_000, 60);
    expect(limit.limit).toBe(28);
    roundTrip(limit, 3_000, 90); // slower, but within twice the best
    expect(limit.limit).toBe(29);
  });

  it('waits a few good round trips just below the limit it last shrank from before trying it again', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 100, initial: 20, probeHold: 3 });
    roundTrip(limit, 0, 50); // 20 → 30
    roundTrip(limit, 1_000, 150); // too slow at 30: 27
    const limits: number[] = [];
    for (let trip = 2; trip < 10; trip += 1) {
      roundTrip(limit, trip * 1_000, 50);
      limits.push(limit.limit);
    }
    expect(limits).toEqual([28, 29, 29, 29, 30, 31, 32, 33]);
  });

  it('does not grow while the origin uses less than half its limit', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 32, initial: 8, minSamples: 4 });
    roundTrip(limit, 0, 20, 4, 3);
    roundTrip(limit, 1_000, 20, 4, 3);
    expect(limit.limit).toBe(8);
  });

  it.each([
    ['a timeout, connection error, 429 or 503', 'overload', 10],
    ['a DNS error or a refused target', 'ignore', 20],
  ] as const)('after %s (%s) the limit is %s', (_label, signal, expected) => {
    const limit = new AdaptiveLimit({ min: 2, max: 32, initial: 20 });
    limit.sample({ startedAtMs: 0, endedAtMs: 30_000, inFlight: 20, signal });
    expect(limit.limit).toBe(expected);
  });

  it('shrinks once per round trip: overloads of calls sent before the decrease are not counted again', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 64, initial: 32 });
    // 32 calls sent together all time out.
    const changes = Array.from({ length: 32 }, (_, index) => limit.sample({ startedAtMs: index, endedAtMs: 30_000 + index, inFlight: 32, signal: 'overload' }));
    expect(changes.filter((change) => change === 'decrease')).toHaveLength(1);
    expect(limit.limit).toBe(16);
    // A call sent after the decrease that times out shrinks it again.
    limit.sample({ startedAtMs: 30_100, endedAtMs: 60_100, inFlight: 16, signal: 'overload' });
    expect(limit.limit).toBe(8);
  });

  it('never goes below the minimum', () => {
    const limit = new AdaptiveLimit({ min: 3, max: 32, initial: 8 });
    for (let call = 0; call < 10; call += 1) limit.sample({ startedAtMs: call * 100, endedAtMs: call * 100 + 50, inFlight: 1, signal: 'overload' });
    expect(limit.limit).toBe(3);
  });

  it('ignores the latency of calls sent before the round trip began', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 100, initial: 20 });
    roundTrip(limit, 0, 50); // judged at 50 ms: 20 → 30
    // Slow answers of calls sent before then (under the old limit) do not judge the new one.
    expect(roundTrip(limit, 10, 5_000, 30)).not.toContain('decrease');
    expect(limit.limit).toBe(30);
  });

  it('counts calls still unanswered past twice the best as slow: answers come back fastest first', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 100, initial: 20, minSamples: 5 });
    roundTrip(limit, 0, 50); // best 50 ms, 20 → 30
    for (let call = 0; call < 5; call += 1) limit.started(100); // sent at 100 ms, unanswered
    // Five quick answers at 250 ms (a round trip of 200 ms, three times the best): the five
    // calls out for 150 ms are late.
    expect(roundTrip(limit, 200, 50, 5)).toContain('decrease');
    expect(limit.limit).toBe(27);
    // They answer at last: sent before the decrease, they are not judged again.
    expect(Array.from({ length: 5 }, () => limit.sample({ startedAtMs: 100, endedAtMs: 1_100, inFlight: 30, signal: 'answer' }))).not.toContain('decrease');
  });

  it('learns a lasting change of the origin latency: its best drifts towards it', () => {
    const limit = new AdaptiveLimit({ min: 2, max: 1_000, initial: 10, minSamples: 10 });
    roundTrip(limit, 0, 50, 10);
    for (let trip = 1; trip <= 200; trip += 1) roundTrip(limit, trip * 1_000, 150, 10, 10);
    // Three times as slow for good: the limit shrank, then grew again once the best caught up.
    expect(limit.bestLatencyMs).toBeGreaterThan(75);
    expect(limit.limit).toBeGreaterThan(10);
  });
});

describe('retryAfterUntil', () => {
  const NOW = Date.parse('2026-12-06T03:00:00.000Z');
  it.each([
    ['delay seconds on a 429', 429, '2', NOW + 2_000],
    ['delay seconds on a 503', 503, ' 120 ', NOW + 120_000],
    ['an HTTP date', 429, 'Sun, 06 Dec 2026 03:00:30 GMT', NOW + 30_000],
    ['a delay beyond the maximum, capped', 429, '86400', NOW + 600_000],
    ['a date in the past', 503, 'Sun, 06 Dec 2026 02:59:00 GMT', undefined],
    ['zero seconds', 429, '0', undefined],
    ['a negative delay', 429, '-5', undefined],
    ['a fractional delay', 429, '1.5', undefined],
    ['garbage', 429, 'soon', undefined],
    ['a 500 (not an overload answer)', 500, '2', undefined],
    ['a 200', 200, '2', undefined],
  ])('reads %s', (_label, status, value, expected) => {
    expect(retryAfterUntil(status, { 'retry-after': value }, NOW)).toBe(expected);
  });

  it('is undefined without the header', () => {
    expect(retryAfterUntil(429, {}, NOW)).toBeUndefined();
  });
});
