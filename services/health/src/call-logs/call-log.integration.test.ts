import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@hookstream/testkit';
import type { Producer, TopicNames } from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage, manualRetryDelivery, type DeliveryMessage, type OutcomeMessage } from '@hookstream/messages';
import { Registry, createLogger } from '@hookstream/observability';
import type { HealthService } from '../health-service';
import { createHealthMetrics, type HealthMetrics } from '../metrics';
import { createFailureWindowDal } from '../offline-rule/failure-window-dal';
import { createRetentionSweeper } from '../retention-sweeper';
import {
  connectedProducer,
  failuresOf,
  publishOutcomes,
  seedWebhook,
  startHealthInProcess,
  waitForAllConsumed,
} from '../test-support/health-harness';
import { ACCEPTED, firstCallOf, makeOutcome, nextAttemptOf } from '../test-support/outcomes';
import { createCallLogDal } from './call-log-dal';

/**
 * The call log written from webhook-outcomes by the health service, against the real
 * broker and database: one log per call with its attempts, idempotent under
 * redelivery, statuses moving only forward, and the retention purge.
 */
describe('call logs from webhook-outcomes', () => {
  const prefix = uniquePrefix('health-logs');
  const group = `${prefix}health`;
  let topics: TopicNames;
  let database: TestDatabase;
  let producer: Producer;
  let service: HealthService;
  let metrics: HealthMetrics;
  let fatal: unknown[];

  beforeAll(async () => {
    [topics, database] = await Promise.all([createTestTopics(prefix), createTestDatabase()]);
    producer = await connectedProducer();
    ({ service, metrics, fatal } = await startHealthInProcess({ prefix, topics, knex: database.knex }));
  });

  afterAll(async () => {
    await service?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  afterEach(() => {
    expect(fatal).toEqual([]);
  });

  const callOf = (eventId: string) => database.knex('calls').where({ event_id: eventId }).first();
  const attemptsOf = async (eventId: string) =>
    database.knex('attempts').join('calls', 'calls.id', 'attempts.call_id').where('calls.event_id', eventId).orderBy('attempts.attempted_at').select('attempts.*');

  function timeline(start: number) {
    return (seconds: number) => new Date(start + seconds * 1_000).toISOString();
  }

  it('writes one log per call with every attempt as the sender reported it', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const first = makeOutcome({ webhook_id: webhookId, workspace_id: workspaceId, attempted_at: at(0), first_attempt_at: at(0), next_retry_at: at(1) });
    const retry1 = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(1),
      next_retry_at: at(4),
      status_code: null,
      failure_kind: 'timeout',
      error: 'no response within 30 s',
      response: null,
      duration_ms: 30_000,
    });
    const retry2 = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 2,
      attempted_at: at(4),
      result: 'succeeded',
      status_code: 200,
      failure_kind: null,
      error: null,
      next_retry_at: null,
      final: true,
      endpoint: 'http://127.0.0.1:9/moved',
      response: { headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [first]);
    const retrying = await waitFor(async () => (await callOf(first.event_id)) ?? false, { description: 'the first call logged' });
    expect(retrying).toMatchObject({ status: 'retrying', retry_count: 0, status_code: 500 });
    expect(new Date(retrying.next_retry_at).toISOString()).toBe(at(1));

    await publishOutcomes(producer, topics.webhookOutcomes, [retry1, retry2]);
    const call = await waitFor(
      async () => {
        const row = await callOf(first.event_id);
        return row?.status === 'succeeded' ? row : false;
      },
      { description: 'the call to succeed' },
    );
    expect(call).toMatchObject({
      webhook_id: webhookId,
      workspace_id: workspaceId,
      domain_event_id: first.domain_event_id,
      event: 'Case.Updated',
      sub_event: 'Case.StatusUpdated',
      status: 'succeeded',
      status_reason: null,
      status_code: 200,
      endpoint: 'http://127.0.0.1:9/moved',
      retry_count: 2,
      next_retry_at: null,
      case_id: 'case-1',
      individual_id: null,
      company_id: null,
      payload: JSON.parse(retry2.request.body),
      domain_event: first.domain_event,
    });
    expect(new Date(call.first_attempt_at).toISOString()).toBe(at(0));
    expect(new Date(call.last_attempt_at).toISOString()).toBe(at(4));

    const attempts = await attemptsOf(first.event_id);
    expect(
      attempts.map((attempt) => ({ ...attempt, attempted_at: new Date(attempt.attempted_at).toISOString(), call_id: undefined })),
    ).toEqual(
      [first, retry1, retry2].map((outcome) => ({
        id: outcome.attempt_id,
        call_id: undefined,
        type: outcome.type,
        retry_count: outcome.retry_count,
        endpoint: outcome.endpoint,
        status_code: outcome.status_code,
        error: outcome.error,
        duration_ms: outcome.duration_ms,
        request_headers: outcome.request.headers,
        response_headers: outcome.response?.headers ?? null,
        response_body: outcome.response?.body ?? null,
        attempted_at: outcome.attempted_at,
      })),
    );
    expect(await failuresOf(database.knex, webhookId)).toBe(2);
  });

  it('adds nothing for a redelivered outcome, and never moves a call back to an older state', async () => {
    const { webhookId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const first = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0) });
    const success = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(1),
      ...ACCEPTED,
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [first, success]);
    await waitFor(async () => (await callOf(first.event_id))?.status === 'succeeded', { description: 'the call to succeed' });
    const attemptsBefore = (await metrics.attemptsWritten.get()).values[0]?.value;

    // The older outcome alone, in a later batch (as a late redelivery would come), then
    // both again, as after a crash before the offsets were committed.
    await publishOutcomes(producer, topics.webhookOutcomes, [first]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await callOf(first.event_id)).toMatchObject({ status: 'succeeded', status_code: 200, retry_count: 1 });
    await publishOutcomes(producer, topics.webhookOutcomes, [first, success]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    // A batch without failures is written without a transaction of its own: the same holds.
    await publishOutcomes(producer, topics.webhookOutcomes, [success]);
    await waitForAllConsumed(group, topics.webhookOutcomes);

    expect(await attemptsOf(first.event_id)).toHaveLength(2);
    expect(await failuresOf(database.knex, webhookId)).toBe(1);
    expect(await callOf(first.event_id)).toMatchObject({ status: 'succeeded', status_code: 200, retry_count: 1 });
    expect((await metrics.attemptsWritten.get()).values[0]?.value).toBe(attemptsBefore);
  });

  it('keeps a call at its highest retry when an earlier attempt is made again later', async () => {
    // A sender that lost its partition before committing sends the first call again after
    // the call's retry 2 was accepted: that attempt is later, but it is still retry 0.
    const { webhookId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const first = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0) });
    const retry1 = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(1), next_retry_at: at(4) });
    const accepted = nextAttemptOf(first, {
      type: 'automatic_retry',
      retry_count: 2,
      attempted_at: at(4),
      ...ACCEPTED,
    });
    const firstAgain = makeOutcome({ ...first, attempt_id: randomUUID(), attempted_at: at(5) });
    await publishOutcomes(producer, topics.webhookOutcomes, [first, retry1, accepted]);
    await waitFor(async () => (await callOf(first.event_id))?.status === 'succeeded', { description: 'the call to succeed' });

    // In a later batch, and in the same batch as the accepted retry.
    await publishOutcomes(producer, topics.webhookOutcomes, [firstAgain]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await callOf(first.event_id)).toMatchObject({ status: 'succeeded', status_code: 200, retry_count: 2 });
    const other = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0) });
    const otherAccepted = nextAttemptOf(other, { ...accepted, event_id: other.event_id, attempt_id: randomUUID(), retry_count: 1 });
    await publishOutcomes(producer, topics.webhookOutcomes, [other, otherAccepted, makeOutcome({ ...other, attempt_id: randomUUID(), attempted_at: at(5) })]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await callOf(other.event_id)).toMatchObject({ status: 'succeeded', retry_count: 1 });
    // Every attempt is still logged.
    expect(await attemptsOf(first.event_id)).toHaveLength(4);
  });

  it('keeps the domain event of a call whose first call and retry are logged in one batch, so it can still be retried by hand', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const domainEvent = {
      id: randomUUID(),
      type: 'Case.StatusUpdated',
      occurred_at: at(0),
      workspace: { id: workspaceId, name: 'Acme' },
      entity: { id: 'case-1' },
      context: {},
    };
    const first = makeOutcome({ webhook_id: webhookId, workspace_id: workspaceId, attempted_at: at(0), first_attempt_at: at(0), domain_event: domainEvent });
    // As the sender produces it: a retry's outcome carries no domain event.
    const retry = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 1, attempted_at: at(1), next_retry_at: at(4) });
    await publishOutcomes(producer, topics.webhookOutcomes, [first, retry]);
    const row = await waitFor(
      async () => {
        const found = await callOf(first.event_id);
        return found?.retry_count === 1 ? found : false;
      },
      { description: 'both attempts to be logged' },
    );
    expect(row.domain_event).toEqual(domainEvent);
    expect(row.payload).toEqual(JSON.parse(retry.request.body));
    expect(manualRetryDelivery({ ...row, retry_count: 1 }, new Date())).toBeDefined();

    // A later outcome that carries another domain event does not replace what was first written.
    const late = nextAttemptOf(first, { type: 'automatic_retry', retry_count: 2, attempted_at: at(4), next_retry_at: at(13), domain_event: { id: 'other' } });
    await publishOutcomes(producer, topics.webhookOutcomes, [late]);
    await waitFor(async () => (await callOf(first.event_id))?.retry_count === 2, { description: 'the second retry to be logged' });
    expect((await callOf(first.event_id))?.domain_event).toEqual(domainEvent);
  });

  const publishDeliveries = (deliveries: readonly DeliveryMessage[]) =>
    producer.send({
      topic: topics.webhookDeliveries,
      acks: -1,
      messages: deliveries.map((delivery) => ({ key: delivery.event_id, value: encodeMessage(deliveryMessageSchema, delivery) })),
    });

  it('logs a routed first call as pending before any outcome, and lets its first outcome replace that', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const delivery = firstCallOf(webhookId, workspaceId);
    await publishDeliveries([delivery]);
    const pending = await waitFor(async () => (await callOf(delivery.event_id)) ?? false, { description: 'the routed call to be logged' });
    expect(pending).toMatchObject({
      status: 'pending',
      webhook_id: webhookId,
      workspace_id: workspaceId,
      domain_event_id: delivery.domain_event.id,
      event: 'Individual.Updated',
      individual_id: 'ind-7',
      case_id: 'case-3',
      retry_count: 0,
      last_attempt_at: null,
      domain_event: delivery.domain_event,
    });
    expect(await attemptsOf(delivery.event_id)).toHaveLength(0);

    const at = timeline(Date.now());
    const first = makeOutcome({ event_id: delivery.event_id, webhook_id: webhookId, workspace_id: workspaceId, domain_event_id: delivery.domain_event.id, attempted_at: at(0), first_attempt_at: at(0) });
    await publishOutcomes(producer, topics.webhookOutcomes, [first]);
    await waitFor(async () => (await callOf(delivery.event_id))?.status === 'retrying', { description: 'the outcome to replace pending' });
    // The same first call read again (a redelivery) changes nothing.
    await publishDeliveries([delivery]);
    await waitForAllConsumed(`${group}-pending`, topics.webhookDeliveries);
    expect(await callOf(delivery.event_id)).toMatchObject({ status: 'retrying', status_code: 500, domain_event: delivery.domain_event });
  });

  it('leaves a call logged by its outcome as it is when its routed first call is read later', async () => {
    const { webhookId, workspaceId } = await seedWebhook(database.knex);
    const delivery = firstCallOf(webhookId, workspaceId);
    const at = timeline(Date.now());
    const success = makeOutcome({
      event_id: delivery.event_id,
      webhook_id: webhookId,
      workspace_id: workspaceId,
      domain_event_id: delivery.domain_event.id,
      attempted_at: at(0),
      first_attempt_at: at(0),
      ...ACCEPTED,
      domain_event: null,
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [success]);
    await waitFor(async () => (await callOf(delivery.event_id))?.status === 'succeeded', { description: 'the outcome to be logged' });
    await publishDeliveries([delivery, firstCallOf(webhookId, workspaceId, { type: 'manual_retry', event_id: delivery.event_id })]);
    await waitForAllConsumed(`${group}-pending`, topics.webhookDeliveries);
    // The row keeps its outcome; only the domain event it lacked is filled in.
    expect(await callOf(delivery.event_id)).toMatchObject({ status: 'succeeded', status_code: 200, domain_event: delivery.domain_event });
  });

  it('ends a call whose retries are exhausted as failed, and lets a manual retry of it succeed', async () => {
    const { webhookId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const first = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0), next_retry_at: at(1) });
    const retries = [1, 4, 13, 40].map((offset, index) =>
      nextAttemptOf(first, {
        type: 'automatic_retry',
        retry_count: index + 1,
        attempted_at: at(offset),
        next_retry_at: index < 3 ? at([4, 13, 40][index] as number) : null,
        final: index === 3,
      }),
    );
    await publishOutcomes(producer, topics.webhookOutcomes, [first, ...retries]);
    const failed = await waitFor(
      async () => {
        const row = await callOf(first.event_id);
        return row?.status === 'failed' ? row : false;
      },
      { description: 'the call to fail' },
    );
    expect(failed).toMatchObject({ retry_count: 4, next_retry_at: null, status_code: 500 });
    expect((await attemptsOf(first.event_id)).map((attempt) => [attempt.type, attempt.retry_count])).toEqual([
      ['first_call', 0],
      ['automatic_retry', 1],
      ['automatic_retry', 2],
      ['automatic_retry', 3],
      ['automatic_retry', 4],
    ]);

    const manual = nextAttemptOf(first, {
      type: 'manual_retry',
      retry_count: 5,
      attempted_at: at(50),
      result: 'succeeded',
      status_code: 202,
      error: null,
      failure_kind: null,
      next_retry_at: null,
      final: true,
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [manual]);
    await waitFor(async () => (await callOf(first.event_id))?.status === 'succeeded', { description: 'the manual retry to succeed' });
    expect(await callOf(first.event_id)).toMatchObject({ retry_count: 5, status_code: 202 });
    expect(await attemptsOf(first.event_id)).toHaveLength(6);
  });

  it('cancels a call whose retry is not sent to an offline or deleted webhook, saying why', async () => {
    const { webhookId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const notSent = (previous: OutcomeMessage, reason: 'webhook_offline' | 'webhook_deleted', seconds: number) =>
      nextAttemptOf(previous, {
        type: 'automatic_retry',
        retry_count: 1,
        attempted_at: at(seconds),
        result: 'not_sent',
        not_sent_reason: reason,
        failure_kind: null,
        error: null,
        status_code: null,
        response: null,
        request: { headers: {}, body: '' },
        next_retry_at: null,
        final: true,
      });
    const toOffline = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0) });
    const toDeleted = makeOutcome({ webhook_id: webhookId, attempted_at: at(0), first_attempt_at: at(0) });
    // A first call that was never sent: the log exists, with no attempt.
    const neverSent = { ...notSent(makeOutcome({ webhook_id: webhookId }), 'webhook_deleted', 0), type: 'first_call' as const, retry_count: 0 };
    await publishOutcomes(producer, topics.webhookOutcomes, [
      toOffline,
      toDeleted,
      notSent(toOffline, 'webhook_offline', 1),
      notSent(toDeleted, 'webhook_deleted', 1),
      neverSent,
    ]);
    await waitForAllConsumed(group, topics.webhookOutcomes);

    expect(await callOf(toOffline.event_id)).toMatchObject({ status: 'cancelled', status_reason: 'webhook_offline', status_code: 500, next_retry_at: null });
    expect(await callOf(toDeleted.event_id)).toMatchObject({ status: 'cancelled', status_reason: 'webhook_deleted', retry_count: 0 });
    expect(await attemptsOf(toOffline.event_id)).toHaveLength(1);
    expect(await callOf(neverSent.event_id)).toMatchObject({ status: 'cancelled', status_reason: 'webhook_deleted', status_code: null, endpoint: null });
    expect(await attemptsOf(neverSent.event_id)).toHaveLength(0);
  });

  it('records nothing for a retry not sent because the call already succeeded', async () => {
    const { webhookId } = await seedWebhook(database.knex);
    const at = timeline(Date.now());
    const success = makeOutcome({
      webhook_id: webhookId,
      attempted_at: at(0),
      ...ACCEPTED,
    });
    const skipped = nextAttemptOf(success, {
      type: 'automatic_retry',
      retry_count: 1,
      attempted_at: at(1),
      result: 'not_sent',
      not_sent_reason: 'already_succeeded',
      status_code: null,
      response: null,
      final: true,
      next_retry_at: null,
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [success, skipped]);
    await waitForAllConsumed(group, topics.webhookOutcomes);
    expect(await callOf(success.event_id)).toMatchObject({ status: 'succeeded', status_code: 200, retry_count: 0 });
    expect(await attemptsOf(success.event_id)).toHaveLength(1);
  });

  it('skips and counts undecodable outcomes without stopping their partition', async () => {
    const outcome = makeOutcome();
    // Same key as the valid outcome: the same partition, and before it.
    await producer.send({
      topic: topics.webhookOutcomes,
      acks: -1,
      messages: [
        { key: outcome.event_id, value: 'not json at all' },
        { key: outcome.event_id, value: JSON.stringify({ version: 1, hello: 'world' }) },
        { key: outcome.event_id, value: null },
      ],
    });
    await publishOutcomes(producer, topics.webhookOutcomes, [outcome]);
    await waitFor(async () => Boolean(await callOf(outcome.event_id)), { description: 'the valid outcome after the bad ones' });
    const undecodable = Object.fromEntries(
      (await metrics.outcomesUndecodable.get()).values.map((value) => [value.labels.reason, value.value]),
    );
    expect(undecodable).toEqual({ not_json: 1, schema_invalid: 1, empty: 1 });
  });

  it('compresses large payloads and response bodies with lz4, and reads them back as sent', async () => {
    const body = JSON.stringify({ context: { event_id: 'e' }, case: { id: 'case-1', notes: 'a long note, '.repeat(400) } });
    const responseBody = 'a long answer, '.repeat(400);
    const outcome = makeOutcome({ request: { headers: {}, body }, response: { headers: {}, body: responseBody } });
    await publishOutcomes(producer, topics.webhookOutcomes, [outcome]);
    await waitFor(async () => (await attemptsOf(outcome.event_id)).length === 1, { description: 'the attempt logged' });
    const { rows } = await database.knex.raw(
      `SELECT pg_column_compression(calls.payload) AS payload, pg_column_compression(attempts.response_body) AS response_body,
              calls.payload AS payload_value, attempts.response_body AS response_body_value
       FROM calls JOIN attempts ON attempts.call_id = calls.id WHERE calls.event_id = ?`,
      [outcome.event_id],
    );
    expect(rows).toEqual([{ payload: 'lz4', response_body: 'lz4', payload_value: JSON.parse(body), response_body_value: responseBody }]);
  });

  it('stores a response body PostgreSQL could not hold as sent, with the bad characters replaced', async () => {
    const outcome = makeOutcome({ response: { headers: {}, body: 'nul\u0000 and lone \uD800 surrogate' } });
    await publishOutcomes(producer, topics.webhookOutcomes, [outcome]);
    await waitFor(async () => (await attemptsOf(outcome.event_id)).length === 1, { description: 'the attempt logged' });
    expect((await attemptsOf(outcome.event_id))[0]?.response_body).toBe('nul\uFFFD and lone \uFFFD surrogate');
  });
});

