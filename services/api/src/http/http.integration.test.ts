import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDatabase, createSecretBox } from '@hookstream/db';
import { createMetricsRegistry } from '@hookstream/observability';
import { silentLogger, testInfrastructure } from '@hookstream/testkit';
import { createApp } from '../app';
import { createApiMetrics } from '../metrics';
import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

describe('the HTTP surface: documents, errors, content types, limits', () => {
  let api: TestApi;
  let workspace: { id: string; apiKey: string };

  beforeAll(async () => {
    api = await startTestApi({ label: 'http' });
    workspace = await api.createWorkspace();
  });

  afterAll(async () => {
    await api.close();
  });

  describe('documents', () => {
    it('serves an OpenAPI 3.1 document with every operation of the API and a webhook per event type', async () => {
      const response = await api.request('GET', '/openapi.json');
      expect(response.status).toBe(200);
      expect(response.body.openapi).toBe('3.1.0');
      const operations = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations.sort()).toEqual(
        [
          'POST /v1/webhooks',
          'GET /v1/webhooks',
          'GET /v1/webhooks/{id}',
          'PATCH /v1/webhooks/{id}',
          'DELETE /v1/webhooks/{id}',
          'POST /v1/webhooks/{id}/rotate-secret',
          'POST /v1/webhooks/{id}/retry-failed',
          'POST /v1/webhooks/{id}/test',
          'POST /v1/webhooks/{id}/replays',
          'GET /v1/webhooks/{id}/replays',
          'GET /v1/replays/{id}',
          'POST /v1/replays/{id}/cancel',
          'GET /v1/webhooks/{id}/stats',
          'GET /v1/webhook-logs',
          'GET /v1/webhook-logs/{id}',
          'POST /v1/webhook-logs/{id}/retry',
          'GET /v1/events',
          'POST /admin/v1/workspaces',
          'GET /admin/v1/workspaces',
          'POST /admin/v1/workspaces/{id}/api-keys',
          'DELETE /admin/v1/workspaces/{id}/api-keys/{key_id}',
        ].sort(),
      );
      expect(response.body.components.securitySchemes.ApiKey).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-DOTFILE-API-KEY' }));
      // Request schemas are the validating ones: unknown fields are refused in the document too.
      expect(response.body.components.schemas.CreateWebhookRequest.additionalProperties).toBe(false);
      expect(response.body.components.schemas.TestCallRequest.additionalProperties).toBe(false);
      expect(response.body.components.schemas.CreateReplayRequest.additionalProperties).toBe(false);
      expect(Object.keys(response.body.paths['/v1/webhooks/{id}/replays'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '404', '409', '422']));
      expect(Object.keys(response.body.components.schemas)).toEqual(expect.arrayContaining(['TestCallRequest', 'TestCallResult']));
      expect(Object.keys(response.body.webhooks)).toContain('Case.StatusUpdated');
    });

    it('renders the reference at /docs with a script this process serves, no other origin allowed', async () => {
      const response = await api.request('GET', '/docs');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toMatch(/https?:|\*/);
      expect(response.text).not.toMatch(/https?:\/\//);
      const scripts = [...response.text.matchAll(/<script([^>]*)>/g)].map((match) => match[1]?.match(/src="([^"]+)"/)?.[1]);
      expect(scripts).toEqual(['/docs/redoc.standalone.js']);
      expect(response.text).toContain('spec-url="/openapi.json"');

      const script = await api.request('GET', scripts[0] as string);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(script.text.length).toBeGreaterThan(500_000);
    });

    it('lists the catalog at /v1/events', async () => {
      const response = await api.request('GET', '/v1/events', { apiKey: workspace.apiKey });
      expect(response.status).toBe(200);
      expect(response.body.data).toContainEqual(expect.objectContaining({ type: 'Case.StatusUpdated', family: 'Case', parent: 'Case.Updated' }));
      expect(response.body.data).toContainEqual(expect.objectContaining({ type: 'Check.Started', parent: null }));
      expect((await api.request('GET', '/v1/events')).status).toBe(401);
    });

    it('answers health and readiness, and serves metrics labelled by route template only', async () => {
      expect((await api.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect((await api.request('GET', '/readyz')).status).toBe(200);
      await api.request('GET', '/v1/webhooks/00000000-0000-4000-8000-000000000000', { apiKey: workspace.apiKey });
      await api.request('GET', '/nothing/here/42');
      const metrics = await api.request('GET', '/metrics');
      expect(metrics.text).toMatch(/hookstream_http_requests_total\{method="GET",route="\/v1\/webhooks\/\{id\}",status="404",service="api"\} 1/);
      expect(metrics.text).toMatch(/hookstream_http_request_duration_seconds_count\{[^}]*method="GET",route="\/v1\/webhooks\/\{id\}",status="404"[^}]*\} 1/);
      expect(metrics.text).toMatch(/route="unmatched",status="404"/);
      expect(metrics.text).not.toContain('00000000-0000-4000-8000-000000000000');
      expect(metrics.text).not.toContain(workspace.id);
      expect(metrics.text).not.toContain('/nothing/here');
    });
  });

  describe('errors', () => {
    const post = (options: { rawBody?: string | Buffer; contentType?: string; headers?: Record<string, string> }) =>
      api.request('POST', '/v1/webhooks', { apiKey: workspace.apiKey, ...options });

    it.each([
      ['malformed JSON', { rawBody: '{"url": "https://example.com", "events": [' }, 400],
      ['a JSON string', { rawBody: '"just a string"' }, 400],
      ['a JSON array', { rawBody: '[1, 2, 3]' }, 400],
      ['null', { rawBody: 'null' }, 400],
      ['text/plain', { rawBody: '{"url":"https://example.com","events":["Case.Created"]}', contentType: 'text/plain' }, 415],
      ['form data', { rawBody: 'url=https://example.com', contentType: 'application/x-www-form-urlencoded' }, 415],
      ['a latin-1 charset', { rawBody: '{}', contentType: 'application/json; charset=latin1' }, 415],
      ['a body over 1 MiB', { rawBody: JSON.stringify({ url: 'https://example.com', events: ['Case.Created'], name: 'x'.repeat(1024 * 1024) }) }, 413],
      ['deep nesting', { rawBody: `${'['.repeat(50_000)}${']'.repeat(50_000)}` }, 400],
      ['a __proto__ key', { rawBody: '{"url":"https://example.com","events":["Case.Created"],"__proto__":{"admin":true}}' }, 400],
      ['a constructor key', { rawBody: '{"url":"https://example.com","events":["Case.Created"],"constructor":{"prototype":{}}}' }, 400],
    ])('answers %s with a 4xx and the error body', async (_label, options, status) => {
      const response = await post(options);
      expect(response.status).toBe(status);
      expect(Object.keys(response.body).sort()).toEqual(expect.arrayContaining(['code', 'message', 'status_code', 'timestamp']));
      expect(response.body).toMatchObject({ status_code: status, code: 'validation_error' });
      expect(response.text).not.toMatch(/at .*\.js|SyntaxError|node_modules/);
    });

    it('takes a body with no content at all as missing', async () => {
      const response = await api.request('POST', '/v1/webhooks', { apiKey: workspace.apiKey });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field: '(body)', location: 'body' })]);
    });

    it('answers unknown paths with a JSON 404, and undocumented methods with 405 and Allow', async () => {
      const unknown = await api.request('GET', '/v2/anything');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');

      const put = await api.request('PUT', '/v1/webhooks', { apiKey: workspace.apiKey, body: {} });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('POST, GET, HEAD');
      const deleteCollection = await api.request('DELETE', '/v1/webhook-logs');
      expect(deleteCollection.status).toBe(405);
      expect(deleteCollection.headers.get('allow')).toBe('GET, HEAD');
      const options = await api.request('OPTIONS', '/v1/webhooks/00000000-0000-4000-8000-000000000000', { unchecked: true });
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('GET, PATCH, DELETE, HEAD, OPTIONS');
    });

    it('survives hostile strings with a 4xx', async () => {
      const hostile = [
        `?name=${encodeURIComponent("'; DROP TABLE webhooks; --")}`,
        `?url=${encodeURIComponent('%_\\')}`,
        `?name=${'x'.repeat(5_000)}`,
        '?name=%E0%A4%A',
        '?name=%F0%9F%92%A9',
        '?events=%7B%22%24gt%22%3A%22%22%7D',
        '?page[$gt]=1',
        '?page=99999999999999999999',
      ];
      for (const query of hostile) {
        const response = await api.request('GET', `/v1/webhooks${query}`, { apiKey: workspace.apiKey });
        expect([query, response.status < 500]).toEqual([query, true]);
      }
      const malformedPath = await api.request('GET', '/v1/webhooks/%E0%A4%A', { apiKey: workspace.apiKey });
      expect(malformedPath.status).toBeLessThan(500);
      expect((await api.database.knex('webhooks').count({ count: '*' }))[0]).toBeDefined();
    });

    it('refuses a key sent twice', async () => {
      const response = await fetch(`${api.url}/v1/webhooks`, {
        headers: [
          ['X-DOTFILE-API-KEY', workspace.apiKey],
          ['X-DOTFILE-API-KEY', workspace.apiKey],
        ],
      });
      expect(response.status).toBe(401);
    });
  });

  describe('rate limiting', () => {
    it('answers 429 with Retry-After once a key spends its burst, per key', async () => {
      const limited = await startTestApi({ label: 'ratelimit', settings: { rateLimit: { ratePerSecond: 0.2, burst: 3 } } });
      try {
        const one = await limited.createWorkspace('One');
        const two = await limited.createWorkspace('Two');
        const statuses = [];
        for (let index = 0; index < 4; index += 1) statuses.push((await limited.request('GET', '/v1/webhooks', { apiKey: one.apiKey })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        const refused = await limited.request('GET', '/v1/webhooks', { apiKey: one.apiKey });
        expect(refused.status).toBe(429);
        expect(refused.body.code).toBe('rate_limited');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(5);
        expect((await limited.request('GET', '/v1/webhooks', { apiKey: two.apiKey })).status).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('configuration-dependent behaviour', () => {
    it('turns the admin routes off (404) when no admin token is configured', async () => {
      const withoutAdmin = await startTestApi({ label: 'noadmin', settings: { adminToken: undefined } });
      try {
        for (const credentials of [{}, { admin: true }]) {
          const response = await withoutAdmin.request('GET', '/admin/v1/workspaces', credentials);
          expect(response.status).toBe(404);
          expect(response.body.code).toBe('not_found');
        }
      } finally {
        await withoutAdmin.close();
      }
    });

    it('hides internal errors: a 500 with an opaque message, no SQL or stack', async () => {
      const url = new URL(testInfrastructure().databaseUrl);
      url.pathname = '/hookstream_database_that_does_not_exist';
      const knex = createDatabase({ url: url.toString(), poolMax: 1 });
      const registry = createMetricsRegistry('api');
      const { app } = createApp({
        knex,
        secretBox: createSecretBox(Buffer.alloc(32)),
        publisher: { publishDeliveries: async () => undefined },
        logger: silentLogger,
        metrics: createApiMetrics(registry),
        registry,
        settings: { adminToken: undefined, maxWebhooksPerWorkspace: 50, rotationGraceMs: 0, urlPolicy: {}, rateLimit: { ratePerSecond: 10, burst: 10 } },
      });
      const server = await new Promise<Server>((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      try {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks`, {
          headers: { 'X-DOTFILE-API-KEY': `dotkey.${'a'.repeat(43)}` },
        });
        expect(response.status).toBe(500);
        const body = (await response.json()) as Record<string, unknown>;
        expect(body).toEqual({ status_code: 500, timestamp: expect.any(String), code: 'internal_error', message: 'An internal error occurred; it has been logged' });
      } finally {
        server.close();
        await knex.destroy();
      }
    });
  });
});
