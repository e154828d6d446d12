import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { EVENT_TYPES, getEventDefinition, webhookPayloadSchemas } from '@hookstream/events';
import {
  EVENT_ID_HEADER,
  OLD_SIGNATURE_HEADER,
  REMAINING_RETRY_COUNT_HEADER,
  RETRY_COUNT_HEADER,
  SIGNATURE_HEADER,
} from '@hookstream/signing';
import { errorSchema } from './common-schemas';
import type { Operation } from './operation';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const SECURITY_SCHEME: Record<Operation['security'], Array<Record<string, string[]>>> = {
  apiKey: [{ ApiKey: [] }],
  adminToken: [{ AdminToken: [] }],
  none: [],
};

const retryAfterHeader = z.object({
  'Retry-After': z.string().openapi({ description: 'Seconds to wait before trying again' }),
});

function errorResponse(description: string, headers?: z.ZodObject<z.ZodRawShape>): ResponseConfig {
  return { description, content: { 'application/json': { schema: errorSchema } }, ...(headers ? { headers } : {}) };
}

/** The error statuses an operation can answer, from what it declares. */
function errorResponsesOf(operation: Operation): Record<number, ResponseConfig> {
  const responses: Record<number, ResponseConfig> = {
    400: errorResponse('`validation_error` (each bad field in `details`; unknown fields and query parameters included), or `limit_reached`'),
  };
  if (operation.security !== 'none') {
    responses[401] = errorResponse(
      operation.security === 'apiKey' ? 'Missing or invalid X-DOTFILE-API-KEY' : 'Missing or invalid admin bearer token',
    );
  }
  if (operation.params || operation.security === 'adminToken') {
    responses[404] = errorResponse(
      operation.security === 'adminToken'
        ? 'No such resource; or admin routes are off (no ADMIN_TOKEN configured)'
        : 'No such resource in this workspace (ids of other workspaces, and ids that are not UUIDs, included)',
    );
  }
  if (operation.extraErrors?.includes(409)) responses[409] = errorResponse('`conflict`: the resource\'s state forbids this now');
  if (operation.extraErrors?.includes(422)) {
    responses[422] = errorResponse('`range_unavailable`: the log no longer holds the start of the range; the message names the oldest time it holds');
  }
  if (operation.body) {
    responses[413] = errorResponse('`validation_error`: the body is larger than 1 MiB');
    responses[415] = errorResponse('`validation_error`: the body is not application/json');
  }
  if (operation.security !== 'none') responses[429] = errorResponse('`rate_limited`: too many requests for this credential', retryAfterHeader);
  // Node's HTTP server answers these itself, before any route runs, without a body.
  responses[431] = { description: 'The request line or headers are too large (answered by the HTTP server, without a body)' };
  responses[500] = errorResponse('`internal_error`');
  if (operation.extraErrors?.includes(503)) responses[503] = errorResponse('`unavailable`: the broker did not take the message; nothing changed', retryAfterHeader);
  return responses;
}

function routeOf(operation: Operation): RouteConfig {
  const request: NonNullable<RouteConfig['request']> = {};
  if (operation.params) request.params = operation.params;
  if (operation.query) request.query = operation.query;
  if (operation.body) {
    request.body = {
      required: operation.body.required,
      ...(operation.body.description ? { description: operation.body.description } : {}),
      content: { 'application/json': { schema: operation.body.schema } },
    };
  }
  const success: ResponseConfig = operation.success.schema
    ? { description: operation.success.description, content: { 'application/json': { schema: operation.success.schema } } }
    : { description: operation.success.description };
  return {
    method: operation.method,
    path: operation.path,
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: SECURITY_SCHEME[operation.security],
    request,
    responses: { [operation.success.status]: success, ...errorResponsesOf(operation) },
  };
}

/**
 * The OpenAPI 3.1 document, generated from the operations' own zod schemas — the ones that
 * validate requests — so what the document promises is what the server enforces.
 */
