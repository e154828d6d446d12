/**
 * How much an answering endpoint may have queued: the calls it completed in about this
 * many seconds. The sender's own backlog (a burst fetched at once, or its event loop at
 * saturation) then waits in the queue instead of failing as `endpoint_overloaded`, which
 * would count against a healthy endpoint in the offline rule. A dead endpoint completes
 * nothing, so the fixed bound applies to it.
 */
const QUEUE_SECONDS_OF_THROUGHPUT = 5;
const BUCKET_MS = 1_000;

/** Calls an endpoint completed in the current and the previous one-second bucket. */
interface Completions {
  /** When the first of them was counted: a young entry has less than two buckets of history. */
  sinceMs: number;
  bucketStartMs: number;
  current: number;
  previous: number;
}

/**
 * Bounds the calls in flight to one endpoint (its origin) and the calls queued for it, so
 * that a slow or dead endpoint occupies at most its own share of the sender while others
 * go on at full speed (docs/architecture.md "Isolation"). The queue holds the larger of
 * `maxQueuedPerEndpoint` and about five seconds of what the endpoint has been completing.
 */
export class EndpointLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly completions = new Map<string, Completions>();
  private acquiresSinceSweep = 0;

  constructor(
    private readonly maxConcurrentPerEndpoint: number,
    private readonly maxQueuedPerEndpoint: number,
    /** A queued call gives up after this long: a dead endpoint's queue is bounded in time too. */
    private readonly maxQueueWaitMs: number = Number.POSITIVE_INFINITY,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Resolves with a release function once the endpoint has a free slot. Resolves with
   * undefined when its queue is full, or when the call waited `maxQueueWaitMs` in it
   * (the caller fails the attempt as `endpoint_overloaded`; it is retried on schedule).
   */
  acquire(endpoint: string): Promise<(() => void) | undefined> {
    this.sweepNowAndThen();
    const active = this.active.get(endpoint) ?? 0;
    if (active < this.maxConcurrentPerEndpoint) {
      this.active.set(endpoint, active + 1);
      return Promise.resolve(this.releaser(endpoint));
    }
    const queue = this.queues.get(endpoint) ?? [];
    if (queue.length >= this.queueBound(endpoint)) return Promise.resolve(undefined);
    this.queues.set(endpoint, queue);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(this.releaser(endpoint));
      };
      const timer: NodeJS.Timeout | undefined = !Number.isFinite(this.maxQueueWaitMs)
        ? undefined
        : setTimeout(() => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          if (queue.length === 0 && this.queues.get(endpoint) === queue) this.queues.delete(endpoint);
          resolve(undefined);
        }, this.maxQueueWaitMs);
      timer?.unref();
      queue.push(waiter);
    });
  }

  private releaser(endpoint: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.countCompletion(endpoint);
      const queue = this.queues.get(endpoint);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.queues.delete(endpoint);
      if (next) {
        next(); // the slot passes straight to the next queued call
        return;
      }
      const active = (this.active.get(endpoint) ?? 1) - 1;
      if (active <= 0) this.active.delete(endpoint);
      else this.active.set(endpoint, active);
    };
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
  }

  stats(endpoint: string): { active: number; queued: number } {
    return { active: this.active.get(endpoint) ?? 0, queued: this.queues.get(endpoint)?.length ?? 0 };
  }
}

/** A counting semaphore for the sender's overall bound on calls in flight. */
export class Capacity {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  tryAcquire(): boolean {
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  /** Resolves when a slot is free, or after `timeoutMs` with false (so callers can heartbeat). */
  acquire(timeoutMs: number): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(); // the slot passes to the waiter
    else this.used = Math.max(0, this.used - 1);
  }
}
