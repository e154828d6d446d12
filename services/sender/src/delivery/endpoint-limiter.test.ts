import { Capacity, EndpointLimiter, type OverloadReason, type ReleaseSlot } from './endpoint-limiter';

/** Releases a granted slot; a refusal has nothing to release. */
const release = (slot: ReleaseSlot | OverloadReason | undefined) => {
  if (typeof slot === 'function') slot();
};

describe('EndpointLimiter', () => {
  it('bounds concurrency per endpoint and hands slots to queued calls in order', async () => {
    const limiter = new EndpointLimiter(2, 10);
    const first = await limiter.acquire('https://a.test');
    await limiter.acquire('https://a.test');
    const order: string[] = [];
    void limiter.acquire('https://a.test').then(() => order.push('third'));
    void limiter.acquire('https://a.test').then(() => order.push('fourth'));
    expect(limiter.stats('https://a.test')).toEqual({ active: 2, queued: 2, bytes: 0 });
    // Another endpoint is not held back by the busy one.
    await expect(limiter.acquire('https://b.test')).resolves.toEqual(expect.any(Function));
    release(first);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['third']);
    expect(limiter.stats('https://a.test')).toEqual({ active: 2, queued: 1, bytes: 0 });
  });

  it('refuses at once when the endpoint queue is full', async () => {
    const limiter = new EndpointLimiter(1, 1);
    await limiter.acquire('e');
    void limiter.acquire('e');
    await expect(limiter.acquire('e')).resolves.toBe('endpoint_queue');
  });

  it('gives a queued call up after the longest wait, freeing its place', async () => {
    const limiter = new EndpointLimiter(1, 1, 20);
    await limiter.acquire('dead');
    await expect(limiter.acquire('dead')).resolves.toBe('endpoint_wait');
    expect(limiter.stats('dead')).toEqual({ active: 1, queued: 0, bytes: 0 });
  });

  it('lets an answering endpoint queue about five seconds of what it completes, beyond the fixed bound', async () => {
    let nowMs = 0;
    const limiter = new EndpointLimiter(1, 2, Number.POSITIVE_INFINITY, () => nowMs);
    // 100 calls completed within a second: the endpoint answers about 100 per second.
    for (let call = 0; call < 100; call += 1) {
      release(await limiter.acquire('fast'));
      nowMs += 9;
    }
    await limiter.acquire('fast'); // holds the one slot
    const queued = Array.from({ length: 600 }, () => limiter.acquire('fast'));
    const refused = await Promise.race([Promise.all(queued.slice(-100)), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);
    // About 5 s × 100/s fit; the last of the 600 are refused at once.
    expect(refused).toEqual(Array.from({ length: 100 }, () => 'endpoint_queue'));
    const waiting = limiter.stats('fast').queued;
    expect(waiting).toBeGreaterThanOrEqual(400);
    expect(waiting).toBeLessThan(600);
  });

  it('keeps the fixed bound for an endpoint that has completed nothing lately', async () => {
    let nowMs = 0;
    const limiter = new EndpointLimiter(1, 2, Number.POSITIVE_INFINITY, () => nowMs);
    for (let call = 0; call < 100; call += 1) release(await limiter.acquire('was-fast'));
    nowMs += 5_000; // then nothing for five seconds: its slot holder hangs
    await limiter.acquire('was-fast');
    void limiter.acquire('was-fast');
    void limiter.acquire('was-fast');
    await expect(limiter.acquire('was-fast')).resolves.toBe('endpoint_queue');
    expect(limiter.stats('was-fast')).toEqual({ active: 1, queued: 2, bytes: 0 });
  });

  it('frees the endpoint when the last call releases (and a double release is harmless)', async () => {
    const limiter = new EndpointLimiter(1, 1);
    const slot = await limiter.acquire('e');
    release(slot);
    release(slot);
    expect(limiter.stats('e')).toEqual({ active: 0, queued: 0, bytes: 0 });
  });

  it('keeps what one origin holds, calling and waiting, within its share of calls', async () => {
    const limiter = new EndpointLimiter(2, 100, Number.POSITIVE_INFINITY, Date.now, { maxHeldCalls: 5 });
    const held = await Promise.all([limiter.acquire('dead'), limiter.acquire('dead')]);
    const waiting = [limiter.acquire('dead'), limiter.acquire('dead'), limiter.acquire('dead')];
    // Its queue has room, but the origin holds its five: the sixth is deferred.
    await expect(limiter.acquire('dead')).resolves.toBe('endpoint_share');
    await expect(limiter.acquire('other')).resolves.toEqual(expect.any(Function));
    expect(limiter.stats('dead')).toEqual({ active: 2, queued: 3, bytes: 0 });
    held.forEach(release);
    for (const slot of waiting) release(await slot);
    expect(limiter.stats('dead')).toEqual({ active: 0, queued: 0, bytes: 0 });
  });

  it('keeps the bytes one origin holds within its share, and frees them as calls end', async () => {
    const limiter = new EndpointLimiter(4, 100, Number.POSITIVE_INFINITY, Date.now, { maxHeldBytes: 1_000 });
    const first = await limiter.acquire('big', 600);
    await expect(limiter.acquire('big', 600)).resolves.toBe('endpoint_share');
    const second = await limiter.acquire('big', 400);
    expect(limiter.stats('big')).toEqual({ active: 2, queued: 0, bytes: 1_000 });
    release(first);
    release(second);
    expect(limiter.stats('big')).toEqual({ active: 0, queued: 0, bytes: 0 });
    // One call larger than the whole share still goes when the origin holds nothing.
    const huge = await limiter.acquire('big', 5_000);
    expect(huge).toEqual(expect.any(Function));
    release(huge);
  });

  it('while the sender is under pressure, queues calls only for origins that are completing calls', async () => {
    let nowMs = 0;
    let pressure = false;
    const limiter = new EndpointLimiter(1, 100, Number.POSITIVE_INFINITY, () => nowMs, { underPressure: () => pressure });
    const silent = await limiter.acquire('silent');
    const queuedBefore = limiter.acquire('silent');
    release(await limiter.acquire('answering')); // one call completed just now
    const answering = await limiter.acquire('answering');
    pressure = true;
    await expect(limiter.acquire('silent')).resolves.toBe('endpoint_stalled');
    const queuedForAnswering = limiter.acquire('answering');
    expect(limiter.stats('answering')).toEqual({ active: 1, queued: 1, bytes: 0 });
    // A free origin still starts at once.
    await expect(limiter.acquire('idle')).resolves.toEqual(expect.any(Function));
    // Two seconds without a completion: the answering origin counts as stalled too.
    nowMs += 2_500;
    await expect(limiter.acquire('answering')).resolves.toBe('endpoint_stalled');
    release(answering);
    release(await queuedForAnswering);
    release(silent);
    release(await queuedBefore);
  });
});

