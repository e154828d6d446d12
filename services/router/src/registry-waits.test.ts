import { Registry, createLogger } from '@hookstream/observability';
import { createRouterMetrics } from './metrics';
import { RegistryUnavailableError } from './route-event';
import { createRegistryWaits } from './router-consumer';

/** The per-partition waits of a schema registry outage: backoff, resume, readiness. */
describe('createRegistryWaits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup() {
    const metrics = createRouterMetrics(new Registry());
    const waits = createRegistryWaits({ metrics, logger: createLogger({ service: 'router-test', level: 'silent' }), random: () => 0.5 });
    const partition = { paused: 0, resumed: 0 };
    const pause = () => {
      partition.paused += 1;
      return () => void (partition.resumed += 1);
    };
    return { metrics, waits, partition, pause };
  }
  const outage = new RegistryUnavailableError(new Error('connect ECONNREFUSED'));

  it('pauses the partition and resumes it after a backoff that doubles up to its ceiling', () => {
    const { waits, partition, pause } = setup();
    const delays = [1, 2, 3, 4, 5, 6, 7].map(() => waits.defer('domain-events', 0, pause, outage));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(partition.paused).toBe(7);
    jest.advanceTimersByTime(9_999);
    expect(partition.resumed).toBe(0);
    jest.advanceTimersByTime(1);
    expect(partition.resumed).toBe(1);
  });

  it('is not ready while a partition waits, counts each deferred batch, and starts over once decoded', async () => {
    const { waits, pause, metrics } = setup();
    expect(waits.waiting()).toBe(0);
    waits.defer('domain-events', 0, pause, outage);
    waits.defer('domain-events', 1, pause, outage);
    waits.defer('domain-events', 1, pause, outage);
    expect(waits.waiting()).toBe(2);
    expect((await metrics.registryUnavailable.get()).values[0]?.value).toBe(3);
    expect((await metrics.partitionsWaitingForRegistry.get()).values[0]?.value).toBe(2);
    waits.decoded('domain-events', 1);
    waits.decoded('domain-events', 2);
    expect(waits.waiting()).toBe(1);
    expect(waits.defer('domain-events', 1, pause, outage)).toBe(500);
  });

  it('resumes every waiting partition after a rebalance', () => {
    const { waits, partition, pause } = setup();
    waits.defer('domain-events', 0, pause, outage);
    waits.defer('domain-events', 2, pause, outage);
    waits.reset();
    expect(partition.resumed).toBe(2);
    expect(waits.waiting()).toBe(0);
    jest.runOnlyPendingTimers();
    expect(partition.resumed).toBe(2);
  });
});
