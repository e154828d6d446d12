import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Consumer, Producer, TopicNames } from '@hookstream/kafka';
import type { LifecycleMessage, OutcomeMessage } from '@hookstream/messages';
import { createTestDatabase, createTestTopics, testInfrastructure, uniquePrefix, waitFor, type TestDatabase } from '@hookstream/testkit';
import {
  collectLifecycle,
  connectedProducer,
  failuresOf,
  publishOutcomes,
  seedWebhook,
  webhookRow,
} from './test-support/health-harness';
import { makeOutcome } from './test-support/outcomes';

const MAIN = path.resolve(__dirname, '../dist/main.js');

/**
 * The health service as the process it runs as (services/health/dist/main.js), killed
 * with SIGKILL in the middle of a stream of failures and started again: every failure
 * is counted exactly once, every attempt logged once, and the offline transition and its
 * lifecycle message happen once.
 */
describe('health process killed mid-stream', () => {
  const prefix = uniquePrefix('health-kill');
  let topics: TopicNames;
  let database: TestDatabase;
  let producer: Producer;
  let lifecycle: { messages: LifecycleMessage[]; consumer: Consumer };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    [topics, database] = await Promise.all([createTestTopics(prefix), createTestDatabase()]);
    producer = await connectedProducer();
    lifecycle = await collectLifecycle(prefix, topics.webhookLifecycle);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await lifecycle?.consumer.disconnect();
    await producer?.disconnect();
    await database?.drop();
  });

  function startHealthProcess(): { child: ChildProcess; stderr: () => string } {
    const { kafkaBrokers } = testInfrastructure();
    let stderr = '';
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        DATABASE_URL: database.url,
        KAFKA_TOPIC_PREFIX: prefix,
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        WEBHOOK_OFFLINE_THRESHOLD: '50',
        WEBHOOK_OFFLINE_WINDOW: '1h',
        // The killed member's partitions move to the new one once its session expires.
        KAFKA_SESSION_TIMEOUT: '6s',
        // Small batches, as the stream arrives: by default a fetch gathers up to 250 ms of
        // outcomes, and the whole first half could land in one batch before the kill.
        HEALTH_FETCH_MIN_BYTES: '1',
        HEALTH_FETCH_MAX_WAIT: '100ms',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    children.push(child);
    return { child, stderr: () => stderr };
  }

  async function publishAsAStream(outcomes: readonly OutcomeMessage[], pauseMs = 0): Promise<void> {
    for (let start = 0; start < outcomes.length; start += 5) {
      await publishOutcomes(producer, topics.webhookOutcomes, outcomes.slice(start, start + 5));
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  async function count(table: string): Promise<number> {
    const [row] = await database.knex(table).count({ count: '*' });
    return Number(row?.count ?? 0);
  }

  it('counts every failure once and takes the webhook offline once across a SIGKILL and a restart', async () => {
    const failing = await seedWebhook(database.knex);
    const flaky = [await seedWebhook(database.knex), await seedWebhook(database.knex), await seedWebhook(database.knex)];
    const start = Date.now() - 60_000;
    let tick = 0;
    const outcome = (webhook: { webhookId: string; workspaceId: string }, result: 'failed' | 'succeeded') => {
      const attemptedAt = new Date(start + (tick += 10)).toISOString();
      return makeOutcome({
        webhook_id: webhook.webhookId,
        workspace_id: webhook.workspaceId,
        attempted_at: attemptedAt,
        first_attempt_at: attemptedAt,
        ...(result === 'succeeded' ? { result, status_code: 200, error: null, failure_kind: null, next_retry_at: null, final: true } : {}),
      });
    };
    const interleave = (...lists: OutcomeMessage[][]) => {
      const out: OutcomeMessage[] = [];
      for (let index = 0; out.length < lists.reduce((sum, list) => sum + list.length, 0); index += 1) {
        for (const list of lists) if (index < list.length) out.push(list[index] as OutcomeMessage);
      }
      return out;
    };
    // Before the kill: 30 of the failing webhook's 80 failures (it stays online), all 40
    // of each flaky webhook's (they stay online), and successes. After: the other 50
    // failures, so that the 51st is counted by the restarted process.
    const firstHalf = interleave(
      Array.from({ length: 30 }, () => outcome(failing, 'failed')),
      ...flaky.map((webhook) => Array.from({ length: 40 }, () => outcome(webhook, 'failed'))),
      ...flaky.map((webhook) => Array.from({ length: 40 }, () => outcome(webhook, 'succeeded'))),
    );
    const failuresBeforeKill = 30 + 3 * 40;
    const secondHalf = interleave(
      Array.from({ length: 50 }, () => outcome(failing, 'failed')),
      Array.from({ length: 60 }, () => outcome(failing, 'succeeded')),
    );

    const first = startHealthProcess();
    // The stream starts once the process consumes, and takes a while: published while the
    // process was still joining its group, the whole first half could arrive in one fetch
    // and be counted in one batch before the kill.
    await publishOutcomes(producer, topics.webhookOutcomes, firstHalf.slice(0, 5));
    await waitFor(async () => (await count('attempts')) >= 1, {
      description: `the first process to log an attempt (stderr: ${first.stderr()})`,
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    const publishing = publishAsAStream(firstHalf.slice(5), 5);
    await waitFor(async () => (await count('webhook_failures')) >= 20, {
      description: `the first process to count failures (stderr: ${first.stderr()})`,
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await publishing;
    const countedAtKill = await count('webhook_failures');
    // Killed mid-stream: the first process had not counted all the failures published.
    expect(countedAtKill).toBeLessThan(failuresBeforeKill);
    expect((await webhookRow(database.knex, failing.webhookId)).status).toBe('online');

    await publishAsAStream(secondHalf);
    const second = startHealthProcess();
    await waitFor(async () => (await count('attempts')) === firstHalf.length + secondHalf.length, {
      description: `the restarted process to log every attempt (stderr: ${second.stderr()})`,
      timeoutMs: 90_000,
      intervalMs: 100,
    });
    await waitFor(() => lifecycle.messages.some((message) => message.webhook_id === failing.webhookId), {
      description: 'the lifecycle message',
    });
    await waitFor(async () => (await count('webhook_lifecycle_outbox')) === 0, { description: 'the outbox to drain' });

    expect(await failuresOf(database.knex, failing.webhookId)).toBe(80);
    for (const webhook of flaky) expect(await failuresOf(database.knex, webhook.webhookId)).toBe(40);
    expect(await count('calls')).toBe(firstHalf.length + secondHalf.length);
    expect(await webhookRow(database.knex, failing.webhookId)).toEqual({ status: 'offline', offline_reason: 'failure_threshold' });
    for (const webhook of flaky) {
      expect(await webhookRow(database.knex, webhook.webhookId)).toEqual({ status: 'online', offline_reason: null });
    }
    const offlineMessages = lifecycle.messages.filter((message) => message.webhook_id === failing.webhookId);
    expect(offlineMessages).toEqual([expect.objectContaining({ type: 'webhook.offline', reason: 'failure_threshold' })]);
    // The batch holding the 51st failure may hold later ones too: it reports what it counted.
    expect(offlineMessages[0]?.failure_count).toBeGreaterThanOrEqual(51);
    expect(second.child.exitCode).toBeNull();

    // SIGTERM stops it cleanly (exit code 0).
    second.child.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => second.child.once('exit', (code) => resolve(code)));
    expect(exitCode).toBe(0);
  });
});