describe('EndpointLimiter with an adaptive limit', () => {
  it('lets more calls go as the origin answers near its best, and fewer after it overloads', async () => {
    let nowMs = 0;
    const changes: Array<[string, number]> = [];
    const limiter = new EndpointLimiter({ min: 1, max: 16, initial: 2, minSamples: 1 }, 100, Number.POSITIVE_INFINITY, () => nowMs, {
      onLimitChange: (change, limit) => changes.push([change, limit]),
    });
    const first = await limiter.acquire('o');
    const second = await limiter.acquire('o');
    const third = limiter.acquire('o'); // queued: the limit is 2
    expect(limiter.stats('o')).toMatchObject({ active: 2, queued: 1 });
    nowMs += 50;
    (first as ReleaseSlot)('answer'); // a round trip at its best: the limit grows to 3
    expect(limiter.limitOf('o')).toBe(3);
    await expect(third).resolves.toEqual(expect.any(Function));
    // The freed slot and the new one both went to the queue: a fourth call finds room.
    await expect(limiter.acquire('o')).resolves.toEqual(expect.any(Function));
    nowMs += 50;
    (second as ReleaseSlot)('overload');
    expect(changes).toEqual([
      ['increase', 3],
      ['decrease', 1],
    ]);
    const waiting = limiter.acquire('o');
    expect(limiter.stats('o')).toMatchObject({ active: 2, queued: 1 });
    release(await third);
    // Still two in flight against a limit of one: the waiting call keeps waiting.
    expect(limiter.stats('o')).toMatchObject({ active: 1, queued: 1 });
    void waiting;
  });

  it('keeps a fixed limit when given a number', async () => {
    const limiter = new EndpointLimiter(2, 10);
    const slot = await limiter.acquire('o');
    (slot as ReleaseSlot)('overload');
    expect(limiter.limitOf('o')).toBe(2);
  });
});

