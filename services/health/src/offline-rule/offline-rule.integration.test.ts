import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@hookstream/testkit';
import type { Consumer, Producer, TopicNames } from '@hookstream/kafka';
import type { LifecycleMessage, OutcomeMessage } from '@hookstream/messages';
import type { HealthService } from '../health-service';
import type { HealthMetrics } from '../metrics';
import {
  collectLifecycle,
  connectedProducer,
  failuresOf,
  publishOutcomes,
  seedWebhook,
  startHealthInProcess,
  waitForAllConsumed,
  webhookRow,
} from '../test-support/health-harness';
import { makeOutcome } from '../test-support/outcomes';
import { largestWindowCount } from '../test-support/window-count-oracle';
import { createFailureWindowDal } from './failure-window-dal';

const WINDOW_MS = 10_000;
const THRESHOLD = 50;

/** `count` failed first calls of distinct calls to one webhook, at the given times. */
function failures(webhookId: string, workspaceId: string, times: readonly number[]): OutcomeMessage[] {
  return times.map((time) =>
    makeOutcome({ webhook_id: webhookId, workspace_id: workspaceId, attempted_at: new Date(time).toISOString(), first_attempt_at: new Date(time).toISOString() }),
  );
}

/**
 * docs/webhooks.md "Offline rule" against the real broker and database, with a 10 s
 * window: the failure times are the outcomes' own `attempted_at`, so that windows are
 * exact and the tests need not wait for the clock.
 */
