import { randomUUID } from 'node:crypto';
import type { WebhookState } from '@hookstream/db';
import { entityIdsOf, isEventType } from '@hookstream/events';
import type { TopicNames } from '@hookstream/kafka';
import {
  attemptNeedsCallState,
  deliveryMessageSchema,
  mayAttemptGoOut,
  encodeMessage,
  outcomeMessageSchema,
  type DeliveryMessage,
  type FailureKind,
  type NotSentReason,
  type OutcomeMessage,
} from '@hookstream/messages';
import {
  SpanKind,
  SpanStatusCode,
  contextFromTraceHeaders,
  getTracer,
  trace,
  traceHeadersOf,
  type Logger,
} from '@hookstream/observability';
import { maskSignatureHeaders } from '@hookstream/signing';
import { boundedMemo, buildWebhookRequest, type HttpAttemptResult, type WebhookClient } from '@hookstream/webhook-http';
import type { SenderMetrics } from '../metrics';
import { nextAutomaticRetry, tierLabel } from '../retry-schedule';
import { placeRetry, tierDelaysMs } from '../retry-scheduler/placement';
import type { CallStateReader } from './call-state';
import type { ParkedRetryDal } from '../paused-retries/parked-retry-dal';
import { retryAfterUntil, type CallSignal } from './adaptive-limit';
import type { EndpointLimiter } from './endpoint-limiter';
import { deferForOverload } from './overload-deferral';
import type { BatchingPublisher, OutgoingMessage } from './publisher';
import { DONE, fromDatabase, InfrastructureError, type DeliveryResult } from './steps';

export interface DeliveryDependencies {
  webhookOf: (webhookId: string) => WebhookState | undefined;
  refreshWebhooks: () => Promise<void>;
  callState: CallStateReader;
  /** Where a paused retry is kept until released (docs/webhooks.md "Promoted webhooks"). */
  parkedRetries: Pick<ParkedRetryDal, 'park'>;
  client: WebhookClient;
  limiter: EndpointLimiter;
  publisher: BatchingPublisher;
  topics: Pick<TopicNames, 'webhookOutcomes'> & { retryTiers: readonly string[] };
  scheduleMs: readonly number[];
  /** How long a call deferred by the sender's own backpressure waits before it is tried again. */
  overloadDeferMs?: number;
  /** The longest pause a 429 or 503 answer's Retry-After imposes on its origin. */
  retryAfterMaxMs?: number;
  userAgent: string;
  metrics: SenderMetrics;
  logger: Logger;
  now?: () => Date;
}

const tracer = getTracer('hookstream-sender');

/** The call log keeps a payload up to this size; beyond it, a truncated copy says so. */
const MAX_LOGGED_PAYLOAD_CHARS = 256 * 1024;

function keptRequestBody(body: string): string {
  if (body.length <= MAX_LOGGED_PAYLOAD_CHARS) return body;
  return `${body.slice(0, MAX_LOGGED_PAYLOAD_CHARS)}… [truncated: ${body.length} characters sent]`;
}

/** The endpoint a URL's calls are limited under: its origin, parsed once per URL. */
const originOf = boundedMemo(10_000, (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
});

const systemNow = () => new Date();

interface Attempt {
  result: 'succeeded' | 'failed' | 'not_sent';
  reason?: NotSentReason;
  endpoint: string;
  attemptedAt: Date;
  http: HttpAttemptResult | undefined;
  requestHeaders: Record<string, string>;
  requestBody: string;
}

function notSent(dependencies: DeliveryDependencies, delivery: DeliveryMessage, reason: NotSentReason, endpoint: string, attemptedAt: Date): Promise<void> {
  return publishOutcome(dependencies, delivery, { result: 'not_sent', reason, endpoint, attemptedAt, http: undefined, requestHeaders: {}, requestBody: '' });
}

/** Whether this attempt goes out, and with which webhook state. */
type Decision = { kind: 'send'; webhook: WebhookState & { secret: string } } | { kind: 'not_sent'; reason: NotSentReason; endpoint: string };

export interface AttemptOptions {
  /** A parked retry taken out of the pause (the probe, or the release after one succeeded): it is sent, not parked again. */
  released?: boolean;
}