describe('EndpointLimiter with a Retry-After', () => {
  it('refuses the origin\'s calls, waiting and new, until the pause ends; other origins go on', async () => {
    let nowMs = 1_000;
    const limiter = new EndpointLimiter(1, 10, Number.POSITIVE_INFINITY, () => nowMs);
    const held = await limiter.acquire('o');
    const waiting = limiter.acquire('o', 100);
    limiter.pause('o', nowMs + 2_000);
    await expect(waiting).resolves.toBe('retry_after');
    expect(limiter.stats('o')).toEqual({ active: 1, queued: 0, bytes: 0 });
    await expect(limiter.acquire('o')).resolves.toBe('retry_after');
    await expect(limiter.acquire('other')).resolves.toEqual(expect.any(Function));
    expect(limiter.pausedUntil('o')).toBe(3_000);
    release(held);
    nowMs += 1_999;
    await expect(limiter.acquire('o')).resolves.toBe('retry_after');
    nowMs += 1;
    expect(limiter.pausedUntil('o')).toBeUndefined();
    await expect(limiter.acquire('o')).resolves.toEqual(expect.any(Function));
  });

  it('keeps the later of two pauses and ignores one already past', () => {
    const limiter = new EndpointLimiter(1, 10, Number.POSITIVE_INFINITY, () => 1_000);
    limiter.pause('o', 5_000);
    limiter.pause('o', 3_000);
    limiter.pause('p', 500);
    expect(limiter.pausedUntil('o')).toBe(5_000);
    expect(limiter.pausedUntil('p')).toBeUndefined();
  });
});

describe('Capacity', () => {
  it('lets retries hold only their share and serves waiting first calls before waiting retries', async () => {
    const capacity = new Capacity({ calls: 4, retryShare: 0.5 });
    const retry = { kind: 'retry', bytes: 0 } as const;
    const first = { kind: 'first', bytes: 0 } as const;
    expect(capacity.tryAcquire(retry)).toBe(true);
    expect(capacity.tryAcquire(retry)).toBe(true);
    expect(capacity.tryAcquire(retry)).toBe(false); // retries hold their two
    expect(capacity.tryAcquire(first)).toBe(true);
    expect(capacity.tryAcquire(first)).toBe(true);
    const order: string[] = [];
    const waitingRetry = capacity.acquire(1_000, retry).then((granted) => order.push(`retry ${granted}`));
    const waitingFirst = capacity.acquire(1_000, first).then((granted) => order.push(`first ${granted}`));
    capacity.release(retry); // room for one: the first call waiting gets it, though it came later
    await waitingFirst;
    expect(order).toEqual(['first true']);
    capacity.release(first);
    await waitingRetry;
    expect(order).toEqual(['first true', 'retry true']);
    expect(capacity.retriesInUse).toBe(2);
  });

  it('bounds the bytes in flight, lets one oversized call go alone, and reports pressure', async () => {
    const capacity = new Capacity({ calls: 100, bytes: 1_000 });
    expect(capacity.tryAcquire({ kind: 'first', bytes: 5_000 })).toBe(true); // alone: it goes
    expect(capacity.tryAcquire({ kind: 'first', bytes: 1 })).toBe(false);
    capacity.release({ kind: 'first', bytes: 5_000 });
    expect(capacity.tryAcquire({ kind: 'first', bytes: 700 })).toBe(true);
    expect(capacity.underPressure()).toBe(false);
    expect(capacity.tryAcquire({ kind: 'first', bytes: 200 })).toBe(true);
    expect(capacity.underPressure()).toBe(true);
    expect(capacity.bytesInUse).toBe(900);
  });

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
