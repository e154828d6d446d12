import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createLifecyclePublisher, createSecretBox, type SecretBox } from '@hookstream/db';
import { oldestRetainedTime, type Admin, type Consumer, type Producer, type TopicNames } from '@hookstream/kafka';
import { createMetricsRegistry } from '@hookstream/observability';
import { createTestDatabase, createTestTopics, silentLogger, testKafka, uniquePrefix, type TestDatabase } from '@hookstream/testkit';
import { parseCidrList } from '@hookstream/target-safety';
import type { WebhookClient } from '@hookstream/webhook-http';
import { createApp, type ApiSettings } from '../app';
import type { OpenApiDocument } from '../http/openapi';
import { createApiMetrics, type ApiMetrics } from '../metrics';
import { createKafkaPublisher, type MessagePublisher } from '../publishing/message-publisher';
import type { Registry } from '@hookstream/observability';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * Parsed JSON as tests read it: any path may be followed, and what is found there is
 * checked by the assertions (and, for responses, against the OpenAPI document).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted on, not typed
export type Json = any;
export const SECRET_KEY = Buffer.alloc(32, 7);

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string | Buffer;
  contentType?: string;
  apiKey?: string;
  admin?: boolean | string;
  headers?: Record<string, string>;
  /** Skip the check of the response against the OpenAPI document. */
  unchecked?: boolean;
}

export interface TestApi {
  url: string;
  document: OpenApiDocument;
  database: TestDatabase;
  topics: TopicNames;
  secretBox: SecretBox;
  /** The API's producer (manual retries, and the lifecycle outbox's publisher). */
  producer: Producer;
  registry: Registry;
  metrics: ApiMetrics;
  request<T = Json>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** A workspace made through the admin API, with its first key. */
  createWorkspace(name?: string): Promise<{ id: string; apiKey: string; apiKeyId: string }>;
  close(): Promise<void>;
}

/**
 * Checks a response against the OpenAPI document the app serves: the status must be
 * documented for the operation, and the JSON body must match its schema. Every response
 * a test receives through `request` goes through it, so the document cannot lie quietly.
 */
export function createResponseValidator(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(document as object, 'openapi.json');
  const templates = Object.keys(document.paths ?? {}).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const pointer = (parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

  return (method: string, path: string, status: number, contentType: string | null, body: unknown): string | undefined => {
    const pathname = path.split('?')[0] as string;
    const match = templates.find((candidate) => candidate.pattern.test(pathname));
    if (!match) return undefined;
    const operation = (document.paths?.[match.template] as Record<string, Json> | undefined)?.[method.toLowerCase()];
    // Methods the path does not document answer 405: not an operation's response.
    if (!operation) return status === 405 ? undefined : `${method} ${match.template} is not documented`;
    const response = operation.responses?.[String(status)];
    if (!response) return `${method} ${match.template} answered ${status}, which the document does not list`;
    if (!response.content) return body === undefined || body === '' ? undefined : `${status} should have no body`;
    if (!contentType?.startsWith('application/json')) return `${status} should be JSON, got ${contentType}`;
    const schemaPointer = pointer(['paths', match.template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema']);
    const validate = ajv.getSchema(`openapi.json#/${schemaPointer}`);
    if (!validate) return `no schema at ${schemaPointer}`;
    if (validate(body)) return undefined;
    return `${method} ${match.template} ${status} body does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`;
  };
}

/**
 * The API app against a fresh migrated database and its own topics on the real broker,
 * listening on 127.0.0.1 on a free port.
 */
export async function startTestApi(
  options: { settings?: Partial<ApiSettings>; publisher?: MessagePublisher; label?: string; consoleDir?: string; webhookClient?: WebhookClient } = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const topics = await createTestTopics(uniquePrefix(options.label ?? 'api'), 1);
  const registry = createMetricsRegistry('api');
  const metrics = createApiMetrics(registry);
  const secretBox = createSecretBox(SECRET_KEY);
  const producer: Producer = testKafka('api-test').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const admin: Admin = testKafka('api-test').admin();
  await admin.connect();
  const publisher = options.publisher ?? createKafkaPublisher({ producer, topics });
  const lifecycle = createLifecyclePublisher({ knex: database.knex, producer, topic: topics.webhookLifecycle, logger: silentLogger, intervalMs: 500 });
  lifecycle.start();
  const { app, document, close: closeApp } = createApp({
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
    ...(options.webhookClient ? { webhookClient: options.webhookClient } : {}),
    knex: database.knex,
    secretBox,
    publisher,
    lifecycle,
    domainEventLog: { oldestRetainedTime: (from, now) => oldestRetainedTime(admin, topics.domainEvents, from, now) },
    logger: silentLogger,
    metrics,
    registry,
    settings: {
      adminToken: ADMIN_TOKEN,
      maxWebhooksPerWorkspace: 50,
      rotationGraceMs: 24 * 3_600_000,
      urlPolicy: { allowHttp: true, allowlist: parseCidrList('127.0.0.1/32') },
      rateLimit: { ratePerSecond: 1000, burst: 1000 },
      testCalls: { perMinute: 6000, burst: 100 },
      ...options.settings,
    },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const validate = createResponseValidator(document);

  const request = async <T>(method: string, path: string, requestOptions: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.apiKey !== undefined) headers['X-DOTFILE-API-KEY'] = requestOptions.apiKey;
    if (requestOptions.admin) headers.Authorization = `Bearer ${requestOptions.admin === true ? ADMIN_TOKEN : requestOptions.admin}`;
    let body: string | Buffer | undefined;
    if (requestOptions.rawBody !== undefined) body = requestOptions.rawBody;
    else if (requestOptions.body !== undefined) body = JSON.stringify(requestOptions.body);
    if (body !== undefined) headers['Content-Type'] = requestOptions.contentType ?? 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    let parsed: unknown = text;
    if (contentType?.startsWith('application/json') && text !== '') parsed = JSON.parse(text);
    if (text === '') parsed = undefined;
    if (!requestOptions.unchecked) {
      const problem = validate(method, path, response.status, contentType, parsed);
      if (problem) throw new Error(problem);
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  return {
    url,
    document,
    database,
    topics,
    secretBox,
    producer,
    registry,
    metrics,
    request,
    async createWorkspace(name = 'Acme') {
      const response = await request<{ id: string; api_key: string; api_key_id: string }>('POST', '/admin/v1/workspaces', {
        admin: true,
        body: { name },
      });
      if (response.status !== 201) throw new Error(`creating a workspace answered ${response.status}: ${response.text}`);
      return { id: response.body.id, apiKey: response.body.api_key, apiKeyId: response.body.api_key_id };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await closeApp();
      await lifecycle.stop();
      await producer.disconnect();
      await admin.disconnect();
      await database.drop();
    },
  };
}

/** Reads a topic from the beginning into an array, for assertions with waitFor. */
export async function collectTopic(topic: string): Promise<{ messages: Array<{ key: string | null; value: Json; headers: Record<string, string> }>; stop(): Promise<void> }> {
  const consumer: Consumer = testKafka('api-test-reader').consumer({ groupId: `${uniquePrefix('reader')}group` });
  const messages: Array<{ key: string | null; value: Json; headers: Record<string, string> }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? null,
        value: message.value ? JSON.parse(message.value.toString()) : null,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
