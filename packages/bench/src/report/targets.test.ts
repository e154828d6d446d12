import { checkTargets, formatMs } from './targets';

const passing = {
  fanOut1DeliveriesPerSecond: 3_200,
  fanOut1Sustained: true,
  p99AtFixedRateMs: 80,
  isolationBaselineP99Ms: 40,
  isolationDeadP99Ms: 79,
};

describe('checkTargets', () => {
  it('passes figures within every target', () => {
    expect(checkTargets(passing).map((check) => check.verdict)).toEqual(['pass', 'pass', 'pass']);
  });

  it('fails a throughput that is high enough but not sustained', () => {
    expect(checkTargets({ ...passing, fanOut1Sustained: false })[0]?.verdict).toBe('FAIL');
    expect(checkTargets({ ...passing, fanOut1DeliveriesPerSecond: 2_999 })[0]?.verdict).toBe('FAIL');
  });

  it('fails a p99 above 100 ms and an isolation ratio above 2', () => {
    const checks = checkTargets({ ...passing, p99AtFixedRateMs: 100.5, isolationDeadP99Ms: 82 });
    expect(checks[1]?.verdict).toBe('FAIL');
    expect(checks[2]?.verdict).toBe('FAIL');
    expect(checks[2]?.figure).toContain('2.05×');
  });

  it('fails a good p99 when some events were never delivered', () => {
    const check = checkTargets({ ...passing, p99AtFixedRateMs: 50, fixedRateUndelivered: 1_200 })[1];
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
