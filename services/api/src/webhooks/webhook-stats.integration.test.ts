import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

const HOUR_MS = 3_600_000;

describe('GET /v1/webhooks/{id}/stats, against the real database', () => {
  let api: TestApi;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };

  const createWebhook = async (apiKey: string) => {
    const response = await api.request('POST', '/v1/webhooks', {
      apiKey,
      body: { url: 'http://127.0.0.1:9/hook', events: ['Case.Created'] },
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  /** A call with one attempt per entry, as the health service writes them. */
  const seedAttempts = async (workspaceId: string, webhookId: string, attempts: Array<{ at: Date; statusCode: number | null; error?: string }>) => {
    const [call] = await api.database
      .knex('calls')
      .insert({
        event_id: randomUUID(),
        workspace_id: workspaceId,
        webhook_id: webhookId,
        domain_event_id: randomUUID(),
        event: 'Case.Created',
        status: 'failed',
        retry_count: attempts.length - 1,
        payload: { event: 'Case.Created' },
        created_at: attempts[0]?.at,
      })
      .returning(['id']);
    for (const [index, attempt] of attempts.entries()) {
      await api.database.knex('attempts').insert({
        id: randomUUID(),
        call_id: call.id,
        type: index === 0 ? 'first_call' : 'automatic_retry',
        retry_count: index,
        endpoint: 'http://127.0.0.1:9/hook',
        status_code: attempt.statusCode,
        error: attempt.error ?? (attempt.statusCode !== null && attempt.statusCode < 300 ? null : `HTTP ${attempt.statusCode}`),
        duration_ms: 10,
        request_headers: {},
        attempted_at: attempt.at.toISOString(),
      });
    }
  };

  beforeAll(async () => {
    api = await startTestApi({ label: 'stats', settings: { offlineRule: { threshold: 7, windowMs: 24 * HOUR_MS } } });
    acme = await api.createWorkspace('Acme');
    globex = await api.createWorkspace('Globex');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('counts succeeded and failed calls per hour over 24 hours, oldest first, empty hours as zeros', async () => {
    const webhookId = await createWebhook(acme.apiKey);
    const other = await createWebhook(acme.apiKey);
    const now = Date.now();
    const threeHoursAgo = new Date(now - 3 * HOUR_MS);
    await seedAttempts(acme.id, webhookId, [
      { at: threeHoursAgo, statusCode: 500 },
      { at: new Date(threeHoursAgo.getTime() + 1000), statusCode: null, error: 'timeout' },
      { at: new Date(threeHoursAgo.getTime() + 2000), statusCode: 200 },
    ]);
    await seedAttempts(acme.id, webhookId, [{ at: new Date(now - 1000), statusCode: 204 }]);
    // Older than the 24 hours shown, and calls of another webhook: not counted.
    await seedAttempts(acme.id, webhookId, [{ at: new Date(now - 30 * HOUR_MS), statusCode: 500 }]);
    await seedAttempts(acme.id, other, [{ at: new Date(now - 1000), statusCode: 500 }]);

    const response = await api.request('GET', `/v1/webhooks/${webhookId}/stats`, { apiKey: acme.apiKey });
    expect(response.status).toBe(200);
    const hours = response.body.hours as Array<{ hour: string; succeeded: number; failed: number }>;
    expect(hours).toHaveLength(24);
    const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    expect(Date.parse(hours[23]!.hour)).toBe(currentHour);
    expect(Date.parse(hours[0]!.hour)).toBe(currentHour - 23 * HOUR_MS);
    expect(response.body.from).toBe(hours[0]!.hour);
    const bucketOf = (at: Date) => hours.find((hour) => Date.parse(hour.hour) === Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
    // The three attempts three hours ago may straddle an hour boundary: count them together.
    const around = hours.filter((hour) => Math.abs(Date.parse(hour.hour) - threeHoursAgo.getTime()) <= HOUR_MS);
    expect(around.reduce((sum, hour) => sum + hour.failed, 0)).toBe(2);
    expect(around.reduce((sum, hour) => sum + hour.succeeded, 0)).toBe(1);
    expect(bucketOf(new Date(now - 1000))).toMatchObject({ succeeded: 1, failed: 0 });
    expect(hours.reduce((sum, hour) => sum + hour.succeeded + hour.failed, 0)).toBe(4);
    expect(response.body).toMatchObject({ webhook_id: webhookId, offline_threshold: 7, offline_window_hours: 24 });
  });

  it('counts the failures of the offline rule since the webhook was last set online', async () => {
    const webhookId = await createWebhook(acme.apiKey);
    const failure = (at: Date) => ({ attempt_id: randomUUID(), webhook_id: webhookId, failed_at: at, event_id: randomUUID(), retry_count: 0 });
    // Set online two hours ago: of these, only the failure of two seconds ago counts.
    await api.database.knex('webhooks').where({ id: webhookId }).update({ failure_window_reset_at: new Date(Date.now() - 2 * HOUR_MS) });
    await api.database
      .knex('webhook_failures')
      .insert([failure(new Date(Date.now() - 2000)), failure(new Date(Date.now() - 3 * HOUR_MS)), failure(new Date(Date.now() - 25 * HOUR_MS))]);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/stats`, { apiKey: acme.apiKey })).body.failures_in_window).toBe(1);

    expect((await api.request('PATCH', `/v1/webhooks/${webhookId}`, { apiKey: acme.apiKey, body: { status: 'online' } })).status).toBe(200);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/stats`, { apiKey: acme.apiKey })).body.failures_in_window).toBe(0);
  });

  it('answers 404 for a webhook of another workspace, a deleted one or an unknown id, and 401 without a key', async () => {
    const webhookId = await createWebhook(acme.apiKey);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/stats`, { apiKey: globex.apiKey })).status).toBe(404);
    expect((await api.request('GET', `/v1/webhooks/${randomUUID()}/stats`, { apiKey: acme.apiKey })).status).toBe(404);
    expect((await api.request('GET', '/v1/webhooks/not-an-id/stats', { apiKey: acme.apiKey })).status).toBe(404);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/stats`)).status).toBe(401);
    expect((await api.request('DELETE', `/v1/webhooks/${webhookId}`, { apiKey: acme.apiKey })).status).toBe(204);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/stats`, { apiKey: acme.apiKey })).status).toBe(404);
  });
});
