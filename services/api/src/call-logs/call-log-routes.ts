import { idPathParams } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';
import type { CallLogService } from './call-log-service';
import { callLogListSchema, callLogSchema, listCallLogsQuery } from './call-log-schemas';

const TAG = 'Webhook logs';

/** docs/webhooks.md "Call logs". */
export function callLogOperations(service: CallLogService): Operation[] {
  return [
    defineOperation({
      operationId: 'listWebhookLogs',
      method: 'get',
      path: '/v1/webhook-logs',
      tag: TAG,
      summary: 'List webhook calls',
      description: 'One log per (webhook, domain event) call, with all its attempts. Newest first by default. Kept 30 days.',
      security: 'apiKey',
      query: listCallLogsQuery,
      success: { status: 200, description: 'A page of call logs', schema: callLogListSchema },
      handle: async ({ auth, query }) => ({ status: 200, body: await service.list(auth, query) }),
    }),
    defineOperation({
      operationId: 'getWebhookLog',
      method: 'get',
      path: '/v1/webhook-logs/{id}',
      tag: TAG,
      summary: 'Get a webhook call with its attempts',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'The call log', schema: callLogSchema },
      handle: async ({ auth, params }) => ({ status: 200, body: await service.get(auth, params.id) }),
    }),
    defineOperation({
      operationId: 'retryWebhookLog',
      method: 'post',
      path: '/v1/webhook-logs/{id}/retry',
      tag: TAG,
      summary: 'Retry a call now',
      description:
        'Queues a manual retry with the webhook\'s current URL and secret. If it succeeds, no automatic retry follows; if it fails, it counts as the next retry and the automatic schedule continues from the first call. It may be asked at any time, while the webhook is offline too. 409 when the webhook has been deleted, or for a test call (never retried).',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 202, description: 'Queued; the call is `pending` until the attempt is recorded', schema: callLogSchema },
      extraErrors: [409, 503],
      handle: async ({ auth, params }) => ({ status: 202, body: await service.retry(auth, params.id) }),
    }),
  ];
}
