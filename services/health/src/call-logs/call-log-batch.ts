import type { AttemptType, OutcomeMessage } from '@hookstream/messages';
import { effectOfOutcome, type CallStatus, type OutcomeEffect } from './call-status';
import { storableJson, storableText } from '@hookstream/db';

/**
 * One call's row as a batch of outcomes leaves it. The database merges it into the
 * stored row (call-log-dal.ts): the state and attempt fields only if their retry number
 * is higher, or the same and their time not older, so a redelivered or late outcome, or an
 * earlier attempt made again, never moves a call back.
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
  /** From the earliest outcome that carries it (first calls do); the stored one is never replaced. */
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

export interface FoldOptions {
  /**
   * Outcomes known to hold no character PostgreSQL refuses, in any string or in the JSON
   * of their request body (decodeOutcome tells, from the message's text): their strings
   * are stored as they are. Every other outcome's are cleaned (storableText in @hookstream/db).
   */
  storable?: ReadonlySet<OutcomeMessage>;
}

/** How an outcome's strings reach the rows. */
interface Storable {
  text: typeof storableText;
  json: (value: unknown) => unknown;
}

const CLEANED: Storable = { text: storableText, json: storableJson };
const AS_IT_IS: Storable = { text: ((text: string | null) => text) as typeof storableText, json: (value) => value };

interface CallEntry {
  outcome: OutcomeMessage;
  effect: Exclude<OutcomeEffect, { kind: 'ignore' }>;
  storable: Storable;
}

/**
 * Folds one consumed batch (one partition, in offset order) into the rows to write, one
 * per call: a single INSERT ... ON CONFLICT cannot touch the same call twice, and one
 * row per call is also what lets a batch be written in one round trip per table.
 */
export function foldOutcomes(outcomes: readonly OutcomeMessage[], options: FoldOptions = {}): CallLogBatch {
  const attempts = new Map<string, AttemptRow>();
  const failures = new Map<string, FailureRow>();
  const byCall = new Map<string, CallEntry[]>();

  for (const received of outcomes) {
    const outcome = withLowerCaseIds(received);
    const effect = effectOfOutcome(outcome);
    if (effect.kind === 'ignore') continue;
    const storable = options.storable?.has(received) === true ? AS_IT_IS : CLEANED;
    if (effect.kind === 'attempt') {
      attempts.set(outcome.attempt_id, attemptRowOf(outcome, storable));
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
    const entries = byCall.get(outcome.event_id);
    if (entries) entries.push({ outcome, effect, storable });
    else byCall.set(outcome.event_id, [{ outcome, effect, storable }]);
  }

  const calls: CallRow[] = [];
  for (const entries of byCall.values()) {
    // By retry number, then time, as the stored row moves (call-log-dal.ts): an earlier
    // attempt made again later does not take the call back. Stable: outcomes with the same
    // number and time keep their offset order.
    const ordered =
      entries.length === 1
        ? entries
        : [...entries].sort((a, b) => a.outcome.retry_count - b.outcome.retry_count || timeOf(a.outcome.attempted_at) - timeOf(b.outcome.attempted_at));
    const latest = ordered[ordered.length - 1] as CallEntry;
    const attemptEntries = ordered.filter((entry) => entry.effect.kind === 'attempt');
    const latestAttempt = attemptEntries[attemptEntries.length - 1];
    const firstAttemptAt = attemptEntries.map((entry) => entry.outcome.first_attempt_at).sort((a, b) => timeOf(a) - timeOf(b))[0];
    // Only first calls carry the domain event: a later outcome of the call in the same
    // batch must not erase it (a manual retry is rebuilt from it).
    const withDomainEvent = ordered.find((entry) => entry.outcome.domain_event !== null);
    const { outcome, storable } = latest;
    calls.push({
      event_id: outcome.event_id,
      workspace_id: outcome.workspace_id,
      webhook_id: outcome.webhook_id,
      domain_event_id: outcome.domain_event_id,
      event: storable.text(outcome.event),
      sub_event: storable.text(outcome.sub_event),
      case_id: storable.text(outcome.case_id),
      individual_id: storable.text(outcome.individual_id),
      company_id: storable.text(outcome.company_id),
      domain_event: withDomainEvent ? withDomainEvent.storable.json(withDomainEvent.outcome.domain_event) : null,
      status: statusOf(latest.effect),
      status_reason: latest.effect.kind === 'cancel' || latest.effect.kind === 'pause' ? latest.effect.reason : null,
      next_retry_at: latest.effect.kind === 'attempt' ? latest.effect.nextRetryAt : null,
      state_changed_at: outcome.attempted_at,
      status_code: latestAttempt?.outcome.status_code ?? null,
      endpoint: latestAttempt ? latestAttempt.storable.text(latestAttempt.outcome.endpoint) : null,
      retry_count: latestAttempt?.outcome.retry_count ?? null,
      payload: latestAttempt ? payloadOf(latestAttempt.outcome.request.body, latestAttempt.storable) : null,
      last_attempt_at: latestAttempt?.outcome.attempted_at ?? null,
      first_attempt_at: firstAttemptAt ?? null,
    });
  }

  return {
    calls: calls.sort((a, b) => compare(a.event_id, b.event_id)),
    attempts: [...attempts.values()].sort((a, b) => compare(a.id, b.id)),
    failures: [...failures.values()].sort((a, b) => compare(a.attempt_id, b.attempt_id)),
  };
}

function statusOf(effect: CallEntry['effect']): CallStatus {
  if (effect.kind === 'attempt') return effect.status;
  // A parked retry is still to be sent: the call keeps retrying, and its reason says it is paused.
  return effect.kind === 'pause' ? 'retrying' : 'cancelled';
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

function attemptRowOf(outcome: OutcomeMessage, storable: Storable): AttemptRow {
  return {
    id: outcome.attempt_id,
    event_id: outcome.event_id,
    type: outcome.type,
    retry_count: outcome.retry_count,
    endpoint: storable.text(outcome.endpoint),
    status_code: outcome.status_code,
    error: storable.text(outcome.error),
    duration_ms: outcome.duration_ms,
    // Signatures are masked by the sender before the outcome is produced.
    request_headers: storable.json(outcome.request.headers),
    response_headers: outcome.response ? storable.json(outcome.response.headers) : null,
    response_body: outcome.response ? storable.text(outcome.response.body) : null,
    attempted_at: outcome.attempted_at,
  };
}

/** The payload as sent is JSON text; the log keeps it as JSON (or as a string if it is not). */
function payloadOf(body: string, storable: Storable): unknown {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return storable.text(body);
  }
  return storable.json(payload);
}

function timeOf(isoTimestamp: string): number {
  return Date.parse(isoTimestamp);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
