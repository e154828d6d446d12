import { createHmac } from 'node:crypto';
import type { WebhookState } from '@hookstream/db';
import { decodeMessage, deliveryMessageSchema, outcomeMessageSchema, type DeliveryMessage, type OutcomeMessage } from '@hookstream/messages';
import { Registry } from '@hookstream/observability';
import type { HttpAttemptResult, WebhookClient } from '@hookstream/webhook-http';
import { createSenderMetrics } from '../metrics';
import type { CallState } from './call-state';
import { EndpointLimiter } from './endpoint-limiter';
import { executeDelivery, type DeliveryDependencies } from './execute-delivery';
import type { OutgoingMessage } from './publisher';

// One attempt from decision to the messages it publishes (docs/webhooks.md
// "Success and failure", "Retries"), with the HTTP client and the producer replaced by recorders. The
// outcome messages are decoded with the contract's schema, as the health service does.

const SECRET = 'dotsecret.current-secret-0000000000000000000000';
const NOW = new Date('2026-11-25T12:00:05.250Z');
const SCHEDULE_MS = [1_000, 4_000, 13_000, 40_000];
const URL = 'http://127.0.0.1:1/hooks/in?via=test';

const domainEvent = {
  id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
  type: 'Case.StatusUpdated',
  occurred_at: '2026-11-25T12:00:00.000Z',
  workspace: { id: 'ws-1', name: 'Acme' },
  entity: { id: 'case-1', name: 'Société "Acme"', status: 'approved' },
  context: { individual: { id: 'ind-1' } },
};

function aDelivery(overrides: Partial<DeliveryMessage> = {}): DeliveryMessage {
  return {
    version: 1,
    type: 'first_call',
    event_id: '6f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e5a',
    webhook_id: '00000000-0000-4000-8000-000000000001',
    workspace_id: 'ws-1',
    event: 'Case.Updated',
    sub_event: 'Case.StatusUpdated',
    domain_event: domainEvent,
    retry_count: 0,
    first_attempt_at: null,
    due_at: '2026-11-25T12:00:00.100Z',
    produced_at: '2026-11-25T12:00:00.050Z',
    ...overrides,
  };
}

const onlineWebhook: WebhookState = {
  id: '00000000-0000-4000-8000-000000000001',
  workspaceId: 'ws-1',
  url: URL,
  events: new Set(['Case.Updated']),
  status: 'online',
  deleted: false,
  promoted: false,
  retryState: 'normal',
  secret: SECRET,
};

const ok: HttpAttemptResult = {
  succeeded: true,
  statusCode: 200,
  failureKind: null,
  error: null,
  responseHeaders: { 'content-type': 'text/plain', 'content-length': '2' },
  responseBody: 'ok',
  durationMs: 12,
};

const serverError: HttpAttemptResult = {
  succeeded: false,
  statusCode: 503,
  failureKind: 'http_status',
  error: 'HTTP 503',
  responseHeaders: { 'retry-after': '5' },
  responseBody: 'down',
  durationMs: 7,
};

