import { replayFigures } from './replay-figures';

const t0 = Date.parse('2026-12-06T10:00:00.000Z');

describe('replayFigures', () => {
  it('measures a finished replay from its request to its end, and the part of the window it covered', () => {
    const figures = replayFigures({
      row: { status: 'done', eventsScanned: 100_000, callsMade: 100_000, createdAtMs: t0, finishedAtMs: t0 + 80_000 },
      eventsInRange: 100_000,
      configuredRatePerSecond: 1_500,
      readAtMs: t0 + 95_000,
      windowStartMs: t0 + 20_000,
      windowEndMs: t0 + 100_000,
    });
    expect(figures).toMatchObject({ finished: true, durationSeconds: 80, achievedRatePerSecond: 1_250, shareOfWindowRunning: 0.75 });
    expect(figures.shareOfConfiguredRate).toBeCloseTo(0.833, 3);
    expect(figures).toMatchObject({ startDelaySeconds: undefined, rateAfterStartPerSecond: undefined });
  });

  it('measures a replay still running up to when it was read', () => {
    const figures = replayFigures({
      row: { status: 'running', eventsScanned: 40_000, callsMade: 30_000, createdAtMs: t0, finishedAtMs: undefined, firstCallsSeenAtMs: t0 + 10_000 },
      eventsInRange: 100_000,
      configuredRatePerSecond: 500,
      readAtMs: t0 + 60_000,
      windowStartMs: t0 + 10_000,
      windowEndMs: t0 + 50_000,
    });
    expect(figures).toMatchObject({ finished: false, durationSeconds: 60, achievedRatePerSecond: 500, shareOfConfiguredRate: 1, shareOfWindowRunning: 1 });
    // Its start-up apart: 10 s before the first calls, then 600/s.
    expect(figures).toMatchObject({ startDelaySeconds: 10, rateAfterStartPerSecond: 600 });
  });

  it('says a replay that ended before the window covered none of it', () => {
    const figures = replayFigures({
      row: { status: 'done', eventsScanned: 5_000, callsMade: 5_000, createdAtMs: t0, finishedAtMs: t0 + 3_000 },
      eventsInRange: 5_000,
      configuredRatePerSecond: 5_000,
      readAtMs: t0 + 30_000,
      windowStartMs: t0 + 5_000,
      windowEndMs: t0 + 25_000,
    });
    expect(figures.shareOfWindowRunning).toBe(0);
  });
});
