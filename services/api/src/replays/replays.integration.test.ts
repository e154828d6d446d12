import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(120_000);

/**
 * The replay routes on their own (no router runs here, so a replay stays `running`):
 * every answer is checked against the OpenAPI document by the harness. The replay itself,
 * with the router and the sender, is in packages/e2e (replays.integration.test.ts).
 */
describe('replay routes', () => {
  let api: TestApi;
  let tenant: { id: string; apiKey: string };
  let stranger: { id: string; apiKey: string };
  let webhookId: string;
  const range = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() });

  beforeAll(async () => {
    api = await startTestApi({ label: 'replays' });
    tenant = await api.createWorkspace('Replaying');
    stranger = await api.createWorkspace('Stranger');
    const created = await api.request('POST', '/v1/webhooks', {
      apiKey: tenant.apiKey,
      body: { url: 'http://127.0.0.1:9/hook', events: ['Case.Created', 'Case.Updated'] },
    });
    webhookId = created.body.id;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('records a running replay, lists it, reports it and cancels it, within the workspace only', async () => {
    const created = await api.request('POST', `/v1/webhooks/${webhookId}/replays`, { apiKey: tenant.apiKey, body: { ...range(), events: ['Case.StatusUpdated'] } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ webhook_id: webhookId, status: 'running', events: ['Case.StatusUpdated'], events_scanned: 0, calls_made: 0, finished_at: null });
    const id = created.body.id as string;

    expect((await api.request('POST', `/v1/webhooks/${webhookId}/replays`, { apiKey: tenant.apiKey, body: range() })).status).toBe(409);
    expect((await api.request('GET', `/v1/replays/${id}`, { apiKey: tenant.apiKey })).body.status).toBe('running');
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/replays`, { apiKey: tenant.apiKey })).body.data.map((replay: { id: string }) => replay.id)).toEqual([id]);

    // Another workspace's key: no such replay, no such webhook.
    expect((await api.request('GET', `/v1/replays/${id}`, { apiKey: stranger.apiKey })).status).toBe(404);
    expect((await api.request('POST', `/v1/replays/${id}/cancel`, { apiKey: stranger.apiKey })).status).toBe(404);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}/replays`, { apiKey: stranger.apiKey })).status).toBe(404);
    expect((await api.request('POST', `/v1/webhooks/${webhookId}/replays`, { apiKey: stranger.apiKey, body: range() })).status).toBe(404);

    const cancelled = await api.request('POST', `/v1/replays/${id}/cancel`, { apiKey: tenant.apiKey });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(cancelled.body.finished_at).not.toBeNull();
    const again = await api.request('POST', `/v1/replays/${id}/cancel`, { apiKey: tenant.apiKey });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('The replay is cancelled already');
    // Once it ended, another replay of the webhook may start.
    expect((await api.request('POST', `/v1/webhooks/${webhookId}/replays`, { apiKey: tenant.apiKey, body: range() })).status).toBe(202);
  });

  it('names each bad field', async () => {
    const now = Date.now();
    const answer = await api.request('POST', `/v1/webhooks/${webhookId}/replays`, {
      apiKey: tenant.apiKey,
      body: { from: new Date(now + 60_000).toISOString(), to: new Date(now).toISOString(), events: ['Individual.Created'] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_error');
    expect(answer.body.details).toEqual([
      { field: 'from', location: 'body', message: 'must not be in the future' },
      { field: 'to', location: 'body', message: 'must be after `from`' },
      { field: 'events.0', location: 'body', message: 'the webhook is not subscribed to Individual.Created; it gets: Case.Created, Case.Updated' },
    ]);
    const malformed = await api.request('POST', `/v1/webhooks/${webhookId}/replays`, { apiKey: tenant.apiKey, body: { from: 'yesterday', to: range().to, extra: 1 } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.details.map((problem: { field: string }) => problem.field).sort()).toEqual(['extra', 'from'].sort());
  });
});
