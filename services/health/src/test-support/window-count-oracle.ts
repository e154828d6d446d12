/**
 * The exact count of failures in each rolling window ending at a failure, computed in
 * memory: the reference the SQL of failure-window-dal.ts must agree with. A window ending
 * at t holds the failures at times in (t - window, t]; only windows ending at or after
 * `anchorsFrom` are considered.
 */
export function largestWindowCount(failureTimes: readonly Date[], windowMs: number, anchorsFrom?: Date): number {
  const times = failureTimes.map((time) => time.getTime()).sort((a, b) => a - b);
  let largest = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    const t = times[end] as number;
    while ((times[start] as number) <= t - windowMs) start += 1;
    // Failures at the same instant as t all belong to its window.
    let last = end;
    while (last + 1 < times.length && times[last + 1] === t) last += 1;
    if (anchorsFrom === undefined || t >= anchorsFrom.getTime()) largest = Math.max(largest, last - start + 1);
  }
  return largest;
}
