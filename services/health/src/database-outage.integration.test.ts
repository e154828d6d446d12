import { createKafka, type Producer, type TopicNames } from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage } from '@hookstream/messages';
import { createLogger } from '@hookstream/observability';
import { createTestTopics, startDedicatedPostgres, testInfrastructure, uniquePrefix, waitFor } from '@hookstream/testkit';
import type { HealthService } from './health-service';
import { connectedProducer, publishOutcomes, seedWebhook, startHealthInProcess, waitForAllConsumed } from './test-support/health-harness';
import { firstCallOf, makeOutcome } from './test-support/outcomes';

/**
 * PostgreSQL stops (pg_ctl) while outcomes and routed calls stream in, and starts again.
 * Both consumers of the health service wait in their groups while it is down, and write
 * everything once it is back, without a crash and restart of either consumer: a restart
 * leaves and rejoins the group (a rebalance that stalls every member) and waits out
 * kafkajs' restart backoff.
 *
 * The consumers get a retry budget of three (under a second): one that handed the
 * database error back to kafkajs would be restarted well within the outage.
 */
const CALLS = 40;

describe('the health service through a PostgreSQL outage', () => {
  const prefix = uniquePrefix('health-pg-outage');
  let topics: TopicNames;
  let postgres: Awaited<ReturnType<typeof startDedicatedPostgres>>;
  let producer: Producer;
  let service: HealthService | undefined;
  const logLines: Array<{ level: string; msg: string; err?: { message?: string } }> = [];

  beforeAll(async () => {
    [topics, postgres] = await Promise.all([createTestTopics(prefix), startDedicatedPostgres('health-outage')]);
    producer = await connectedProducer();
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await postgres?.teardown();
  });

  it('waits while the database is down and logs every call once it is back, without restarting a consumer', async () => {
    const logger = createLogger({
      service: 'health',
      level: 'info',
      destination: { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) },
    });
    const kafka = createKafka({ brokers: testInfrastructure().kafkaBrokers, clientId: 'health-outage', logger, retry: { retries: 3 } });
    let fatal: unknown[];
    ({ service, fatal } = await startHealthInProcess({ prefix, topics, knex: postgres.knex, kafka, logger, settings: { consumerRetry: { retries: 3 } } }));

    const { webhookId, workspaceId } = await seedWebhook(postgres.knex);
    const outcome = () => makeOutcome({ webhook_id: webhookId, workspace_id: workspaceId, result: 'succeeded', status_code: 204, failure_kind: null, error: null, next_retry_at: null, final: true });
    const before = Array.from({ length: CALLS }, outcome);
    await publishOutcomes(producer, topics.webhookOutcomes, before);
    const logged = async (eventIds: string[]) => Number((await postgres.knex('calls').whereIn('event_id', eventIds).count({ n: '*' }))[0]?.n);
    await waitFor(async () => (await logged(before.map((call) => call.event_id))) === CALLS, {
      description: 'the calls before the outage to be logged',
      timeoutMs: 60_000,
    });

    // Both consumers in their groups (a join may need a restart on a busy broker).
    await waitFor(() => service?.isConsuming() === true, { description: 'both consumers to consume', timeoutMs: 60_000 });
    const linesBeforeOutage = logLines.length;
    await postgres.stop();
    // During the outage: outcomes, and routed first calls for the pending-call log.
    const during = Array.from({ length: CALLS }, outcome);
    const routed = Array.from({ length: CALLS }, () => firstCallOf(webhookId, workspaceId));
    await publishOutcomes(producer, topics.webhookOutcomes, during);
    await producer.send({
      topic: topics.webhookDeliveries,
      acks: -1,
      messages: routed.map((delivery) => ({ key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, delivery) })),
    });
    // The outage: a few seconds, over the batches just published.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await postgres.start();

    const eventIds = [...during, ...routed].map((call) => call.event_id);
    await waitFor(async () => (await logged(eventIds)) === 2 * CALLS, {
      description: 'every call of the outage to be logged',
      timeoutMs: 90_000,
    });
    await waitForAllConsumed(`${prefix}health`, topics.webhookOutcomes);
    await waitForAllConsumed(`${prefix}health-pending`, topics.webhookDeliveries);

    // Restarts for the database's sake (a Kafka hiccup on the busy test broker may restart a
    // consumer too, with this small budget, and is not what is tested here).
    const databaseAddress = `127.0.0.1:${new URL(postgres.url).port}`;
    const restarts = logLines
      .slice(linesBeforeOutage)
      .filter((line) => /crashed/.test(line.msg) && (line.err?.message ?? '').includes(databaseAddress))
      .map((line) => `${line.msg}: ${line.err?.message ?? ''}`);
    expect(restarts).toEqual([]);
    expect(fatal).toEqual([]);
    const statuses = await postgres.knex('calls').whereIn('event_id', during.map((call) => call.event_id)).distinct('status');
    expect(statuses).toEqual([{ status: 'succeeded' }]);
  });
});
