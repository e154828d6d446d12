import type { Knex } from '@hookstream/db';
import { mayAttemptGoOut, type DeliveryMessage } from '@hookstream/messages';
import type { Logger } from 'pino';
import type { Pagination } from '../http/common-schemas';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../http/errors';
import type { TenantAuth } from '../http/operation';
import type { ApiMetrics } from '../metrics';
import type { MessagePublisher } from '../publishing/message-publisher';
import type { WebhookDal } from '../webhooks/webhook-dal';
import { MAX_RETRY_RANGE_MS } from '../webhooks/webhook-schemas';
import type { CallLogDal } from './call-log-dal';
import { manualRetryMessage, toCallLog, type CallRow } from './call-log-fns';
import type { CallLog, ListCallLogsQuery } from './call-log-schemas';

export type CallLogService = ReturnType<typeof createCallLogService>;

/** Manual retries of a range published (and marked pending) per step. */
const RANGE_RETRY_CHUNK = 500;

/**
 * Call logs (docs/webhooks.md "Call logs") and manual retries (docs/webhooks.md "Retries").
 * A manual retry is published to `webhook-deliveries` and the call marked `pending` in
 * one database transaction that commits only once the broker has the message: either
 * both happen or neither does. The call rows stay locked meanwhile, so an outcome the
 * health service records for the retry lands after the `pending` mark, not before.
 */
