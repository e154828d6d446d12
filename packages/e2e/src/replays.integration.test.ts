import { createHmac, randomBytes } from 'node:crypto';
import { deriveEventId } from '@hookstream/events';
import { anyFreePort } from '@hookstream/local-infra';
import { testKafka, waitFor } from '@hookstream/testkit';
import type { Admin, Producer } from '@hookstream/kafka';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * Replays (docs/replays.md) end to end: the API records the job, the router scans
 * domain-events and the sender delivers to a real HTTP receiver; the call log is written
 * by the health service.
 */
describe('replays from the Kafka log', () => {
  let harness: Harness;
  let api: string;
  let apiKey: string;
  let workspace: { id: string; name: string };
  let other: { id: string; name: string };
  let producer: Producer;
  let admin: Admin;
  const adminToken = randomBytes(24).toString('hex');

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'x-dotfile-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted on, not typed
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  }

  async function createWorkspace(name: string) {
    const created = await fetch(`${api}/admin/v1/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return (await created.json()) as { id: string; name: string; api_key: string };
  }

  async function createWebhook(path: string, events: string[]) {
    const created = await call('POST', '/v1/webhooks', { url: harness.receiver.url(path), events });
    expect(created.status).toBe(201);
    // Routed by the router within its refresh interval (docs/webhooks.md).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return created.body as { id: string; secret: string };
  }

  const replayed = (path: string, eventId: string) => harness.receiver.requestsTo(path).filter((request) => request.headers['dotfile-event-id'] === eventId);

  async function finished(replayId: string) {
    return waitFor(
      async () => {
        const replay = await call('GET', `/v1/replays/${replayId}`);
        return replay.body.status === 'running' ? undefined : replay.body;
      },
      { description: 'the replay to end', timeoutMs: 60_000 },
    );
  }

  // Fetches of 16 KiB: a replay of a few dozen events already takes several fetches of a
  // partition, as a replay of a long range does with the default 1 MiB.
  const routerSettings = { REPLAY_RATE_PER_SECOND: '20', REPLAY_POLL_INTERVAL: '200ms', REPLAY_LEASE: '3s', REPLAY_FETCH_MAX_BYTES: '16384' };

  beforeAll(async () => {
    harness = await createHarness('replays');
    const apiPort = await anyFreePort();
    api = `http://127.0.0.1:${apiPort}`;
    await Promise.all([
      harness.start('api', { API_PORT: String(apiPort), ADMIN_TOKEN: adminToken }),
      harness.start('router', routerSettings),
      harness.start('sender'),
      harness.start('health'),
    ]);
    const created = await createWorkspace('Replays');
    apiKey = created.api_key;
    workspace = { id: created.id, name: created.name };
    const second = await createWorkspace('Neighbour');
    other = { id: second.id, name: second.name };
    producer = testKafka('replays').producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = testKafka('replays').admin();
    await Promise.all([producer.connect(), admin.connect()]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await harness?.close();
  });

  it('re-delivers failed and succeeded calls, signed, with their event ids, and nothing that never matched', async () => {
    const path = '/replay-mixed';
    const webhook = await createWebhook(path, ['Case.Created']);
    const from = new Date(Date.now() - 1_000).toISOString();

    // A call that failed, then one that succeeded.
    harness.receiver.behave(path, { kind: 'status', status: 500 });
    const failed = domainEvent({ type: 'Case.Created', workspace });
    await harness.publish([failed]);
    const failedId = deriveEventId(failed.id, webhook.id);
    await waitFor(async () => (await harness.database.knex('calls').where({ event_id: failedId, status: 'retrying' }).first()) ?? undefined, {
      description: 'the failed first call in the log',
    });
    harness.receiver.behave(path, { kind: 'status', status: 200 });
    const succeeded = domainEvent({ type: 'Case.Created', workspace });
    await harness.publish([succeeded]);
    const succeededId = deriveEventId(succeeded.id, webhook.id);
    await waitFor(async () => (await harness.database.knex('calls').where({ event_id: succeededId, status: 'succeeded' }).first()) ?? undefined, {
      description: 'the successful first call in the log',
    });
    // Never matched: a type the webhook is not subscribed to, and another workspace's event.
    const unsubscribed = domainEvent({ type: 'Individual.Created', workspace });
    const neighbours = domainEvent({ type: 'Case.Created', workspace: other });
    await harness.publish([unsubscribed, neighbours]);

    const created = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from, to: new Date(Date.now() + 1_000).toISOString() });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ webhook_id: webhook.id, status: 'running', events_scanned: 0, calls_made: 0 });
    const done = await finished(created.body.id);
    expect(done).toMatchObject({ status: 'done', events_scanned: 4, calls_made: 2, failure_reason: null });

    const [failedAgain, succeededAgain] = await waitFor(
      () => {
        const again = [replayed(path, failedId)[1], replayed(path, succeededId)[1]];
        return again.every(Boolean) ? again : undefined;
      },
      { description: 'both calls replayed' },
    );
    for (const request of [failedAgain, succeededAgain]) {
      const signature = createHmac('sha256', webhook.secret).update(request!.rawBody).digest('hex');
      expect(request!.headers['dotfile-signature']).toBe(signature);
      // Each replay takes the call's next retry number; its retries follow from there.
      expect(request!.headers['dotfile-retry-count']).toBe('1');
      expect(request!.headers['dotfile-remaining-retry-count']).toBe('4');
    }
    expect((failedAgain!.body.context as { event_id: string }).event_id).toBe(failedId);

    // The call log has the replays as attempts of their calls; the failed call now succeeded.
    const attempts = await waitFor(
      async () => {
        const rows: Array<{ event_id: string; type: string; status: string }> = await harness.database
          .knex('attempts')
          .join('calls', 'calls.id', 'attempts.call_id')
          .whereIn('calls.event_id', [failedId, succeededId])
          .orderBy('attempts.attempted_at')
          .select('calls.event_id', 'attempts.type', 'calls.status');
        return rows.length === 4 ? rows : undefined;
      },
      { description: 'the replayed attempts in the call log' },
    );
    expect(attempts.filter((row) => row.event_id === failedId).map((row) => row.type)).toEqual(['first_call', 'replay']);
    expect(attempts.filter((row) => row.event_id === succeededId).map((row) => row.type)).toEqual(['first_call', 'replay']);
    expect(new Set(attempts.map((row) => row.status))).toEqual(new Set(['succeeded']));
    // Nothing went to this webhook for the events it never got.
    expect(replayed(path, deriveEventId(unsubscribed.id, webhook.id))).toHaveLength(0);
    expect(replayed(path, deriveEventId(neighbours.id, webhook.id))).toHaveLength(0);
    expect(harness.receiver.requestsTo(path)).toHaveLength(4);
  });

  it('reports progress while it runs, and stops when cancelled', async () => {
    const path = '/replay-cancelled';
    const webhook = await createWebhook(path, ['Case.Created']);
    const from = new Date(Date.now() - 1_000).toISOString();
    const events = Array.from({ length: 400 }, () => domainEvent({ type: 'Case.Created', workspace }));
    await harness.publish(events);
    await waitFor(() => harness.receiver.requestsTo(path).length >= 400, { description: 'the first calls', timeoutMs: 60_000 });

    const created = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from, to: new Date().toISOString() });
    expect(created.status).toBe(202);
    // A second replay of the same webhook waits for this one.
    const second = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from, to: new Date().toISOString() });
    expect(second.status).toBe(409);

    const progressing = await waitFor(
      async () => {
        const replay = await call('GET', `/v1/replays/${created.body.id}`);
        return replay.body.calls_made >= 40 ? replay.body : undefined;
      },
      { description: 'progress', timeoutMs: 30_000 },
    );
    expect(progressing).toMatchObject({ status: 'running' });
    expect(progressing.events_scanned).toBeGreaterThanOrEqual(progressing.calls_made);

    const cancelled = await call('POST', `/v1/replays/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call('POST', `/v1/replays/${created.body.id}/cancel`)).status).toBe(409);

    // At 20 calls a second, the remaining 300-odd would take 15 s: the worker stops at its
    // next step instead, and the count it recorded stays where the cancel found it.
    const replayedCount = () => harness.receiver.requestsTo(path).length - 400;
    await waitFor(() => replayedCount() >= cancelled.body.calls_made, { description: 'the calls made before the cancel' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(replayedCount()).toBeLessThanOrEqual(cancelled.body.calls_made + 20);
    expect((await call('GET', `/v1/replays/${created.body.id}`)).body).toMatchObject({ status: 'cancelled', calls_made: cancelled.body.calls_made });
  });

  it('reads a range stored in many record batches through to its end', async () => {
    const path = '/replay-long';
    const webhook = await createWebhook(path, ['Case.Created']);
    const from = new Date(Date.now() - 1_000).toISOString();
    const events = Array.from({ length: 150 }, () => domainEvent({ type: 'Case.Created', workspace }));
    // One send per ten events: each a record batch of its own, so that the replay, fetching
    // 16 KiB at a time, needs many fetches of the partition, as a long range does.
    for (let start = 0; start < events.length; start += 10) await harness.publish(events.slice(start, start + 10));
    await waitFor(() => harness.receiver.requestsTo(path).length >= events.length, { description: 'the first calls', timeoutMs: 60_000 });

    const created = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from, to: new Date().toISOString() });
    expect(created.status).toBe(202);
    expect(await finished(created.body.id)).toMatchObject({ status: 'done', calls_made: events.length });
    await waitFor(() => events.every((event) => replayed(path, deriveEventId(event.id, webhook.id)).length >= 2), {
      description: 'every event replayed',
      timeoutMs: 30_000,
    });
  });

  it('resumes after the router is killed, losing no call', async () => {
    const path = '/replay-crash';
    const webhook = await createWebhook(path, ['Case.Created']);
    const from = new Date(Date.now() - 1_000).toISOString();
    const events = Array.from({ length: 200 }, () => domainEvent({ type: 'Case.Created', workspace }));
    await harness.publish(events);
    await waitFor(() => harness.receiver.requestsTo(path).length >= 200, { description: 'the first calls', timeoutMs: 60_000 });

    const created = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from, to: new Date().toISOString() });
    await waitFor(async () => ((await call('GET', `/v1/replays/${created.body.id}`)).body.calls_made >= 40 ? true : undefined), {
      description: 'the replay under way',
      timeoutMs: 30_000,
    });
    await harness.services.get('router')!.kill();
    await harness.start('router', routerSettings);

    const done = await finished(created.body.id);
    expect(done.status).toBe('done');
    const missing = await waitFor(
      () => {
        const notReplayed = events.filter((event) => replayed(path, deriveEventId(event.id, webhook.id)).length < 2);
        return notReplayed.length === 0 ? notReplayed : undefined;
      },
      { description: 'every event replayed', timeoutMs: 30_000 },
    );
    expect(missing).toEqual([]);
  });

  it('refuses bad ranges, event types and offline webhooks with the reason', async () => {
    const webhook = await createWebhook('/replay-refused', ['Case.Created', 'Case.Updated']);
    const replay = (body: unknown) => call('POST', `/v1/webhooks/${webhook.id}/replays`, body);
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();

    const backwards = await replay({ from: iso(now - 1_000), to: iso(now - 2_000) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details).toEqual([{ field: 'to', location: 'body', message: 'must be after `from`' }]);

    const tooLong = await replay({ from: iso(now - 31 * 86_400_000), to: iso(now) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details).toEqual([{ field: 'to', location: 'body', message: 'must be at most 30 days after `from`' }]);

    const unknown = await replay({ from: iso(now - 1_000), to: iso(now), events: ['Case.Exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].field).toBe('events.0');
    expect(unknown.body.details[0].message).toContain('valid event types are: Case.Created, Case.Updated');

    const unsubscribed = await replay({ from: iso(now - 1_000), to: iso(now), events: ['Case.StatusUpdated', 'Case.Deleted'] });
    expect(unsubscribed.status).toBe(400);
    expect(unsubscribed.body.details).toEqual([
      { field: 'events.1', location: 'body', message: 'the webhook is not subscribed to Case.Deleted; it gets: Case.Created, Case.Updated' },
    ]);

    const offline = await createWebhook('/replay-offline', ['Case.Created']);
    expect((await call('PATCH', `/v1/webhooks/${offline.id}`, { status: 'offline' })).status).toBe(200);
    const refused = await call('POST', `/v1/webhooks/${offline.id}/replays`, { from: iso(now - 1_000), to: iso(now) });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('offline');

    // Another workspace's key sees neither the webhook nor its replays.
    const neighbour = await createWorkspace('Stranger');
    const stranger = await fetch(`${api}/v1/webhooks/${webhook.id}/replays`, {
      method: 'POST',
      headers: { 'x-dotfile-api-key': neighbour.api_key, 'content-type': 'application/json' },
      body: JSON.stringify({ from: iso(now - 1_000), to: iso(now) }),
    });
    expect(stranger.status).toBe(404);
  });

  it('answers 422 naming the oldest time Kafka holds when the range starts before it', async () => {
    const webhook = await createWebhook('/replay-retention', ['Case.Created']);
    const lostAt = Date.now() - 60_000;
    const keptAt = Date.now() - 30_000;
    // Two events of one workspace (one partition), timestamped in the past; the first is deleted.
    const [lost] = await producer.send({
      topic: harness.topics.domainEvents,
      acks: -1,
      messages: [{ key: other.id, value: JSON.stringify(domainEvent({ type: 'Case.Created', workspace: other })), timestamp: String(lostAt) }],
    });
    const [kept] = await producer.send({
      topic: harness.topics.domainEvents,
      acks: -1,
      messages: [{ key: other.id, value: JSON.stringify(domainEvent({ type: 'Case.Created', workspace: other })), timestamp: String(keptAt) }],
    });
    expect(kept!.partition).toBe(lost!.partition);
    // kafkajs deletes records only in topics whose metadata it has loaded.
    await admin.fetchTopicOffsets(harness.topics.domainEvents);
    await admin.deleteTopicRecords({ topic: harness.topics.domainEvents, partitions: [{ partition: kept!.partition, offset: kept!.baseOffset as string }] });

    const refused = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from: new Date(lostAt - 1_000).toISOString(), to: new Date().toISOString() });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('range_unavailable');
    expect(refused.body.message).toContain(`the oldest time available is ${new Date(keptAt).toISOString()}`);
    expect(refused.body.details).toEqual([{ field: 'from', location: 'body', message: `must be at or after ${new Date(keptAt).toISOString()}, the oldest time available` }]);

    const accepted = await call('POST', `/v1/webhooks/${webhook.id}/replays`, { from: new Date(keptAt).toISOString(), to: new Date().toISOString() });
    expect(accepted.status).toBe(202);
    expect((await finished(accepted.body.id)).status).toBe('done');
  });
});