/**
 * May this attempt go out? The event type must still be in the catalog; then the rule the
 * API applies too (attempt-policy.ts in @hookstream/messages): the webhook exists and is
 * online (manual retries go out even while offline), and an automatic retry's call has
 * neither succeeded nor had its slot taken by a manual retry. A webhook without a readable
 * secret cannot be signed for, so it counts as deleted. A failed read of the database
 * throws an InfrastructureError: the attempt waits, it is never decided without the state
 * it needs.
 */
async function decideAttempt(dependencies: DeliveryDependencies, delivery: DeliveryMessage, options: AttemptOptions): Promise<Decision> {
  let webhook = dependencies.webhookOf(delivery.webhook_id);
  if (!webhook) {
    // Created a moment ago and not in the view yet: look once more before giving up.
    await fromDatabase(() => dependencies.refreshWebhooks());
    webhook = dependencies.webhookOf(delivery.webhook_id);
  }
  const endpoint = webhook?.url ?? '';
  // A type removed from the catalog since the event was routed cannot be built into a payload.
  if (!isEventType(delivery.domain_event.type)) return { kind: 'not_sent', reason: 'unknown_event_type', endpoint };
  const facts = webhook?.secret
    ? { status: webhook.status, deleted: webhook.deleted, retriesPaused: webhook.promoted && webhook.retryState !== 'normal' }
    : undefined;
  const call = attemptNeedsCallState(delivery.type, facts) ? await fromDatabase(() => dependencies.callState.read(delivery.event_id)) : undefined;
  const verdict = mayAttemptGoOut({ type: delivery.type, retryCount: delivery.retry_count, released: options.released === true }, facts, call);
  if (!verdict.send) return { kind: 'not_sent', reason: verdict.reason, endpoint };
  return { kind: 'send', webhook: webhook as WebhookState & { secret: string } };
}

/**
 * One attempt of one call, from decision to durable outcome: decide whether it may go out
 * (decideAttempt); POST with the current URL and secret; then publish the outcome and,
 * after a failure, the next retry to its tier. Resolves when those messages are durable,
 * which is when the input offset may be committed, with what happened: `done` (an attempt
 * was made), `gave_up` (an outcome says why not), or `retry_later` when the database could
 * not be read (nothing was published; the same message must be tried again).
 */
export async function executeDelivery(
  dependencies: DeliveryDependencies,
  delivery: DeliveryMessage,
  traceparent: string | undefined,
  /** The size of the call's message: what it holds of its endpoint's share. */
  bytes = 0,
  options: AttemptOptions = {},
): Promise<DeliveryResult> {
  const now = dependencies.now ?? systemNow;
  let decision: Decision;
  try {
    decision = await decideAttempt(dependencies, delivery, options);
    // Paused: kept in the database before its outcome, and both before the offset commit.
    if (decision.kind === 'not_sent' && decision.reason === 'retries_paused') await fromDatabase(() => dependencies.parkedRetries.park(delivery));
  } catch (error) {
    if (error instanceof InfrastructureError) return { kind: 'retry_later', reason: error.reason, error: error.cause };
    throw error;
  }
  if (decision.kind === 'not_sent') {
    await notSent(dependencies, delivery, decision.reason, decision.endpoint, now());
    if (decision.reason === 'retries_paused') {
      dependencies.metrics.retriesParked.inc();
      return { kind: 'parked' };
    }
    return { kind: 'gave_up', reason: decision.reason };
  }
  const succeeded = await attemptAndPublish(dependencies, delivery, decision.webhook, traceparent, bytes);
  return succeeded === undefined ? DONE : { kind: 'done', succeeded };
}