export function createCallLogService(deps: {
  knex: Knex;
  calls: CallLogDal;
  webhooks: Pick<WebhookDal, 'find'>;
  publisher: Pick<MessagePublisher, 'publishDeliveries'>;
  metrics: Pick<ApiMetrics, 'manualRetries'>;
  logger: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  const withAttempts = async (rows: readonly CallRow[]): Promise<CallLog[]> => {
    const attempts = await deps.calls.attemptsOf(rows.map((row) => row.id));
    return rows.map((row) => toCallLog(row, attempts.filter((attempt) => attempt.call_id === row.id)));
  };

  /**
   * The rule the sender applies too (packages/messages, attempt-policy.ts): a manual retry
   * goes out at any time, while the webhook is offline included, but never to a deleted one.
   */
  const retryableWebhook = async (auth: TenantAuth, webhookId: string, trx: Knex.Transaction, missing: () => Error) => {
    const webhook = await deps.webhooks.find(auth.workspaceId, webhookId, trx);
    const verdict = mayAttemptGoOut({ type: 'manual_retry', retryCount: 0 }, webhook ? { status: webhook.status, deleted: false } : undefined);
    if (!webhook || !verdict.send) throw missing();
    return webhook;
  };

  const publish = async (messages: readonly DeliveryMessage[]) => {
    try {
      await deps.publisher.publishDeliveries(messages);
    } catch (error) {
      deps.logger.error({ err: error, count: messages.length }, 'publishing manual retries failed');
      throw new UnavailableError('The retry could not be queued right now; nothing was changed, try again');
    }
  };

  const get = async (auth: TenantAuth, id: string): Promise<CallLog> => {
    const row = await deps.calls.find(auth.workspaceId, id);
    if (!row) throw new NotFoundError('No webhook log with this id');
    const [log] = await withAttempts([row]);
    return log as CallLog;
  };

  return {
    async list(auth: TenantAuth, query: ListCallLogsQuery): Promise<{ data: CallLog[]; pagination: Pagination }> {
      const { rows, count } = await deps.calls.list(
        auth.workspaceId,
        {
          ...(query.webhook_id ? { webhookId: query.webhook_id } : {}),
          ...(query.event ? { event: query.event } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.case_id !== undefined ? { caseId: query.case_id } : {}),
          ...(query.individual_id !== undefined ? { individualId: query.individual_id } : {}),
          ...(query.company_id !== undefined ? { companyId: query.company_id } : {}),
          ...(query.created_from ? { createdFrom: new Date(query.created_from) } : {}),
          ...(query.created_to ? { createdTo: new Date(query.created_to) } : {}),
        },
        query.sort === 'created_at.desc' ? 'desc' : 'asc',
        { offset: (query.page - 1) * query.limit, limit: query.limit },
      );
      return { data: await withAttempts(rows), pagination: { page: query.page, limit: query.limit, count } };
    },

    get,

    /** `POST /v1/webhook-logs/{id}/retry`: one call, now. */
    async retry(auth: TenantAuth, id: string): Promise<CallLog> {
      await deps.knex.transaction(async (trx) => {
        const call = await deps.calls.find(auth.workspaceId, id, trx, { forUpdate: true });
        if (!call) throw new NotFoundError('No webhook log with this id');
        if (call.kind === 'test') throw new ConflictError('A test call is never retried: send another test call');
        await retryableWebhook(auth, call.webhook_id, trx, () => new ConflictError('The webhook of this call has been deleted'));
        const retry = manualRetryMessage(call, now());
        if (!retry.ok) throw new ConflictError(`This call cannot be retried: ${retry.reason}`);
        await deps.calls.markPending([call.id], trx);
        await publish([retry.message]);
      });
      deps.metrics.manualRetries.inc({ kind: 'single' });
      deps.logger.info({ callId: id, workspaceId: auth.workspaceId }, 'manual retry queued');
      return get(auth, id);
    },

    /** `POST /v1/webhooks/{id}/retry-failed`: every failed call of the webhook in [from, to]. */
    async retryFailed(auth: TenantAuth, webhookId: string, range: { from: Date; to: Date }): Promise<number> {
      if (range.to < range.from) throw ValidationError.forField('to', 'body', 'must not be before from');
      if (range.to.getTime() - range.from.getTime() > MAX_RETRY_RANGE_MS) {
        throw ValidationError.forField('to', 'body', 'the range may span at most 30 days');
      }
      // Published in chunks, each marked pending once the broker has it: if a chunk fails,
      // the transaction still commits the chunks before it (their retries are on their way),
      // and the answer says how many were queued and that the rest were left unchanged.
      const outcome = await deps.knex.transaction(async (trx) => {
        await retryableWebhook(auth, webhookId, trx, () => new NotFoundError('No webhook with this id'));
        const calls = await deps.calls.failedCallsInRange(auth.workspaceId, webhookId, range.from, range.to, trx);
        const at = now();
        const retries: Array<{ id: string; message: DeliveryMessage }> = [];
        for (const call of calls) {
          const retry = manualRetryMessage(call, at);
          if (retry.ok) {
            retries.push({ id: call.id, message: retry.message });
          } else {
            deps.logger.warn({ callId: call.id, reason: retry.reason }, 'failed call skipped by a range retry');
          }
        }
        let queued = 0;
        for (let start = 0; start < retries.length; start += RANGE_RETRY_CHUNK) {
          const chunk = retries.slice(start, start + RANGE_RETRY_CHUNK);
          try {
            await deps.publisher.publishDeliveries(chunk.map((retry) => retry.message));
          } catch (error) {
            deps.logger.error({ err: error, queued, notQueued: retries.length - queued }, 'publishing manual retries failed part-way');
            return { queued, notQueued: retries.length - queued };
          }
          await deps.calls.markPending(
            chunk.map((retry) => retry.id),
            trx,
          );
          queued += chunk.length;
        }
        return { queued, notQueued: 0 };
      });
      const count = outcome.queued;
      if (outcome.notQueued > 0) {
        if (count > 0) deps.metrics.manualRetries.inc({ kind: 'range' }, count);
        throw new UnavailableError(
          count === 0
            ? 'The retries could not be queued right now; nothing was changed, try again'
            : `Only ${count} of ${count + outcome.notQueued} failed calls could be queued (they are now pending); the other ${outcome.notQueued} were not changed: ask again to queue them`,
        );
      }
      deps.metrics.manualRetries.inc({ kind: 'range' }, count);
      deps.logger.info({ webhookId, workspaceId: auth.workspaceId, count }, 'failed calls queued for manual retry');
      return count;
    },
  };
}
