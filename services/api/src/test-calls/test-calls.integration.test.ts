import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@hookstream/signing';
import { startTestApi, type Json, type TestApi } from '../test-support/api-harness';

jest.setTimeout(120_000);

const HOUR_MS = 3_600_000;
/** The test calls' timeout here: a receiver that never answers is cut off after it. */
const TIMEOUT_MS = 1_500;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/**
 * A real receiver on loopback. `/ok` checks the signature with the secret it is given and
 * answers 200 saying whether it held; `/fail` answers 500 with a body; `/hang` never answers.
 */
async function startReceiver(host: string, secretOf: () => string) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body });
      if (path === '/ok') {
        const verification = verifyWebhook({ rawBody: body, headers: request.headers, secret: secretOf(), nowSeconds: Math.floor(Date.now() / 1000) });
        response.writeHead(200, { 'content-type': 'application/json', 'x-receiver': 'checked' });
        response.end(JSON.stringify({ verified: verification.ok }));
      } else if (path === '/nul') {
        // Bytes PostgreSQL text cannot hold: a NUL, and an invalid UTF-8 sequence.
        response.writeHead(502, { 'content-type': 'application/octet-stream' });
        response.end(Buffer.from([0x62, 0x61, 0x64, 0x00, 0xed, 0xa0, 0x80, 0x21]));
      } else if (path === '/fail') {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('receiver exploded: database down');
      } else {
        hanging.push(response);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://${host}:${port}${path}`,
    port,
    received,
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('POST /v1/webhooks/{id}/test, against the real database and a loopback receiver', () => {
  let api: TestApi;
  let acme: { id: string; apiKey: string };
  let secret = '';
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const createWebhook = async (url: string, events: string[] = ['Case.Created']) => {
    const response = await api.request('POST', '/v1/webhooks', { apiKey: acme.apiKey, body: { url, events } });
    expect(response.status).toBe(201);
    return response.body as Json;
  };
  const testCall = (webhookId: string, event: string) =>
    api.request('POST', `/v1/webhooks/${webhookId}/test`, { apiKey: acme.apiKey, body: { event } });

  beforeAll(async () => {
    api = await startTestApi({
      label: 'testcall',
      settings: { offlineRule: { threshold: 2, windowMs: 24 * HOUR_MS }, testCalls: { timeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS, perMinute: 6000, burst: 100 } },
    });
    acme = await api.createWorkspace('Acme');
    receiver = await startReceiver('127.0.0.1', () => secret);
  });

  afterAll(async () => {
    await receiver?.close();
    await api?.close();
  });

  it('sends the signed example now and answers with the receiver’s answer', async () => {
    const webhook = await createWebhook(receiver.url('/ok'));
    secret = webhook.secret;

    const response = await testCall(webhook.id, 'Case.Created');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      succeeded: true,
      status_code: 200,
      error_kind: null,
      error: null,
      event: 'Case.Created',
      sub_event: null,
      endpoint: receiver.url('/ok'),
    });
    // The receiver verified the signature with @hookstream/signing and said so.
    expect(JSON.parse(response.body.response_body)).toEqual({ verified: true });
    expect(response.body.response_headers['x-receiver']).toBe('checked');
    expect(response.body.request_headers['dotfile-signature']).toBe('<masked>');
    const delivered = receiver.received.filter((entry) => entry.path === '/ok');
    expect(delivered).toHaveLength(1);
    const sent = JSON.parse(delivered[0]!.body.toString('utf8'));
    expect(sent).toEqual(response.body.payload);
    expect(sent.case.id).toBe('0b6c7b1e-4f3a-4d8e-9c21-5a7e2f1d3c40');
    expect(sent.context).toMatchObject({ event_id: response.body.event_id, retry_count: 0, remaining_retry_count: 0, workspace: { id: acme.id, name: 'Acme' } });
    expect(delivered[0]!.headers['dotfile-event-id']).toBe(response.body.event_id);
    expect(delivered[0]!.headers['dotfile-remaining-retry-count']).toBe('0');
  });

  it('sends a sub-event the way the webhook would receive it', async () => {
    const webhook = await createWebhook(receiver.url('/ok'), ['Case.Updated']);
    secret = webhook.secret;
    const response = await testCall(webhook.id, 'Case.StatusUpdated');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: true, event: 'Case.Updated', sub_event: 'Case.StatusUpdated' });
    expect(JSON.parse(response.body.response_body)).toEqual({ verified: true });
  });

  it('reports a 500 with its body, logs it as a test call, never retries it', async () => {
    const webhook = await createWebhook(receiver.url('/fail'));

    const response = await testCall(webhook.id, 'Case.Created');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      succeeded: false,
      status_code: 500,
      error_kind: 'http_status',
      response_body: 'receiver exploded: database down',
    });
    expect(response.body.response_headers['content-type']).toBe('text/plain');

    const logs = await api.request('GET', `/v1/webhook-logs?webhook_id=${webhook.id}&kind=test`, { apiKey: acme.apiKey });
    expect(logs.status).toBe(200);
    expect(logs.body.data).toHaveLength(1);
    const [call] = logs.body.data;
    expect(call).toMatchObject({ id: response.body.call_id, kind: 'test', status: 'failed', status_code: 500, next_retry_at: null, event_id: response.body.event_id });
    expect(call.attempts).toHaveLength(1);
    expect(call.attempts[0]).toMatchObject({ type: 'test', status_code: 500, response_body: 'receiver exploded: database down' });
    const deliveries = await api.request('GET', `/v1/webhook-logs?webhook_id=${webhook.id}&kind=delivery`, { apiKey: acme.apiKey });
    expect(deliveries.body.data).toHaveLength(0);

    // Neither a manual retry of it nor a range retry of the webhook's failed calls takes it.
    const retry = await api.request('POST', `/v1/webhook-logs/${call.id}/retry`, { apiKey: acme.apiKey });
    expect(retry.status).toBe(409);
    const range = await api.request('POST', `/v1/webhooks/${webhook.id}/retry-failed`, {
      apiKey: acme.apiKey,
      body: { from: new Date(Date.now() - HOUR_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(range.status).toBe(202);
    expect(range.body.count).toBe(0);
    const after = await api.request('GET', `/v1/webhook-logs/${call.id}`, { apiKey: acme.apiKey });
    expect(after.body).toMatchObject({ status: 'failed', next_retry_at: null });
    expect(after.body.attempts).toHaveLength(1);
  });

  it('logs a response body PostgreSQL cannot store as it is, with the characters replaced', async () => {
    const webhook = await createWebhook(receiver.url('/nul'));
    const response = await testCall(webhook.id, 'Case.Created');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: false, status_code: 502, error_kind: 'http_status' });
    const logged = await api.request('GET', `/v1/webhook-logs/${response.body.call_id}`, { apiKey: acme.apiKey });
    expect(logged.status).toBe(200);
    expect(logged.body.attempts[0].response_body).toMatch(/^bad\uFFFD.*!$/);
    expect(logged.body.attempts[0].response_body).not.toContain('\u0000');
  });

  it('is not counted by the offline rule, however many fail', async () => {
    const webhook = await createWebhook(receiver.url('/fail'));
    for (let index = 0; index < 3; index += 1) {
      const response = await testCall(webhook.id, 'Case.Created');
      expect(response.body.status_code).toBe(500);
    }
    // Over the threshold (2) if they counted: the rule's failures stay at 0, the webhook online.
    const stats = await api.request('GET', `/v1/webhooks/${webhook.id}/stats`, { apiKey: acme.apiKey });
    expect(stats.body.failures_in_window).toBe(0);
    expect(stats.body.hours.reduce((sum: number, hour: Json) => sum + hour.failed, 0)).toBe(0);
    const failures = await api.database.knex('webhook_failures').where({ webhook_id: webhook.id }).count<{ count: string }[]>({ count: '*' });
    expect(Number(failures[0]!.count)).toBe(0);
    const after = await api.request('GET', `/v1/webhooks/${webhook.id}`, { apiKey: acme.apiKey });
    expect(after.body.status).toBe('online');
  });

  it('reports a receiver that does not answer in time as a timeout', async () => {
    const webhook = await createWebhook(receiver.url('/hang'));
    const response = await testCall(webhook.id, 'Case.Created');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: false, status_code: null, error_kind: 'timeout', response_body: null, response_headers: {} });
    expect(response.body.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  });

  it('reports a refused connection', async () => {
    const closed = await startReceiver('127.0.0.1', () => secret);
    const url = closed.url('/ok');
    await closed.close();
    const webhook = await createWebhook(url);
    const response = await testCall(webhook.id, 'Case.Created');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: false, status_code: null, error_kind: 'connection_error' });
    expect(response.body.error).toMatch(/ECONNREFUSED/);
  });

  it('never dials an address outside the allowed ranges, even one stored before the rules changed', async () => {
    // A receiver really listens on 127.0.0.2, which the rules (127.0.0.1/32 only) refuse.
    const forbidden = await startReceiver('127.0.0.2', () => secret);
    try {
      const webhook = await createWebhook(receiver.url('/ok'));
      await api.database.knex('webhooks').where({ id: webhook.id }).update({ url: forbidden.url('/ok') });

      const response = await testCall(webhook.id, 'Case.Created');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ succeeded: false, status_code: null, error_kind: 'target_refused' });
      expect(forbidden.received).toHaveLength(0);
    } finally {
      await forbidden.close();
    }
  });

  it('may test an offline webhook, which stays offline', async () => {
    const webhook = await createWebhook(receiver.url('/ok'));
    secret = webhook.secret;
    const offline = await api.request('PATCH', `/v1/webhooks/${webhook.id}`, { apiKey: acme.apiKey, body: { status: 'offline' } });
    expect(offline.status).toBe(200);

    const response = await testCall(webhook.id, 'Individual.Created');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: true, status_code: 200 });
    expect(JSON.parse(response.body.response_body)).toEqual({ verified: true });

    const after = await api.request('GET', `/v1/webhooks/${webhook.id}`, { apiKey: acme.apiKey });
    expect(after.body.status).toBe('offline');
  });

  it('answers 400 listing the valid types for an event type outside the catalog', async () => {
    const webhook = await createWebhook(receiver.url('/ok'));
    const before = receiver.received.length;
    const response = await testCall(webhook.id, 'Case.Exploded');
    expect(response.status).toBe(400);
    expect(response.body.details[0]).toMatchObject({ field: 'event', location: 'body' });
    expect(response.body.details[0].message).toContain('Case.Created');
    expect(response.body.details[0].message).toContain('Individual.Created');
    expect(receiver.received.length).toBe(before);
  });

  it('answers 404 for a deleted webhook, and for another workspace’s', async () => {
    const webhook = await createWebhook(receiver.url('/ok'));
    const globex = await api.createWorkspace('Globex');
    const other = await api.request('POST', `/v1/webhooks/${webhook.id}/test`, { apiKey: globex.apiKey, body: { event: 'Case.Created' } });
    expect(other.status).toBe(404);
    expect((await api.request('DELETE', `/v1/webhooks/${webhook.id}`, { apiKey: acme.apiKey })).status).toBe(204);
    const before = receiver.received.length;
    const response = await testCall(webhook.id, 'Case.Created');
    expect(response.status).toBe(404);
    expect(receiver.received.length).toBe(before);
  });
});

