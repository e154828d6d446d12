import { FAILURE_KINDS } from '@hookstream/messages';
import { timestampOutput, z } from '../http/common-schemas';
import { eventTypeSchema } from '../webhooks/webhook-schemas';

export const testCallBody = z
  .object({
    event: eventTypeSchema.openapi({ description: 'The catalog event type whose example payload is sent (GET /v1/events)', example: 'Case.Created' }),
  })
  .strict()
  .openapi('TestCallRequest');

const headersSchema = z.record(z.string(), z.string());

export const testCallResultSchema = z
  .object({
    call_id: z.guid().openapi({ description: 'The test call in the call log (GET /v1/webhook-logs/{id})' }),
    event: z.string().openapi({ description: 'The `event` of the payload sent' }),
    sub_event: z.string().nullable().openapi({ description: 'The `sub_event` of the payload, when the webhook gets this type as a sub-event' }),
    event_id: z.guid().openapi({ description: 'The `Dotfile-Event-Id` of this test call (new for each test call)' }),
    endpoint: z.string().openapi({ description: 'The URL called' }),
    succeeded: z.boolean().openapi({ description: 'The receiver answered 2xx' }),
    status_code: z.number().int().nullable().openapi({ description: 'The status of the answer; null when none came' }),
    error_kind: z
      .enum(FAILURE_KINDS)
      .nullable()
      .openapi({ description: 'Why the call failed, as real deliveries report it (`http_status`, `timeout`, `connection_error`, `target_refused`, …); null on success' }),
    error: z.string().nullable().openapi({ description: 'The failure in words' }),
    duration_ms: z.number().int().min(0),
    request_headers: headersSchema.openapi({ description: 'As sent, with the signatures masked' }),
    response_headers: headersSchema.openapi({ description: 'The headers of the answer; empty when none came' }),
    response_body: z.string().nullable().openapi({ description: 'The first 16 KiB of the response body; null when no answer came' }),
    payload: z.record(z.string(), z.unknown()).openapi({ description: 'The body sent: the catalog example of the event type' }),
    attempted_at: timestampOutput,
  })
  .strict()
  .openapi('TestCallResult');

export type TestCallResult = z.infer<typeof testCallResultSchema>;