function setUp(
  options: {
    webhook?: WebhookState | undefined;
    result?: HttpAttemptResult;
    callState?: CallState;
    limiter?: EndpointLimiter;
    databaseError?: Error;
    parkError?: Error;
  } = {},
) {
  const parked: DeliveryMessage[] = [];
  const posts: Array<{ url: string; headers: Record<string, string>; body: Buffer }> = [];
  const published: OutgoingMessage[][] = [];
  const remembered: Array<[string, CallState]> = [];
  const registry = new Registry();
  const metrics = createSenderMetrics(registry);
  const client: WebhookClient = {
    post: async (url, headers, body) => {
      posts.push({ url, headers, body });
      return options.result ?? ok;
    },
    close: async () => undefined,
  };
  const dependencies: DeliveryDependencies = {
    webhookOf: () => ('webhook' in options ? options.webhook : onlineWebhook),
    refreshWebhooks: async () => {
      if (options.databaseError) throw options.databaseError;
    },
    callState: {
      remember: (eventId, state) => remembered.push([eventId, state]),
      read: async () => {
        if (options.databaseError) throw options.databaseError;
        return options.callState;
      },
    },
    parkedRetries: {
      park: async (delivery) => {
        if (options.parkError) throw options.parkError;
        parked.push(delivery);
      },
    },
    client,
    limiter: options.limiter ?? new EndpointLimiter(4, 4),
    publisher: {
      publish: async (messages) => {
        published.push(messages);
      },
      close: () => undefined,
    },
    topics: { webhookOutcomes: 'webhook-outcomes', retryTiers: ['retry-1h', 'retry-4h', 'retry-13h', 'retry-40h'] },
    scheduleMs: SCHEDULE_MS,
    userAgent: 'hookstream/1.2.3 (+webhooks)',
    metrics,
    logger: { debug: () => undefined } as unknown as DeliveryDependencies['logger'],
    now: () => new Date(NOW),
  };
  const outcomes = () =>
    published.flat().filter((message) => message.topic === 'webhook-outcomes').map((message) => decoded(outcomeMessageSchema, message));
  const retries = () =>
    published.flat().filter((message) => message.topic !== 'webhook-outcomes').map((message) => ({ topic: message.topic, key: message.key, delivery: decoded(deliveryMessageSchema, message) }));
  const attemptCount = async (labels: { type: string; outcome: string; failure_kind: string }) =>
    (await metrics.attempts.get()).values.find(
      (value) => value.labels.type === labels.type && value.labels.outcome === labels.outcome && value.labels.failure_kind === labels.failure_kind,
    )?.value ?? 0;
  return { dependencies, posts, published, remembered, outcomes, retries, metrics, attemptCount, parked };
}

function decoded<T>(schema: Parameters<typeof decodeMessage<T>>[0], message: OutgoingMessage): T {
  const result = decodeMessage(schema, message.value);
  if (!result.ok) throw new Error(`message breaks the contract: ${result.error}`);
  return result.value;
}

