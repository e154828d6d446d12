/**
 * Bounds the calls in flight to one endpoint (its origin) and the calls queued for it, so
 * that a slow or dead endpoint occupies at most its own share of the sender while others
 * go on at full speed (spec/delivery.md "Isolation").
 */
export class EndpointLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(
    private readonly maxConcurrentPerEndpoint: number,
    private readonly maxQueuedPerEndpoint: number,
    /** A queued call gives up after this long: a dead endpoint's queue is bounded in time too. */
    private readonly maxQueueWaitMs: number = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Resolves with a release function once the endpoint has a free slot. Resolves with
   * undefined when its queue is full, or when the call waited `maxQueueWaitMs` in it
   * (the caller fails the attempt as `endpoint_overloaded`; it is retried on schedule).
   */
  acquire(endpoint: string): Promise<(() => void) | undefined> {
    const active = this.active.get(endpoint) ?? 0;
    if (active < this.maxConcurrentPerEndpoint) {
      this.active.set(endpoint, active + 1);
      return Promise.resolve(this.releaser(endpoint));
    }
    const queue = this.queues.get(endpoint) ?? [];
    if (queue.length >= this.maxQueuedPerEndpoint) return Promise.resolve(undefined);
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
