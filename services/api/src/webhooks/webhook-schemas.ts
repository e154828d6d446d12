import { EVENT_TYPES, type EventType } from '@hookstream/events';
import { MAX_SECRET_RANDOM_CHARACTERS, MIN_SECRET_RANDOM_CHARACTERS, SECRET_PREFIX } from '@hookstream/signing';
import { paginationQuery, paginationSchema, safeText, timestampInput, timestampOutput, z } from '../http/common-schemas';

export const WEBHOOK_STATUSES = ['online', 'offline'] as const;
export const RETRY_STATES = ['normal', 'paused', 'resuming'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];
export type RetryState = (typeof RETRY_STATES)[number];

export const SORTABLE_FIELDS = ['created_at', 'updated_at', 'name', 'status', 'url'] as const;
export type SortableField = (typeof SORTABLE_FIELDS)[number];

const eventTypes = EVENT_TYPES as unknown as [EventType, ...EventType[]];
const VALID_EVENTS_TEXT = EVENT_TYPES.join(', ');

/** A catalog event; anything else is refused with the list of valid names (docs/webhooks.md). */
export const eventTypeSchema = z.enum(eventTypes, {
  error: () => `unknown event type; valid event types are: ${VALID_EVENTS_TEXT}`,
});

const eventsSchema = z
  .array(eventTypeSchema)
  .min(1)
  .max(100)
  .openapi({ description: 'Catalog events (top-level or sub-events, see GET /v1/events). Duplicates are ignored.' });

/** Shape only; the target-safety rules (scheme, credentials, refused addresses) are applied by the service. */
const urlSchema = safeText(2048)
  .min(1)
  .openapi({
    format: 'uri',
    description:
      'Absolute https URL (http only where the deployment allows it), without credentials, not naming a loopback, private, link-local or otherwise refused IP address.',
    example: 'https://example.com/webhooks/dotfile',
  });

const escapedPrefix = SECRET_PREFIX.replace('.', '\\.');
/** The product's secret format, the same rule as @hookstream/signing's isValidSecretFormat. */
export const SECRET_PATTERN = new RegExp(`^${escapedPrefix}[\\x21-\\x7e]{${MIN_SECRET_RANDOM_CHARACTERS},${MAX_SECRET_RANDOM_CHARACTERS}}$`);

const secretSchema = z
  .string()
  .regex(SECRET_PATTERN, {
    message: `must be ${SECRET_PREFIX} followed by ${MIN_SECRET_RANDOM_CHARACTERS} to ${MAX_SECRET_RANDOM_CHARACTERS} visible ASCII characters`,
  })
  .openapi({ description: `Signing secret: ${SECRET_PREFIX} + at least ${MIN_SECRET_RANDOM_CHARACTERS} random characters. Generated when absent.` });

const nameSchema = safeText(200).min(1).openapi({ description: 'Display name', example: 'Case updates' });
const statusSchema = z.enum(WEBHOOK_STATUSES);

export const createWebhookBody = z
  .object({
    url: urlSchema,
    events: eventsSchema,
    name: nameSchema.nullable().optional(),
    status: statusSchema.optional().openapi({ description: '`online` (default) or `offline`' }),
    secret: secretSchema.optional(),
    promoted: z
      .boolean()
      .optional()
      .openapi({
        description:
          'Never set offline by the failure rule: over the threshold, its automatic retries pause and are probed instead (default false; see docs "Promoted webhooks").',
      }),
  })
  .strict()
  .openapi('CreateWebhookRequest');

export const updateWebhookBody = z
  .object({
    url: urlSchema.optional(),
    events: eventsSchema.optional(),
    name: nameSchema.nullable().optional(),
    status: statusSchema
      .optional()
      .openapi({ description: 'Setting `online` restarts the failure window of the offline rule, even if the webhook is online already.' }),
    secret: secretSchema
      .optional()
      .openapi({ description: 'Replaces the current secret at once, without a grace period (use rotate-secret for one).' }),
    promoted: z
      .boolean()
      .optional()
      .openapi({ description: 'Setting `false` ends a pause: parked retries are released at the resume rate, and the offline rule applies again.' }),
  })
  .strict()
  .openapi('UpdateWebhookRequest', { description: 'Any subset of the fields; an empty object changes nothing.' });

