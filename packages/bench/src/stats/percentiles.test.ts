import { quantileOfSorted, summarizeLatencies } from './percentiles';

describe('quantileOfSorted (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it.each([
    [0.5, 50],
    [0.95, 95],
    [0.99, 99],
    [1, 100],
    [0, 1],
  ])('q=%p of 1..100 is %p', (q, expected) => {
    expect(quantileOfSorted(hundred, q)).toBe(expected);
  });

  it('picks a measured sample, never an interpolated one', () => {
    expect(quantileOfSorted([10, 20], 0.5)).toBe(10);
    expect(quantileOfSorted([10, 20], 0.51)).toBe(20);
  });

  it('is NaN without samples', () => {
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically, not as text', () => {
    const summary = summarizeLatencies([100, 9, 20, 3]);
    expect(summary.max).toBe(100);
    expect(summary.p50).toBe(9);
    expect(summary.count).toBe(4);
    expect(summary.min).toBe(3);
    expect(summary.mean).toBe(33);
  });

  it('a single slow call shows in p99 once it is more than 1 % of the samples', () => {
    const fast = Array.from({ length: 98 }, () => 5);
    expect(summarizeLatencies([...fast, 500, 500]).p99).toBe(500);
    expect(summarizeLatencies([...fast, 5, 500]).p99).toBe(5);
  });

  it('p99.9 shows the slowest call in a thousand', () => {
    const fast = Array.from({ length: 999 }, () => 5);
    expect(summarizeLatencies([...fast, 700]).p999).toBe(5);
    expect(summarizeLatencies([...fast.slice(1), 700, 700]).p999).toBe(700);
  });
});
