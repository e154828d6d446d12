import { AdaptiveLimit, type AdaptiveLimitOptions, type CallSignal, type LimitChange } from './adaptive-limit';

/**
 * How much an answering endpoint may have queued: the calls it completed in about this
 * many seconds. The sender's own backlog (a burst fetched at once, or its event loop at
 * saturation) then waits in the queue instead of failing as `endpoint_overloaded`, which
 * would count against a healthy endpoint in the offline rule. A dead endpoint completes
 * nothing, so the fixed bound applies to it.
 */
const QUEUE_SECONDS_OF_THROUGHPUT = 5;
const BUCKET_MS = 1_000;
/** An origin's learnt limit is forgotten after this long without calls (bounded memory). */
const LIMIT_IDLE_MS = 10 * 60_000;

/** Calls an endpoint completed in the current and the previous one-second bucket. */
interface Completions {
  /** When the first of them was counted: a young entry has less than two buckets of history. */
  sinceMs: number;
  bucketStartMs: number;
  current: number;
  previous: number;
}

/** Why a call may not wait for its endpoint now: it is deferred (re-queued), never failed. */
export type OverloadReason =
  /** The origin holds its share of the sender's calls in flight (count or bytes). */
  | 'endpoint_share'
  /** The origin's queue is full. */
  | 'endpoint_queue'
  /** The call waited its longest for a slot. */
  | 'endpoint_wait'
  /** The sender's pool is nearly full and the origin has completed no call lately (silent or dead). */
  | 'endpoint_stalled'
  /** The origin answered 429 or 503 with a Retry-After that has not passed yet. */
  | 'retry_after';

export interface EndpointShare {
  /** Calls one origin may hold, calling or waiting (default: unbounded beyond its queue). */
  maxHeldCalls?: number;
  /** Bytes of the calls one origin may hold, calling or waiting. */
  maxHeldBytes?: number;
  /** True while the sender's overall pool is nearly full: then no call queues for an origin that completes nothing. */
  underPressure?: () => boolean;
  /** Told each time an origin's adaptive limit changes, with the new limit. */
  onLimitChange?: (change: Exclude<LimitChange, 'none'>, limit: number) => void;
}

/** Releases a call's slot, saying what the call told of its endpoint (default `ignore`). */
export type ReleaseSlot = (signal?: CallSignal) => void;

interface Waiter {
  grant: () => void;
  refuse: (reason: OverloadReason) => void;
}

/**
 * Bounds the calls in flight to one endpoint (its origin) and the calls queued for it, so
 * that a slow or dead endpoint occupies at most its own share of the sender while others
 * go on at full speed (docs/operations.md "Isolation between endpoints"). Each origin's
 * limit on calls in flight is fixed, or adapts to what the origin can take (AdaptiveLimit,
 * fed by what each released call tells). The queue holds the larger of
 * `maxQueuedPerEndpoint` and about five seconds of what the endpoint has been completing;
 * everything an origin holds (calling and queued) stays within its share, in count and in
 * bytes; and once the sender's pool is nearly full, calls queue only for origins that are
 * completing calls (an endpoint that accepts calls and never answers then holds no more
 * than its concurrency). While an origin's Retry-After runs (`pause`), no call to it goes
 * out. A call refused any of these is deferred by the caller, not failed: the sender's
 * own backpressure is not the endpoint's failure.
 */
