import { enqueueLifecycleMessages, type Knex, type SecretBox } from '@hookstream/db';
import type { LifecycleMessage } from '@hookstream/messages';
import { generateSecret } from '@hookstream/signing';
import type { WebhookUrlPolicy } from '@hookstream/target-safety';
import type { Logger } from 'pino';
import type { Pagination } from '../http/common-schemas';
import { LimitReachedError, NotFoundError } from '../http/errors';
import type { TenantAuth } from '../http/operation';
import type { ApiMetrics } from '../metrics';
import type { WebhookChanges, WebhookDal } from './webhook-dal';
import { assertAcceptableUrl, parseSort, rotatedSecretColumns, splitEventsFilter, toWebhook, uniqueEvents, type WebhookRow } from './webhook-fns';
import type { CreateWebhookInput, ListWebhooksQuery, UpdateWebhookInput, Webhook } from './webhook-schemas';

export interface WebhookSettings {
  maxWebhooksPerWorkspace: number;
  /** Default grace period of a secret rotation (SECRET_ROTATION_GRACE). */
  rotationGraceMs: number;
  urlPolicy: WebhookUrlPolicy;
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/**
 * The webhooks of docs/webhooks.md "Managing webhooks". Status changes made here restart the offline
 * rule's failure window (online) or record why the webhook is off (offline: `manual`).
 * Their `webhook-lifecycle` events are written to the outbox in the transaction of the
 * change (as the health service does for the offline rule) and published after it
 * commits: a broker outage delays an event but cannot lose it, and a change that does
 * not commit publishes nothing.
 */
export function createWebhookService(deps: {
  knex: Knex;
  webhooks: WebhookDal;
  secretBox: SecretBox;
  /** Publishes the lifecycle outbox soon (after a transaction wrote to it). */
  lifecycle: { requestFlush(): void };
  metrics: Pick<ApiMetrics, 'lifecycleEvents'>;
  logger: Logger;
  settings: WebhookSettings;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const present = (row: WebhookRow) => toWebhook(row, (stored) => deps.secretBox.decrypt(stored), now());

  /** Writes the event in the change's transaction; `published` sends it once committed. */
  const recordLifecycle = async (trx: Knex.Transaction, row: WebhookRow, type: LifecycleMessage['type'], reason: string | null) => {
    await enqueueLifecycleMessages(trx, [
      {
        version: 1,
        type,
        webhook_id: row.id,
        workspace_id: row.workspace_id,
        reason,
        occurred_at: now().toISOString(),
        failure_count: null,
      },
    ]);
  };
  const published = (type: LifecycleMessage['type']) => {
    deps.metrics.lifecycleEvents.inc({ type });
    deps.lifecycle.requestFlush();
  };

  const findOrFail = async (auth: TenantAuth, id: string, db: Knex | Knex.Transaction = deps.knex, forUpdate = false) => {
    const row = await deps.webhooks.find(auth.workspaceId, id, db, { forUpdate });
    if (!row) throw new NotFoundError('No webhook with this id');
    return row;
  };

  return {
    async create(auth: TenantAuth, input: CreateWebhookInput): Promise<Webhook> {
      const url = assertAcceptableUrl(input.url, deps.settings.urlPolicy);
      const status = input.status ?? 'online';
      const secret = input.secret ?? generateSecret();
      const row = await deps.knex.transaction(async (trx) => {
        await deps.webhooks.lockWorkspace(auth.workspaceId, trx);
        const existing = await deps.webhooks.countActive(auth.workspaceId, trx);
        if (existing >= deps.settings.maxWebhooksPerWorkspace) {
          throw new LimitReachedError(
            `A workspace may have at most ${deps.settings.maxWebhooksPerWorkspace} webhooks; delete one before creating another`,
          );
        }
        return deps.webhooks.insert(
          {
            workspace_id: auth.workspaceId,
            name: input.name ?? null,
            url,
            events: uniqueEvents(input.events),
            status,
            offline_reason: status === 'offline' ? 'manual' : null,
            secret_encrypted: deps.secretBox.encrypt(secret),
            promoted: input.promoted ?? false,
          },
          trx,
        );
      });
      deps.logger.info({ webhookId: row.id, workspaceId: auth.workspaceId }, 'webhook created');
      return present(row);
    },

    async get(auth: TenantAuth, id: string): Promise<Webhook> {
      return present(await findOrFail(auth, id));
    },

    async list(auth: TenantAuth, query: ListWebhooksQuery): Promise<{ data: Webhook[]; pagination: Pagination }> {
      const events = splitEventsFilter(query.events);
      const { rows, count } = await deps.webhooks.list(
        auth.workspaceId,
        {
          ...(query.status ? { status: query.status } : {}),
          ...(events ? { events } : {}),
          ...(query.url !== undefined ? { urlContains: query.url } : {}),
          ...(query.name !== undefined ? { nameContains: query.name } : {}),
        },
        parseSort(query.sort),
        { offset: (query.page - 1) * query.limit, limit: query.limit },
      );
      return { data: rows.map(present), pagination: { page: query.page, limit: query.limit, count } };
    },

    async update(auth: TenantAuth, id: string, input: UpdateWebhookInput): Promise<Webhook> {
      if (input.url !== undefined) assertAcceptableUrl(input.url, deps.settings.urlPolicy);
      const changes: WebhookChanges = {};
      if (input.url !== undefined) changes.url = input.url;
      if (input.events !== undefined) changes.events = uniqueEvents(input.events);
      if (input.name !== undefined) changes.name = input.name;
      if (input.secret !== undefined) changes.secret_encrypted = deps.secretBox.encrypt(input.secret);
      if (input.promoted !== undefined) changes.promoted = input.promoted;
      // No longer promoted: a pause ends; its parked retries are released (the offline rule applies from now on).
      if (input.promoted === false) changes.end_retry_pause = true;
      if (Object.keys(changes).length === 0 && input.status === undefined) return present(await findOrFail(auth, id));

      const { after: row, lifecycle } = await deps.knex.transaction(async (trx) => {
        const before = await findOrFail(auth, id, trx, true);
        let lifecycle: { type: LifecycleMessage['type']; reason: string } | undefined;
        if (input.status === 'online') {
          // docs/webhooks.md "Offline rule": back online restarts the window from zero.
          Object.assign(changes, { status: 'online', offline_reason: null, reset_failure_window: true });
          if (before.status === 'offline') lifecycle = { type: 'webhook.online', reason: 'manual' };
        } else if (input.status === 'offline' && before.status === 'online') {
          Object.assign(changes, { status: 'offline', offline_reason: 'manual' });
          lifecycle = { type: 'webhook.offline', reason: 'manual' };
        }
        const after = await deps.webhooks.update(auth.workspaceId, id, changes, trx);
        if (!after) throw new NotFoundError('No webhook with this id');
        if (lifecycle) await recordLifecycle(trx, after, lifecycle.type, lifecycle.reason);
        return { after, lifecycle };
      });
      if (lifecycle) published(lifecycle.type);
      deps.logger.info({ webhookId: id, workspaceId: auth.workspaceId, fields: Object.keys(input) }, 'webhook updated');
      return present(row);
    },

    /** Soft delete; the webhook's calls waiting for an automatic retry are cancelled with it. */
    async remove(auth: TenantAuth, id: string): Promise<void> {
      const cancelled = await deps.knex.transaction(async (trx) => {
        if (!(await deps.webhooks.softDelete(auth.workspaceId, id, trx))) throw new NotFoundError('No webhook with this id');
        return deps.webhooks.cancelRetryingCalls(id, trx);
      });
      deps.logger.info({ webhookId: id, workspaceId: auth.workspaceId, cancelledRetries: cancelled }, 'webhook deleted');
    },

    async rotateSecret(auth: TenantAuth, id: string, gracePeriodHours: number | undefined): Promise<Webhook> {
      const graceMs = gracePeriodHours === undefined ? deps.settings.rotationGraceMs : Math.round(gracePeriodHours * 3_600_000);
      const row = await deps.knex.transaction(async (trx) => {
        const before = await findOrFail(auth, id, trx, true);
        const columns = rotatedSecretColumns({
          currentEncrypted: before.secret_encrypted,
          newEncrypted: deps.secretBox.encrypt(generateSecret()),
          graceMs,
          now: now(),
        });
        const after = await deps.webhooks.update(auth.workspaceId, id, columns, trx);
        if (!after) throw new NotFoundError('No webhook with this id');
        await recordLifecycle(trx, after, 'webhook.secret_rotated', null);
        return after;
      });
      published('webhook.secret_rotated');
      deps.logger.info({ webhookId: id, workspaceId: auth.workspaceId, graceMs }, 'webhook secret rotated');
      return present(row);
    },
  };
}
