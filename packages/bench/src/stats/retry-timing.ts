import type { CallRecord } from '../receiver/protocol';

/**
 * Retry lateness as a receiver sees it (docs/webhooks.md "Retries"): retry n of a call is
 * due at T0 + schedule[n-1], T0 being when the first call reached the receiver; lateness
 * is when retry n reached it minus that. Negative means early (the sender's own T0 is a
 * moment before the receiver's, so a few milliseconds early is the clock, not a bug).
 */
export function retryLateness(calls: readonly CallRecord[], scheduleMs: readonly number[]) {
  const byEvent = new Map<string, Map<number, number>>();
  for (const call of calls) {
    const attempts = byEvent.get(call.eventId) ?? new Map<number, number>();
    // A duplicate attempt (after a crash) counts from its first arrival.
    if (!attempts.has(call.retryCount)) attempts.set(call.retryCount, call.receivedAtMs);
    byEvent.set(call.eventId, attempts);
  }
  const latenessMs: number[] = [];
  let missing = 0;
  const missingByRetryNumber = scheduleMs.map(() => 0);
  for (const attempts of byEvent.values()) {
    const firstCall = attempts.get(0);
    if (firstCall === undefined) continue;
    for (const [index, offset] of scheduleMs.entries()) {
      const receivedAt = attempts.get(index + 1);
      if (receivedAt === undefined) {
        missing += 1;
        missingByRetryNumber[index] = (missingByRetryNumber[index] ?? 0) + 1;
      } else latenessMs.push(receivedAt - (firstCall + offset));
    }
  }
  return { latenessMs, missing, missingByRetryNumber, calls: byEvent.size };
}

/**
 * Offline enforcement as a receiver sees it (docs/webhooks.md "Offline rule"): the
 * (threshold+1)th failed call, when the webhook was seen offline, and the calls that
 * still reached the endpoint after that.
 */
export function offlineEnforcement(input: { failedCallTimesMs: readonly number[]; threshold: number; offlineSeenAtMs: number | undefined }) {
  const sorted = [...input.failedCallTimesMs].sort((a, b) => a - b);
  const triggering = sorted[input.threshold];
  if (triggering === undefined || input.offlineSeenAtMs === undefined) {
    return { triggeringFailureAtMs: triggering, delayMs: undefined, callsAfterOffline: undefined, lastCallAfterOfflineMs: undefined };
  }
  const after = sorted.filter((time) => time > input.offlineSeenAtMs!);
  const last = after[after.length - 1];
  return {
    triggeringFailureAtMs: triggering,
    delayMs: input.offlineSeenAtMs - triggering,
    callsAfterOffline: after.length,
    lastCallAfterOfflineMs: last === undefined ? 0 : last - input.offlineSeenAtMs,
  };
}