describe('executeDelivery', () => {
  it('numbers a failed replay from the call it replays, and schedules its retries from the replay', async () => {
    const setup = setUp({ result: serverError });
    const replay = aDelivery({ type: 'replay', retry_count: 3, replay: { id: 'a3c7c3d4-1b2a-4c5d-8e9f-0a1b2c3d4e5f', first_retry_count: 3 } });
    await executeDelivery(setup.dependencies, replay, undefined);

    const [post] = setup.posts as [(typeof setup.posts)[number]];
    expect(post.headers['dotfile-retry-count']).toBe('3');
    expect(post.headers['dotfile-remaining-retry-count']).toBe('4');
    const [outcome] = setup.outcomes() as [OutcomeMessage];
    expect(outcome).toMatchObject({ type: 'replay', retry_count: 3, result: 'failed', first_attempt_at: NOW.toISOString(), domain_event: domainEvent });
    // Retry 1 of the replay: the call's number 4, due one schedule step after the replayed attempt.
    const [retry] = setup.retries();
    expect(retry?.topic).toBe('retry-1h');
    expect(retry?.delivery).toMatchObject({
      type: 'automatic_retry',
      retry_count: 4,
      first_attempt_at: NOW.toISOString(),
      due_at: new Date(NOW.getTime() + (SCHEDULE_MS[0] as number)).toISOString(),
      replay: { first_retry_count: 3 },
    });
    expect(outcome.next_retry_at).toBe(retry?.delivery.due_at);
  });

  it('POSTs a signed first call and publishes its outcome with the request, response and domain event', async () => {
    const setup = setUp();
    const delivery = aDelivery();
    await executeDelivery(setup.dependencies, delivery, undefined);

    expect(setup.posts).toHaveLength(1);
    const [post] = setup.posts as [(typeof setup.posts)[number]];
    expect(post.url).toBe(URL);
    expect(post.headers['dotfile-signature']).toBe(createHmac('sha256', SECRET).update(post.body).digest('hex'));
    expect(JSON.parse(post.body.toString('utf8')).context).toMatchObject({ timestamp: Math.floor(NOW.getTime() / 1_000), retry_count: 0 });

    expect(setup.published).toHaveLength(1);
    expect(setup.published[0]?.[0]?.key).toBe(delivery.event_id);
    expect(setup.retries()).toEqual([]);
    const [outcome] = setup.outcomes() as [OutcomeMessage];
    expect(outcome).toEqual({
      version: 1,
      attempt_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_id: delivery.event_id,
      webhook_id: delivery.webhook_id,
      workspace_id: 'ws-1',
      domain_event_id: domainEvent.id,
      event: 'Case.Updated',
      sub_event: 'Case.StatusUpdated',
      type: 'first_call',
      retry_count: 0,
      result: 'succeeded',
      failure_kind: null,
      not_sent_reason: null,
      error: null,
      status_code: 200,
      endpoint: URL,
      duration_ms: 12,
      attempted_at: '2026-11-25T12:00:05.250Z',
      first_attempt_at: '2026-11-25T12:00:05.250Z',
      next_retry_at: null,
      final: true,
      case_id: 'case-1',
      individual_id: 'ind-1',
      company_id: null,
      request: {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'hookstream/1.2.3 (+webhooks)',
          'dotfile-signature': '<masked>',
          'dotfile-event-id': delivery.event_id,
          'dotfile-retry-count': '0',
          'dotfile-remaining-retry-count': '4',
        },
        body: post.body.toString('utf8'),
      },
      response: { headers: { 'content-type': 'text/plain', 'content-length': '2' }, body: 'ok' },
      produced_at: delivery.produced_at,
      domain_event: domainEvent,
    });
    expect(setup.remembered).toEqual([[delivery.event_id, { succeeded: true, retryCount: 0 }]]);
    expect(await setup.attemptCount({ type: 'first_call', outcome: 'succeeded', failure_kind: 'none' })).toBe(1);
  });

  it('after a failed first call, schedules retry 1 at T0 + schedule[0] in the first tier, in the same publish as the outcome', async () => {
    const setup = setUp({ result: serverError });
    const delivery = aDelivery();
    await executeDelivery(setup.dependencies, delivery, undefined);

    expect(setup.published).toHaveLength(1);
    expect(setup.retries()).toEqual([
      {
        topic: 'retry-1h',
        key: delivery.event_id,
        delivery: { ...delivery, type: 'automatic_retry', retry_count: 1, first_attempt_at: '2026-11-25T12:00:05.250Z', due_at: '2026-11-25T12:00:06.250Z' },
      },
    ]);
    const [outcome] = setup.outcomes() as [OutcomeMessage];
    expect(outcome).toMatchObject({
      result: 'failed',
      failure_kind: 'http_status',
      error: 'HTTP 503',
      status_code: 503,
      duration_ms: 7,
      attempted_at: '2026-11-25T12:00:05.250Z',
      first_attempt_at: '2026-11-25T12:00:05.250Z',
      next_retry_at: '2026-11-25T12:00:06.250Z',
      final: false,
      response: { headers: { 'retry-after': '5' }, body: 'down' },
    });
    expect(setup.remembered).toEqual([[delivery.event_id, { succeeded: false, retryCount: 0 }]]);
    expect(await setup.attemptCount({ type: 'first_call', outcome: 'failed', failure_kind: 'http_status' })).toBe(1);
  });

  it('keeps T0 through an automatic retry, measures the next slot from it, and leaves the domain event out', async () => {
    const setup = setUp({ result: { ...serverError, statusCode: null, failureKind: 'timeout', error: 'timed out', responseHeaders: {}, responseBody: '' } });
    const delivery = aDelivery({ type: 'automatic_retry', retry_count: 2, first_attempt_at: '2026-11-25T12:00:01.000Z', due_at: '2026-11-25T12:00:05.000Z' });
    await executeDelivery(setup.dependencies, delivery, undefined);

    expect(setup.retries()).toEqual([
      { topic: 'retry-13h', key: delivery.event_id, delivery: { ...delivery, retry_count: 3, first_attempt_at: '2026-11-25T12:00:01.000Z', due_at: '2026-11-25T12:00:14.000Z' } },
    ]);
    const [outcome] = setup.outcomes() as [OutcomeMessage];
    expect(outcome).toMatchObject({
      type: 'automatic_retry',
      retry_count: 2,
      result: 'failed',
      failure_kind: 'timeout',
      status_code: null,
      attempted_at: '2026-11-25T12:00:05.250Z',
      first_attempt_at: '2026-11-25T12:00:01.000Z',
      next_retry_at: '2026-11-25T12:00:14.000Z',
      final: false,
      response: null,
      domain_event: null,
    });
    expect(outcome.request.headers).toMatchObject({ 'dotfile-retry-count': '2', 'dotfile-remaining-retry-count': '2', 'dotfile-signature': '<masked>' });
  });

  it('ends the call after the last retry fails', async () => {
    const setup = setUp({ result: serverError });
    await executeDelivery(setup.dependencies, aDelivery({ type: 'automatic_retry', retry_count: 4, first_attempt_at: '2026-11-25T11:00:00.000Z' }), undefined);
    expect(setup.retries()).toEqual([]);
    expect(setup.outcomes()[0]).toMatchObject({ result: 'failed', next_retry_at: null, final: true });
  });

  it('masks the old signature too during a rotation', async () => {
    const setup = setUp({
      webhook: { ...onlineWebhook, previousSecret: 'dotsecret.previous-secret-00000000000000000000', previousSecretExpiresAt: new Date(NOW.getTime() + 60_000) },
    });
    await executeDelivery(setup.dependencies, aDelivery(), undefined);
    expect(setup.posts[0]?.headers['dotfile-old-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(setup.outcomes()[0]?.request.headers).toMatchObject({ 'dotfile-signature': '<masked>', 'dotfile-old-signature': '<masked>' });
  });

  describe('a promoted webhook whose retries are paused', () => {
    const paused: WebhookState = { ...onlineWebhook, promoted: true, retryState: 'paused' };
    const retry = () => aDelivery({ type: 'automatic_retry', retry_count: 2, first_attempt_at: '2026-11-25T11:00:00.000Z' });

    it('parks an automatic retry instead of sending it, and its outcome says it is paused (not final)', async () => {
      const setup = setUp({ webhook: paused, callState: { succeeded: false, retryCount: 1 } });
      const delivery = retry();
      expect(await executeDelivery(setup.dependencies, delivery, undefined)).toEqual({ kind: 'parked' });
      expect(setup.posts).toEqual([]);
      expect(setup.parked).toEqual([delivery]);
      expect(setup.retries()).toEqual([]);
      expect(setup.outcomes()).toEqual([
        expect.objectContaining({ result: 'not_sent', not_sent_reason: 'retries_paused', error: 'not sent: retries_paused', final: false, next_retry_at: null, retry_count: 2 }),
      ]);
      expect((await setup.metrics.retriesParked.get()).values[0]?.value).toBe(1);
    });

    it('parks while resuming too: new retries queue behind the parked ones', async () => {
      const setup = setUp({ webhook: { ...paused, retryState: 'resuming' } });
      expect(await executeDelivery(setup.dependencies, retry(), undefined)).toEqual({ kind: 'parked' });
      expect(setup.posts).toEqual([]);
    });

    it('sends first calls and manual retries, and a retry released from the parked ones', async () => {
      const setup = setUp({ webhook: paused });
      expect(await executeDelivery(setup.dependencies, aDelivery(), undefined)).toEqual({ kind: 'done', succeeded: true });
      await executeDelivery(setup.dependencies, aDelivery({ type: 'manual_retry', retry_count: 1, first_attempt_at: '2026-11-25T11:00:00.000Z' }), undefined);
      expect(await executeDelivery(setup.dependencies, retry(), undefined, 0, { released: true })).toEqual({ kind: 'done', succeeded: true });
      expect(setup.posts).toHaveLength(3);
      expect(setup.parked).toEqual([]);
    });

    it('parks nothing for a webhook that is not promoted (a stale state is ignored)', async () => {
      const setup = setUp({ webhook: { ...paused, promoted: false } });
      expect(await executeDelivery(setup.dependencies, retry(), undefined)).toEqual({ kind: 'done', succeeded: true });
      expect(setup.parked).toEqual([]);
    });

    it('publishes nothing when the retry cannot be parked: the message waits and is tried again', async () => {
      const setup = setUp({ webhook: paused, parkError: new Error('connection terminated') });
      expect(await executeDelivery(setup.dependencies, retry(), undefined)).toMatchObject({ kind: 'retry_later', reason: 'database' });
      expect(setup.published).toEqual([]);
    });
  });

  it.each([
    ['webhook_offline', { webhook: { ...onlineWebhook, status: 'offline' as const } }, URL],
    ['webhook_deleted', { webhook: { ...onlineWebhook, deleted: true } }, URL],
    ['webhook_deleted', { webhook: undefined }, ''],
  ])('does not send when %s, and says so in a final outcome', async (reason, options, endpoint) => {
    const setup = setUp(options);
    const delivery = aDelivery();
    expect(await executeDelivery(setup.dependencies, delivery, undefined)).toEqual({ kind: 'gave_up', reason });
    expect(setup.posts).toEqual([]);
    expect(setup.retries()).toEqual([]);
    expect(setup.outcomes()[0]).toMatchObject({
      result: 'not_sent',
      not_sent_reason: reason,
      error: `not sent: ${reason}`,
      failure_kind: null,
      status_code: null,
      duration_ms: 0,
      endpoint,
      attempted_at: '2026-11-25T12:00:05.250Z',
      first_attempt_at: '2026-11-25T12:00:05.250Z',
      next_retry_at: null,
      final: true,
      request: { headers: {}, body: '' },
      response: null,
      domain_event: domainEvent,
    });
    expect(setup.remembered).toEqual([]);
    expect(await setup.attemptCount({ type: 'first_call', outcome: 'not_sent', failure_kind: 'none' })).toBe(1);
  });

  it.each([
    ['an automatic retry, reading its call', { webhook: onlineWebhook }, aDelivery({ type: 'automatic_retry', retry_count: 1, first_attempt_at: '2026-11-25T11:00:00.000Z' })],
    ['a first call to a webhook not in the view yet', { webhook: undefined }, aDelivery()],
  ])('neither sends nor publishes, and asks to be tried again, when the database fails for %s', async (_case, options, delivery) => {
    const error = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const setup = setUp({ ...options, databaseError: error });
    const result = await executeDelivery(setup.dependencies, delivery, undefined);
    expect(result).toEqual({ kind: 'retry_later', reason: 'database', error });
    expect(setup.posts).toEqual([]);
    expect(setup.published).toEqual([]);
  });

  it('gives up on an event whose type left the catalog, with an outcome that says so', async () => {
    const setup = setUp();
    const result = await executeDelivery(setup.dependencies, aDelivery({ domain_event: { ...domainEvent, type: 'Case.Archived' } }), undefined);
    expect(result).toEqual({ kind: 'gave_up', reason: 'unknown_event_type' });
    expect(setup.posts).toEqual([]);
    expect(setup.outcomes()).toEqual([expect.objectContaining({ result: 'not_sent', not_sent_reason: 'unknown_event_type', final: true, endpoint: URL })]);
  });

  it.each([
    ['already_succeeded', { succeeded: true, retryCount: 1 }],
    ['superseded', { succeeded: false, retryCount: 2 }],
  ])('does not send an automatic retry that is %s', async (reason, callState) => {
    const setup = setUp({ callState });
    await executeDelivery(setup.dependencies, aDelivery({ type: 'automatic_retry', retry_count: 2, first_attempt_at: '2026-11-25T11:00:00.000Z' }), undefined);
    expect(setup.posts).toEqual([]);
    expect(setup.outcomes()[0]).toMatchObject({ result: 'not_sent', not_sent_reason: reason, first_attempt_at: '2026-11-25T11:00:00.000Z', domain_event: null });
  });

  it('sends a manual retry to an offline webhook (the customer asked for it), as the API accepts it', async () => {
    const setup = setUp({ webhook: { ...onlineWebhook, status: 'offline' as const } });
    await executeDelivery(setup.dependencies, aDelivery({ type: 'manual_retry', retry_count: 1, first_attempt_at: '2026-11-25T11:00:00.000Z' }), undefined);
    expect(setup.posts).toHaveLength(1);
    expect(setup.outcomes()[0]).toMatchObject({ type: 'manual_retry', not_sent_reason: null });
  });

  it.each([
    ['a first call', aDelivery()],
    ['an automatic retry', aDelivery({ type: 'automatic_retry', retry_count: 2, first_attempt_at: '2026-11-25T11:00:00.000Z', due_at: '2026-11-25T12:00:04.000Z' })],
  ])('defers %s the endpoint has no room for: re-queued to the shortest tier as the same call, with no outcome', async (_label, delivery) => {
    const limiter = new EndpointLimiter(1, 0);
    const hold = await limiter.acquire('http://127.0.0.1:1');
    const setup = setUp({ limiter });
    await executeDelivery({ ...setup.dependencies, overloadDeferMs: 2_000 }, delivery, undefined);
    expect(setup.posts).toEqual([]);
    expect(setup.outcomes()).toEqual([]);
    expect(setup.remembered).toEqual([]);
    const [deferred, ...others] = setup.retries();
    expect(others).toEqual([]);
    expect(deferred).toMatchObject({ topic: 'retry-1h', key: delivery.event_id });
    const { due_at: dueAt, ...rest } = deferred?.delivery ?? ({} as DeliveryMessage);
    const { due_at: _originalDue, ...original } = delivery;
    expect(rest).toEqual(original);
    // Due again two seconds later, give or take the jitter that spreads deferred calls.
    expect(Date.parse(dueAt) - NOW.getTime()).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(dueAt) - NOW.getTime()).toBeLessThanOrEqual(2_400);
    expect(await setup.attemptCount({ type: delivery.type, outcome: 'failed', failure_kind: 'endpoint_overloaded' })).toBe(0);
    expect((await setup.metrics.overloadDeferrals.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { type: delivery.type, reason: 'endpoint_queue' } }),
    ]);
    if (typeof hold === 'function') hold();
  });

  it('logs a 503 with Retry-After as failed, and defers the calls that follow until it has passed, with no outcome', async () => {
    const limiter = new EndpointLimiter({ min: 1, max: 8, initial: 4 }, 10);
    const setup = setUp({ limiter, result: serverError });
    const before = Date.now();
    await executeDelivery(setup.dependencies, aDelivery(), undefined);
    expect(setup.outcomes()).toEqual([expect.objectContaining({ result: 'failed', status_code: 503 })]);
    // The attempt itself follows the retry schedule as any failed attempt; the origin's limit shrank.
    expect(setup.retries()).toEqual([expect.objectContaining({ topic: 'retry-1h' })]);
    expect(limiter.limitOf('http://127.0.0.1:1')).toBe(2);
    const next = aDelivery({ event_id: '7a2d3b9f-7c5c-4e8f-8b62-1a4d3c2e5f6b' });
    await executeDelivery(setup.dependencies, next, undefined);
    expect(setup.posts).toHaveLength(1);
    expect(setup.outcomes()).toHaveLength(1);
    const deferred = setup.retries().find((retry) => retry.key === next.event_id);
    expect(deferred).toMatchObject({ topic: 'retry-1h', delivery: { type: 'first_call', retry_count: 0 } });
    // Due once the five seconds of the Retry-After have passed (plus the spread).
    const delayMs = Date.parse(deferred?.delivery.due_at ?? '') - NOW.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(5_000 - (Date.now() - before) - 1);
    expect(delayMs).toBeLessThanOrEqual(6_000);
    expect((await setup.metrics.overloadDeferrals.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { type: 'first_call', reason: 'retry_after' } }),
    ]);
    expect((await setup.metrics.retryAfterPauses.get()).values).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('releases the endpoint slot after the call', async () => {
    const limiter = new EndpointLimiter(1, 0);
    const setup = setUp({ limiter });
    await executeDelivery(setup.dependencies, aDelivery(), undefined);
    await executeDelivery(setup.dependencies, aDelivery(), undefined);
    expect(setup.posts).toHaveLength(2);
    expect(limiter.stats('http://127.0.0.1:1')).toEqual({ active: 0, queued: 0, bytes: 0 });
  });
});
