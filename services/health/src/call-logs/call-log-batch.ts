import type { AttemptType, OutcomeMessage } from '@hookstream/messages';
import { effectOfOutcome, type CallStatus, type OutcomeEffect } from './call-status';
import { storableJson, storableText } from './storable-text';

/**
 * One call's row as a batch of outcomes leaves it. The database merges it into the
 * stored row (call-log-dal.ts): the state fields only if `state_changed_at` is not older
 * than the stored one, the attempt fields only if `last_attempt_at` is not older, so a
 * redelivered or late outcome never moves a call back.
 */
export interface CallRow {
  event_id: string;
  workspace_id: string;
  webhook_id: string;
  domain_event_id: string;
  event: string;
  sub_event: string | null;
  case_id: string | null;
  individual_id: string | null;
  company_id: string | null;
  domain_event: unknown;
  /** State: from the latest outcome that is an attempt or a cancellation. */
  status: CallStatus;
  status_reason: string | null;
  next_retry_at: string | null;
  state_changed_at: string;
  /** From the latest attempt in the batch; all null when the batch holds none for the call. */
  status_code: number | null;
  endpoint: string | null;
  retry_count: number | null;
  payload: unknown;
  last_attempt_at: string | null;
  /** T0, as the sender measured it; kept from the first outcome that carries it. */
  first_attempt_at: string | null;
}

export interface AttemptRow {
  id: string;
  event_id: string;
  type: AttemptType;
  retry_count: number;
  endpoint: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  request_headers: unknown;
  response_headers: unknown;
  response_body: string | null;
  attempted_at: string;
}

/**
 * A failed call, counted by the offline rule: one per call and retry number, so that a
 * call the sender repeated around a crash (a new attempt id) counts once.
 */
export interface FailureRow {
  attempt_id: string;
  event_id: string;
  retry_count: number;
  webhook_id: string;
  failed_at: string;
}

export interface CallLogBatch {
  /** Sorted by event_id, attempts by id, failures by attempt_id: concurrent writers lock rows in one order. */
  calls: CallRow[];
  attempts: AttemptRow[];
  failures: FailureRow[];
}

/**
 * Folds one consumed batch (one partition, in offset order) into the rows to write, one
 * per call: a single INSERT ... ON CONFLICT cannot touch the same call twice, and one
 * row per call is also what lets a batch be written in one round trip per table.
 */
export function foldOutcomes(outcomes: readonly OutcomeMessage[]): CallLogBatch {
  const attempts = new Map<string, AttemptRow>();
  const failures = new Map<string, FailureRow>();
  const byCall = new Map<string, Array<{ outcome: OutcomeMessage; effect: Exclude<OutcomeEffect, { kind: 'ignore' }> }>>();

  for (const received of outcomes) {
    const outcome = withLowerCaseIds(received);
    const effect = effectOfOutcome(outcome);
    if (effect.kind === 'ignore') continue;
    if (effect.kind === 'attempt') {
      attempts.set(outcome.attempt_id, attemptRowOf(outcome));
      const callAttempt = `${outcome.event_id}/${outcome.retry_count}`;
      if (outcome.result === 'failed' && !failures.has(callAttempt)) {
        failures.set(callAttempt, {
          attempt_id: outcome.attempt_id,
          event_id: outcome.event_id,
          retry_count: outcome.retry_count,
          webhook_id: outcome.webhook_id,
          failed_at: outcome.attempted_at,
        });
      }
    }
    const entries = byCall.get(outcome.event_id) ?? [];
    entries.push({ outcome, effect });
    byCall.set(outcome.event_id, entries);
  }

  const calls: CallRow[] = [];
  for (const entries of byCall.values()) {
    // Stable: outcomes with the same time keep their offset order.
    const ordered = [...entries].sort((a, b) => timeOf(a.outcome.attempted_at) - timeOf(b.outcome.attempted_at));
    const latest = ordered[ordered.length - 1] as (typeof ordered)[number];
    const latestAttempt = ordered.filter((entry) => entry.effect.kind === 'attempt').pop()?.outcome;
    const firstAttemptAt = ordered
      .filter((entry) => entry.effect.kind === 'attempt')
      .map((entry) => entry.outcome.first_attempt_at)
      .sort((a, b) => timeOf(a) - timeOf(b))[0];
    const { outcome } = latest;
    calls.push({
      event_id: outcome.event_id,
      workspace_id: outcome.workspace_id,
      webhook_id: outcome.webhook_id,
      domain_event_id: outcome.domain_event_id,
      event: outcome.event,
      sub_event: outcome.sub_event,
      case_id: storableText(outcome.case_id),
      individual_id: storableText(outcome.individual_id),
      company_id: storableText(outcome.company_id),
      domain_event: storableJson(outcome.domain_event),
      status: latest.effect.kind === 'attempt' ? latest.effect.status : 'cancelled',
      status_reason: latest.effect.kind === 'cancel' ? latest.effect.reason : null,
      next_retry_at: latest.effect.kind === 'attempt' ? latest.effect.nextRetryAt : null,
      state_changed_at: outcome.attempted_at,
      status_code: latestAttempt?.status_code ?? null,
      endpoint: latestAttempt ? storableText(latestAttempt.endpoint) : null,
      retry_count: latestAttempt?.retry_count ?? null,
      payload: latestAttempt ? payloadOf(latestAttempt.request.body) : null,
      last_attempt_at: latestAttempt?.attempted_at ?? null,
      first_attempt_at: firstAttemptAt ?? null,
    });
  }

  return {
    calls: calls.sort((a, b) => compare(a.event_id, b.event_id)),
    attempts: [...attempts.values()].sort((a, b) => compare(a.id, b.id)),
    failures: [...failures.values()].sort((a, b) => compare(a.attempt_id, b.attempt_id)),
  };
}

/** PostgreSQL prints UUIDs in lower case; one spelling keeps deduplication and lock order right. */
function withLowerCaseIds(outcome: OutcomeMessage): OutcomeMessage {
  return {
    ...outcome,
    attempt_id: outcome.attempt_id.toLowerCase(),
    event_id: outcome.event_id.toLowerCase(),
    webhook_id: outcome.webhook_id.toLowerCase(),
    workspace_id: outcome.workspace_id.toLowerCase(),
    domain_event_id: outcome.domain_event_id.toLowerCase(),
  };
}

function attemptRowOf(outcome: OutcomeMessage): AttemptRow {
  return {
    id: outcome.attempt_id,
    event_id: outcome.event_id,
    type: outcome.type,
    retry_count: outcome.retry_count,
    endpoint: storableText(outcome.endpoint),
    status_code: outcome.status_code,
    error: storableText(outcome.error),
    duration_ms: outcome.duration_ms,
    // Signatures are masked by the sender before the outcome is produced.
    request_headers: storableJson(outcome.request.headers),
    response_headers: outcome.response ? storableJson(outcome.response.headers) : null,
    response_body: outcome.response ? storableText(outcome.response.body) : null,
    attempted_at: outcome.attempted_at,
  };
}

/** The payload as sent is JSON text; the log keeps it as JSON (or as a string if it is not). */
function payloadOf(body: string): unknown {
  try {
    return storableJson(JSON.parse(body));
  } catch {
    return storableText(body);
  }
}

function timeOf(isoTimestamp: string): number {
  return Date.parse(isoTimestamp);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
