import type { Knex } from '@hookstream/db';
import { timestampOutput, z } from '../http/common-schemas';
import { NotFoundError } from '../http/errors';
import type { TenantAuth } from '../http/operation';
import type { WebhookDal } from './webhook-dal';

const HOUR_MS = 3_600_000;
export const STATS_HOURS = 24;

export const webhookStatsSchema = z
  .object({
    webhook_id: z.guid(),
    from: timestampOutput.openapi({ description: 'Start of the first hour (inclusive)' }),
    to: timestampOutput.openapi({ description: 'End of the last hour (exclusive); the last hour is the current one' }),
    hours: z
      .array(
        z
          .object({
            hour: timestampOutput.openapi({ description: 'Start of the hour' }),
            succeeded: z.number().int().min(0).openapi({ description: 'Calls (first calls and retries) answered with a 2xx' }),
            failed: z.number().int().min(0).openapi({ description: 'Calls that failed: another status, a timeout or a network error' }),
          })
          .strict(),
      )
      .openapi({ description: `${STATS_HOURS} hourly buckets, oldest first, empty hours included` }),
    failures_in_window: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'Failed calls the offline rule counts now: in the window, since the webhook was last set online' }),
    offline_threshold: z.number().int().min(1).openapi({ description: 'The webhook goes offline at the failure after this many in the window' }),
    offline_window_hours: z.number().positive(),
  })
  .strict()
  .openapi('WebhookStats');

export type WebhookStats = z.infer<typeof webhookStatsSchema>;

export interface OfflineRuleSettings {
  threshold: number;
  windowMs: number;
}

/** Start of the UTC hour holding `at`. */
export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** Fills the hours without calls with zeros, oldest first. */
export function hourlyBuckets(
  from: Date,
  rows: ReadonlyArray<{ hour: Date; succeeded: number; failed: number }>,
): WebhookStats['hours'] {
  const byHour = new Map(rows.map((row) => [row.hour.getTime(), row]));
  return Array.from({ length: STATS_HOURS }, (_, index) => {
    const hour = new Date(from.getTime() + index * HOUR_MS);
    const row = byHour.get(hour.getTime());
    return { hour: hour.toISOString(), succeeded: row?.succeeded ?? 0, failed: row?.failed ?? 0 };
  });
}

/**
 * `GET /v1/webhooks/{id}/stats`: the calls sent to one webhook per hour over the last
 * 24 hours, from the attempts the health service records, and where the webhook stands
 * against the offline rule.
 */
export function createWebhookStats(deps: {
  knex: Knex;
  webhooks: Pick<WebhookDal, 'find'>;
  offlineRule: OfflineRuleSettings;
  now: () => Date;
}) {
  return async (auth: TenantAuth, webhookId: string): Promise<WebhookStats> => {
    const webhook = await deps.webhooks.find(auth.workspaceId, webhookId);
    if (!webhook) throw new NotFoundError('No webhook with this id');
    const now = deps.now();
    const from = new Date(hourStart(now).getTime() - (STATS_HOURS - 1) * HOUR_MS);
    const to = new Date(from.getTime() + STATS_HOURS * HOUR_MS);
    const rows = await deps
      .knex('attempts')
      .join('calls', 'calls.id', 'attempts.call_id')
      .where('calls.workspace_id', auth.workspaceId)
      .where('calls.webhook_id', webhookId)
      // Test calls say nothing about deliveries: they are in the call log, not in these counts.
      .where('calls.kind', 'delivery')
      .where('attempts.attempted_at', '>=', from)
      .where('attempts.attempted_at', '<', to)
      .select(deps.knex.raw(`date_trunc('hour', attempts.attempted_at, 'UTC') AS hour`))
      .select(
        deps.knex.raw(
          `count(*) FILTER (WHERE attempts.error IS NULL AND attempts.status_code BETWEEN 200 AND 299)::int AS succeeded`,
        ),
      )
      .select(
        deps.knex.raw(
          `count(*) FILTER (WHERE NOT (attempts.error IS NULL AND coalesce(attempts.status_code BETWEEN 200 AND 299, false)))::int AS failed`,
        ),
      )
      .groupBy('hour');
    const windowStart = new Date(Math.max(now.getTime() - deps.offlineRule.windowMs, (webhook.failure_window_reset_at as Date).getTime()));
    const failures = await deps
      .knex('webhook_failures')
      .where({ webhook_id: webhookId })
      .where('failed_at', '>', windowStart)
      .count<{ count: number }[]>({ count: '*' })
      .first();
    return {
      webhook_id: webhookId,
      from: from.toISOString(),
      to: to.toISOString(),
      hours: hourlyBuckets(
        from,
        (rows as Array<{ hour: Date; succeeded: number; failed: number }>).map((row) => ({
          hour: new Date(row.hour),
          succeeded: Number(row.succeeded),
          failed: Number(row.failed),
        })),
      ),
      failures_in_window: Number(failures?.count ?? 0),
      offline_threshold: deps.offlineRule.threshold,
      offline_window_hours: deps.offlineRule.windowMs / HOUR_MS,
    };
  };
}
