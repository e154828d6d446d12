import { admissibleEvents, createTokenBucket, outstandingWindow } from './token-bucket';

describe('createTokenBucket', () => {
  it('hands out the offered rate over time, whatever the tick spacing', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1_000, startMs: 0, maxBurst: 10_000 });
    let total = 0;
    let now = 0;
    const ticks = [10, 3, 17, 10, 25, 1, 34];
    while (now < 10_000) {
      now += ticks[total % ticks.length] as number;
      total += bucket.take(now);
    }
    expect(total).toBeGreaterThanOrEqual(9_999);
    expect(total).toBeLessThanOrEqual(now);
  });

  it('keeps fractions for later ticks (111.1 events/s)', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1_000 / 9, startMs: 0, maxBurst: 1_000 });
    let total = 0;
    for (let now = 10; now <= 9_000; now += 10) total += bucket.take(now);
    expect(total).toBe(1_000);
  });

  it('caps the burst after a stall', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1_000, startMs: 0, maxBurst: 50 });
    expect(bucket.take(5_000)).toBe(50);
  });

  it('never goes backwards when the clock does', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1_000, startMs: 100, maxBurst: 50 });
    expect(bucket.take(50)).toBe(0);
    expect(bucket.take(60)).toBe(10);
  });
});

describe('admissibleEvents', () => {
  const base = { producedDeliveries: 0, receivedDeliveries: 0, fanOut: 1, maxOutstanding: 100, maxBatch: 1_000 };

  it('fills the window when nothing is outstanding', () => {
    expect(admissibleEvents(base)).toBe(100);
  });

  it('counts deliveries, so fan-out 10 admits a tenth as many events', () => {
    expect(admissibleEvents({ ...base, fanOut: 10, producedDeliveries: 50, receivedDeliveries: 20 })).toBe(7);
  });

  it('admits nothing while the window is full', () => {
    expect(admissibleEvents({ ...base, producedDeliveries: 150, receivedDeliveries: 50 })).toBe(0);
    expect(admissibleEvents({ ...base, fanOut: 10, producedDeliveries: 95, receivedDeliveries: 0 })).toBe(0);
  });

  it('never exceeds one batch', () => {
    expect(admissibleEvents({ ...base, maxOutstanding: 1_000_000, maxBatch: 500 })).toBe(500);
  });
});

describe('outstandingWindow', () => {
  const bounds = { min: 2_000, max: 20_000, seconds: 2 };

  it('holds about two seconds of the recent delivered rate', () => {
    expect(outstandingWindow(3_000, bounds)).toBe(6_000);
  });

  it('never starves the pipeline below the minimum, nor lets queues grow past the maximum', () => {
    expect(outstandingWindow(0, bounds)).toBe(2_000);
    expect(outstandingWindow(50_000, bounds)).toBe(20_000);
  });
});
