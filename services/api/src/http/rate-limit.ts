/**
 * Per-credential rate limiting with token buckets: each API key (and the admin token)
 * may make `ratePerSecond` requests per second on average, with bursts up to `burst`.
 * Pure: the caller passes the clock, so the arithmetic is tested without waiting.
 *
 * The buckets live in this process's memory, so with N API replicas a key gets N times
 * the budget; the limit protects each process, it is not a billing quota.
 */
export interface RateLimitSettings {
  ratePerSecond: number;
  burst: number;
  /** Buckets kept at most; idle full buckets are dropped first. */
  maxTrackedKeys?: number;
}

export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string, nowMs: number): RateLimitDecision;
  trackedKeys(): number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  if (!(settings.ratePerSecond > 0) || !(settings.burst >= 1)) throw new Error('rate limit: rate must be > 0 and burst ≥ 1');
  const maxTrackedKeys = settings.maxTrackedKeys ?? 10_000;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, nowMs: number) => {
    const elapsedSeconds = Math.max(0, nowMs - bucket.updatedAtMs) / 1000;
    bucket.tokens = Math.min(settings.burst, bucket.tokens + elapsedSeconds * settings.ratePerSecond);
    bucket.updatedAtMs = nowMs;
  };

  const evictIdle = (nowMs: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= settings.burst) buckets.delete(key);
    }
    // Still full of busy keys: drop the oldest tenth (Map keeps insertion order), so that
    // the next sweep is that many new keys away instead of the very next one.
    const keep = Math.min(maxTrackedKeys - 1, Math.floor(maxTrackedKeys * 0.9));
    for (const key of buckets.keys()) {
      if (buckets.size <= keep) break;
      buckets.delete(key);
    }
  };

  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxTrackedKeys) evictIdle(nowMs);
        bucket = { tokens: settings.burst, updatedAtMs: nowMs };
        buckets.set(key, bucket);
      } else {
        refill(bucket, nowMs);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens) };
      }
      const secondsUntilOneToken = (1 - bucket.tokens) / settings.ratePerSecond;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsUntilOneToken)) };
    },
    trackedKeys: () => buckets.size,
  };
}
