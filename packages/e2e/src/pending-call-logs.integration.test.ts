import { randomBytes } from 'node:crypto';
import { deriveEventId } from '@hookstream/events';
import { anyFreePort } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * A routed call is in the call log, as `pending`, while its first attempt is still in
 * flight: the receiver holds the request, and the API already lists the call.
 */
describe('a routed call is visible before its first attempt ends', () => {
  let harness: Harness;
  let api: string;
  let apiKey: string;
  let workspace: { id: string; name: string };
  const adminToken = randomBytes(24).toString('hex');

  beforeAll(async () => {
    harness = await createHarness('pending-logs');
    const apiPort = await anyFreePort();
    api = `http://127.0.0.1:${apiPort}`;
    await Promise.all([
      harness.start('api', { API_PORT: String(apiPort), ADMIN_TOKEN: adminToken }),
      harness.start('router'),
      harness.start('sender'),
      harness.start('health'),
    ]);
    const created = await fetch(`${api}/admin/v1/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Pending workspace' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; name: string; api_key: string };
    apiKey = body.api_key;
    workspace = { id: body.id, name: body.name };
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('lists the call as pending while the endpoint holds the request', async () => {
    harness.receiver.behave('/held', { kind: 'hang' });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/held'), events: ['Case.Created'] });
    // The router and sender see a new webhook within their refresh interval (200 ms here).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const event = domainEvent({ type: 'Case.Created', workspace });
    await harness.publish([event]);

    await waitFor(() => harness.receiver.requestsTo('/held').length > 0, { description: 'the endpoint to receive (and hold) the first call' });
    const listed = await waitFor(
      async () => {
        const response = await fetch(`${api}/v1/webhook-logs?webhook_id=${webhook.id}`, { headers: { 'x-dotfile-api-key': apiKey } });
        const page = (await response.json()) as { data: Array<{ event_id: string; status: string; attempts: unknown[] }> };
        return page.data[0];
      },
      { description: 'the call to be listed by the API', timeoutMs: 20_000 },
    );
    // The endpoint has not answered: no outcome exists yet, and the call shows as pending.
    expect(harness.outcomes.some((outcome) => outcome.webhook_id === webhook.id)).toBe(false);
    expect(listed).toMatchObject({ event_id: deriveEventId(event.id, webhook.id), status: 'pending', attempts: [] });
  });
});
