import { Capacity, EndpointLimiter } from './endpoint-limiter';

describe('EndpointLimiter', () => {
  it('bounds concurrency per endpoint and hands slots to queued calls in order', async () => {
    const limiter = new EndpointLimiter(2, 10);
    const first = await limiter.acquire('https://a.test');
    await limiter.acquire('https://a.test');
    const order: string[] = [];
    void limiter.acquire('https://a.test').then(() => order.push('third'));
    void limiter.acquire('https://a.test').then(() => order.push('fourth'));
    expect(limiter.stats('https://a.test')).toEqual({ active: 2, queued: 2 });
    // Another endpoint is not held back by the busy one.
    await expect(limiter.acquire('https://b.test')).resolves.toEqual(expect.any(Function));
    first?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['third']);
    expect(limiter.stats('https://a.test')).toEqual({ active: 2, queued: 1 });
  });

  it('refuses at once when the endpoint queue is full', async () => {
    const limiter = new EndpointLimiter(1, 1);
    await limiter.acquire('e');
    void limiter.acquire('e');
    await expect(limiter.acquire('e')).resolves.toBeUndefined();
  });

  it('gives a queued call up after the longest wait, freeing its place', async () => {
    const limiter = new EndpointLimiter(1, 1, 20);
    await limiter.acquire('dead');
    await expect(limiter.acquire('dead')).resolves.toBeUndefined();
    expect(limiter.stats('dead')).toEqual({ active: 1, queued: 0 });
  });

  it('lets an answering endpoint queue about five seconds of what it completes, beyond the fixed bound', async () => {
    let nowMs = 0;
    const limiter = new EndpointLimiter(1, 2, Number.POSITIVE_INFINITY, () => nowMs);
    // 100 calls completed within a second: the endpoint answers about 100 per second.
    for (let call = 0; call < 100; call += 1) {
      const release = await limiter.acquire('fast');
      release?.();
      nowMs += 9;
    }
    await limiter.acquire('fast'); // holds the one slot
    const queued = Array.from({ length: 600 }, () => limiter.acquire('fast'));
    const refused = await Promise.race([Promise.all(queued.slice(-100)), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);
    // About 5 s × 100/s fit; the last of the 600 are refused at once.
    expect(refused).toEqual(Array.from({ length: 100 }, () => undefined));
    const waiting = limiter.stats('fast').queued;
    expect(waiting).toBeGreaterThanOrEqual(400);
    expect(waiting).toBeLessThan(600);
  });

  it('keeps the fixed bound for an endpoint that has completed nothing lately', async () => {
    let nowMs = 0;
    const limiter = new EndpointLimiter(1, 2, Number.POSITIVE_INFINITY, () => nowMs);
    for (let call = 0; call < 100; call += 1) (await limiter.acquire('was-fast'))?.();
    nowMs += 5_000; // then nothing for five seconds: its slot holder hangs
    await limiter.acquire('was-fast');
    void limiter.acquire('was-fast');
    void limiter.acquire('was-fast');
    await expect(limiter.acquire('was-fast')).resolves.toBeUndefined();
    expect(limiter.stats('was-fast')).toEqual({ active: 1, queued: 2 });
  });

  it('frees the endpoint when the last call releases (and a double release is harmless)', async () => {
    const limiter = new EndpointLimiter(1, 1);
    const release = await limiter.acquire('e');
    release?.();
    release?.();
    expect(limiter.stats('e')).toEqual({ active: 0, queued: 0 });
  });
});

describe('Capacity', () => {
  it('waits for a free slot, or times out so the caller can heartbeat', async () => {
    const capacity = new Capacity(1);
    expect(capacity.tryAcquire()).toBe(true);
    await expect(capacity.acquire(10)).resolves.toBe(false);
    const waiting = capacity.acquire(1_000);
    capacity.release();
    await expect(waiting).resolves.toBe(true);
    expect(capacity.inUse).toBe(1);
  });
});
