import { idPathParams } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';
import { createReplayBody, replayListSchema, replaySchema } from './replay-schemas';
import type { ReplayService } from './replay-service';

const TAG = 'Webhooks';

/** docs/replays.md. */
export function replayOperations(service: ReplayService): Operation[] {
  return [
    defineOperation({
      operationId: 'createReplay',
      method: 'post',
      path: '/v1/webhooks/{id}/replays',
      tag: TAG,
      summary: 'Replay past events to a webhook',
      description:
        'Re-delivers to this webhook every domain event of the workspace that reached Kafka in [`from`, `to`) and that the webhook gets by its subscriptions as they are now, whether it was delivered before or not. Each replayed call is the ordinary call of its event: same `event_id` (receivers that deduplicate on it drop what they processed already), signed, retried on the usual schedule from the replay, counted by the offline rule, and logged as an attempt of type `replay`. Calls go out at REPLAY_RATE_PER_SECOND (50 by default) and behind live deliveries. The replay runs in the background: follow it with GET /v1/replays/{id}. 400: `to` not after `from`, a range over 30 days, or an event type the webhook does not get (unknown types list the valid ones). 409: the webhook is offline, or a replay of it is running. 422 `range_unavailable`: Kafka no longer holds the start of the range (the message names the oldest time available).',
      security: 'apiKey',
      params: idPathParams,
      body: { schema: createReplayBody, required: true },
      success: { status: 202, description: 'The replay, running', schema: replaySchema },
      extraErrors: [409, 422, 503],
      handle: async ({ auth, params, body }) => ({ status: 202, body: await service.create(auth, params.id, body) }),
    }),
    defineOperation({
      operationId: 'listWebhookReplays',
      method: 'get',
      path: '/v1/webhooks/{id}/replays',
      tag: TAG,
      summary: "List a webhook's recent replays",
      description: 'The 20 latest, newest first.',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'Replays', schema: replayListSchema },
      handle: async ({ auth, params }) => ({ status: 200, body: { data: await service.listForWebhook(auth, params.id) } }),
    }),
    defineOperation({
      operationId: 'getReplay',
      method: 'get',
      path: '/v1/replays/{id}',
      tag: TAG,
      summary: "Get a replay's progress",
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'The replay', schema: replaySchema },
      handle: async ({ auth, params }) => ({ status: 200, body: await service.get(auth, params.id) }),
    }),
    defineOperation({
      operationId: 'cancelReplay',
      method: 'post',
      path: '/v1/replays/{id}/cancel',
      tag: TAG,
      summary: 'Cancel a running replay',
      description:
        'Stops the replay at its next step (within a few seconds): calls already handed to the sender still go out, no further ones are made. 409 when it has ended already.',
      security: 'apiKey',
      params: idPathParams,
      success: { status: 200, description: 'The replay, cancelled', schema: replaySchema },
      extraErrors: [409],
      handle: async ({ auth, params }) => ({ status: 200, body: await service.cancel(auth, params.id) }),
    }),
  ];
}
