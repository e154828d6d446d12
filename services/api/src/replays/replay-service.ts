import type { Knex } from '@hookstream/db';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, RangeUnavailableError, UnavailableError, ValidationError } from '../http/errors';
import type { TenantAuth } from '../http/operation';
import type { ApiMetrics } from '../metrics';
import type { WebhookDal } from '../webhooks/webhook-dal';
import { replayOf, type ReplayDal } from './replay-dal';
import { replayRange, unsubscribedEvents } from './replay-fns';
import type { CreateReplayInput, Replay } from './replay-schemas';

/** What the API asks of the domain-events log: from when on it still holds everything. */
export interface DomainEventLog {
  /** Undefined when the log holds everything from `from` on; else the oldest time from which it does. */
  oldestRetainedTime(from: Date, now: Date): Promise<Date | undefined>;
}

export type ReplayService = ReturnType<typeof createReplayService>;

/** Replays shown per webhook (the console's recent replays). */
const LISTED_REPLAYS = 20;

/**
 * Replays (docs/replays.md): the API checks the request and records the job; a router
 * instance runs it. One replay of a webhook runs at a time, so a webhook's replayed calls
 * never exceed the configured rate.
 */
export function createReplayService(deps: {
  knex: Knex;
  replays: ReplayDal;
  webhooks: WebhookDal;
  log: DomainEventLog | undefined;
  metrics: ApiMetrics;
  logger: Logger;
  now: () => Date;
}) {
  return {
    async create(auth: TenantAuth, webhookId: string, input: CreateReplayInput): Promise<Replay> {
      const webhook = await deps.webhooks.find(auth.workspaceId, webhookId);
      if (!webhook) throw new NotFoundError('No webhook with this id');
      const now = deps.now();
      const range = replayRange(input, now);
      const problems = range.ok ? [] : range.problems;
      const events = input.events ? [...new Set(input.events)] : undefined;
      if (events) problems.push(...unsubscribedEvents(events, webhook.events));
      if (!range.ok || problems.length > 0) {
        throw new ValidationError(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '), { details: problems });
      }
      if (webhook.status !== 'online') {
        throw new ConflictError('The webhook is offline: set it online before replaying events to it (replayed calls go to online webhooks only)');
      }
      if (!deps.log) throw new UnavailableError('Replays are not available: the API has no access to the domain-events log');
      let oldest: Date | undefined;
      try {
        oldest = await deps.log.oldestRetainedTime(range.from, now);
      } catch (error) {
        deps.logger.warn({ err: error }, 'reading the bounds of the domain-events log failed');
        throw new UnavailableError('The broker did not answer; nothing was changed');
      }
      if (oldest) {
        const message = `Kafka no longer holds domain events from ${range.from.toISOString()}: the oldest time available is ${oldest.toISOString()}`;
        throw new RangeUnavailableError(message, { details: [{ field: 'from', location: 'body', message: `must be at or after ${oldest.toISOString()}, the oldest time available` }] });
      }
      const row = await deps.knex.transaction(async (trx) => {
        // One running replay per webhook; the webhook's row lock orders concurrent requests.
        await deps.webhooks.find(auth.workspaceId, webhookId, trx, { forUpdate: true });
        const running = await deps.replays.runningFor(trx, auth.workspaceId, webhookId);
        if (running) throw new ConflictError(`A replay of this webhook is running (${running.id}): wait for it to end or cancel it`);
        return deps.replays.insert(trx, { workspaceId: auth.workspaceId, webhookId, from: range.from, to: range.to, events });
      });
      deps.metrics.replaysCreated.inc();
      deps.logger.info({ workspaceId: auth.workspaceId, webhookId, replayId: row.id, from: range.from, to: range.to }, 'replay requested');
      return replayOf(row);
    },

    async get(auth: TenantAuth, id: string): Promise<Replay> {
      const row = await deps.replays.find(auth.workspaceId, id);
      if (!row) throw new NotFoundError('No replay with this id');
      return replayOf(row);
    },

    async listForWebhook(auth: TenantAuth, webhookId: string): Promise<Replay[]> {
      const webhook = await deps.webhooks.find(auth.workspaceId, webhookId);
      if (!webhook) throw new NotFoundError('No webhook with this id');
      return (await deps.replays.listForWebhook(auth.workspaceId, webhookId, LISTED_REPLAYS)).map(replayOf);
    },

    async cancel(auth: TenantAuth, id: string): Promise<Replay> {
      const cancelled = await deps.replays.cancel(auth.workspaceId, id);
      if (cancelled) return replayOf(cancelled);
      const row = await deps.replays.find(auth.workspaceId, id);
      if (!row) throw new NotFoundError('No replay with this id');
      throw new ConflictError(`The replay is ${row.status} already`);
    },
  };
}