/** Rotation grace periods are bounded by docs/webhooks.md (max 168 h); fractions of an hour are allowed. */
export const MAX_GRACE_PERIOD_HOURS = 168;

export const rotateSecretBody = z
  .object({
    grace_period_hours: z
      .number()
      .min(0)
      .max(MAX_GRACE_PERIOD_HOURS)
      .optional()
      .openapi({
        description: `How long the previous secret stays valid, in hours (fractions allowed, 0 ends it at once; default from SECRET_ROTATION_GRACE, 24 h).`,
      }),
  })
  .strict()
  .openapi('RotateSecretRequest');

/** docs/webhooks.md: a range retry spans at most 30 days. */
export const MAX_RETRY_RANGE_MS = 30 * 86_400_000;

export const retryFailedBody = z
  .object({
    from: timestampInput.openapi({ description: 'Start of the range (inclusive), on the calls\' created_at' }),
    to: timestampInput.openapi({ description: 'End of the range (inclusive); at most 30 days after `from`' }),
  })
  .strict()
  .openapi('RetryFailedRequest');

export const retryCountSchema = z
  .object({ count: z.number().int().min(0).openapi({ description: 'Failed calls queued for a manual retry' }) })
  .strict()
  .openapi('RetryCount');

const SORT_TERM = `(${SORTABLE_FIELDS.join('|')})(\\.(asc|desc))?`;
const EVENT_ALTERNATIVES = `(${EVENT_TYPES.map((type) => type.replace('.', '\\.')).join('|')})`;

export const listWebhooksQuery = z
  .object({
    ...paginationQuery(100),
    sort: z
      .string()
      .max(200)
      .regex(new RegExp(`^${SORT_TERM}(,${SORT_TERM})*$`), {
        message: `must be comma-separated fields among ${SORTABLE_FIELDS.join(', ')}, each optionally suffixed .asc or .desc`,
      })
      .optional()
      .default('updated_at')
      .openapi({ description: 'Comma-separated sort fields, each with an optional `.desc` (or `.asc`) suffix', example: 'name,created_at.desc' }),
    status: statusSchema.optional(),
    events: z
      .string()
      .max(4000)
      .regex(new RegExp(`^${EVENT_ALTERNATIVES}(,${EVENT_ALTERNATIVES})*$`), {
        message: `must be comma-separated event types among: ${VALID_EVENTS_TEXT}`,
      })
      .optional()
      .openapi({ description: 'Comma-separated events: webhooks subscribed to all of them', example: 'Case.Created' }),
    url: safeText(2048).optional().openapi({ description: 'Case-insensitive substring of the URL' }),
    name: safeText(200).optional().openapi({ description: 'Case-insensitive substring of the name' }),
  })
  .strict();

export const webhookSchema = z
  .object({
    id: z.uuid(),
    name: z.string().nullable(),
    url: z.string(),
    events: z.array(z.string()),
    status: statusSchema,
    secret: z.string().openapi({ description: 'The current signing secret' }),
    previous_secret_expires_at: timestampOutput
      .nullable()
      .openapi({ description: 'While a rotation\'s grace period runs: when the previous secret stops being used' }),
    offline_reason: z.string().nullable().openapi({ description: '`failure_threshold`, `manual`, … (null when online)' }),
    promoted: z.boolean().openapi({ description: 'Never set offline by the failure rule; its automatic retries pause instead' }),
    retry_state: z.enum(RETRY_STATES).openapi({
      description:
        '`normal`; `paused`: a promoted webhook over the failure threshold, whose automatic retries are parked and probed; `resuming`: a probe succeeded and the parked retries are being sent, oldest first',
    }),
    retry_state_since: timestampOutput.nullable().openapi({ description: 'When `retry_state` last changed (null if it never did)' }),
    created_at: timestampOutput,
    updated_at: timestampOutput,
  })
  .strict()
  .openapi('Webhook');

export const webhookListSchema = z
  .object({ data: z.array(webhookSchema), pagination: paginationSchema })
  .strict()
  .openapi('WebhookList');

export type Webhook = z.infer<typeof webhookSchema>;
export type CreateWebhookInput = z.output<typeof createWebhookBody>;
export type UpdateWebhookInput = z.output<typeof updateWebhookBody>;
export type ListWebhooksQuery = z.output<typeof listWebhooksQuery>;