describe('offline rule', () => {
  const prefix = uniquePrefix('health-offline');
  const group = `${prefix}health`;
  let topics: TopicNames;
  let database: TestDatabase;
  let producer: Producer;
  let service: HealthService;
  let metrics: HealthMetrics;
  let lifecycle: { messages: LifecycleMessage[]; consumer: Consumer };

  beforeAll(async () => {
    [topics, database] = await Promise.all([createTestTopics(prefix), createTestDatabase()]);
    producer = await connectedProducer();
    ({ service, metrics } = await startHealthInProcess({
      prefix,
      topics,
      knex: database.knex,
      settings: { offlineThreshold: THRESHOLD, offlineWindowMs: WINDOW_MS },
    }));
    lifecycle = await collectLifecycle(prefix, topics.webhookLifecycle);
  });

  afterAll(async () => {
    await lifecycle?.consumer.disconnect();
    await service?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  const lifecycleOf = (webhookId: string) => lifecycle.messages.filter((message) => message.webhook_id === webhookId);

  it('keeps a webhook with 50 failures online, and takes it offline within 2 s of its 51st, telling operators', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now();
    const times = Array.from({ length: 51 }, (_, index) => start + index * 100);
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, times.slice(0, 50)));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 50, { description: '50 failures counted' });
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await webhookRow(database.knex, webhookId)).toEqual({ status: 'online', offline_reason: null });

    const published = Date.now();
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, times.slice(50)));
    await waitFor(async () => (await webhookRow(database.knex, webhookId)).status === 'offline', {
      description: 'the webhook to go offline',
      intervalMs: 20,
    });
    const delayMs = Date.now() - published;
    expect(delayMs).toBeLessThanOrEqual(2_000);
    expect(await webhookRow(database.knex, webhookId)).toEqual({ status: 'offline', offline_reason: 'failure_threshold' });

    const [message] = await waitFor(() => (lifecycleOf(webhookId).length > 0 ? lifecycleOf(webhookId) : false), {
      description: 'the lifecycle message',
    });
    expect(message).toMatchObject({
      version: 1,
      type: 'webhook.offline',
      webhook_id: webhookId,
      workspace_id: workspaceId,
      reason: 'failure_threshold',
      failure_count: 51,
    });
    expect((await metrics.webhooksOffline.get()).values.find((value) => value.labels.reason === 'failure_threshold')?.value).toBe(1);

    // Failures that keep coming change nothing more: one transition, one message.
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [start + 5_200, start + 5_300]));
    await waitForAllConsumed(group, topics.webhookOutcomes);
    await waitFor(async () => (await database.knex('webhook_lifecycle_outbox').count({ count: '*' }))[0]?.count === 0, {
      description: 'the outbox to drain',
    });
    expect(lifecycleOf(webhookId)).toHaveLength(1);
  });

  it('never takes a promoted webhook offline: over the threshold its automatic retries pause instead', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex, { promoted: true });
    const start = Date.now();
    const before = new Date();
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, Array.from({ length: 60 }, (_, index) => start + index * 10)));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 60, { description: '60 failures counted' });
    await waitFor(async () => (await database.knex('webhooks').where({ id: webhookId }).first('retry_state')).retry_state === 'paused', {
      description: 'the retries to pause',
    });
    const row = await database.knex('webhooks').where({ id: webhookId }).first('status', 'offline_reason', 'retry_state_since');
    expect(row).toMatchObject({ status: 'online', offline_reason: null });
    expect(row.retry_state_since.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
    expect(lifecycleOf(webhookId)).toEqual([]);
    // Counted once the batch is committed, just after the row changed.
    await waitFor(async () => (await metrics.webhookRetriesPaused.get()).values[0]?.value === 1, { description: 'the pause counted' });
  });

  it('counts together the failures that concurrent partitions write for one webhook', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now() - 30_000;
    // 51 calls, so 51 keys spread over every partition, written by concurrent batches.
    const outcomes = failures(webhookId, workspaceId, Array.from({ length: 51 }, (_, index) => start + index * 10));
    await publishOutcomes(producer, topics.webhookOutcomes, outcomes);
    await waitFor(async () => (await webhookRow(database.knex, webhookId)).status === 'offline', { description: 'the webhook to go offline' });
    expect(await failuresOf(database.knex, webhookId)).toBe(51);
    const [message] = await waitFor(() => (lifecycleOf(webhookId).length > 0 ? lifecycleOf(webhookId) : false), {
      description: 'the lifecycle message',
    });
    expect(message?.failure_count).toBe(51);
  });

  it('counts a call the sender repeated (around a crash of its own) as one failed call', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now() - 40_000;
    const outcomes = failures(webhookId, workspaceId, Array.from({ length: 50 }, (_, index) => start + index * 10));
    const repeated = { ...(outcomes[0] as OutcomeMessage), attempt_id: randomUUID(), attempted_at: new Date(start + 600).toISOString() };
    await publishOutcomes(producer, topics.webhookOutcomes, [...outcomes, repeated]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    const [attempts] = await database.knex('attempts')
      .join('calls', 'calls.id', 'attempts.call_id')
      .where('calls.webhook_id', webhookId)
      .count({ count: '*' });
    // The log shows both requests the endpoint received; the rule counts one failed call.
    expect(Number(attempts?.count)).toBe(51);
    expect(await failuresOf(database.knex, webhookId)).toBe(50);
    expect(await webhookRow(database.knex, webhookId)).toEqual({ status: 'online', offline_reason: null });
  });

  it('keeps online a webhook whose failures are spread over more than the window', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now() - 60_000;
    // 80 failures, one every 250 ms over 20 s: at most 40 in any 10 s window.
    const times = Array.from({ length: 80 }, (_, index) => start + index * 250);
    expect(largestWindowCount(times.map((time) => new Date(time)), WINDOW_MS)).toBe(40);
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, times));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 80, { description: '80 failures counted' });
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await webhookRow(database.knex, webhookId)).toEqual({ status: 'online', offline_reason: null });
  });

  it('counts a failure exactly one window before another outside it, and one a millisecond later inside it', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now() - 120_000;
    // 50 failures at start + 10 s, and one at start: exactly one window before them, so
    // outside the window (t - window, t] that ends at them.
    const cluster = Array.from({ length: 50 }, () => start + WINDOW_MS);
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [start, ...cluster]));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 51, { description: '51 failures counted' });
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await webhookRow(database.knex, webhookId)).toEqual({ status: 'online', offline_reason: null });

    // One more, a millisecond after the first: it and the 50 share the window ending at start + 10 s.
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [start + 1]));
    await waitFor(async () => (await webhookRow(database.knex, webhookId)).status === 'offline', { description: 'the webhook to go offline' });
  });

  it('finds a full window even when the failure completing it arrives late, out of order', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const start = Date.now() - 180_000;
    const early = Array.from({ length: 25 }, (_, index) => start + index * 10);
    const late = Array.from({ length: 25 }, (_, index) => start + 5_000 + index * 10);
    // The window ending at the last failure holds 25 + 25 + the straggler at start + 1 s.
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [...early, ...late]));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 50, { description: '50 failures counted' });
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect((await webhookRow(database.knex, webhookId)).status).toBe('online');
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [start + 1_000]));
    await waitFor(async () => (await webhookRow(database.knex, webhookId)).status === 'offline', { description: 'the webhook to go offline' });
  });

  it('does not count failures from before the window was restarted (set online again)', async () => {
    const start = Date.now() - 240_000;
    const resetAt = new Date(start + 3_000);
    const { webhookId, workspaceId } = await seedWebhook(database.knex, { failure_window_reset_at: resetAt });
    const before = Array.from({ length: 30 }, (_, index) => start + index * 10);
    const after = Array.from({ length: 50 }, (_, index) => start + 3_000 + index * 10);
    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [...before, ...after]));
    await waitFor(async () => (await failuresOf(database.knex, webhookId)) === 80, { description: '80 failures recorded' });
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect((await webhookRow(database.knex, webhookId)).status).toBe('online');

    await publishOutcomes(producer, topics.webhookOutcomes, failures(webhookId, workspaceId, [start + 4_000]));
    await waitFor(async () => (await webhookRow(database.knex, webhookId)).status === 'offline', { description: 'the 51st failure since the reset' });
  });

  it('leaves alone a deleted webhook and one already offline for another reason', async () => {
    const start = Date.now() - 300_000;
    const deleted = await seedWebhook(database.knex, { deleted_at: new Date() });
    const offline = await seedWebhook(database.knex, { status: 'offline' });
    await database.knex('webhooks').where({ id: offline.webhookId }).update({ offline_reason: 'manual' });
    const times = Array.from({ length: 60 }, (_, index) => start + index * 10);
    await publishOutcomes(producer, topics.webhookOutcomes, [
      ...failures(deleted.webhookId, deleted.workspaceId, times),
      ...failures(offline.webhookId, offline.workspaceId, times),
    ]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await failuresOf(database.knex, deleted.webhookId)).toBe(60);
    expect(await webhookRow(database.knex, deleted.webhookId)).toEqual({ status: 'online', offline_reason: null });
    expect(await webhookRow(database.knex, offline.webhookId)).toEqual({ status: 'offline', offline_reason: 'manual' });
    expect(lifecycleOf(deleted.webhookId)).toEqual([]);
    expect(lifecycleOf(offline.webhookId)).toEqual([]);
  });
});