export class EndpointLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly heldBytes = new Map<string, number>();
  private readonly completions = new Map<string, Completions>();
  private readonly limits = new Map<string, { limit: AdaptiveLimit; lastUsedMs: number }>();
  private readonly paused = new Map<string, number>();
  private acquiresSinceSweep = 0;

  constructor(
    /** Calls in flight per endpoint: a fixed number, or the bounds of an adaptive limit. */
    private readonly concurrency: number | AdaptiveLimitOptions,
    private readonly maxQueuedPerEndpoint: number,
    /** A queued call gives up after this long: a dead endpoint's queue is bounded in time too. */
    private readonly maxQueueWaitMs: number = Number.POSITIVE_INFINITY,
    private readonly nowMs: () => number = Date.now,
    private readonly share: EndpointShare = {},
  ) {}

  /**
   * Resolves with a release function once the endpoint has a free slot, or with the reason
   * the call may not wait for one now (its Retry-After runs, its origin's share or queue is
   * full, the sender is nearly full, or it waited `maxQueueWaitMs`). `bytes` is the size of
   * the call.
   */
  acquire(endpoint: string, bytes = 0): Promise<ReleaseSlot | OverloadReason> {
    this.sweepNowAndThen();
    if (this.pausedUntil(endpoint) !== undefined) return Promise.resolve('retry_after');
    const active = this.active.get(endpoint) ?? 0;
    const queue = this.queues.get(endpoint) ?? [];
    const held = this.heldBytes.get(endpoint) ?? 0;
    if (active + queue.length >= (this.share.maxHeldCalls ?? Number.POSITIVE_INFINITY)) return Promise.resolve('endpoint_share');
    if (held > 0 && held + bytes > (this.share.maxHeldBytes ?? Number.POSITIVE_INFINITY)) return Promise.resolve('endpoint_share');
    if (active < this.limitOf(endpoint)) {
      this.active.set(endpoint, active + 1);
      this.heldBytes.set(endpoint, held + bytes);
      return Promise.resolve(this.releaser(endpoint, bytes, active + 1));
    }
    if (queue.length >= this.queueBound(endpoint)) return Promise.resolve('endpoint_queue');
    if (this.share.underPressure?.() && !this.isCompleting(endpoint)) return Promise.resolve('endpoint_stalled');
    this.queues.set(endpoint, queue);
    this.heldBytes.set(endpoint, held + bytes);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser(endpoint, bytes, this.active.get(endpoint) ?? 1));
        },
        refuse: (reason) => {
          clearTimeout(timer);
          this.forgetBytes(endpoint, bytes);
          resolve(reason);
        },
      };
      const timer: NodeJS.Timeout | undefined = !Number.isFinite(this.maxQueueWaitMs)
        ? undefined
        : setTimeout(() => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          if (queue.length === 0 && this.queues.get(endpoint) === queue) this.queues.delete(endpoint);
          waiter.refuse('endpoint_wait');
        }, this.maxQueueWaitMs);
      timer?.unref();
      queue.push(waiter);
    });
  }

  /** The endpoint's limit on calls in flight now. */
  limitOf(endpoint: string): number {
    if (typeof this.concurrency === 'number') return this.concurrency;
    return this.adaptiveLimitOf(endpoint).limit;
  }

  /**
   * No call to the endpoint goes out before `untilMs` (its Retry-After): calls waiting for
   * it and calls arriving meanwhile are refused with `retry_after`.
   */
  pause(endpoint: string, untilMs: number): void {
    if (untilMs <= this.nowMs()) return;
    this.paused.set(endpoint, Math.max(untilMs, this.paused.get(endpoint) ?? 0));
    this.drain(endpoint);
  }

  /** Until when the endpoint's Retry-After runs, if it does now. */
  pausedUntil(endpoint: string): number | undefined {
    const untilMs = this.paused.get(endpoint);
    if (untilMs === undefined) return undefined;
    if (untilMs > this.nowMs()) return untilMs;
    this.paused.delete(endpoint);
    return undefined;
  }

  private adaptiveLimitOf(endpoint: string): AdaptiveLimit {
    const entry = this.limits.get(endpoint);
    if (entry) {
      entry.lastUsedMs = this.nowMs();
      return entry.limit;
    }
    const limit = new AdaptiveLimit(this.concurrency as AdaptiveLimitOptions);
    this.limits.set(endpoint, { limit, lastUsedMs: this.nowMs() });
    return limit;
  }

  private forgetBytes(endpoint: string, bytes: number): void {
    const held = (this.heldBytes.get(endpoint) ?? 0) - bytes;
    if (held <= 0 && !this.active.has(endpoint) && !this.queues.has(endpoint)) this.heldBytes.delete(endpoint);
    else this.heldBytes.set(endpoint, Math.max(0, held));
  }

  private releaser(endpoint: string, bytes: number, inFlight: number): ReleaseSlot {
    let released = false;
    const startedAtMs = this.nowMs();
    if (typeof this.concurrency !== 'number') this.adaptiveLimitOf(endpoint).started(startedAtMs);
    return (signal = 'ignore') => {
      if (released) return;
      released = true;
      this.countCompletion(endpoint);
      if (typeof this.concurrency !== 'number') {
        const change = this.adaptiveLimitOf(endpoint).sample({ startedAtMs, endedAtMs: this.nowMs(), inFlight, signal });
        if (change !== 'none') this.share.onLimitChange?.(change, this.limitOf(endpoint));
      }
      const active = (this.active.get(endpoint) ?? 1) - 1;
      if (active <= 0) this.active.delete(endpoint);
      else this.active.set(endpoint, active);
      this.forgetBytes(endpoint, bytes);
      this.drain(endpoint);
    };
  }

  /** Hands free slots to queued calls in order, or refuses them all while the endpoint's Retry-After runs. */
  private drain(endpoint: string): void {
    const queue = this.queues.get(endpoint);
    if (!queue) return;
    if (this.pausedUntil(endpoint) !== undefined) {
      this.queues.delete(endpoint);
      for (const waiter of queue.splice(0)) waiter.refuse('retry_after');
      return;
    }
    const limit = this.limitOf(endpoint);
    while (queue.length > 0 && (this.active.get(endpoint) ?? 0) < limit) {
      const next = queue.shift() as Waiter;
      this.active.set(endpoint, (this.active.get(endpoint) ?? 0) + 1);
      if (queue.length === 0) this.queues.delete(endpoint);
      next.grant();
    }
  }

  /** The completions bucket of `endpoint` rolled forward to now. */
  private completionsOf(endpoint: string): Completions | undefined {
    const entry = this.completions.get(endpoint);
    if (!entry) return undefined;
    const elapsed = this.nowMs() - entry.bucketStartMs;
    if (elapsed >= BUCKET_MS) {
      entry.previous = elapsed >= 2 * BUCKET_MS ? 0 : entry.current;
      entry.current = 0;
      entry.bucketStartMs += Math.floor(elapsed / BUCKET_MS) * BUCKET_MS;
    }
    return entry;
  }

  private countCompletion(endpoint: string): void {
    const entry = this.completionsOf(endpoint);
    if (entry) entry.current += 1;
    else this.completions.set(endpoint, { sinceMs: this.nowMs(), bucketStartMs: this.nowMs(), current: 1, previous: 0 });
  }

  /** Whether the endpoint completed any call in the last one to two seconds. */
  private isCompleting(endpoint: string): boolean {
    const entry = this.completionsOf(endpoint);
    return entry !== undefined && entry.current + entry.previous > 0;
  }

  private queueBound(endpoint: string): number {
    const entry = this.completionsOf(endpoint);
    if (!entry) return this.maxQueuedPerEndpoint;
    // Calls per second over the last one to two seconds (at least one second, so that a
    // few quick answers to a new endpoint do not count as a high rate).
    const nowMs = this.nowMs();
    const windowMs = Math.max(BUCKET_MS, Math.min(BUCKET_MS + (nowMs - entry.bucketStartMs), nowMs - entry.sinceMs));
    const perSecond = ((entry.previous + entry.current) * BUCKET_MS) / windowMs;
    return Math.max(this.maxQueuedPerEndpoint, Math.ceil(perSecond * QUEUE_SECONDS_OF_THROUGHPUT));
  }

  /** Forgets the completion counts of endpoints idle for two buckets (bounded memory). */
  private sweepNowAndThen(): void {
    this.acquiresSinceSweep += 1;
    if (this.acquiresSinceSweep < 10_000) return;
    this.acquiresSinceSweep = 0;
    const staleBefore = this.nowMs() - 2 * BUCKET_MS;
    for (const [endpoint, entry] of this.completions) {
      if (entry.bucketStartMs < staleBefore && !this.active.has(endpoint)) this.completions.delete(endpoint);
    }
    const idleBefore = this.nowMs() - LIMIT_IDLE_MS;
    for (const [endpoint, entry] of this.limits) {
      if (entry.lastUsedMs < idleBefore && !this.active.has(endpoint)) this.limits.delete(endpoint);
    }
    for (const endpoint of this.paused.keys()) this.pausedUntil(endpoint);
  }

  stats(endpoint: string): { active: number; queued: number; bytes: number } {
    return { active: this.active.get(endpoint) ?? 0, queued: this.queues.get(endpoint)?.length ?? 0, bytes: this.heldBytes.get(endpoint) ?? 0 };
  }
}

