import type { EndpointBehaviour, ReceivedCall } from './receivers';

/**
 * What a run's checks and figures are computed from: the events the stream produced
 * (acknowledged by the cluster), the webhooks, and every call the receivers got. Pure
 * functions, so that each check can be shown to fail on made-up records.
 */

export interface ProducedEvent {
  id: string;
  workspaceId: string;
  producedAtMs: number;
}

export interface ChaosWebhook {
  id: string;
  workspaceId: string;
  behaviour: EndpointBehaviour;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

const pairKey = (domainEventId: string, webhookId: string) => `${domainEventId}|${webhookId}`;

/** The (event, webhook) calls the stream's events should produce: every `ok` and `flaky` webhook of the event's workspace. */
export function expectedPairs(events: Iterable<ProducedEvent>, webhooks: readonly ChaosWebhook[]): Map<string, { event: ProducedEvent; webhookId: string }> {
  const byWorkspace = new Map<string, string[]>();
  for (const webhook of webhooks) {
    if (webhook.behaviour === 'unmatched') continue;
    byWorkspace.set(webhook.workspaceId, [...(byWorkspace.get(webhook.workspaceId) ?? []), webhook.id]);
  }
  const result = new Map<string, { event: ProducedEvent; webhookId: string }>();
  for (const event of events) {
    for (const webhookId of byWorkspace.get(event.workspaceId) ?? []) result.set(pairKey(event.id, webhookId), { event, webhookId });
  }
  return result;
}

/** Received calls by (domain event, webhook), in arrival order. */
export function callsByPair(calls: readonly ReceivedCall[]): Map<string, ReceivedCall[]> {
  const result = new Map<string, ReceivedCall[]>();
  for (const call of calls) {
    if (!call.domainEventId) continue;
    const key = pairKey(call.domainEventId, call.webhookId);
    const list = result.get(key);
    if (list) list.push(call);
    else result.set(key, [call]);
  }
  return result;
}

const accepted = (call: ReceivedCall) => call.signatureValid && call.status >= 200 && call.status < 300;

const sample = (items: readonly string[], count = 3) => (items.length === 0 ? '' : `; e.g. ${items.slice(0, count).join(', ')}`);

export function checkDelivered(expected: ReturnType<typeof expectedPairs>, byPair: Map<string, ReceivedCall[]>): CheckResult {
  const missing: string[] = [];
  for (const [key] of expected) if (!(byPair.get(key) ?? []).some(accepted)) missing.push(key);
  return {
    name: 'every expected (event, webhook) call delivered',
    passed: expected.size > 0 && missing.length === 0,
    detail: `${expected.size - missing.length} of ${expected.size} delivered${missing.length > 0 ? `, ${missing.length} missing${sample(missing)}` : ''}`,
  };
}

/**
 * A call received more than once (same event, webhook and retry number) is a duplicate;
 * every arrival of one (event, webhook) call must carry one and the same
 * `Dotfile-Event-Id`, equal to `context.event_id`, so that a receiver can drop it.
 */
export function checkDuplicates(byPair: Map<string, ReceivedCall[]>, expectedCalls: number) {
  let duplicates = 0;
  const conflicting: string[] = [];
  for (const [key, calls] of byPair) {
    const ids = new Set<string | undefined>();
    const seen = new Set<number | undefined>();
    for (const call of calls) {
      ids.add(call.headerEventId);
      if (call.headerEventId !== call.bodyEventId || call.headerEventId === undefined) ids.add(`body:${call.bodyEventId}`);
      if (seen.has(call.retryCount)) duplicates += 1;
      seen.add(call.retryCount);
    }
    if (ids.size !== 1) conflicting.push(key);
  }
  const share = expectedCalls > 0 ? (100 * duplicates) / expectedCalls : 0;
  return {
    duplicates,
    share,
    result: {
      name: 'duplicates only with the same Dotfile-Event-Id',
      passed: conflicting.length === 0,
      detail: `${duplicates} duplicate arrivals (${share.toFixed(2)} % of calls)${conflicting.length > 0 ? `; ${conflicting.length} calls arrived under different event ids${sample(conflicting)}` : ''}`,
    } satisfies CheckResult,
  };
}

export function checkSignatures(calls: readonly ReceivedCall[]): CheckResult {
  const bad = calls.filter((call) => !call.signatureValid);
  const reasons = [...new Set(bad.map((call) => call.rejection ?? 'unknown'))];
  return {
    name: 'every signature valid',
    passed: calls.length > 0 && bad.length === 0,
    detail: `${calls.length - bad.length} of ${calls.length} requests verified${bad.length > 0 ? `; refused: ${reasons.join(', ')}` : ''}`,
  };
}

/** No call to a webhook that does not match: the unmatched webhooks, another workspace's events, events never produced. */
export function checkNoStrayCalls(calls: readonly ReceivedCall[], webhooks: readonly ChaosWebhook[], produced: ReadonlyMap<string, ProducedEvent>): CheckResult {
  const byId = new Map(webhooks.map((webhook) => [webhook.id, webhook]));
  const stray: string[] = [];
  for (const call of calls) {
    const webhook = byId.get(call.webhookId);
    const event = call.domainEventId === undefined ? undefined : produced.get(call.domainEventId);
    if (!webhook) stray.push(`unknown webhook ${call.webhookId}`);
    else if (webhook.behaviour === 'unmatched') stray.push(`unmatched webhook ${webhook.id}`);
    else if (!event) stray.push(`event ${call.domainEventId} never acknowledged`);
    else if (event.workspaceId !== webhook.workspaceId) stray.push(`event ${event.id} of another workspace at ${webhook.id}`);
  }
  return {
    name: 'no call to a webhook that does not match',
    passed: stray.length === 0,
    detail: stray.length === 0 ? `${webhooks.filter((webhook) => webhook.behaviour === 'unmatched').length} unmatched webhooks got nothing` : `${stray.length} stray calls${sample(stray)}`,
  };
}

/** One row of the call log (the `calls` table with its attempts' retry numbers). */
export interface CallLogRow {
  webhookId: string;
  eventId: string;
  domainEventId: string;
  status: string;
  retryCount: number;
  attemptRetryCounts: number[];
}

/**
 * The call log says what the receivers saw: one log per expected call, under the event id
 * the receiver got, `succeeded` with the retry number of the attempt that was accepted,
 * an attempt logged for every retry number received; no log for any other call.
 */
export function compareCallLogs(expected: ReturnType<typeof expectedPairs>, byPair: Map<string, ReceivedCall[]>, rows: readonly CallLogRow[]): CheckResult {
  const rowByPair = new Map(rows.map((row) => [pairKey(row.domainEventId, row.webhookId), row]));
  const problems: string[] = [];
  for (const [key] of expected) {
    const row = rowByPair.get(key);
    const calls = byPair.get(key) ?? [];
    const success = calls.find(accepted);
    if (!row) {
      problems.push(`${key}: no log`);
      continue;
    }
    if (success && row.eventId !== success.headerEventId) problems.push(`${key}: log event id ${row.eventId}, received ${success.headerEventId}`);
    if (success && row.status !== 'succeeded') problems.push(`${key}: log says ${row.status}, receiver accepted`);
    if (success && row.retryCount !== success.retryCount) problems.push(`${key}: log retry ${row.retryCount}, accepted retry ${success.retryCount}`);
    const logged = new Set(row.attemptRetryCounts);
    for (const call of calls) if (call.retryCount !== undefined && !logged.has(call.retryCount)) problems.push(`${key}: retry ${call.retryCount} received, not logged`);
  }
  const extra = rows.filter((row) => !expected.has(pairKey(row.domainEventId, row.webhookId)));
  for (const row of extra) problems.push(`${row.eventId}: logged, not expected`);
  const unique = [...new Set(problems)];
  return {
    name: 'call logs agree with what the receivers got',
    passed: expected.size > 0 && unique.length === 0,
    detail: unique.length === 0 ? `${rows.length} logs match` : `${unique.length} disagreements${sample(unique)}`,
  };
}

export interface RetryTiming {
  domainEventId: string;
  webhookId: string;
  retry: number;
  dueAtMs: number;
  receivedAtMs: number;
  latenessMs: number;
}

/**
 * Retry n of a call is due at T0 + schedule[n-1], T0 being when its first call reached
 * the receiver (docs/webhooks.md "Retries"); lateness is its first arrival minus that.
 * A retry the receiver never got after a failed attempt is reported as missing.
 */
export function retryTimings(byPair: Map<string, ReceivedCall[]>, scheduleMs: readonly number[]) {
  const timings: RetryTiming[] = [];
  const missing: string[] = [];
  for (const [key, calls] of byPair) {
    const firstArrival = new Map<number, ReceivedCall>();
    for (const call of calls) if (call.retryCount !== undefined && !firstArrival.has(call.retryCount)) firstArrival.set(call.retryCount, call);
    const first = firstArrival.get(0);
    if (!first) continue;
    for (let retry = 1; retry <= scheduleMs.length; retry += 1) {
      const previous = firstArrival.get(retry - 1);
      if (!previous || accepted(previous)) break;
      const arrival = firstArrival.get(retry);
      const dueAtMs = first.receivedAtMs + (scheduleMs[retry - 1] as number);
      if (!arrival) {
        missing.push(`${key} retry ${retry}`);
        break;
      }
      timings.push({ domainEventId: first.domainEventId ?? '', webhookId: first.webhookId, retry, dueAtMs, receivedAtMs: arrival.receivedAtMs, latenessMs: arrival.receivedAtMs - dueAtMs });
    }
  }
  return { timings, missing };
}

export function checkRetriesOnTime(timing: ReturnType<typeof retryTimings>, boundMs: number): CheckResult {
  const late = timing.timings.filter((entry) => entry.latenessMs > boundMs);
  const worst = timing.timings.reduce((max, entry) => Math.max(max, entry.latenessMs), Number.NEGATIVE_INFINITY);
  const parts = [`${timing.timings.length} retries, worst ${Number.isFinite(worst) ? `${(worst / 1_000).toFixed(1)} s` : 'n/a'} late`];
  if (late.length > 0) parts.push(`${late.length} later than ${boundMs / 1_000} s`);
  if (timing.missing.length > 0) parts.push(`${timing.missing.length} never sent${sample(timing.missing)}`);
  return { name: 'retries sent on time', passed: timing.timings.length > 0 && late.length === 0 && timing.missing.length === 0, detail: parts.join('; ') };
}

/** The first arrival of each expected call: its latency from the moment the event was produced. */
export function firstCallLatencies(expected: ReturnType<typeof expectedPairs>, byPair: Map<string, ReceivedCall[]>) {
  const result: Array<{ producedAtMs: number; receivedAtMs: number | undefined; latencyMs: number }> = [];
  for (const [key, { event }] of expected) {
    const first = (byPair.get(key) ?? []).find((call) => call.retryCount === 0);
    result.push({ producedAtMs: event.producedAtMs, receivedAtMs: first?.receivedAtMs, latencyMs: first ? first.receivedAtMs - event.producedAtMs : Number.POSITIVE_INFINITY });
  }
  return result.sort((a, b) => a.producedAtMs - b.producedAtMs);
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

export interface FaultFigures {
  /** First calls of events produced between this fault and the next that took longer than normal. */
  callsDelayed: number;
  callsInWindow: number;
  /** Of those, never delivered at all. */
  undelivered: number;
  worstLatencyMs: number;
  /** From the fault until the last delayed call of the window arrived (0: nothing was delayed). */
  recoveryMs: number;
}

/**
 * The figures of one fault: the first calls of events produced in [fromMs, toMs) whose
 * latency exceeded `normalMs`, the worst latency among them, and how long after the
 * fault the last of the delayed ones arrived (deliveries back to normal).
 */
export function faultFigures(latencies: ReturnType<typeof firstCallLatencies>, fromMs: number, toMs: number, normalMs: number): FaultFigures {
  let callsDelayed = 0;
  let callsInWindow = 0;
  let undelivered = 0;
  let worstLatencyMs = 0;
  let lastDelayedArrival = fromMs;
  for (const entry of latencies) {
    if (entry.producedAtMs < fromMs || entry.producedAtMs >= toMs) continue;
    callsInWindow += 1;
    if (entry.receivedAtMs === undefined) {
      undelivered += 1;
      callsDelayed += 1;
      continue;
    }
    worstLatencyMs = Math.max(worstLatencyMs, entry.latencyMs);
    if (entry.latencyMs > normalMs) {
      callsDelayed += 1;
      lastDelayedArrival = Math.max(lastDelayedArrival, entry.receivedAtMs);
    }
  }
  return { callsDelayed, callsInWindow, undelivered, worstLatencyMs, recoveryMs: lastDelayedArrival - fromMs };
}

/** Arrival instants of duplicates: an (event, webhook, retry number) received again. */
export function duplicateArrivals(byPair: Map<string, ReceivedCall[]>): number[] {
  const result: number[] = [];
  for (const calls of byPair.values()) {
    const seen = new Set<number | undefined>();
    for (const call of calls) {
      if (seen.has(call.retryCount)) result.push(call.receivedAtMs);
      seen.add(call.retryCount);
    }
  }
  return result;
}
