import type { CallLogService } from '../call-logs/call-log-service';
import { idPathParams } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';
import type { WebhookService } from './webhook-service';
import { webhookStatsSchema, type WebhookStats } from './webhook-stats';
import type { TenantAuth } from '../http/operation';
import {
  createWebhookBody,
  listWebhooksQuery,
  retryCountSchema,
  retryFailedBody,
  rotateSecretBody,
  updateWebhookBody,
  webhookListSchema,
  webhookSchema,
} from './webhook-schemas';

const TAG = 'Webhooks';

/** docs/webhooks.md "Managing webhooks". */
export function webhookOperations(
  service: WebhookService,
  callLogs: Pick<CallLogService, 'retryFailed'>,
  stats: (auth: TenantAuth, webhookId: string) => Promise<WebhookStats>,
): Operation[] {
  return [
    defineOperation({
      operationId: 'createWebhook',
      method: 'post',
      path: '/v1/webhooks',
      tag: TAG,
      summary: 'Create a webhook',
      description:
        'Subscribes a URL to catalog events. The secret is generated unless given. A workspace has at most WEBHOOK_MAX_PER_WORKSPACE (50) webhooks: beyond, 400 `limit_reached`. The router and sender see the new webhook within 2 s.',
      security: 'apiKey',
      body: { schema: createWebhookBody, required: true },
      success: { status: 201, description: 'The webhook', schema: webhookSchema },
      handle: async ({ auth, body }) => ({ status: 201, body: await service.create(auth, body) }),
    }),
    defineOperation({
      operationId: 'listWebhooks',
      method: 'get',
      path: '/v1/webhooks',
      tag: TAG,
      summary: 'List webhooks',
      description: 'Paginated, sorted (default `updated_at`, ascending) and filtered.',
      security: 'apiKey',
      query: listWebhooksQuery,
      success: { status: 200, description: 'A page of webhooks', schema: webhookListSchema },
      handle: async ({ auth, query }) => ({ status: 200, body: await service.list(auth, query) }),
    }),
    defineOperation({
      operationId: 'getWebhook',
      method: 'get',
      path: '/v1/webhooks/{id}',
      tag: TAG,
      summary: 'Get a webhook',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'The webhook', schema: webhookSchema },
      handle: async ({ auth, params }) => ({ status: 200, body: await service.get(auth, params.id) }),
    }),
    defineOperation({
      operationId: 'updateWebhook',
      method: 'patch',
      path: '/v1/webhooks/{id}',
      tag: TAG,
      summary: 'Update a webhook',
      description:
        'Any of `url`, `events`, `name`, `status`, `secret`. `status: online` restarts the failure window of the offline rule. Pending retries go to the new URL.',
      security: 'apiKey',
      params: idPathParams,
      body: { schema: updateWebhookBody, required: true },
      success: { status: 200, description: 'The updated webhook', schema: webhookSchema },
      extraErrors: [503],
      handle: async ({ auth, params, body }) => ({ status: 200, body: await service.update(auth, params.id, body) }),
    }),
    defineOperation({
      operationId: 'deleteWebhook',
      method: 'delete',
      path: '/v1/webhooks/{id}',
      tag: TAG,
      summary: 'Delete a webhook',
      description: 'Nothing more is delivered to it; its calls waiting for an automatic retry are cancelled.',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 204, description: 'Deleted' },
      handle: async ({ auth, params }) => {
        await service.remove(auth, params.id);
        return { status: 204 };
      },
    }),
    defineOperation({
      operationId: 'rotateWebhookSecret',
      method: 'post',
      path: '/v1/webhooks/{id}/rotate-secret',
      tag: TAG,
      summary: 'Rotate the signing secret',
      description:
        'Makes a new secret. The previous one keeps signing (Dotfile-Old-Signature) until `previous_secret_expires_at`. A rotation during a grace period ends the older secret at once.',
      security: 'apiKey',
      params: idPathParams,
      body: { schema: rotateSecretBody, required: false },
      success: { status: 200, description: 'The webhook with its new secret', schema: webhookSchema },
      extraErrors: [503],
      handle: async ({ auth, params, body }) => ({
        status: 200,
        body: await service.rotateSecret(auth, params.id, body.grace_period_hours),
      }),
    }),
    defineOperation({
      operationId: 'getWebhookStats',
      method: 'get',
      path: '/v1/webhooks/{id}/stats',
      tag: TAG,
      summary: 'Calls per hour over the last 24 hours',
      description:
        'For each of the last 24 hours (UTC, the current one last): the calls sent to the webhook that succeeded (2xx) and that failed, first calls and retries alike (test calls are not counted). Also the failures the offline rule counts now, and its threshold.',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'Hourly counts', schema: webhookStatsSchema },
      handle: async ({ auth, params }) => ({ status: 200, body: await stats(auth, params.id) }),
    }),
    defineOperation({
      operationId: 'retryFailedCalls',
      method: 'post',
      path: '/v1/webhooks/{id}/retry-failed',
      tag: TAG,
      summary: 'Retry the failed calls of a date range',
      description:
        'Queues a manual retry of every call of the webhook whose status is `failed` and whose `created_at` lies in [from, to] (at most 30 days), while the webhook is offline too. If the broker fails part-way, 503 says how many were queued (those are now pending) and that the others were not changed.',
      security: 'apiKey',
      params: idPathParams,
      body: { schema: retryFailedBody, required: true },
      success: { status: 202, description: 'How many calls were queued', schema: retryCountSchema },
      extraErrors: [503],
      handle: async ({ auth, params, body }) => ({
        status: 202,
        body: { count: await callLogs.retryFailed(auth, params.id, { from: new Date(body.from), to: new Date(body.to) }) },
      }),
    }),
  ];
}
