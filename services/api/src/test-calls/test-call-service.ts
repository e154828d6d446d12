import { randomUUID } from 'node:crypto';
import { storableJson, storableText, type Knex, type SecretBox } from '@hookstream/db';
import { entityIdsOf, exampleEventContent, matchSubscription, type EventType } from '@hookstream/events';
import { getTracer, SpanKind, SpanStatusCode, context, trace, traceHeadersOf } from '@hookstream/observability';
import { maskSignatureHeaders } from '@hookstream/signing';
import { buildWebhookRequest, type HttpAttemptResult, type WebhookClient } from '@hookstream/webhook-http';
import type { Logger } from 'pino';
import { NotFoundError, RateLimitedError } from '../http/errors';
import type { TenantAuth } from '../http/operation';
import { createRateLimiter, type RateLimitSettings } from '../http/rate-limit';
import type { ApiMetrics } from '../metrics';
import type { WebhookDal } from '../webhooks/webhook-dal';
import type { TestCallResult } from './test-call-schemas';

export interface TestCallSettings {
  /** Test calls per workspace: a token bucket (per API process). */
  rateLimit: RateLimitSettings;
  /** Test calls in flight at once in this process; beyond, 429. */
  maxInFlight: number;
  userAgent: string;
}

export type TestCallService = ReturnType<typeof createTestCallService>;

const tracer = getTracer('hookstream-api');

/** A test call is never retried: its payload and headers say no retry remains. */
const NO_RETRIES = 0;

/**
 * `POST /v1/webhooks/{id}/test` (docs/webhooks.md "Test calls"): builds the catalog's
 * example event of the type, signs it like a real delivery, POSTs it now through the same
 * client (URL rules, connect-time address checks, timeouts) and logs it as a test call.
 * It never goes through Kafka: no retry follows, and the offline rule (which counts the
 * sender's failed deliveries) never sees it. An offline webhook may be tested.
 */
export function createTestCallService(deps: {
  knex: Knex;
  webhooks: WebhookDal;
  secretBox: SecretBox;
  client: WebhookClient;
  metrics: ApiMetrics;
  logger: Logger;
  settings: TestCallSettings;
  now: () => Date;
}) {
  const limiter = createRateLimiter(deps.settings.rateLimit);
  let inFlight = 0;

  const workspaceName = async (workspaceId: string): Promise<string> => {
    const row = (await deps.knex('workspaces').where({ id: workspaceId }).first('name')) as { name: string } | undefined;
    return row?.name ?? '';
  };

  return {
    async send(auth: TenantAuth, webhookId: string, eventType: EventType): Promise<TestCallResult> {
      const decision = limiter.take(auth.workspaceId, Date.now());
      if (!decision.allowed) {
        deps.metrics.testCalls.inc({ result: 'rate_limited' });
        throw new RateLimitedError(decision.retryAfterSeconds);
      }
      const webhook = await deps.webhooks.find(auth.workspaceId, webhookId);
      if (!webhook) throw new NotFoundError('No webhook with this id');
      if (inFlight >= deps.settings.maxInFlight) {
        deps.metrics.testCalls.inc({ result: 'rate_limited' });
        throw new RateLimitedError(1);
      }

      const example = exampleEventContent(eventType);
      if (!example) throw new Error(`the catalog has no example for ${eventType}`);
      const attemptedAt = deps.now();
      const domainEvent = {
        id: randomUUID(),
        type: eventType,
        occurred_at: attemptedAt.toISOString(),
        workspace: { id: auth.workspaceId, name: await workspaceName(auth.workspaceId) },
        entity: example.entity,
        context: example.context,
      };
      // What this webhook would receive for such an event: as a sub-event when it is
      // subscribed to the parent, else as the event itself (subscribed to it or not).
      const match = matchSubscription(eventType, new Set(webhook.events)) ?? { event: eventType };
      const eventId = randomUUID();

      const span = tracer.startSpan('POST webhook', {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': 'POST', 'hookstream.attempt.type': 'test' },
      });
      const request = buildWebhookRequest({
        delivery: { event: match.event, sub_event: match.subEvent ?? null, domain_event: domainEvent, event_id: eventId, retry_count: 0 },
        secrets: {
          secret: deps.secretBox.decrypt(webhook.secret_encrypted),
          previousSecret: webhook.previous_secret_encrypted ? deps.secretBox.decrypt(webhook.previous_secret_encrypted) : undefined,
          previousSecretExpiresAt: webhook.previous_secret_expires_at ?? undefined,
        },
        now: attemptedAt,
        maxRetries: NO_RETRIES,
        userAgent: deps.settings.userAgent,
        traceparent: traceHeadersOf(trace.setSpan(context.active(), span)).traceparent,
      });

      let http: HttpAttemptResult;
      inFlight += 1;
      try {
        http = await deps.client.post(webhook.url, request.headers, request.body);
      } finally {
        inFlight -= 1;
      }
      if (http.statusCode !== null) span.setAttribute('http.response.status_code', http.statusCode);
      if (!http.succeeded) span.setStatus({ code: SpanStatusCode.ERROR, message: http.failureKind ?? 'failed' });
      span.end();
      deps.metrics.testCalls.inc({ result: http.succeeded ? 'succeeded' : (http.failureKind ?? 'failed') });

      const requestHeaders = maskSignatureHeaders(request.headers) as Record<string, string>;
      const callId = randomUUID();
      await deps.knex.transaction(async (trx) => {
        await trx('calls').insert({
          id: callId,
          event_id: eventId,
          workspace_id: auth.workspaceId,
          webhook_id: webhook.id,
          domain_event_id: domainEvent.id,
          event: match.event,
          sub_event: match.subEvent ?? null,
          kind: 'test',
          status: http.succeeded ? 'succeeded' : 'failed',
          status_code: http.statusCode,
          endpoint: webhook.url,
          retry_count: 0,
          ...entityIdsOf(domainEvent),
          payload: request.bodyText,
          domain_event: JSON.stringify(domainEvent),
          first_attempt_at: attemptedAt,
          last_attempt_at: attemptedAt,
          created_at: attemptedAt,
          state_changed_at: attemptedAt,
        });
        await trx('attempts').insert({
          id: randomUUID(),
          call_id: callId,
          type: 'test',
          retry_count: 0,
          endpoint: webhook.url,
          status_code: http.statusCode,
          error: http.error,
          duration_ms: http.durationMs,
          request_headers: JSON.stringify(requestHeaders),
          // The receiver's bytes may hold what PostgreSQL text cannot (NUL, broken UTF-8).
          response_headers: http.statusCode === null ? null : JSON.stringify(storableJson(http.responseHeaders)),
          response_body: http.statusCode === null ? null : storableText(http.responseBody),
          attempted_at: attemptedAt,
        });
      });
      deps.logger.info(
        { workspaceId: auth.workspaceId, webhookId: webhook.id, callId, event: eventType, statusCode: http.statusCode, failureKind: http.failureKind },
        'test call sent',
      );

      return {
        call_id: callId,
        event: match.event,
        sub_event: match.subEvent ?? null,
        event_id: eventId,
        endpoint: webhook.url,
        succeeded: http.succeeded,
        status_code: http.statusCode,
        error_kind: http.failureKind,
        error: http.error,
        duration_ms: http.durationMs,
        request_headers: requestHeaders,
        response_headers: http.responseHeaders,
        response_body: http.statusCode === null ? null : http.responseBody,
        payload: JSON.parse(request.bodyText) as Record<string, unknown>,
        attempted_at: attemptedAt.toISOString(),
      };
    },
  };
}
