import { createRateLimiter } from './rate-limit';

describe('createRateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const limiter = createRateLimiter({ ratePerSecond: 0.5, burst: 3 });
    const decisions = [0, 1, 2, 3].map(() => limiter.take('key-a', 1_000));
    expect(decisions.slice(0, 3).every((decision) => decision.allowed)).toBe(true);
    // One token per 2 s: the fourth request must wait 2 s.
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it('refills at the configured rate and never above the burst', () => {
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 2 });
    expect(limiter.take('k', 0).allowed).toBe(true);
    expect(limiter.take('k', 0).allowed).toBe(true);
    expect(limiter.take('k', 0).allowed).toBe(false);
    expect(limiter.take('k', 100)).toEqual({ allowed: true, remaining: 0 });
    // An hour idle refills to the burst only.
    const later = 3_600_000;
    expect(limiter.take('k', later)).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take('k', later).allowed).toBe(true);
    expect(limiter.take('k', later).allowed).toBe(false);
  });

  it('keeps one budget per key', () => {
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    const limiter = createRateLimiter({ ratePerSecond: 100, burst: 1 });
    limiter.take('k', 0);
    expect(limiter.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('bounds the keys it tracks, dropping idle ones first', () => {
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 5, maxTrackedKeys: 3 });
    limiter.take('idle', 0);
    limiter.take('busy-1', 10_000);
    limiter.take('busy-2', 10_000);
    limiter.take('new', 10_000);
    expect(limiter.trackedKeys()).toBeLessThanOrEqual(3);
    // busy-1 kept its spent token: the idle bucket was the one dropped.
    expect(limiter.take('busy-1', 10_000)).toEqual({ allowed: true, remaining: 3 });
  });

  it('makes room for a tenth of its bound at once when every tracked key is busy', () => {
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 5, maxTrackedKeys: 100 });
    for (let key = 0; key < 100; key += 1) limiter.take(`busy-${key}`, 0);
    limiter.take('new-1', 0);
    expect(limiter.trackedKeys()).toBe(91);
    // The oldest went first; the newest busy keys kept their spent tokens.
    expect(limiter.take('busy-99', 0)).toEqual({ allowed: true, remaining: 3 });
    for (let key = 2; key <= 9; key += 1) limiter.take(`new-${key}`, 0);
    expect(limiter.trackedKeys()).toBe(99);
  });

  it('rejects nonsensical settings', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow();
    expect(() => createRateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow();
  });
});