async function attemptAndPublish(
  dependencies: DeliveryDependencies,
  delivery: DeliveryMessage,
  webhook: WebhookState & { secret: string },
  traceparent: string | undefined,
  bytes: number,
): Promise<boolean | undefined> {
  const { metrics } = dependencies;
  const now = dependencies.now ?? systemNow;
  const endpoint = webhook.url;
  const parent = contextFromTraceHeaders({ traceparent });
  const span = tracer.startSpan(
    'POST webhook',
    { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'hookstream.attempt.type': delivery.type } },
    parent,
  );
  const outboundTraceparent = traceHeadersOf(trace.setSpan(parent, span)).traceparent;

  const origin = originOf(endpoint);
  const releaseSlot = await dependencies.limiter.acquire(origin, bytes);
  if (typeof releaseSlot === 'string') {
    // The sender's own backpressure (or the origin's Retry-After), not the endpoint's
    // failure: the call waits again, until the Retry-After has passed if there is one.
    span.setAttribute('hookstream.deferred', releaseSlot);
    span.end();
    const pausedUntil = releaseSlot === 'retry_after' ? dependencies.limiter.pausedUntil(origin) : undefined;
    const delayMs = pausedUntil === undefined ? undefined : Math.max(0, pausedUntil - Date.now());
    await deferForOverload(dependencies, delivery, releaseSlot, delayMs);
    return undefined;
  }
  let http: HttpAttemptResult;
  let requestHeaders: Record<string, string> = {};
  let requestBody = '';
  let signal: CallSignal = 'ignore';
  const attemptedAt = now();
  try {
    const request = buildWebhookRequest({
      delivery,
      secrets: { secret: webhook.secret, previousSecret: webhook.previousSecret, previousSecretExpiresAt: webhook.previousSecretExpiresAt },
      now: attemptedAt,
      // A replay's retries count on from its first attempt's number (DeliveryMessage.replay).
      maxRetries: dependencies.scheduleMs.length + (delivery.replay?.first_retry_count ?? 0),
      userAgent: dependencies.userAgent,
      traceparent: outboundTraceparent,
    });
    requestHeaders = request.headers;
    requestBody = request.bodyText;
    http = await dependencies.client.post(endpoint, request.headers, request.body);
    signal = capacitySignalOf(http);
    // Before the slot is freed, so that no call waiting for it goes out during the pause.
    const pauseUntil = retryAfterUntil(http.statusCode, http.responseHeaders, Date.now(), dependencies.retryAfterMaxMs);
    if (pauseUntil !== undefined) {
      dependencies.limiter.pause(origin, pauseUntil);
      metrics.retryAfterPauses.inc();
      span.setAttribute('hookstream.retry_after_until', new Date(pauseUntil).toISOString());
      dependencies.logger.debug({ webhookId: delivery.webhook_id, statusCode: http.statusCode, until: new Date(pauseUntil).toISOString() }, 'endpoint paused by its Retry-After');
    }
  } finally {
    releaseSlot(signal);
  }
  span.setAttribute('http.response.status_code', http.statusCode ?? 0);
  if (!http.succeeded) span.setStatus({ code: SpanStatusCode.ERROR, message: http.failureKind ?? 'failed' });
  span.end();

  const outcome = http.succeeded ? 'succeeded' : 'failed';
  metrics.attempts.inc({ type: delivery.type, outcome, failure_kind: http.failureKind ?? 'none' });
  metrics.attemptDuration.observe({ type: delivery.type, outcome }, http.durationMs / 1_000);
  if (http.succeeded && delivery.type === 'first_call') {
    metrics.endToEndLatency.observe((Date.now() - Date.parse(delivery.produced_at)) / 1_000);
  }
  if (!http.succeeded) {
    dependencies.logger.debug(
      { eventId: delivery.event_id, webhookId: delivery.webhook_id, failureKind: http.failureKind, statusCode: http.statusCode },
      'attempt failed',
    );
  }
  await publishOutcome(dependencies, delivery, { result: outcome, endpoint, attemptedAt, http, requestHeaders, requestBody });
  return http.succeeded;
}

/** What an attempt tells of its origin's capacity (see AdaptiveLimit). */
function capacitySignalOf(http: HttpAttemptResult): CallSignal {
  if (http.statusCode === 429 || http.statusCode === 503) return 'overload';
  if (http.statusCode !== null) return 'answer';
  switch (http.failureKind) {
    case 'timeout':
    case 'connect_timeout':
    case 'connection_error':
      return 'overload';
    default:
      return 'ignore';
  }
}