/** What one call takes of the sender's pool: its class and its size. */
export interface Claim {
  /** Automatic retries may use only their share of the pool; first calls (and manual retries) all of it. */
  kind: 'first' | 'retry';
  bytes: number;
}

const FIRST_CALL: Claim = { kind: 'first', bytes: 0 };

/** Part of the pool past which calls no longer queue for a busy origin (see EndpointLimiter). */
const QUEUEING_HEADROOM = 0.8;

export interface CapacityLimits {
  /** Calls in flight, all origins together. */
  calls: number;
  /** Bytes of the calls in flight (their messages), all origins together. */
  bytes?: number;
  /** Part (0..1] of `calls` and `bytes` that automatic retries may hold: the rest is kept for first calls. */
  retryShare?: number;
}

/**
 * The sender's overall bound on calls in flight, in count and in bytes: a semaphore whose
 * waiting first calls are served before waiting retries, and in which retries may hold
 * only their share. A call larger than the whole byte bound still goes when the pool is
 * empty, so nothing waits forever.
 */
export class Capacity {
  private used = 0;
  private usedBytes = 0;
  private retries = 0;
  private retryBytes = 0;
  private readonly limits: Required<CapacityLimits>;
  private readonly waiters: Array<{ claim: Claim; grant: () => void }> = [];

