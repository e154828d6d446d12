import { ATTEMPT_TYPES } from '@hookstream/messages';
import { paginationQuery, paginationSchema, resourceId, safeText, timestampInput, timestampOutput, z } from '../http/common-schemas';
import { eventTypeSchema } from '../webhooks/webhook-schemas';

export const CALL_STATUSES = ['pending', 'succeeded', 'retrying', 'failed', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** `delivery`: a call of a domain event; `test`: a test call (POST /v1/webhooks/{id}/test). */
export const CALL_KINDS = ['delivery', 'test'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** What an attempt was: the attempts of deliveries, or the one attempt of a test call. */
export const LOGGED_ATTEMPT_TYPES = [...ATTEMPT_TYPES, 'test'] as const;
export type LoggedAttemptType = (typeof LOGGED_ATTEMPT_TYPES)[number];
const entityId = safeText(200).min(1);

export const listCallLogsQuery = z
  .object({
    ...paginationQuery(50),
    sort: z
      .enum(['created_at.desc', 'created_at', 'created_at.asc'])
      .optional()
      .default('created_at.desc')
      .openapi({ description: 'Newest first by default' }),
    webhook_id: resourceId.optional(),
    event: eventTypeSchema.optional().openapi({ description: 'Calls whose event or sub-event is this one' }),
    status: z.enum(CALL_STATUSES).optional(),
    kind: z.enum(CALL_KINDS).optional().openapi({ description: 'Only deliveries, or only test calls; both by default' }),
    case_id: entityId.optional(),
    individual_id: entityId.optional(),
    company_id: entityId.optional(),
    created_from: timestampInput.optional().openapi({ description: 'Calls created at or after this instant' }),
    created_to: timestampInput.optional().openapi({ description: 'Calls created at or before this instant' }),
  })
  .strict();

const headersSchema = z.record(z.string(), z.string());

export const attemptSchema = z
  .object({
    id: z.guid(),
    type: z.enum(LOGGED_ATTEMPT_TYPES).openapi({ description: '`test` for the attempt of a test call, `replay` for a call sent again by a replay' }),
    retry_count: z.number().int().min(0),
    endpoint: z.string(),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    duration_ms: z.number().int().min(0),
    request_headers: headersSchema.openapi({ description: 'As sent, with the signatures masked' }),
    response_headers: headersSchema.nullable(),
    response_body: z.string().nullable().openapi({ description: 'The first 16 KiB of the response body' }),
    attempted_at: timestampOutput,
  })
  .strict()
  .openapi('Attempt');

export const callLogSchema = z
  .object({
    id: z.guid(),
    webhook_id: z.guid(),
    event: z.string(),
    sub_event: z.string().nullable(),
    event_id: z.guid(),
    kind: z.enum(CALL_KINDS).openapi({ description: '`test`: a test call, never retried and never counted by the offline rule' }),
    status: z.enum(CALL_STATUSES),
    status_reason: z.string().nullable().openapi({ description: 'Why the call was cancelled or not sent (`webhook_deleted`, `webhook_offline`, …)' }),
    status_code: z.number().int().nullable().openapi({ description: 'Status of the last attempt' }),
    endpoint: z.string().nullable().openapi({ description: 'URL of the last attempt' }),
    retry_count: z.number().int().min(0),
    next_retry_at: timestampOutput.nullable(),
    case_id: z.string().nullable(),
    individual_id: z.string().nullable(),
    company_id: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The body as last sent' }),
    created_at: timestampOutput,
    last_attempt_at: timestampOutput.nullable(),
    attempts: z.array(attemptSchema).openapi({ description: 'Oldest first' }),
  })
  .strict()
  .openapi('CallLog');

export const callLogListSchema = z
  .object({ data: z.array(callLogSchema), pagination: paginationSchema })
  .strict()
  .openapi('CallLogList');

export type CallLog = z.infer<typeof callLogSchema>;
export type Attempt = z.infer<typeof attemptSchema>;
export type ListCallLogsQuery = z.output<typeof listCallLogsQuery>;
