import { createHash } from 'node:crypto';
import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

describe('admin routes: workspaces and API keys', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ label: 'admin' });
  });

  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['no credentials', {}],
    ['a wrong token', { admin: 'not-the-admin-token-at-all' }],
    ['a Basic header', { headers: { Authorization: 'Basic dGVzdDp0ZXN0' } }],
  ])('answers 401 to %s', async (_label, options) => {
    for (const [method, path] of [
      ['GET', '/admin/v1/workspaces'],
      ['POST', '/admin/v1/workspaces'],
      ['POST', '/admin/v1/workspaces/00000000-0000-4000-8000-000000000000/api-keys'],
    ] as const) {
      const response = await api.request(method, path, options);
      expect([path, response.status, response.body.code]).toEqual([path, 401, 'unauthorized']);
    }
  });

  it('does not take an API key as the admin token', async () => {
    const workspace = await api.createWorkspace();
    expect((await api.request('GET', '/admin/v1/workspaces', { apiKey: workspace.apiKey })).status).toBe(401);
  });

  it('creates a workspace whose key is shown once, stored only as its SHA-256 digest, and works at once', async () => {
    const response = await api.request('POST', '/admin/v1/workspaces', { admin: true, body: { name: 'Initech' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Initech', api_key: expect.stringMatching(/^dotkey\.[A-Za-z0-9_-]{43}$/) });
    const stored = await api.database.knex('api_keys').where({ workspace_id: response.body.id });
    expect(stored).toHaveLength(1);
    expect(stored[0].id).toBe(response.body.api_key_id);
    expect(Buffer.compare(stored[0].key_hash, createHash('sha256').update(response.body.api_key).digest())).toBe(0);
    expect(JSON.stringify(stored)).not.toContain(response.body.api_key);
    expect(response.body.api_key.startsWith(stored[0].key_prefix)).toBe(true);

    const webhooks = await api.request('GET', '/v1/webhooks', { apiKey: response.body.api_key });
    expect(webhooks.status).toBe(200);
  });

  it.each([
    ['no name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a long name', { name: 'n'.repeat(201) }, 'name'],
    ['a name with a newline', { name: 'a\nb' }, 'name'],
    ['a number', { name: 42 }, 'name'],
    ['an unknown field', { name: 'x', plan: 'gold' }, 'plan'],
  ])('refuses %s', async (_label, body, field) => {
    const response = await api.request('POST', '/admin/v1/workspaces', { admin: true, body });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([expect.objectContaining({ field, location: 'body' })]);
  });

  it('lists workspaces oldest first, with pagination', async () => {
    const names = ['first', 'second', 'third'].map((name) => `${name}-${Date.now()}`);
    for (const name of names) await api.createWorkspace(name);
    const all = await api.request('GET', '/admin/v1/workspaces?limit=100', { admin: true });
    expect(all.status).toBe(200);
    const listed = all.body.data.map((workspace: { name: string }) => workspace.name);
    expect(listed.filter((name: string) => names.includes(name))).toEqual(names);
    expect(all.body.pagination.count).toBe(all.body.data.length);
    expect(JSON.stringify(all.body)).not.toContain('dotkey.');

    const count = all.body.pagination.count as number;
    const lastPage = await api.request('GET', `/admin/v1/workspaces?limit=1&page=${count}`, { admin: true });
    expect(lastPage.body.data.map((workspace: { name: string }) => workspace.name)).toEqual([names[2]]);
    expect((await api.request('GET', '/admin/v1/workspaces?limit=0', { admin: true })).status).toBe(400);
  });

  it('creates and revokes API keys; a revoked key stops working at once, the others do not', async () => {
    const workspace = await api.createWorkspace('Keys');
    const second = await api.request('POST', `/admin/v1/workspaces/${workspace.id}/api-keys`, { admin: true });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ id: expect.any(String), api_key: expect.stringMatching(/^dotkey\./), key_prefix: expect.any(String) });
    expect(second.body.api_key).not.toBe(workspace.apiKey);
    // Both keys act on the same workspace.
    const created = await api.request('POST', '/v1/webhooks', {
      apiKey: second.body.api_key,
      body: { url: 'https://example.com/h', events: ['Case.Created'] },
    });
    expect((await api.request('GET', `/v1/webhooks/${created.body.id}`, { apiKey: workspace.apiKey })).status).toBe(200);

    const revoked = await api.request('DELETE', `/admin/v1/workspaces/${workspace.id}/api-keys/${workspace.apiKeyId}`, { admin: true });
    expect(revoked.status).toBe(204);
    expect((await api.request('GET', '/v1/webhooks', { apiKey: workspace.apiKey })).status).toBe(401);
    expect((await api.request('GET', '/v1/webhooks', { apiKey: second.body.api_key })).status).toBe(200);
    expect((await api.request('DELETE', `/admin/v1/workspaces/${workspace.id}/api-keys/${workspace.apiKeyId}`, { admin: true })).status).toBe(404);
  });

  it('answers 404 for unknown workspaces and for a key of another workspace', async () => {
    const one = await api.createWorkspace('One');
    const two = await api.createWorkspace('Two');
    expect((await api.request('POST', '/admin/v1/workspaces/00000000-0000-4000-8000-000000000000/api-keys', { admin: true })).status).toBe(404);
    expect((await api.request('POST', '/admin/v1/workspaces/nope/api-keys', { admin: true })).status).toBe(404);
    expect((await api.request('DELETE', `/admin/v1/workspaces/${two.id}/api-keys/${one.apiKeyId}`, { admin: true })).status).toBe(404);
    expect((await api.request('GET', '/v1/webhooks', { apiKey: one.apiKey })).status).toBe(200);
  });
});