  constructor(limits: number | CapacityLimits) {
    const given = typeof limits === 'number' ? { calls: limits } : limits;
    this.limits = { bytes: Number.POSITIVE_INFINITY, retryShare: 1, ...given };
  }

  get inUse(): number {
    return this.used;
  }

  get retriesInUse(): number {
    return this.retries;
  }

  get bytesInUse(): number {
    return this.usedBytes;
  }

  /** True while most of the pool is held: calls then stop queueing for busy origins. */
  underPressure(): boolean {
    return this.used >= this.limits.calls * QUEUEING_HEADROOM || this.usedBytes >= this.limits.bytes * QUEUEING_HEADROOM;
  }

  private fits(claim: Claim): boolean {
    if (this.used === 0) return true;
    if (this.used >= this.limits.calls || this.usedBytes + claim.bytes > this.limits.bytes) return false;
    if (claim.kind === 'first') return true;
    const share = this.limits.retryShare;
    return this.retries < Math.max(1, Math.floor(this.limits.calls * share)) && (this.retries === 0 || this.retryBytes + claim.bytes <= this.limits.bytes * share);
  }

  private take(claim: Claim): void {
    this.used += 1;
    this.usedBytes += claim.bytes;
    if (claim.kind === 'retry') {
      this.retries += 1;
      this.retryBytes += claim.bytes;
    }
  }

  tryAcquire(claim: Claim = FIRST_CALL): boolean {
    // A new retry never overtakes a waiting call.
    if (claim.kind === 'retry' && this.waiters.length > 0) return false;
    if (!this.fits(claim)) return false;
    this.take(claim);
    return true;
  }

  /** Resolves when a slot is free, or after `timeoutMs` with false (so callers can heartbeat). */
  acquire(timeoutMs: number, claim: Claim = FIRST_CALL): Promise<boolean> {
    if (this.tryAcquire(claim)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        claim,
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  release(claim: Claim = FIRST_CALL): void {
    this.used = Math.max(0, this.used - 1);
    this.usedBytes = Math.max(0, this.usedBytes - claim.bytes);
    if (claim.kind === 'retry') {
      this.retries = Math.max(0, this.retries - 1);
      this.retryBytes = Math.max(0, this.retryBytes - claim.bytes);
    }
    this.grantWaiters();
  }

  /** Hands free room to waiting first calls in order, then to waiting retries. */
  private grantWaiters(): void {
    for (const kind of ['first', 'retry'] as const) {
      for (let index = 0; index < this.waiters.length; ) {
        const waiter = this.waiters[index] as (typeof this.waiters)[number];
        if (waiter.claim.kind !== kind || !this.fits(waiter.claim)) {
          index += 1;
          continue;
        }
        this.waiters.splice(index, 1);
        this.take(waiter.claim);
        waiter.grant();
      }
    }
  }
}
