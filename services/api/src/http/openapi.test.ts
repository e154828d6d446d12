import { createDatabase, createSecretBox } from '@hookstream/db';
import { createLogger, createMetricsRegistry } from '@hookstream/observability';
import { createApp } from '../app';
import { createApiMetrics } from '../metrics';
import type { Json } from '../test-support/api-harness';
import { renderDocsPage } from './docs-page';

// The app is built without any connection: knex connects lazily, on the first query.
function buildDocument() {
  const knex = createDatabase({ url: 'postgres://nobody@127.0.0.1:1/none' });
  const registry = createMetricsRegistry('api');
  const { document, operations } = createApp({
    knex,
    secretBox: createSecretBox(Buffer.alloc(32)),
    publisher: { publishDeliveries: async () => undefined },
    logger: createLogger({ service: 'api', level: 'silent' }),
    metrics: createApiMetrics(registry),
    registry,
    settings: { adminToken: undefined, maxWebhooksPerWorkspace: 50, rotationGraceMs: 0, urlPolicy: {}, rateLimit: { ratePerSecond: 1, burst: 1 } },
  });
  void knex.destroy();
  return { document, operations };
}

describe('the OpenAPI document', () => {
  const { document, operations } = buildDocument();
  const paths = document.paths as Record<string, Record<string, Json>>;

  it('is OpenAPI 3.1 with one entry per operation, each with a unique operationId', () => {
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.values(paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(documented.sort()).toEqual(operations.map((operation) => operation.operationId).sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('documents the error statuses each operation can answer, with the error schema', () => {
    for (const operation of operations) {
      const responses = paths[operation.path]?.[operation.method]?.responses as Record<string, Json>;
      const statuses = Object.keys(responses);
      expect([operation.operationId, statuses]).toEqual([operation.operationId, expect.arrayContaining(['400', '401', '429', '431', '500'])]);
      if (operation.params) expect([operation.operationId, statuses]).toEqual([operation.operationId, expect.arrayContaining(['404'])]);
      if (operation.body) expect([operation.operationId, statuses]).toEqual([operation.operationId, expect.arrayContaining(['413', '415'])]);
      expect(responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      expect(responses['429'].headers['Retry-After']).toBeDefined();
    }
  });

  it('carries the validation rules of the request schemas', () => {
    const create = document.components?.schemas?.CreateWebhookRequest as Record<string, Json>;
    expect(create.required).toEqual(['url', 'events']);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.events.items.enum).toContain('Case.StatusUpdated');
    expect(create.properties.secret.pattern).toBe('^dotsecret\\.[\\x21-\\x7e]{32,256}$');
    const rotate = document.components?.schemas?.RotateSecretRequest as Record<string, Json>;
    expect(rotate.properties.grace_period_hours).toMatchObject({ type: 'number', minimum: 0, maximum: 168 });
    const list = paths['/v1/webhooks']?.get.parameters as Array<Record<string, Json>>;
    expect(list.find((parameter) => parameter.name === 'limit')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(list.find((parameter) => parameter.name === 'sort')?.schema.default).toBe('updated_at');
    const logs = paths['/v1/webhook-logs']?.get.parameters as Array<Record<string, Json>>;
    expect(logs.find((parameter) => parameter.name === 'limit')?.schema.maximum).toBe(50);
  });

  it('declares the two credentials', () => {
    expect(paths['/v1/webhooks']?.post.security).toEqual([{ ApiKey: [] }]);
    expect(paths['/admin/v1/workspaces']?.post.security).toEqual([{ AdminToken: [] }]);
    expect(document.components?.securitySchemes?.AdminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('the /docs page', () => {
  const { document } = buildDocument();
  const page = renderDocsPage(document);

  it('lists every operation, its parameters and the schemas', () => {
    expect(page).toContain('<code>/v1/webhooks/{id}/rotate-secret</code>');
    expect(page).toContain('id="retryFailedCalls"');
    expect(page).toContain('<code>grace_period_hours</code>');
    expect(page).toContain('id="schema-Webhook"');
    expect(page).toContain('<code>created_from</code>');
  });

  it('is self-contained and escapes what it shows', () => {
    expect(page).not.toMatch(/<script|<link|src=/);
    const hostile = renderDocsPage({ ...document, info: { ...document.info, title: '<img onerror=x>' } });
    expect(hostile).toContain('&#60;img onerror=x&#62;');
    expect(hostile).not.toContain('<img');
  });
});
