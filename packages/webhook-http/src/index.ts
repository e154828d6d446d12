export { buildWebhookRequest, type SigningSecrets, type WebhookRequest } from './build-request';
export { classifyError, createWebhookClient, type HttpAttemptResult, type WebhookClient, type WebhookClientOptions } from './webhook-client';
export { createGuardedLookup, createSafeConnector, TargetRefusedError } from './safe-connector';
export { createCachingResolver, type CachingResolverOptions, type LookupResult } from './dns-resolver';
export { boundedMemo } from './bounded-memo';
