/** A replay's row as the bench reads it at the end of a run (the `replays` table). */
export interface ReplayRowSnapshot {
  status: string;
  eventsScanned: number;
  callsMade: number;
  createdAtMs: number;
  /** When it ended; undefined while it runs. */
  finishedAtMs: number | undefined;
  /** When the bench first saw calls made (its row is sampled every few seconds); undefined if never. */
  firstCallsSeenAtMs?: number | undefined;
}

export interface ReplayFigures {
  status: string;
  finished: boolean;
  eventsScanned: number;
  /** Domain events in the replayed range (all of one webhook's workspace). */
  eventsInRange: number;
  callsMade: number;
  /** From the request to its end, or to when the bench read it if it still ran. */
  durationSeconds: number;
  configuredRatePerSecond: number;
  achievedRatePerSecond: number;
  /** Achieved over configured rate. */
  shareOfConfiguredRate: number;
  /** From the request to the first calls seen (planning, the replay consumer joining its group), to a sampling interval. */
  startDelaySeconds: number | undefined;
  /** Calls made per second once the first were seen (the rate without the start-up). */
  rateAfterStartPerSecond: number | undefined;
  /** The part of the measured window during which the replay ran (0 to 1). */
  shareOfWindowRunning: number;
}

/**
 * Pure: what the report says of a replay that ran beside a latency run, from its row read
 * at `readAtMs` and the run's measured window [windowStartMs, windowEndMs).
 */
export function replayFigures(input: {
  row: ReplayRowSnapshot;
  eventsInRange: number;
  configuredRatePerSecond: number;
  readAtMs: number;
  windowStartMs: number;
  windowEndMs: number;
}): ReplayFigures {
  const { row } = input;
  const endMs = row.finishedAtMs ?? input.readAtMs;
  const durationSeconds = Math.max(0, endMs - row.createdAtMs) / 1_000;
  const achievedRatePerSecond = durationSeconds > 0 ? row.callsMade / durationSeconds : 0;
  const windowMs = input.windowEndMs - input.windowStartMs;
  const startedMs = row.firstCallsSeenAtMs;
  const afterStartSeconds = startedMs === undefined ? 0 : Math.max(0, endMs - startedMs) / 1_000;
  const overlapMs = Math.max(0, Math.min(endMs, input.windowEndMs) - Math.max(row.createdAtMs, input.windowStartMs));
  return {
    status: row.status,
    finished: row.finishedAtMs !== undefined,
    eventsScanned: row.eventsScanned,
    eventsInRange: input.eventsInRange,
    callsMade: row.callsMade,
    durationSeconds,
    configuredRatePerSecond: input.configuredRatePerSecond,
    achievedRatePerSecond,
    shareOfConfiguredRate: achievedRatePerSecond / input.configuredRatePerSecond,
    startDelaySeconds: startedMs === undefined ? undefined : Math.max(0, startedMs - row.createdAtMs) / 1_000,
    rateAfterStartPerSecond: afterStartSeconds > 0 ? row.callsMade / afterStartSeconds : undefined,
    shareOfWindowRunning: windowMs > 0 ? overlapMs / windowMs : 0,
  };
}