export function buildOpenApiDocument(operations: readonly Operation[], options: { version: string }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-DOTFILE-API-KEY',
    description: 'A workspace API key (`dotkey.…`), created by an operator',
  });
  registry.registerComponent('securitySchemes', 'AdminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token (ADMIN_TOKEN)',
  });
  for (const operation of operations) registry.registerPath(routeOf(operation));
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'hookstream API',
      version: options.version,
      description:
        'Manage webhooks, read their call logs and retry calls. Tenant routes (`/v1`) authenticate with `X-DOTFILE-API-KEY`; operator routes (`/admin/v1`) with `Authorization: Bearer <admin token>`. Every error is `{ status_code, timestamp, code, message, details? }`.',
    },
    tags: [
      { name: 'Webhooks', description: 'Subscriptions of URLs to catalog events' },
      { name: 'Webhook logs', description: 'Calls made to webhooks, with their attempts, and manual retries' },
      { name: 'Events', description: 'The event catalog' },
      { name: 'Admin', description: 'Workspaces and API keys (operators)' },
      { name: 'Webhook events', description: WEBHOOK_EVENTS_DESCRIPTION },
    ],
  });
  return withWebhooks(document);
}

const WEBHOOK_EVENTS_DESCRIPTION =
  'What hookstream POSTs to your webhook URLs, one entry per event type you can subscribe to. Verify `Dotfile-Signature` (HMAC-SHA256 of the raw body with your secret, lowercase hex) before you parse, and reject a `context.timestamp` far from your clock. Answer 2xx within 30 seconds (the default timeout); anything else is retried 1 h, 4 h, 13 h and 40 h after the first call.';

function headerParameter(name: string, description: string, required: boolean, schema: Record<string, unknown>) {
  return { name, in: 'header', required, description, schema };
}

const WEBHOOK_HEADERS = [
  headerParameter(SIGNATURE_HEADER, 'Lowercase hex HMAC-SHA256 of the exact raw body, keyed with the webhook\'s current secret', true, {
    type: 'string',
    pattern: '^[0-9a-f]{64}$',
  }),
  headerParameter(
    OLD_SIGNATURE_HEADER,
    'The same made with the previous secret, sent only during a rotation\'s grace period: accept the call when either header verifies',
    false,
    { type: 'string', pattern: '^[0-9a-f]{64}$' },
  ),
  headerParameter(EVENT_ID_HEADER, 'The same as `context.event_id`: identical on every attempt, so use it to drop duplicates', true, {
    type: 'string',
    format: 'uuid',
  }),
  headerParameter(RETRY_COUNT_HEADER, 'The same as `context.retry_count`', true, { type: 'integer', minimum: 0 }),
  headerParameter(REMAINING_RETRY_COUNT_HEADER, 'The same as `context.remaining_retry_count`', true, { type: 'integer', minimum: 0 }),
];

/**
 * Adds the OpenAPI 3.1 `webhooks` section: one POST per event type of the catalog, its body
 * the typed payload schema of that type (entity and context of its family), so customers can
 * generate receiver types from the document.
 */
function withWebhooks(document: OpenApiDocument): OpenApiDocument {
  const { components, payloadSchemaNames } = webhookPayloadSchemas();
  const clashing = Object.keys(components).filter((name) => document.components?.schemas?.[name] !== undefined);
  if (clashing.length > 0) throw new Error(`webhook payload schemas would replace API schemas of the same name: ${clashing.join(', ')}`);
  const webhooks: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    const definition = getEventDefinition(type);
    webhooks[type] = {
      post: {
        operationId: `webhook.${type}`,
        tags: ['Webhook events'],
        summary: type,
        description: `${definition.description}${definition.parent ? ` A sub-event of ${definition.parent}: subscribed to ${definition.parent}, you receive it as \`event: "${definition.parent}"\` with \`sub_event: "${type}"\`.` : ''}`,
        parameters: WEBHOOK_HEADERS,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${payloadSchemaNames[type]}` } } } },
        responses: {
          '2XX': { description: 'Received: any 2xx within the timeout (30 seconds by default) ends the call as successful' },
          default: { description: 'Anything else (or no answer within the timeout) fails the attempt; it is retried while retries remain' },
        },
      },
    };
  }
  return {
    ...document,
    webhooks: webhooks as OpenApiDocument['webhooks'],
    components: { ...document.components, schemas: { ...document.components?.schemas, ...(components as NonNullable<NonNullable<OpenApiDocument['components']>['schemas']>) } },
  };
}
