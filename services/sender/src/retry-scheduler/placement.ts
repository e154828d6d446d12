/**
 * Where a retry waits, and what a tier consumer does with a retry it reads.
 *
 * Each tier topic is a FIFO queue with one nominal delay: the gap between the schedule's
 * offsets (with the default 1h,4h,13h,40h: 1 h, 3 h, 9 h and 27 h). An ordinary retry is
 * written when the attempt before it fails, its due time one tier delay later, so in
 * write order a tier's messages are also in due order, and a consumer that waits on the
 * first waiting message of a partition waits on the earliest one.
 *
 * Not every retry is ordinary: a failed manual retry writes the next automatic retry with
 * its due time anchored at the first call, and a schedule change moves due times. Such a
 * message is due later or sooner than its tier's delay after it was written. Two rules
 * keep it from holding back the others:
 *
 * - A message waits in its tier at most the tier's delay after it was written (its gate,
 *   `min(due, written + delay)`, grows in write order like the due times of ordinary
 *   retries). If it is not due by then, it moves on: written again to the tier that fits
 *   what remains of its wait, or, when that is shorter than the shortest tier's delay
 *   (no tier fits), held in memory until due while the partition reads on.
 * - A new retry goes into the tier its retry number names when the wait fits it, and
 *   otherwise into the longest tier that fits the wait.
 */

/** A message whose wait is this much shorter than its tier's delay still counts as fitting. */
export const DEFAULT_SLACK_MS = 1_000;

/**
 * The nominal delay of each tier: the gap between consecutive offsets of the schedule.
 * Tiers beyond the schedule (a schedule of fewer than four retries) take the last gap.
 */
export function tierDelaysMs(scheduleMs: readonly number[], tierCount: number): number[] {
  const delays: number[] = [];
  for (let tier = 0; tier < tierCount; tier += 1) {
    const index = Math.min(tier, scheduleMs.length - 1);
    const offset = scheduleMs[index] ?? 0;
    const previous = index === 0 ? 0 : (scheduleMs[index - 1] ?? 0);
    delays.push(Math.max(1, offset - previous));
  }
  return delays;
}

/**
 * The tier a retry that must wait `waitMs` goes into: `preferredTier` (the one its retry
 * number names) when the wait is at least that tier's delay (less the slack), otherwise
 * the tier with the longest delay that the wait covers, otherwise the shortest tier.
 */
export function placeRetry(waitMs: number, delaysMs: readonly number[], preferredTier?: number, slackMs = DEFAULT_SLACK_MS): number {
  if (preferredTier !== undefined) {
    const preferred = delaysMs[preferredTier];
    if (preferred !== undefined && preferred <= waitMs + slackMs) return preferredTier;
  }
  let best: number | undefined;
  for (const [tier, delay] of delaysMs.entries()) {
    if (delay > waitMs + slackMs) continue;
    if (best === undefined || delay > (delaysMs[best] as number)) best = tier;
  }
  if (best !== undefined) return best;
  let shortest = 0;
  for (const [tier, delay] of delaysMs.entries()) if (delay < (delaysMs[shortest] as number)) shortest = tier;
  return shortest;
}

/** What a tier consumer does with a retry it has read, at `now`. */
export type WaitDecision =
  /** Due: send it. */
  | { kind: 'send' }
  /** Waited its tier's delay and still not due: write it to `tier`, where the rest of its wait fits. */
  | { kind: 'move'; tier: number }
  /** Waited its tier's delay, and the rest of its wait is shorter than any tier's: keep it in memory until `until`. */
  | { kind: 'hold'; until: number }
  /** Not yet at its gate: the partition waits on it until `until`. */
  | { kind: 'wait'; until: number };

export function decideWaiting(input: {
  dueAt: number;
  /** When the message was written to its tier (the record's timestamp). */
  writtenAt: number;
  tier: number;
  delaysMs: readonly number[];
  now: number;
  slackMs?: number;
}): WaitDecision {
  const { dueAt, writtenAt, tier, delaysMs, now } = input;
  const slackMs = input.slackMs ?? DEFAULT_SLACK_MS;
  if (dueAt <= now) return { kind: 'send' };
  const delay = delaysMs[tier] ?? Math.min(...delaysMs);
  const gate = Math.min(dueAt, writtenAt + delay);
  if (gate > now) return { kind: 'wait', until: gate };
  const remaining = dueAt - now;
  const shortest = Math.min(...delaysMs);
  if (remaining + slackMs < shortest) return { kind: 'hold', until: dueAt };
  return { kind: 'move', tier: placeRetry(remaining, delaysMs, undefined, slackMs) };
}
