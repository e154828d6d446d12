import { largestWindowCount } from './window-count-oracle';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25) + seconds * 1_000);

describe('largestWindowCount (the reference for the offline window SQL)', () => {
  it.each<[string, number[], number]>([
    ['none', [], 0],
    ['all within one window', [0, 1, 2, 3], 4],
    ['a failure exactly one window earlier is outside (t - window, t]', [0, 10], 1],
    ['a failure just inside the window counts', [0.001, 10], 2],
    ['the densest window wins', [0, 1, 20, 21, 22, 40], 3],
    ['failures at the same instant all count', [5, 5, 5], 3],
  ])('%s', (_name, seconds, expected) => {
    expect(largestWindowCount(seconds.map(at), 10_000)).toBe(expected);
  });

  it('considers only windows ending at or after the anchor', () => {
    expect(largestWindowCount([0, 1, 2, 30].map(at), 10_000, at(30))).toBe(1);
    expect(largestWindowCount([0, 1, 2, 30].map(at), 10_000, at(1))).toBe(3);
  });
});