async function publishOutcome(dependencies: DeliveryDependencies, delivery: DeliveryMessage, attempt: Attempt): Promise<void> {
  const { metrics } = dependencies;
  // Each instant is formatted once: the first call's T0 is its attempt time, and the next
  // retry's due time goes both into the retry and into the outcome.
  const attemptedAt = attempt.attemptedAt.toISOString();
  const firstAttemptAt = delivery.first_attempt_at ? new Date(delivery.first_attempt_at) : attempt.attemptedAt;
  const firstAttemptAtText = delivery.first_attempt_at ? firstAttemptAt.toISOString() : attemptedAt;
  const messages: OutgoingMessage[] = [];

  let nextRetryAt: string | null = null;
  if (attempt.result === 'failed') {
    // A replay's retries follow the schedule from the replay's first attempt (its T0).
    const numberedFrom = delivery.replay?.first_retry_count ?? 0;
    const next = nextAutomaticRetry(delivery.retry_count - numberedFrom, firstAttemptAt, dependencies.scheduleMs);
    if (next) {
      nextRetryAt = next.dueAt.toISOString();
      const retry: DeliveryMessage = {
        ...delivery,
        type: 'automatic_retry',
        retry_count: numberedFrom + next.retryNumber,
        first_attempt_at: firstAttemptAtText,
        due_at: nextRetryAt,
      };
      // The tier its number names, unless its wait fits another better (after a manual retry).
      const { retryTiers } = dependencies.topics;
      const tier = placeRetry(next.dueAt.getTime() - attempt.attemptedAt.getTime(), tierDelaysMs(dependencies.scheduleMs, retryTiers.length), next.tierIndex);
      messages.push({ topic: retryTiers[tier] as string, key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, retry) });
      metrics.retriesScheduled.inc({ tier: tierLabel(tier) });
    }
  } else if (attempt.result === 'not_sent') {
    metrics.attempts.inc({ type: delivery.type, outcome: 'not_sent', failure_kind: 'none' });
  }

  const failureKind: FailureKind | null = attempt.http?.failureKind ?? null;
  const entityIds = entityIdsOf(delivery.domain_event);
  const outcome: OutcomeMessage = {
    version: 1,
    attempt_id: randomUUID(),
    event_id: delivery.event_id,
    webhook_id: delivery.webhook_id,
    workspace_id: delivery.workspace_id,
    domain_event_id: delivery.domain_event.id,
    event: delivery.event,
    sub_event: delivery.sub_event,
    type: delivery.type,
    retry_count: delivery.retry_count,
    result: attempt.result,
    failure_kind: failureKind,
    not_sent_reason: attempt.reason ?? null,
    error: attempt.http?.error ?? (attempt.reason ? `not sent: ${attempt.reason}` : null),
    status_code: attempt.http?.statusCode ?? null,
    endpoint: attempt.endpoint,
    duration_ms: attempt.http?.durationMs ?? 0,
    attempted_at: attemptedAt,
    first_attempt_at: firstAttemptAtText,
    next_retry_at: nextRetryAt,
    // A parked retry is still to be sent: no time yet, but not the end of the call.
    final: nextRetryAt === null && attempt.reason !== 'retries_paused',
    case_id: entityIds.case_id,
    individual_id: entityIds.individual_id,
    company_id: entityIds.company_id,
    request: { headers: maskSignatureHeaders(attempt.requestHeaders) as Record<string, string>, body: keptRequestBody(attempt.requestBody) },
    response: attempt.http && attempt.http.statusCode !== null ? { headers: attempt.http.responseHeaders, body: attempt.http.responseBody } : null,
    produced_at: delivery.produced_at,
    // The call log records the domain event once, from the first call's outcome (or the
    // replay's: the call may not be in the log yet, or no longer).
    domain_event: delivery.type === 'first_call' || delivery.type === 'replay' ? delivery.domain_event : null,
  };
  messages.push({ topic: dependencies.topics.webhookOutcomes, key: delivery.event_id, value: encodeMessage(outcomeMessageSchema, outcome) });

  if (attempt.result !== 'not_sent') {
    dependencies.callState.remember(delivery.event_id, { succeeded: attempt.result === 'succeeded', retryCount: delivery.retry_count });
  }
  await dependencies.publisher.publish(messages);
}
