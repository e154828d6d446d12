/**
 * What one finished call says about its endpoint's capacity:
 * - `answer`: it answered (any status but 429 and 503); its latency is a sample;
 * - `overload`: it timed out, could not connect or was dropped, or answered 429 or 503;
 * - `ignore`: nothing about capacity (refused by our own rules, a DNS or TLS error, no call made).
 */
export type CallSignal = 'answer' | 'overload' | 'ignore';

export interface AdaptiveLimitOptions {
  /** The limit never goes below this. */
  min: number;
  /** ...nor above this. */
  max: number;
  /** The limit of an origin seen for the first time (clamped to [min, max]). */
  initial: number;
  /** A round trip whose average latency is within this multiple of the origin's best counts as unloaded (default 2). */
  tolerance?: number;
  /** Factor applied to the limit when latency rose beyond the tolerance (default 0.9). */
  latencyBackoff?: number;
  /** Factor applied to the limit on a timeout, connection error, 429 or 503 (default 0.5). */
  overloadBackoff?: number;
  /** Answers a round trip needs before it is judged (default 10, at most the limit). */
  minSamples?: number;
  /** Part of the gap by which the origin's best latency follows slower round trips (default 0.05): a lasting change of its latency is learnt. */
  bestDrift?: number;
  /** Good round trips the limit waits just below the one it last shrank from before it tries that one again (default 8). */
  probeHold?: number;
}

export interface CallSample {
  /** When the call got its slot, and when it ended (milliseconds). */
  startedAtMs: number;
  endedAtMs: number;
  /** Calls to the origin in flight when this one started, itself included. */
  inFlight: number;
  signal: CallSignal;
}

export type LimitChange = 'increase' | 'decrease' | 'none';

/**
 * One origin's concurrency limit, adapted as TCP congestion control and Netflix's
 * concurrency-limits library do (its AIMD limit, gated by latency as its Vegas and gradient
 * limits are): additive increase while the origin answers near its best latency,
 * multiplicative decrease when it does not.
 *
 * Answers are judged one round trip at a time: a round trip gathers the answers of calls
 * that started after it began, and ends once it has `minSamples` of them and has lasted
 * (`tolerance` + 1) × the origin's best latency. Its average latency is compared with that
 * best (the lowest round-trip average seen, drifting slowly up towards slower ones within
 * the tolerance, or towards any once the limit is at its minimum):
 * - beyond `tolerance` × best, or a call is still unanswered after that long (answers come
 *   back fastest first, so the slow ones are the missing ones): the limit shrinks by
 *   `latencyBackoff`;
 * - within it, and the origin was using at least half its limit: the limit grows, by half
 *   until the first decrease (slow start), then by one; just below the limit it last shrank
 *   from, it waits `probeHold` good round trips before trying that one again (the sawtooth
 *   around a receiver's capacity then costs it few slow calls);
 * - otherwise (the origin has less traffic than its limit) it stays.
 * An overload signal (timeout, connection error, 429, 503) shrinks the limit by
 * `overloadBackoff` at once, at most once per round trip: calls that started before the last
 * decrease were sent under the old limit and say nothing about the new one.
 */
export class AdaptiveLimit {
  private readonly options: Required<AdaptiveLimitOptions>;
  private current: number;
  private best: number | undefined;
  private slowStart = true;
  /** The limit the last decrease came from, and the good round trips spent just below it since. */
  private ceiling = Number.POSITIVE_INFINITY;
  private tripsBelowCeiling = 0;
  private lastDecreaseMs = Number.NEGATIVE_INFINITY;
  private window = { startMs: Number.NEGATIVE_INFINITY, count: 0, sumMs: 0, maxInFlight: 0 };
  /** Start times of the calls in flight, oldest first. */
  private readonly outstanding: number[] = [];

  constructor(options: AdaptiveLimitOptions) {
    const max = Math.max(1, Math.floor(options.max));
    const min = Math.min(max, Math.max(1, Math.floor(options.min)));
    this.options = { tolerance: 2, latencyBackoff: 0.9, overloadBackoff: 0.5, minSamples: 10, bestDrift: 0.05, probeHold: 8, ...options, min, max };
    this.current = Math.min(max, Math.max(min, Math.floor(options.initial)));
  }

  get limit(): number {
    return this.current;
  }

  /** The origin's best round-trip latency so far (ms), once one round trip has been judged. */
  get bestLatencyMs(): number | undefined {
    return this.best;
  }

