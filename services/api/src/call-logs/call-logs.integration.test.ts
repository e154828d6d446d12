import { randomBytes, randomUUID } from 'node:crypto';
import { deliveryMessageSchema } from '@hookstream/messages';
import { waitFor } from '@hookstream/testkit';
import { collectTopic, startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

interface SeededCall {
  id: string;
  event_id: string;
}

describe('call logs and manual retries over HTTP, against the real database and broker', () => {
  let api: TestApi;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  let deliveries: Awaited<ReturnType<typeof collectTopic>>;

  const createWebhook = async (apiKey: string, overrides: Record<string, unknown> = {}) => {
    const response = await api.request('POST', '/v1/webhooks', {
      apiKey,
      body: { url: 'http://127.0.0.1:9/hook', events: ['Case.Updated', 'Individual.Created'], ...overrides },
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  const domainEvent = (workspaceId: string, type: string) => ({
    id: randomUUID(),
    type,
    occurred_at: '2026-11-20T10:00:00.000Z',
    workspace: { id: workspaceId, name: 'Acme' },
    entity: { id: 'case-1', name: 'A case', status: 'open' },
    context: {},
    custom_field: { kept: true },
  });

  /** Writes a call and its attempts as the health service does. */
  const seedCall = async (input: {
    workspaceId: string;
    webhookId: string;
    status: string;
    createdAt: string;
    event?: string;
    subEvent?: string | null;
    caseId?: string | null;
    individualId?: string | null;
    companyId?: string | null;
    retryCount?: number;
    withDomainEvent?: boolean;
    attempts?: number;
  }): Promise<SeededCall> => {
    const event = input.event ?? 'Case.Updated';
    const recorded = domainEvent(input.workspaceId, input.subEvent ?? event);
    const attemptCount = input.attempts ?? 1;
    const [row] = await api.database
      .knex('calls')
      .insert({
        event_id: randomUUID(),
        workspace_id: input.workspaceId,
        webhook_id: input.webhookId,
        domain_event_id: recorded.id,
        event,
        sub_event: input.subEvent ?? null,
        status: input.status,
        status_code: 500,
        endpoint: 'http://127.0.0.1:9/hook',
        retry_count: input.retryCount ?? attemptCount - 1,
        next_retry_at: input.status === 'retrying' ? '2026-11-21T10:00:00.000Z' : null,
        case_id: input.caseId ?? null,
        individual_id: input.individualId ?? null,
        company_id: input.companyId ?? null,
        payload: { event, context: { retry_count: attemptCount - 1 } },
        domain_event: input.withDomainEvent === false ? null : recorded,
        first_attempt_at: '2026-11-20T10:00:01.000Z',
        last_attempt_at: '2026-11-20T10:00:05.000Z',
        created_at: input.createdAt,
      })
      .returning(['id', 'event_id']);
    // Inserted newest first, to show the API orders attempts by attempted_at.
    for (let index = attemptCount - 1; index >= 0; index -= 1) {
      await api.database.knex('attempts').insert({
        id: randomUUID(),
        call_id: row.id,
        type: index === 0 ? 'first_call' : 'automatic_retry',
        retry_count: index,
        endpoint: 'http://127.0.0.1:9/hook',
        status_code: 500,
        error: 'HTTP 500',
        duration_ms: 12 + index,
        request_headers: { 'content-type': 'application/json', 'dotfile-signature': '***' },
        response_headers: { 'content-type': 'text/plain' },
        response_body: 'boom',
        attempted_at: new Date(Date.parse('2026-11-20T10:00:01.000Z') + index * 1000).toISOString(),
      });
    }
    return row as SeededCall;
  };

  beforeAll(async () => {
    api = await startTestApi({ label: 'logs' });
    acme = await api.createWorkspace('Acme');
    globex = await api.createWorkspace('Globex');
    deliveries = await collectTopic(api.topics.webhookDeliveries);
  });

  afterAll(async () => {
    await deliveries.stop();
    await api.close();
  });

  describe('list and get', () => {
    let webhookA: string;
    let webhookB: string;
    let calls: Record<string, SeededCall>;

    beforeAll(async () => {
      webhookA = await createWebhook(acme.apiKey);
      webhookB = await createWebhook(acme.apiKey);
      calls = {
        oldest: await seedCall({ workspaceId: acme.id, webhookId: webhookA, status: 'succeeded', createdAt: '2026-11-01T00:00:00Z', caseId: 'case-1' }),
        status: await seedCall({
          workspaceId: acme.id,
          webhookId: webhookA,
          status: 'failed',
          createdAt: '2026-11-02T00:00:00Z',
          subEvent: 'Case.StatusUpdated',
          caseId: 'case-2',
          attempts: 3,
        }),
        individual: await seedCall({
          workspaceId: acme.id,
          webhookId: webhookB,
          status: 'retrying',
          createdAt: '2026-11-03T00:00:00Z',
          event: 'Individual.Created',
          caseId: 'case-2',
          individualId: 'ind-1',
        }),
        company: await seedCall({ workspaceId: acme.id, webhookId: webhookB, status: 'pending', createdAt: '2026-11-04T00:00:00Z', companyId: 'co-1' }),
      };
      const globexWebhook = await createWebhook(globex.apiKey);
      await seedCall({ workspaceId: globex.id, webhookId: globexWebhook, status: 'failed', createdAt: '2026-11-05T00:00:00Z', caseId: 'case-1' });
    });

    const ids = async (query: string) => {
      const response = await api.request('GET', `/v1/webhook-logs${query}`, { apiKey: acme.apiKey });
      expect(response.status).toBe(200);
      return (response.body.data as Array<{ id: string }>).map((log) => log.id);
    };

    it('lists the workspace\'s calls newest first, with their attempts', async () => {
      const response = await api.request('GET', '/v1/webhook-logs', { apiKey: acme.apiKey });
      expect(response.body.pagination).toEqual({ page: 1, limit: 20, count: 4 });
      expect(response.body.data.map((log: { id: string }) => log.id)).toEqual([calls.company, calls.individual, calls.status, calls.oldest].map((call) => call?.id));
      expect(response.body.data[2].attempts).toHaveLength(3);
    });

    it('sorts oldest first on request, and pages', async () => {
      expect(await ids('?sort=created_at')).toEqual([calls.oldest, calls.status, calls.individual, calls.company].map((call) => call?.id));
      expect(await ids('?sort=created_at.asc&limit=3&page=2')).toEqual([calls.company?.id]);
    });

    it.each([
      ['webhook_id', () => `?webhook_id=${webhookB}`, () => ['company', 'individual']],
      ['event (matching sub-events too)', () => '?event=Case.StatusUpdated', () => ['status']],
      ['event (the top-level one)', () => '?event=Case.Updated', () => ['company', 'status', 'oldest']],
      ['status', () => '?status=retrying', () => ['individual']],
      ['case_id', () => '?case_id=case-2', () => ['individual', 'status']],
      ['individual_id', () => '?individual_id=ind-1', () => ['individual']],
      ['company_id', () => '?company_id=co-1', () => ['company']],
      ['a created_at range', () => '?created_from=2026-11-02T00:00:00Z&created_to=2026-11-03T00:00:00%2B00:00', () => ['individual', 'status']],
      ['several filters', () => `?case_id=case-2&webhook_id=${webhookA}`, () => ['status']],
      ['an injection attempt', () => "?case_id=x'%20OR%20'1'%3D'1", () => []],
    ])('filters by %s', async (_label, query, expected) => {
      expect(await ids(query())).toEqual(expected().map((name) => calls[name]?.id));
    });

    it('gets one call with its attempts oldest first, shaped as docs/webhooks.md says', async () => {
      const response = await api.request('GET', `/v1/webhook-logs/${calls.status?.id}`, { apiKey: acme.apiKey });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: calls.status?.id,
        webhook_id: webhookA,
        event: 'Case.Updated',
        sub_event: 'Case.StatusUpdated',
        event_id: calls.status?.event_id,
        status: 'failed',
        status_code: 500,
        endpoint: 'http://127.0.0.1:9/hook',
        retry_count: 2,
        next_retry_at: null,
        case_id: 'case-2',
        individual_id: null,
        company_id: null,
        payload: { event: 'Case.Updated', context: { retry_count: 2 } },
        created_at: '2026-11-02T00:00:00.000Z',
        last_attempt_at: '2026-11-20T10:00:05.000Z',
      });
      expect(response.body.attempts.map((attempt: { type: string; retry_count: number }) => [attempt.type, attempt.retry_count])).toEqual([
        ['first_call', 0],
        ['automatic_retry', 1],
        ['automatic_retry', 2],
      ]);
      expect(response.body.attempts[0]).toMatchObject({
        endpoint: 'http://127.0.0.1:9/hook',
        status_code: 500,
        error: 'HTTP 500',
        duration_ms: 12,
        request_headers: { 'content-type': 'application/json', 'dotfile-signature': '***' },
        response_headers: { 'content-type': 'text/plain' },
        response_body: 'boom',
        attempted_at: '2026-11-20T10:00:01.000Z',
      });
    });

    it('keeps other workspaces out: their calls are neither listed nor readable', async () => {
      const theirs = await api.request('GET', '/v1/webhook-logs', { apiKey: globex.apiKey });
      expect(theirs.body.pagination.count).toBe(1);
      expect((await api.request('GET', `/v1/webhook-logs/${calls.status?.id}`, { apiKey: globex.apiKey })).status).toBe(404);
      expect((await api.request('POST', `/v1/webhook-logs/${calls.status?.id}/retry`, { apiKey: globex.apiKey })).status).toBe(404);
      expect((await api.request('GET', '/v1/webhook-logs/not-a-uuid', { apiKey: acme.apiKey })).status).toBe(404);
    });

    it.each([
      ['?limit=51', 'limit'],
      ['?sort=created_at.sideways', 'sort'],
      ['?sort=status', 'sort'],
      ['?status=lost', 'status'],
      ['?event=Case.Nope', 'event'],
      ['?webhook_id=42', 'webhook_id'],
      ['?created_from=yesterday', 'created_from'],
      ['?created_to=2026-11-02', 'created_to'],
      [`?case_id=${'c'.repeat(201)}`, 'case_id'],
      ['?company_id=%01', 'company_id'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const response = await api.request('GET', `/v1/webhook-logs${query}`, { apiKey: acme.apiKey });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field, location: 'query' })]);
    });

    it('requires an API key', async () => {
      expect((await api.request('GET', '/v1/webhook-logs')).status).toBe(401);
      expect((await api.request('GET', `/v1/webhook-logs/${calls.status?.id}`)).status).toBe(401);
    });
  });

  describe('manual retry of one call', () => {
    it('publishes a manual_retry delivery keyed by event id and marks the call pending', async () => {
      const webhookId = await createWebhook(acme.apiKey);
      const call = await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-11-10T00:00:00Z', retryCount: 4, attempts: 5, subEvent: 'Case.RiskUpdated' });
      const recorded = await api.database.knex('calls').where({ id: call.id }).first();
      const before = Date.now();

      const response = await api.request('POST', `/v1/webhook-logs/${call.id}/retry`, { apiKey: acme.apiKey });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ id: call.id, status: 'pending', next_retry_at: null, retry_count: 4 });

      const published = await waitFor(() => deliveries.messages.find((message) => message.key === call.event_id), {
        description: 'the manual retry on webhook-deliveries',
      });
      expect(deliveryMessageSchema.safeParse(published.value).success).toBe(true);
      expect(published.value).toEqual({
        version: 1,
        type: 'manual_retry',
        event_id: call.event_id,
        webhook_id: webhookId,
        workspace_id: acme.id,
        event: 'Case.Updated',
        sub_event: 'Case.RiskUpdated',
        domain_event: recorded.domain_event,
        retry_count: 5,
        first_attempt_at: '2026-11-20T10:00:01.000Z',
        due_at: expect.any(String),
        produced_at: expect.any(String),
      });
      expect(Date.parse(published.value.due_at)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(published.value.due_at)).toBeLessThanOrEqual(Date.now());
      expect(published.value.produced_at).toBe(published.value.due_at);
      const metrics = await api.registry.getSingleMetricAsString('hookstream_api_manual_retries_total');
      expect(metrics).toMatch(/hookstream_api_manual_retries_total\{kind="single",service="api"\} [1-9]/);
    });

    it('queues a manual retry to an offline webhook, as the sender would send it', async () => {
      const offlineWebhook = await createWebhook(acme.apiKey, { status: 'offline' });
      const offlineCall = await seedCall({ workspaceId: acme.id, webhookId: offlineWebhook, status: 'failed', createdAt: '2026-11-10T00:00:00Z' });

      const response = await api.request('POST', `/v1/webhook-logs/${offlineCall.id}/retry`, { apiKey: acme.apiKey });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ id: offlineCall.id, status: 'pending' });
      const published = await waitFor(() => deliveries.messages.find((message) => message.key === offlineCall.event_id), {
        description: 'the manual retry on webhook-deliveries',
      });
      expect(published.value).toMatchObject({ type: 'manual_retry', webhook_id: offlineWebhook });
    });

    it('refuses with 409 when the webhook is deleted, or the domain event is missing, and changes nothing', async () => {
      const deletedWebhook = await createWebhook(acme.apiKey);
      const deletedCall = await seedCall({ workspaceId: acme.id, webhookId: deletedWebhook, status: 'failed', createdAt: '2026-11-10T00:00:00Z' });
      await api.request('DELETE', `/v1/webhooks/${deletedWebhook}`, { apiKey: acme.apiKey });
      const bareWebhook = await createWebhook(acme.apiKey);
      const bareCall = await seedCall({ workspaceId: acme.id, webhookId: bareWebhook, status: 'failed', createdAt: '2026-11-10T00:00:00Z', withDomainEvent: false });

      for (const call of [deletedCall, bareCall]) {
        const response = await api.request('POST', `/v1/webhook-logs/${call.id}/retry`, { apiKey: acme.apiKey });
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('conflict');
        expect((await api.database.knex('calls').where({ id: call.id }).first()).status).toBe('failed');
      }
      expect(deliveries.messages.some((message) => [deletedCall, bareCall].some((call) => call.event_id === message.key))).toBe(false);
    });

    it('answers 404 for an unknown call', async () => {
      expect((await api.request('POST', `/v1/webhook-logs/${randomUUID()}/retry`, { apiKey: acme.apiKey })).status).toBe(404);
    });
  });

  describe('retry of the failed calls of a date range', () => {
    it('queues every failed call of the webhook created in [from, to], and only those', async () => {
      const webhookId = await createWebhook(acme.apiKey);
      const otherWebhook = await createWebhook(acme.apiKey);
      const inRange = [
        await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-10-01T00:00:00Z' }),
        await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-10-15T12:00:00Z' }),
        await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-10-31T00:00:00Z' }),
      ];
      const left = [
        await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-09-30T23:59:59Z' }),
        await seedCall({ workspaceId: acme.id, webhookId, status: 'failed', createdAt: '2026-10-31T00:00:01Z' }),
        await seedCall({ workspaceId: acme.id, webhookId, status: 'succeeded', createdAt: '2026-10-10T00:00:00Z' }),
        await seedCall({ workspaceId: acme.id, webhookId, status: 'retrying', createdAt: '2026-10-10T00:00:00Z' }),
        await seedCall({ workspaceId: acme.id, webhookId: otherWebhook, status: 'failed', createdAt: '2026-10-10T00:00:00Z' }),
      ];

      const response = await api.request('POST', `/v1/webhooks/${webhookId}/retry-failed`, {
        apiKey: acme.apiKey,
        body: { from: '2026-10-01T00:00:00Z', to: '2026-10-31T02:00:00+02:00' },
      });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ count: 3 });

      const published = await waitFor(
        () => {
          const found = deliveries.messages.filter((message) => inRange.some((call) => call.event_id === message.key));
          return found.length === 3 && found;
        },
        { description: 'three manual retries on webhook-deliveries' },
      );
      expect(published.every((message) => message.value.type === 'manual_retry' && message.value.webhook_id === webhookId && message.value.retry_count === 1)).toBe(true);
      const statuses = await api.database.knex('calls').whereIn('id', inRange.map((call) => call.id)).pluck('status');
      expect(statuses).toEqual(['pending', 'pending', 'pending']);
      const untouched = await api.database.knex('calls').whereIn('id', left.map((call) => call.id)).orderBy('created_at').pluck('status');
      expect(untouched.sort()).toEqual(['failed', 'failed', 'failed', 'retrying', 'succeeded']);
      expect(deliveries.messages.some((message) => left.some((call) => call.event_id === message.key))).toBe(false);

      // Nothing failed is left in the range: a second request queues none.
      const again = await api.request('POST', `/v1/webhooks/${webhookId}/retry-failed`, {
        apiKey: acme.apiKey,
        body: { from: '2026-10-01T00:00:00Z', to: '2026-10-31T00:00:00Z' },
      });
      expect(again.body).toEqual({ count: 0 });
    });

    it('answers truthfully when the broker refuses part of a large range: what was queued is pending, the rest unchanged', async () => {
      const webhookId = await createWebhook(acme.apiKey);
      // 500 ordinary failed calls, then one whose domain event is larger than the broker
      // takes in one message (incompressible, over the topics' 4 MiB): the second produce request fails.
      const ordinary = Array.from({ length: 500 }, (_, index) => {
        const recorded = domainEvent(acme.id, 'Case.Updated');
        return {
          event_id: randomUUID(),
          workspace_id: acme.id,
          webhook_id: webhookId,
          domain_event_id: recorded.id,
          event: 'Case.Updated',
          status: 'failed',
          retry_count: 0,
          domain_event: recorded,
          first_attempt_at: '2026-09-01T00:00:00.000Z',
          created_at: new Date(Date.parse('2026-09-01T00:00:00.000Z') + index * 1_000).toISOString(),
        };
      });
      await api.database.knex.batchInsert('calls', ordinary, 250);
      const huge = { ...domainEvent(acme.id, 'Case.Updated'), context: { blob: randomBytes(6 * 1024 * 1024).toString('base64') } };
      const [last] = await api.database
        .knex('calls')
        .insert({ ...ordinary[0], event_id: randomUUID(), domain_event_id: huge.id, domain_event: huge, created_at: '2026-09-02T00:00:00.000Z' })
        .returning(['id', 'event_id']);

      const response = await api.request('POST', `/v1/webhooks/${webhookId}/retry-failed`, {
        apiKey: acme.apiKey,
        body: { from: '2026-09-01T00:00:00Z', to: '2026-09-03T00:00:00Z' },
      });
      expect(response.status).toBe(503);
      expect(response.body.message).toBe('Only 500 of 501 failed calls could be queued (they are now pending); the other 1 were not changed: ask again to queue them');
      const statuses = await api.database.knex('calls').where({ webhook_id: webhookId }).select('id', 'status');
      expect(statuses.filter((row) => row.status === 'pending')).toHaveLength(500);
      expect(statuses.find((row) => row.id === last.id)?.status).toBe('failed');
      const ordinaryIds = new Set<string | null>(ordinary.map((call) => call.event_id));
      await waitFor(() => deliveries.messages.filter((message) => ordinaryIds.has(message.key)).length === 500, {
        description: 'the 500 queued retries on webhook-deliveries',
      });
      expect(deliveries.messages.some((message) => message.key === last.event_id)).toBe(false);
    });

    it.each([
      ['a span over 30 days', { from: '2026-10-01T00:00:00Z', to: '2026-10-31T00:00:01Z' }, 'to'],
      ['to before from', { from: '2026-10-02T00:00:00Z', to: '2026-10-01T00:00:00Z' }, 'to'],
      ['a missing to', { from: '2026-10-01T00:00:00Z' }, 'to'],
      ['a date without time', { from: '2026-10-01', to: '2026-10-02T00:00:00Z' }, 'from'],
      ['an unknown field', { from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:00:00Z', status: 'failed' }, 'status'],
    ])('refuses %s with 400', async (_label, body, field) => {
      const webhookId = await createWebhook(acme.apiKey);
      const response = await api.request('POST', `/v1/webhooks/${webhookId}/retry-failed`, { apiKey: acme.apiKey, body });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field, location: 'body' })]);
    });

    it('answers 404 for another workspace\'s webhook, and queues the failed calls of an offline one', async () => {
      const body = { from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:00:00Z' };
      const theirs = await createWebhook(globex.apiKey);
      expect((await api.request('POST', `/v1/webhooks/${theirs}/retry-failed`, { apiKey: acme.apiKey, body })).status).toBe(404);
      const offline = await createWebhook(acme.apiKey, { status: 'offline' });
      const failed = await seedCall({ workspaceId: acme.id, webhookId: offline, status: 'failed', createdAt: '2026-10-01T12:00:00Z' });
      const response = await api.request('POST', `/v1/webhooks/${offline}/retry-failed`, { apiKey: acme.apiKey, body });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ count: 1 });
      await waitFor(() => deliveries.messages.some((message) => message.key === failed.event_id), { description: 'the manual retry on webhook-deliveries' });
    });
  });
});