describe('test calls are rate limited per workspace', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    api = await startTestApi({ label: 'testcall-limit', settings: { testCalls: { perMinute: 1, burst: 2 } } });
    receiver = await startReceiver('127.0.0.1', () => '');
  });

  afterAll(async () => {
    await receiver?.close();
    await api?.close();
  });

  it('answers 429 with Retry-After past the burst, and other workspaces keep theirs', async () => {
    const acme = await api.createWorkspace('Acme');
    const globex = await api.createWorkspace('Globex');
    const create = async (apiKey: string) =>
      (await api.request('POST', '/v1/webhooks', { apiKey, body: { url: receiver.url('/fail'), events: ['Case.Created'] } })).body.id as string;
    const acmeHook = await create(acme.apiKey);
    const globexHook = await create(globex.apiKey);
    const call = (apiKey: string, id: string) => api.request('POST', `/v1/webhooks/${id}/test`, { apiKey, body: { event: 'Case.Created' } });

    expect((await call(acme.apiKey, acmeHook)).status).toBe(200);
    expect((await call(acme.apiKey, acmeHook)).status).toBe(200);
    const limited = await call(acme.apiKey, acmeHook);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(receiver.received).toHaveLength(2);
    expect((await call(globex.apiKey, globexHook)).status).toBe(200);
    // Other requests of the limited workspace are not affected.
    expect((await api.request('GET', `/v1/webhooks/${acmeHook}`, { apiKey: acme.apiKey })).status).toBe(200);
  });
});
