import express, { type Express } from 'express';
import type { Knex, SecretBox } from '@hookstream/db';
import type { Registry } from '@hookstream/observability';
import type { WebhookUrlPolicy } from '@hookstream/target-safety';
import { createWebhookClient, type WebhookClient } from '@hookstream/webhook-http';
import type { Logger } from 'pino';
import { createApiKeyDal } from './auth/api-key-dal';
import { createAuthenticator } from './auth/authenticate';
import { createCallLogDal } from './call-logs/call-log-dal';
import { callLogOperations } from './call-logs/call-log-routes';
import { createCallLogService } from './call-logs/call-log-service';
import { catalogOperations } from './catalog/catalog-routes';
import { mountConsole, defaultConsoleDir } from './http/console-static';
import { DOCS_CONTENT_SECURITY_POLICY, DOCS_SCRIPT_PATH, readDocsScript, renderDocsPage } from './http/docs-page';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { RateLimitedError } from './http/errors';
import { createJsonBodyReader } from './http/json-body';
import { buildOpenApiDocument, type OpenApiDocument } from './http/openapi';
import { mountOperations, setRouteLabel, type Operation } from './http/operation';
import { serveSchemaFiles } from './http/schema-files';
import { createRateLimiter } from './http/rate-limit';
import { requestObservability } from './http/request-observability';
import type { ApiMetrics } from './metrics';
import type { MessagePublisher } from './publishing/message-publisher';
import { createReplayDal } from './replays/replay-dal';
import { replayOperations } from './replays/replay-routes';
import { createReplayService, type DomainEventLog } from './replays/replay-service';
import { testCallOperations } from './test-calls/test-call-routes';
import { createTestCallService } from './test-calls/test-call-service';
import { createWebhookDal } from './webhooks/webhook-dal';
import { webhookOperations } from './webhooks/webhook-routes';
import { createWebhookService } from './webhooks/webhook-service';
import { createWebhookStats, type OfflineRuleSettings } from './webhooks/webhook-stats';
import { createWorkspaceDal } from './workspaces/workspace-dal';
import { workspaceOperations } from './workspaces/workspace-routes';
import { createWorkspaceService } from './workspaces/workspace-service';

export const API_VERSION = '1.0.0';

export interface ApiSettings {
  /** Without one, the admin routes answer 404. */
  adminToken: string | undefined;
  maxWebhooksPerWorkspace: number;
  rotationGraceMs: number;
  urlPolicy: WebhookUrlPolicy;
  rateLimit: { ratePerSecond: number; burst: number };
  /** The health service's offline rule, shown by the webhook stats (default 50 failures in 24 h). */
  offlineRule?: OfflineRuleSettings;
  /** Test calls: how they are sent (as the sender sends) and how many a workspace may make. */
  testCalls?: Partial<TestCallSettings>;
}

export interface TestCallSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  /** DNS servers for webhook hosts (empty: the system's), as the sender's WEBHOOK_DNS_SERVERS. */
  dnsServers: readonly string[];
  /** Test calls per minute per workspace… */
  perMinute: number;
  /** …with bursts of up to this many. */
  burst: number;
  /** At once in this process. */
  maxInFlight: number;
  userAgent: string;
}

const DEFAULT_TEST_CALLS: TestCallSettings = {
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  dnsServers: [],
  perMinute: 10,
  burst: 5,
  maxInFlight: 32,
  userAgent: 'hookstream (+webhooks)',
};

export interface AppDependencies {
  knex: Knex;
  secretBox: SecretBox;
  publisher: MessagePublisher;
  /** Publishes the lifecycle outbox (api.ts runs one); absent, the outbox waits for another publisher's sweep. */
  lifecycle?: { requestFlush(): void };
  logger: Logger;
  metrics: ApiMetrics;
  /** Served at /metrics on the API port too (operations.md). */
  registry: Registry;
  settings: ApiSettings;
  isReady?: () => Promise<boolean>;
  now?: () => Date;
  /** Sends test calls; by default the sender's safe client, built from the settings. */
  webhookClient?: WebhookClient;
  /** The console's build output, served under /console (default: services/console/dist). */
  consoleDir?: string;
  /** The domain-events log, for replays; without it, creating a replay answers 503. */
  domainEventLog?: DomainEventLog;
}

export interface ApiApp {
  app: Express;
  /** Closes what the app holds besides its dependencies: the test calls' HTTP client. */
  close(): Promise<void>;
  operations: readonly Operation[];
  document: OpenApiDocument;
}

/**
 * Builds the express app from narrow dependencies: no listening socket, no client of its
 * own, so tests build it against their database and broker and listen on port 0.
 */
