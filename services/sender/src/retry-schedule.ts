/**
 * The retry policy as data plus small pure functions (docs/webhooks.md "Retries"):
 * automatic retry n (1..4) is due at T0 + schedule[n-1], T0 being the first call's time.
 * Tier topics keep the names of the default delays whatever the configured schedule.
 */
export const TIER_LABELS = ['1h', '4h', '13h', '40h'] as const;
export type TierLabel = (typeof TIER_LABELS)[number];

export interface ScheduledRetry {
  /** The retry number (1-based) the next automatic attempt will carry. */
  retryNumber: number;
  dueAt: Date;
  /** Index into the tier topics: retry n waits in tier n-1. */
  tierIndex: number;
}

/**
 * After an attempt numbered `retryCount` (0 = first call) failed, the next automatic
 * retry, or undefined when the schedule is exhausted. A failed manual retry takes the
 * next number, so the following automatic retry keeps its slot measured from T0.
 */
export function nextAutomaticRetry(retryCount: number, firstAttemptAt: Date, scheduleMs: readonly number[]): ScheduledRetry | undefined {
  const retryNumber = retryCount + 1;
  const offset = scheduleMs[retryNumber - 1];
  if (offset === undefined) return undefined;
  return { retryNumber, dueAt: new Date(firstAttemptAt.getTime() + offset), tierIndex: Math.min(retryNumber - 1, TIER_LABELS.length - 1) };
}

/** `remaining_retry_count` of an attempt: automatic retries still possible after it. */
export function remainingRetries(retryCount: number, maxRetries: number): number {
  return Math.max(0, maxRetries - retryCount);
}

export function tierLabel(tierIndex: number): TierLabel {
  return TIER_LABELS[Math.min(Math.max(tierIndex, 0), TIER_LABELS.length - 1)] as TierLabel;
}
