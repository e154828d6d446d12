import { checkMoreTargets, checkTargets, formatMs } from './targets';

const passing = {
  fanOut1DeliveriesPerSecond: 5_200,
  fanOut1Sustained: true,
  p99AtFixedRateMs: 45,
  isolationBaselineP99Ms: 40,
  isolationDeadP99Ms: 59,
};

describe('checkTargets', () => {
  it('passes figures within every target', () => {
    expect(checkTargets(passing).map((check) => check.verdict)).toEqual(['pass', 'pass', 'pass']);
  });

  it('fails a throughput that is high enough but not sustained', () => {
    expect(checkTargets({ ...passing, fanOut1Sustained: false })[0]?.verdict).toBe('FAIL');
    expect(checkTargets({ ...passing, fanOut1DeliveriesPerSecond: 4_999 })[0]?.verdict).toBe('FAIL');
  });

  it('fails a p99 above 50 ms and an isolation ratio above 1.5', () => {
    const checks = checkTargets({ ...passing, p99AtFixedRateMs: 50.5, isolationDeadP99Ms: 62 });
    expect(checks[1]?.verdict).toBe('FAIL');
    expect(checks[2]?.verdict).toBe('FAIL');
    expect(checks[2]?.figure).toContain('1.55×');
  });

  it('fails a good p99 when some events were never delivered', () => {
    const check = checkTargets({ ...passing, p99AtFixedRateMs: 30, fixedRateUndelivered: 1_200 })[1];
    expect(check?.verdict).toBe('FAIL');
    expect(check?.figure).toContain('1,200 never delivered');
  });

  it('says n/a for what was not measured', () => {
    const checks = checkTargets({
      fanOut1DeliveriesPerSecond: undefined,
      fanOut1Sustained: undefined,
      p99AtFixedRateMs: Number.NaN,
      isolationBaselineP99Ms: 40,
      isolationDeadP99Ms: undefined,
    });
    expect(checks.map((check) => check.verdict)).toEqual(['n/a', 'n/a', 'n/a']);
  });
});

const MiB = 1_048_576;
const morePassing = {
  fanOut1DeliveriesPerSecond: 5_200,
  receiverAlonePerSecond: 38_000,
  fanOut10DeliveriesPerSecond: 8_100,
  fanOut10Sustained: true,
  cpuPerDeliveryAtFixedRateMs: 0.29,
  cpuPerDeliveryAtSaturationMs: 0.19,
  p999AtFixedRateMs: 70,
  isolationBaselineP99Ms: 40,
  deadEndpointsP99Ms: 79,
  deadEndpointsHealthyFailures: 0,
  maxServiceRss: { bytes: 149 * MiB, where: 'sender, latency-fo1' },
  latencyP99Ms: 40,
  backlogP99Ms: 48,
  latencySenderRssBytes: 120 * MiB,
  backlogSenderRssBytes: 169 * MiB,
  replayBaselineP99Ms: 40,
  replayP99Ms: 47,
  replayShareOfWindow: 0.9,
};

describe('checkMoreTargets', () => {
  it('passes figures within every target, and prints p99.9 without a verdict', () => {
    expect(checkMoreTargets(morePassing).map((check) => check.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'n/a', 'pass', 'pass', 'pass', 'pass']);
  });

  it('fails a replay that moves the live p99 by more than 1.2×, and says how much of the window it ran', () => {
    const check = checkMoreTargets({ ...morePassing, replayP99Ms: 49 })[8];
    expect(check?.verdict).toBe('FAIL');
    expect(check?.figure).toBe('49.0 ms vs 40.0 ms (1.23×); replay running 90 % of the window');
  });

  it('gives no verdict on a replay that did not run during the measured window, or whose reference fell behind', () => {
    const outside = checkMoreTargets({ ...morePassing, replayP99Ms: 80, replayShareOfWindow: 0 })[8];
    expect(outside?.verdict).toBe('n/a');
    expect(outside?.figure).toContain('did not run during the measured window');
    expect(checkMoreTargets({ ...morePassing, replayBaselineUndelivered: 12 })[8]?.verdict).toBe('n/a');
  });

  it('fails fan-out 1 below 13 % of the receiver alone even above 5,000/s', () => {
    expect(checkMoreTargets({ ...morePassing, receiverAlonePerSecond: 41_000 })[0]?.verdict).toBe('FAIL');
  });

  it('fails the dead-endpoint run on one failed healthy call, whatever its p99', () => {
    const check = checkMoreTargets({ ...morePassing, deadEndpointsHealthyFailures: 1 })[5];
    expect(check?.verdict).toBe('FAIL');
    expect(check?.figure).toContain('1 healthy calls failed');
  });

  it('fails a service above 150 MiB and a backlog that grows the sender by more than 50 MiB', () => {
    const checks = checkMoreTargets({ ...morePassing, maxServiceRss: { bytes: 151 * MiB, where: 'health, throughput-fo10' }, backlogSenderRssBytes: 171 * MiB });
    expect(checks[6]?.verdict).toBe('FAIL');
    expect(checks[6]?.figure).toBe('151 MiB (health, throughput-fo10)');
    expect(checks[7]?.verdict).toBe('FAIL');
  });

  it('gives no verdict on a ratio whose reference run fell behind', () => {
    const checks = checkMoreTargets({ ...morePassing, isolationBaselineUndelivered: 17_977, latencyUndelivered: 10_108 });
    expect(checks[5]?.verdict).toBe('n/a');
    expect(checks[5]?.figure).toContain('fell behind');
    expect(checks[7]?.verdict).toBe('n/a');
    expect(checkTargets({ ...passing, isolationBaselineUndelivered: 1 })[2]?.verdict).toBe('n/a');
  });

  it('says n/a for what was not measured', () => {
    const none = Object.fromEntries(Object.keys(morePassing).map((key) => [key, undefined])) as unknown as Parameters<typeof checkMoreTargets>[0];
    expect(checkMoreTargets(none).every((check) => check.verdict === 'n/a')).toBe(true);
  });
});

describe('formatMs', () => {
  it.each([
    [3.14159, '3.1 ms'],
    [250.4, '250 ms'],
    [31_234, '31.2 s'],
    [undefined, '–'],
  ])('%p → %p', (value, text) => {
    expect(formatMs(value)).toBe(text);
  });
});
