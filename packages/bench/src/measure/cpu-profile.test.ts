import { topSelfTime, type CpuProfile } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('topSelfTime', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('routeBatch', 'file:///work/main/services/router/dist/router-consumer.js', 69) },
      { id: 4, callFrame: frame('parse', '') },
      // The same function reached through another caller: one entry in the summary.
      { id: 5, callFrame: frame('routeBatch', 'file:///work/main/services/router/dist/router-consumer.js', 69) },
    ],
    samples: [2, 3, 4, 5, 3, 2],
    timeDeltas: [5_000, 1_000, 2_000, 1_000, 1_000, 5_000],
  };

  it('sums self time per function over the call tree and leaves idle out', () => {
    expect(topSelfTime(profile, 5)).toEqual([
      { name: 'routeBatch services/router/dist/router-consumer.js:70', selfMs: 3, share: 3 / 5 },
      { name: 'parse', selfMs: 2, share: 2 / 5 },
    ]);
  });

  it('keeps only the top entries', () => {
    expect(topSelfTime(profile, 1)).toHaveLength(1);
  });
});
