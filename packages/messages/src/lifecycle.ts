import { z } from 'zod';

/** `webhook-lifecycle`: operator events. Key: the webhook id. */
export const lifecycleMessageSchema = z.object({
  version: z.literal(1),
  type: z.enum(['webhook.offline', 'webhook.online', 'webhook.secret_rotated']),
  webhook_id: z.uuid(),
  workspace_id: z.string().min(1),
  /** `failure_threshold`, `manual`, ... */
  reason: z.string().nullable(),
  occurred_at: z.iso.datetime({ offset: true }),
  /** For webhook.offline by the failure rule: the failures counted in the window. */
  failure_count: z.number().int().nullable(),
});

export type LifecycleMessage = z.infer<typeof lifecycleMessageSchema>;
