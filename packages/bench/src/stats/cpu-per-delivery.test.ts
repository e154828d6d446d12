import { cpuPerDeliveryMs } from './cpu-per-delivery';

describe('cpuPerDeliveryMs', () => {
  it('divides the cores of router, sender and health by the delivered rate', () => {
    const usage = { router: { cores: 0.1 }, sender: { cores: 0.4 }, health: { cores: 0.1 }, broker: { cores: 0.5 } };
    expect(cpuPerDeliveryMs(usage, 2_000)).toBeCloseTo(0.3);
  });

  it('is undefined when a service was not watched or nothing was delivered', () => {
    expect(cpuPerDeliveryMs({ router: { cores: 0.1 }, sender: { cores: 0.4 } }, 1_000)).toBeUndefined();
    expect(cpuPerDeliveryMs({ router: { cores: 0.1 }, sender: { cores: 0.4 }, health: { cores: 0.1 } }, 0)).toBeUndefined();
  });
});
