import { createConfig, lintFromString } from '@redocly/openapi-core';
import { EVENT_TYPES } from '@hookstream/events';
import { createDatabase, createSecretBox } from '@hookstream/db';
import { createLogger, createMetricsRegistry } from '@hookstream/observability';
import { createApp } from '../app';
import { createApiMetrics } from '../metrics';
import type { Json } from '../test-support/api-harness';
import { DOCS_CONTENT_SECURITY_POLICY, DOCS_SCRIPT_PATH, readDocsScript, renderDocsPage } from './docs-page';

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

describe('the webhooks section', () => {
  const { document } = buildDocument();
  const webhooks = document.webhooks as Record<string, { post: Record<string, Json> }>;
  const schemas = document.components?.schemas as Record<string, Record<string, Json>>;

  it('has one POST per catalog event type, its body the typed payload of that type', () => {
    expect(Object.keys(webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    const statusUpdated = webhooks['Case.StatusUpdated']?.post;
    expect(statusUpdated?.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CaseStatusUpdatedWebhookPayload' });
    expect(statusUpdated?.description).toContain('sub_event: "Case.StatusUpdated"');
    const headers = (statusUpdated?.parameters as Array<Record<string, Json>>).map((parameter) => [parameter.name, parameter.required]);
    expect(headers).toEqual(expect.arrayContaining([['Dotfile-Signature', true], ['Dotfile-Old-Signature', false], ['Dotfile-Event-Id', true]]));
  });

  it('types the entity and the context of each family', () => {
    const payload = schemas.NoteCommentCreatedWebhookPayload;
    expect(payload?.required).toEqual(['event', 'context', 'noteComment']);
    expect(payload?.properties.noteComment).toEqual({ $ref: '#/components/schemas/NoteCommentEntity' });
    expect(schemas.NoteCommentWebhookContext?.required).toEqual(expect.arrayContaining(['timestamp', 'workspace', 'case', 'note']));
    expect(schemas.CaseUpdatedWebhookPayload?.properties.sub_event.enum).toContain('Case.StatusUpdated');
  });
});

describe('the document as OpenAPI 3.1', () => {
  it('is valid, every $ref resolving', async () => {
    const { document } = buildDocument();
    const config = await createConfig({ rules: { struct: 'error', 'no-unresolved-refs': 'error' } });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    expect(problems.map((problem) => `${problem.location[0]?.pointer}: ${problem.message}`)).toEqual([]);
  });

  it('would be reported invalid when it is not (the check can fail)', async () => {
    const { document } = buildDocument();
    const broken = { ...document, webhooks: { 'Case.Created': { post: { requestBody: { content: 5 } } } } };
    const config = await createConfig({ rules: { struct: 'error', 'no-unresolved-refs': 'error' } });
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: 'openapi.json', config });
    expect(problems.length).toBeGreaterThan(0);
  });
});

describe('the /docs page', () => {
  it('loads Redoc from this origin only, with no inline script, and escapes the title', () => {
    const page = renderDocsPage({ title: '<img onerror=x>', documentPath: '/openapi.json' });
    expect([...page.matchAll(/<script[^>]*>/g)].map((match) => match[0])).toEqual([`<script src="${DOCS_SCRIPT_PATH}">`]);
    expect(page).toContain('<redoc spec-url="/openapi.json"');
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).toContain('&#60;img onerror=x&#62;');
    expect(page).not.toContain('<img');
    expect(DOCS_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(DOCS_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:/);
  });

  it('serves the bundle of the installed redoc package', () => {
    const script = readDocsScript().toString('utf8');
    expect(script.length).toBeGreaterThan(500_000);
    expect(script).toContain('spec-url');
  });
});
