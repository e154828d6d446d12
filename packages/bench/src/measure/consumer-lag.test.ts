import { lagOf } from './consumer-lag';

describe('lagOf', () => {
  const ends = [
    { partition: 0, high: '100', low: '0' },
    { partition: 1, high: '50', low: '10' },
    { partition: 2, high: '7', low: '7' },
  ];

  it('sums high watermark minus committed offset over partitions', () => {
    expect(
      lagOf(ends, [
        { partition: 0, offset: '90' },
        { partition: 1, offset: '50' },
        { partition: 2, offset: '7' },
      ]),
    ).toBe(10);
  });

  it('counts an uncommitted partition from its low watermark', () => {
    expect(
      lagOf(ends, [
        { partition: 0, offset: '-1' },
        { partition: 1, offset: '20' },
      ]),
    ).toBe(100 + 30 + 0);
  });

  it('is never negative', () => {
    expect(lagOf([{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '9' }])).toBe(0);
  });
});