export function createApp(deps: AppDependencies): ApiApp {
  const now = deps.now ?? (() => new Date());
  const apiKeys = createApiKeyDal(deps.knex);
  const webhookDal = createWebhookDal(deps.knex);
  const workspaces = createWorkspaceService({ knex: deps.knex, workspaces: createWorkspaceDal(deps.knex), apiKeys });
  const webhooks = createWebhookService({
    knex: deps.knex,
    webhooks: webhookDal,
    secretBox: deps.secretBox,
    lifecycle: deps.lifecycle ?? { requestFlush: () => undefined },
    metrics: deps.metrics,
    logger: deps.logger,
    settings: {
      maxWebhooksPerWorkspace: deps.settings.maxWebhooksPerWorkspace,
      rotationGraceMs: deps.settings.rotationGraceMs,
      urlPolicy: deps.settings.urlPolicy,
    },
    now,
  });
  const callLogs = createCallLogService({
    knex: deps.knex,
    calls: createCallLogDal(deps.knex),
    webhooks: webhookDal,
    publisher: deps.publisher,
    metrics: deps.metrics,
    logger: deps.logger,
    now,
  });
  const testCallSettings = { ...DEFAULT_TEST_CALLS, ...deps.settings.testCalls };
  // The sender's client, with the sender's rules: the URL policy, the connect-time
  // address checks (private, loopback, metadata addresses refused unless allowed by
  // WEBHOOK_ALLOWED_CIDRS, also after DNS), no redirects, the timeouts and the capped body.
  const webhookClient: WebhookClient =
    deps.webhookClient ??
    createWebhookClient({
      allowlist: deps.settings.urlPolicy.allowlist ?? [],
      allowHttp: deps.settings.urlPolicy.allowHttp ?? false,
      timeoutMs: testCallSettings.timeoutMs,
      connectTimeoutMs: testCallSettings.connectTimeoutMs,
      connectionsPerOrigin: 4,
      readBodyBytes: 64 * 1024,
      keptBodyBytes: 16 * 1024,
      dns: { servers: testCallSettings.dnsServers },
    });
  const testCalls = createTestCallService({
    knex: deps.knex,
    webhooks: webhookDal,
    secretBox: deps.secretBox,
    client: webhookClient,
    metrics: deps.metrics,
    logger: deps.logger,
    settings: {
      rateLimit: { ratePerSecond: testCallSettings.perMinute / 60, burst: testCallSettings.burst },
      maxInFlight: testCallSettings.maxInFlight,
      userAgent: testCallSettings.userAgent,
    },
    now,
  });

  const operations = [
    ...webhookOperations(
      webhooks,
      callLogs,
      createWebhookStats({
        knex: deps.knex,
        webhooks: webhookDal,
        offlineRule: deps.settings.offlineRule ?? { threshold: 50, windowMs: 24 * 3_600_000 },
        now,
      }),
    ),
    ...testCallOperations(testCalls),
    ...replayOperations(
      createReplayService({
        knex: deps.knex,
        replays: createReplayDal(deps.knex),
        webhooks: webhookDal,
        log: deps.domainEventLog,
        metrics: deps.metrics,
        logger: deps.logger,
        now,
      }),
    ),
    ...callLogOperations(callLogs),
    ...catalogOperations(),
    ...workspaceOperations(workspaces),
  ];
  const document = buildOpenApiDocument(operations, { version: API_VERSION });
  const documentJson = JSON.stringify(document);
  const docsPage = renderDocsPage({ title: document.info.title, documentPath: '/openapi.json' });
  const docsScript = readDocsScript();

  const authenticator = createAuthenticator({ apiKeys, adminToken: deps.settings.adminToken });
  const limiter = createRateLimiter(deps.settings.rateLimit);
  const readJsonBody = createJsonBodyReader();

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestObservability({ metrics: deps.metrics, logger: deps.logger }));
  app.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.get('/healthz', (_request, response) => {
    setRouteLabel(response, '/healthz');
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    setRouteLabel(response, '/readyz');
    const ready = await (deps.isReady ?? (async () => true))().catch(() => false);
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });
  app.get('/metrics', async (_request, response) => {
    setRouteLabel(response, '/metrics');
    response.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  serveSchemaFiles(app);
  app.get('/openapi.json', (_request, response) => {
    setRouteLabel(response, '/openapi.json');
    response.type('application/json').send(documentJson);
  });
  app.get('/docs', (_request, response) => {
    setRouteLabel(response, '/docs');
    response.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    response.type('html').send(docsPage);
  });
  app.get(DOCS_SCRIPT_PATH, (_request, response) => {
    setRouteLabel(response, DOCS_SCRIPT_PATH);
    // The bundle changes only with the installed package, i.e. with a new release of the API.
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.type('application/javascript').send(docsScript);
  });

  mountConsole(app, deps.consoleDir ?? defaultConsoleDir());

  mountOperations(app, operations, {
    authenticate: (security, request) => authenticator.authenticate(security, request),
    consumeRateLimit: (auth) => {
      const decision = limiter.take(auth.kind === 'tenant' ? `key:${auth.apiKeyId}` : 'admin', Date.now());
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    },
    readJsonBody,
  });
  app.use(notFoundHandler());
  app.use(errorHandler({ logger: deps.logger, now }));
  return { app, operations, document, close: () => webhookClient.close() };
}
