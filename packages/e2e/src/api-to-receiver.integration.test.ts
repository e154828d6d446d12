import { createHmac, randomBytes } from 'node:crypto';
import { anyFreePort } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { createPayloadValidator } from './payload-schemas';
import { domainEvent } from './seed';

/**
 * End to end: a webhook managed through the REST API is what the router and the
 * sender act on: created, it receives the next matching event; after PATCH of its events
 * or URL, the next event follows the new state; after DELETE, nothing more arrives.
 */
describe('webhooks managed through the API, delivered by the router and sender', () => {
  let harness: Harness;
  let api: string;
  let apiKey: string;
  let workspace: { id: string; name: string };
  const adminToken = randomBytes(24).toString('hex');

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'x-dotfile-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    harness = await createHarness('api-e2e');
    const apiPort = await anyFreePort();
    api = `http://127.0.0.1:${apiPort}`;
    await Promise.all([
      harness.start('api', { API_PORT: String(apiPort), ADMIN_TOKEN: adminToken }),
      harness.start('router'),
      harness.start('sender'),
    ]);
    const created = await fetch(`${api}/admin/v1/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'API workspace' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; name: string; api_key: string };
    apiKey = body.api_key;
    workspace = { id: body.id, name: body.name };
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('follows create, PATCH of events and URL, and DELETE within moments', async () => {
    const created = await call('POST', '/v1/webhooks', { url: harness.receiver.url('/via-api'), events: ['Case.Created'], name: 'via API' });
    expect(created.status).toBe(201);
    const webhook = created.body as { id: string; secret: string };

    // An event produced 2 s after the change returned is routed by the new state (docs/webhooks.md).
    const afterChange = () => new Promise((resolve) => setTimeout(resolve, 2_000));
    await afterChange();
    await harness.publish([domainEvent({ type: 'Case.Created', workspace })]);
    const first = await waitFor(() => harness.receiver.requestsTo('/via-api')[0], { description: 'the first event' });
    expect(first.headers['dotfile-signature']).toBe(createHmac('sha256', webhook.secret).update(first.rawBody).digest('hex'));
    expect(first.body.event).toBe('Case.Created');

    expect((await call('PATCH', `/v1/webhooks/${webhook.id}`, { events: ['Case.Deleted'] })).status).toBe(200);
    await afterChange();
    await harness.publish([domainEvent({ type: 'Case.Created', workspace }), domainEvent({ type: 'Case.Deleted', workspace })]);
    const second = await waitFor(() => harness.receiver.requestsTo('/via-api')[1], { description: 'the event after PATCH of events' });
    expect(second.body.event).toBe('Case.Deleted');

    expect((await call('PATCH', `/v1/webhooks/${webhook.id}`, { url: harness.receiver.url('/moved') })).status).toBe(200);
    await afterChange();
    await harness.publish([domainEvent({ type: 'Case.Deleted', workspace })]);
    const moved = await waitFor(() => harness.receiver.requestsTo('/moved')[0], { description: 'the event at the new URL' });
    expect(moved.body.event).toBe('Case.Deleted');

    expect((await call('DELETE', `/v1/webhooks/${webhook.id}`)).status).toBe(204);
    await afterChange();
    await harness.publish([domainEvent({ type: 'Case.Deleted', workspace })]);
    // A sentinel webhook proves the event was routed while the deleted one got nothing.
    const sentinel = await call('POST', '/v1/webhooks', { url: harness.receiver.url('/sentinel'), events: ['Case.Deleted'] });
    expect(sentinel.status).toBe(201);
    await afterChange();
    await harness.publish([domainEvent({ type: 'Case.Deleted', workspace })]);
    await waitFor(() => harness.receiver.requestsTo('/sentinel')[0], { description: 'the sentinel event' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(harness.receiver.requestsTo('/via-api')).toHaveLength(2);
    expect(harness.receiver.requestsTo('/moved')).toHaveLength(1);

    // Every body delivered matches the payload schema of the document this API serves.
    const document = (await (await fetch(`${api}/openapi.json`)).json()) as Parameters<typeof createPayloadValidator>[0];
    expect(harness.receiver.requests.length).toBeGreaterThanOrEqual(4);
    expect(createPayloadValidator(document).violations(harness.receiver.requests)).toEqual([]);
  });

  it('serves /docs and its script from the build output, as npm start and the image run it', async () => {
    const page = await fetch(`${api}/docs`);
    expect(page.status).toBe(200);
    const script = await fetch(`${api}/docs/redoc.standalone.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^application\/javascript/)]);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
  });
});
