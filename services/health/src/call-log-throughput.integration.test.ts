import { createTestDatabase, createTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@hookstream/testkit';
import type { Producer, TopicNames } from '@hookstream/kafka';
import type { OutcomeMessage } from '@hookstream/messages';
import type { HealthService } from './health-service';
import { connectedProducer, publishOutcomes, startHealthInProcess } from './test-support/health-harness';
import { ACCEPTED, makeOutcome, nextAttemptOf } from './test-support/outcomes';

const CALLS = 18_000;
const RETRIED_CALLS = 1_000;
const WEBHOOKS = 200;

/**
 * A backlog of 20,000 outcomes (1 KiB payloads; mostly first-call successes, some calls
 * failing once then succeeding) written by the health service: every call and attempt
 * ends up in the log, and the rate is printed. A measurement, not a timed assertion: the
 * figure depends on the machine.
 */
describe('call log throughput', () => {
  const prefix = uniquePrefix('health-throughput');
  let topics: TopicNames;
  let database: TestDatabase;
  let producer: Producer;
  let service: HealthService | undefined;

  beforeAll(async () => {
    [topics, database] = await Promise.all([createTestTopics(prefix), createTestDatabase()]);
    producer = await connectedProducer();
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  it('keeps up with a backlog of outcomes', async () => {
    const [workspace] = await database.knex('workspaces').insert({ name: 'Acme' }).returning('id');
    const webhookRows: Array<{ id: string }> = await database.knex('webhooks')
      .insert(
        Array.from({ length: WEBHOOKS }, () => ({
          workspace_id: workspace.id,
          url: 'http://127.0.0.1:9/hook',
          events: ['Case.Updated'],
          secret_encrypted: 'not-a-real-secret',
        })),
      )
      .returning('id');
    const webhooks = webhookRows.map((row) => ({ webhookId: row.id, workspaceId: workspace.id as string }));
    const payload = JSON.stringify({ context: { event_id: 'x' }, case: { id: 'case-1', notes: 'n'.repeat(900) } });
    const now = Date.now();
    const outcomes: OutcomeMessage[] = [];
    for (let index = 0; index < CALLS + RETRIED_CALLS; index += 1) {
      const webhook = webhooks[index % WEBHOOKS] as (typeof webhooks)[number];
      const attemptedAt = new Date(now - 60_000 + (index % 1_000)).toISOString();
      const base = {
        webhook_id: webhook.webhookId,
        workspace_id: webhook.workspaceId,
        attempted_at: attemptedAt,
        first_attempt_at: attemptedAt,
        request: { headers: { 'content-type': 'application/json' }, body: payload },
      };
      if (index < CALLS) {
        outcomes.push(makeOutcome({ ...base, result: 'succeeded', status_code: 200, error: null, failure_kind: null, next_retry_at: null, final: true }));
      } else {
        const first = makeOutcome(base);
        outcomes.push(
          first,
          nextAttemptOf(first, {
            type: 'automatic_retry',
            retry_count: 1,
            attempted_at: new Date(Date.parse(attemptedAt) + 1_000).toISOString(),
            ...ACCEPTED,
            request: base.request,
          }),
        );
      }
    }
    await publishOutcomes(producer, topics.webhookOutcomes, outcomes);

    const started = await startHealthInProcess({ prefix, topics, knex: database.knex });
    service = started.service;
    const count = async (table: string) => Number((await database.knex(table).count({ count: '*' }))[0]?.count ?? 0);
    // Timed from the first attempt written, so that joining the group is left out.
    const firstWritten = await waitFor(async () => ((await count('attempts')) > 0 ? { at: Date.now(), attempts: await count('attempts') } : false), {
      description: 'the first batch written',
      intervalMs: 10,
    });
    await waitFor(async () => (await count('attempts')) === outcomes.length, {
      description: 'every attempt written',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const seconds = (Date.now() - firstWritten.at) / 1_000;
    const rate = Math.round((outcomes.length - firstWritten.attempts) / seconds);
    console.log(`health: ${outcomes.length} outcomes written to the call log in ${seconds.toFixed(1)} s after the first batch: ${rate} outcomes/s`);

    expect(await count('calls')).toBe(CALLS + RETRIED_CALLS);
    expect(await count('webhook_failures')).toBe(RETRIED_CALLS);
    expect(await database.knex('calls').where({ status: 'succeeded' }).count({ count: '*' })).toEqual([{ count: CALLS + RETRIED_CALLS }]);
    expect(started.fatal).toEqual([]);
  });
});
