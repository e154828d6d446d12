import { idPathParams, timestampInput, timestampOutput, z } from '../http/common-schemas';
import { eventTypeSchema } from '../webhooks/webhook-schemas';

export const REPLAY_STATUSES = ['running', 'done', 'failed', 'cancelled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** The longest range one replay may cover. */
export const MAX_REPLAY_RANGE_DAYS = 30;

export const createReplayBody = z
  .object({
    from: timestampInput.openapi({ description: 'Start of the range (inclusive): when the domain events reached Kafka', example: '2026-12-01T00:00:00Z' }),
    to: timestampInput.openapi({
      description: `End of the range (exclusive), after \`from\` and at most ${MAX_REPLAY_RANGE_DAYS} days later. A time in the future is taken as now.`,
      example: '2026-12-02T00:00:00Z',
    }),
    events: z
      .array(eventTypeSchema)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Only these event types, each one the webhook gets now (subscribed to it, or to its parent). Absent: every type it gets.' }),
  })
  .strict()
  .openapi('CreateReplayRequest');

export type CreateReplayInput = z.output<typeof createReplayBody>;

export const replaySchema = z
  .object({
    id: z.uuid(),
    webhook_id: z.uuid(),
    from: timestampOutput,
    to: timestampOutput,
    events: z.array(z.string()).nullable().openapi({ description: 'The event types asked for; null: every type the webhook gets' }),
    status: z.enum(REPLAY_STATUSES).openapi({ description: '`running`, then `done`, `failed` (see `failure_reason`) or `cancelled`' }),
    failure_reason: z.string().nullable().openapi({ description: '`webhook_offline` or `webhook_deleted` when the webhook stopped getting calls mid-replay' }),
    events_scanned: z.number().int().min(0).openapi({ description: 'Domain events of the range read so far (all workspaces: the log is shared)' }),
    calls_made: z.number().int().min(0).openapi({ description: 'Replayed calls handed to the sender so far; their attempts are in the call log as type `replay`' }),
    created_at: timestampOutput,
    updated_at: timestampOutput,
    finished_at: timestampOutput.nullable(),
  })
  .strict()
  .openapi('Replay');

export type Replay = z.infer<typeof replaySchema>;

export const replayListSchema = z.object({ data: z.array(replaySchema) }).strict().openapi('ReplayList');

export { idPathParams };