describe('the window count in SQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('makes a second transaction adding failures to a webhook wait for the first, then count both', async () => {
    const dal = createFailureWindowDal();
    const { webhookId } = await seedWebhook(database.knex);
    const base = Date.now();
    const rows = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        attempt_id: randomUUID(),
        event_id: randomUUID(),
        retry_count: 0,
        webhook_id: webhookId,
        failed_at: new Date(base + index).toISOString(),
      }));
    const first = await database.knex.transaction();
    const second = await database.knex.transaction();
    try {
      const firstIds = await dal.recordFailures(first, rows(25));
      await dal.lockWebhooks(first, [webhookId]);
      expect((await dal.largestWindowCounts(first, firstIds, [webhookId], 60_000)).get(webhookId)).toBe(25);

      const secondIds = await dal.recordFailures(second, rows(26));
      const secondCount = (async () => {
        await dal.lockWebhooks(second, [webhookId]);
        return dal.largestWindowCounts(second, secondIds, [webhookId], 60_000);
      })();
      await waitFor(
        async () => {
          const [row] = await database.knex('pg_stat_activity')
            .where({ datname: database.knex.raw('current_database()'), wait_event_type: 'Lock' })
            .count({ count: '*' });
          return Number(row?.count) > 0;
        },
        { description: 'the second transaction to wait for the first one\'s lock' },
      );
      await first.commit();
      expect((await secondCount).get(webhookId)).toBe(51);
      await second.commit();
    } finally {
      if (!first.isCompleted()) await first.rollback();
      if (!second.isCompleted()) await second.rollback();
    }
  });

  it('agrees with the in-memory reference on random failure times, boundaries and resets included', async () => {
    const dal = createFailureWindowDal();
    const windowMs = 1_000;
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 40; round += 1) {
      const base = Date.UTC(2026, 10, 25) + round * 1_000_000;
      const resetAt = random() < 0.3 ? base + Math.floor(random() * 2_000) : base - 1;
      const { webhookId } = await seedWebhook(database.knex, { failure_window_reset_at: new Date(resetAt) });
      // Times on a coarse grid, so that exact-boundary pairs (t and t - window) occur.
      const existing = Array.from({ length: Math.floor(random() * 40) }, () => base + Math.floor(random() * 40) * 100);
      const fresh = Array.from({ length: 1 + Math.floor(random() * 20) }, () => base + Math.floor(random() * 40) * 100);
      const rows = (times: number[]) =>
        times.map((time) => ({ attempt_id: randomUUID(), event_id: randomUUID(), retry_count: 0, webhook_id: webhookId, failed_at: new Date(time).toISOString() }));
      const existingRows = rows(existing);
      const freshRows = rows(fresh);
      const counts = await database.knex.transaction(async (transaction) => {
        await dal.recordFailures(transaction, existingRows);
        const newIds = await dal.recordFailures(transaction, freshRows);
        expect(newIds.sort()).toEqual(freshRows.map((row) => row.attempt_id).sort());
        return dal.largestWindowCounts(transaction, newIds, [webhookId], windowMs);
      });
      const counted = [...existing, ...fresh].filter((time) => time >= resetAt).map((time) => new Date(time));
      const freshAfterReset = fresh.filter((time) => time >= resetAt);
      const expected = freshAfterReset.length === 0 ? 0 : largestWindowCount(counted, windowMs, new Date(Math.min(...freshAfterReset)));
      expect({ round, count: counts.get(webhookId) ?? 0 }).toEqual({ round, count: expected });
    }
  });
});
