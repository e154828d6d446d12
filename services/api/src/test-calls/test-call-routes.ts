import { idPathParams } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';
import { testCallBody, testCallResultSchema } from './test-call-schemas';
import type { TestCallService } from './test-call-service';

/** docs/webhooks.md "Test calls". */
export function testCallOperations(service: TestCallService): Operation[] {
  return [
    defineOperation({
      operationId: 'sendTestCall',
      method: 'post',
      path: '/v1/webhooks/{id}/test',
      tag: 'Webhooks',
      summary: 'Send a test event now',
      description:
        "Sends the catalog's example payload of `event` to the webhook's URL now, signed with its secret exactly like a real delivery and under the same target-safety rules and timeouts, and answers with the attempt once it is over: status code, duration, response headers and the first 16 KiB of the body, or the kind of error. 200 whatever the receiver answered: `succeeded` says whether it answered 2xx. The call is logged with `kind: test` (GET /v1/webhook-logs?kind=test), is never retried and never counts toward the offline rule. An offline webhook may be tested: that is how to check a fix before setting it online. An event type outside the catalog answers 400 listing the valid ones. Limited per workspace (API_TEST_CALL_RATE_LIMIT per minute, bursts of API_TEST_CALL_BURST): beyond, 429 with Retry-After.",
      security: 'apiKey',
      params: idPathParams,
      body: { schema: testCallBody, required: true },
      success: { status: 200, description: 'The attempt', schema: testCallResultSchema },
      handle: async ({ auth, params, body }) => ({ status: 200, body: await service.send(auth, params.id, body.event) }),
    }),
  ];
}