describe('retention', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('purges call logs (with their attempts) past the retention in small batches, and failures past two windows', async () => {
    const now = new Date();
    const day = 86_400_000;
    const workspaceId = '6f1c2d3e-0000-4000-8000-000000000001';
    const webhookId = '6f1c2d3e-0000-4000-8000-000000000002';
    const callRow = (createdAt: Date) => ({
      event_id: randomUUID(),
      workspace_id: workspaceId,
      webhook_id: webhookId,
      domain_event_id: randomUUID(),
      event: 'Case.Created',
      status: 'succeeded',
      created_at: createdAt,
    });
    const old = Array.from({ length: 2_500 }, () => callRow(new Date(now.getTime() - 31 * day)));
    const recent = Array.from({ length: 10 }, () => callRow(new Date(now.getTime() - 29 * day)));
    for (let start = 0; start < old.length; start += 500) await database.knex('calls').insert(old.slice(start, start + 500));
    await database.knex('calls').insert(recent);
    const [oldCall] = await database.knex('calls').where({ event_id: old[0]?.event_id }).select('id');
    await database.knex('attempts').insert({
      id: randomUUID(),
      call_id: oldCall.id,
      type: 'first_call',
      retry_count: 0,
      endpoint: 'http://127.0.0.1:9/hook',
      duration_ms: 1,
      request_headers: {},
      attempted_at: new Date(now.getTime() - 31 * day),
    });
    await database.knex('webhook_failures').insert([
      { attempt_id: randomUUID(), webhook_id: webhookId, failed_at: new Date(now.getTime() - 2 * day - 1_000) },
      { attempt_id: randomUUID(), webhook_id: webhookId, failed_at: new Date(now.getTime() - 1.5 * day) },
    ]);

    const registry = new Registry();
    const metrics = createHealthMetrics(registry);
    const deletes: number[] = [];
    const callLogs = createCallLogDal();
    const sweeper = createRetentionSweeper({
      knex: database.knex,
      callLogs: {
        purgeCallsCreatedBefore: async (...args) => {
          const deleted = await callLogs.purgeCallsCreatedBefore(...args);
          deletes.push(deleted);
          return deleted;
        },
      },
      failureWindow: createFailureWindowDal(),
      retentionMs: 30 * day,
      failureWindowMs: day,
      intervalMs: 3_600_000,
      metrics,
      logger: createLogger({ service: 'health-test', level: 'silent' }),
      now: () => now,
    });

    expect(await sweeper.sweep()).toEqual({ callLogs: 2_500, failures: 1 });
    expect(deletes).toEqual([1_000, 1_000, 500]);
    const remaining = await database.knex('calls').pluck('event_id');
    expect(remaining.sort()).toEqual(recent.map((call) => call.event_id).sort());
    expect(await database.knex('attempts').count({ count: '*' })).toEqual([{ count: 0 }]);
    expect(await database.knex('webhook_failures').count({ count: '*' })).toEqual([{ count: 1 }]);
    expect((await metrics.callLogsPurged.get()).values[0]?.value).toBe(2_500);
  });
});