  /** A call to the origin started (its `sample` follows when it ends). */
  started(atMs: number): void {
    const { outstanding } = this;
    let index = outstanding.length;
    while (index > 0 && (outstanding[index - 1] as number) > atMs) index -= 1;
    outstanding.splice(index, 0, atMs);
  }

  /** Takes one finished call into account; says how the limit changed. */
  sample(call: CallSample): LimitChange {
    const index = this.outstanding.indexOf(call.startedAtMs);
    if (index >= 0) this.outstanding.splice(index, 1);
    if (call.signal === 'ignore') return 'none';
    if (call.signal === 'overload') {
      if (call.startedAtMs < this.lastDecreaseMs) return 'none';
      return this.decrease(this.options.overloadBackoff, call.endedAtMs);
    }
    if (call.startedAtMs < this.window.startMs) return 'none';
    const window = this.window;
    window.count += 1;
    window.sumMs += Math.max(0, call.endedAtMs - call.startedAtMs);
    window.maxInFlight = Math.max(window.maxInFlight, call.inFlight);
    if (window.count < Math.max(1, Math.min(this.options.minSamples, this.current))) return 'none';
    // A round trip lasts long enough for a call sent at its start and slower than the
    // tolerance to show as late: (tolerance + 1) × the best.
    if (call.endedAtMs - window.startMs < (this.best ?? 0) * (this.options.tolerance + 1)) return 'none';

    const average = window.sumMs / window.count;
    const best = this.best ?? average;
    const slowMs = best * this.options.tolerance;
    // Answers come back fastest first: calls still unanswered past the tolerance are slow
    // answers too (those sent before the last decrease excepted: they were judged).
    const late = this.outstanding.some((startedAtMs) => startedAtMs >= this.lastDecreaseMs && call.endedAtMs - startedAtMs > slowMs);
    const slow = average > slowMs || late;
    // The best follows slower round trips only while they are within the tolerance, or the
    // limit can go no lower: the slowness of an overload is not learnt as the origin's own.
    if (average < best) this.best = average;
    else if (!slow || this.current <= this.options.min) this.best = best + (average - best) * this.options.bestDrift;
    if (slow) return this.decrease(this.options.latencyBackoff, call.endedAtMs);
    this.startWindow(call.endedAtMs);
    if (window.maxInFlight * 2 < this.current || this.current >= this.options.max) return 'none';
    if (this.slowStart) {
      this.current = Math.min(this.options.max, this.current + Math.ceil(this.current / 2));
      return 'increase';
    }
    // Just below the limit that last proved too much: stay a while before trying it again.
    if (this.current + 1 >= this.ceiling) {
      this.tripsBelowCeiling += 1;
      if (this.tripsBelowCeiling < this.options.probeHold) return 'none';
      this.tripsBelowCeiling = 0;
      this.ceiling = Number.POSITIVE_INFINITY; // tried: judged by the round trips that follow
    }
    this.current = Math.min(this.options.max, this.current + 1);
    return 'increase';
  }

  private decrease(factor: number, nowMs: number): LimitChange {
    this.slowStart = false;
    this.ceiling = this.current;
    this.tripsBelowCeiling = 0;
    this.lastDecreaseMs = nowMs;
    this.startWindow(nowMs);
    const next = Math.max(this.options.min, Math.min(this.current - 1, Math.floor(this.current * factor)));
    if (next === this.current) return 'none';
    this.current = next;
    return 'decrease';
  }

  private startWindow(nowMs: number): void {
    this.window = { startMs: nowMs, count: 0, sumMs: 0, maxInFlight: 0 };
  }
}

/** The longest `Retry-After` is honoured, unless configured. */
export const DEFAULT_RETRY_AFTER_MAX_MS = 10 * 60_000;

/**
 * When a 429 or 503 answer's `Retry-After` (delay in seconds, or an HTTP date) lets the
 * origin be called again, at most `maxMs` from now; undefined when it does not say, says
 * something unreadable, or is already past.
 */
export function retryAfterUntil(statusCode: number | null, headers: Record<string, string>, nowMs: number, maxMs = DEFAULT_RETRY_AFTER_MAX_MS): number | undefined {
  if (statusCode !== 429 && statusCode !== 503) return undefined;
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  let untilMs: number;
  if (/^\d+$/.test(value)) untilMs = nowMs + Number(value) * 1_000;
  else {
    // An IMF-fixdate (or the obsolete forms Date.parse reads): never a bare number.
    const dateMs = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(dateMs)) return undefined;
    untilMs = dateMs;
  }
  if (untilMs <= nowMs) return undefined;
  return Math.min(untilMs, nowMs + maxMs);
}
