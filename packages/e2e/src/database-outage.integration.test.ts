import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createDatabase, migrateLatest } from '@hookstream/db';
import { deriveEventId } from '@hookstream/events';
import { findRepoRoot, startLocalPostgres, type LocalPostgres } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { scrapeMetrics } from './services';
import { domainEvent } from './seed';

/**
 * PostgreSQL goes away while automatic retries fall due. The sender reads the call's state
 * before each automatic retry: while it cannot, the retry waits (backing off) and is sent
 * once the database is back. No retry may be completed without an attempt and an outcome.
 *
 * The test runs its own PostgreSQL server (the shared one serves other tests at the same
 * time): stopped for about 8 s, over the due times of retries 1 to 3 of every call.
 */
const SCHEDULE = '2s,4s,6s,8s';
const CALLS = 12;

describe('a PostgreSQL outage while retries fall due', () => {
  let harness: Harness;
  let postgres: LocalPostgres;
  let baseDir: string;

  beforeAll(async () => {
    baseDir = path.join(findRepoRoot(), '.data', `dedicated-pg-outage-${randomBytes(4).toString('hex')}`);
    postgres = await startLocalPostgres({ baseDir, ephemeral: true });
    const knex = createDatabase({ url: postgres.url, poolMax: 5 });
    await migrateLatest(knex);
    harness = await createHarness('database-outage', {
      // 60 failures in all: more than the default 50 that set a webhook offline.
      env: { WEBHOOK_RETRY_SCHEDULE: SCHEDULE, WEBHOOK_OFFLINE_THRESHOLD: '1000' },
      database: { url: postgres.url, knex, drop: () => knex.destroy() },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await postgres?.stop();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  });

  it('sends and logs every retry that fell due during the outage once the database is back', async () => {
    const workspace = await harness.seed.workspace('Outage');
    harness.receiver.behave('/outage', { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/outage'), events: ['Case.Created'] });
    await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);

    const events = Array.from({ length: CALLS }, () => domainEvent({ type: 'Case.Created', workspace }));
    const eventIds = events.map((event) => deriveEventId(event.id, webhook.id));
    await harness.publish(events);
    const attemptsOf = (eventId: string) =>
      harness.receiver
        .requestsTo('/outage')
        .filter((request) => request.headers['dotfile-event-id'] === eventId)
        .map((request) => Number(request.headers['dotfile-retry-count']));
    await waitFor(() => eventIds.every((eventId) => attemptsOf(eventId).includes(0)), { description: 'every first call', timeoutMs: 60_000 });

    // Down before retry 1 of any call is due (T0 + 2 s), up after retry 3's (T0 + 6 s).
    await postgres.stop();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    postgres = await startLocalPostgres({ baseDir, port: postgres.port, ephemeral: true });

    // On a timeout, the assertion below shows which attempts each call got.
    await waitFor(() => eventIds.every((eventId) => new Set(attemptsOf(eventId)).size === 5), {
      description: 'all five attempts of every call',
      timeoutMs: 90_000,
    }).catch(() => undefined);
    expect(eventIds.map((eventId) => [...new Set(attemptsOf(eventId))].sort())).toEqual(eventIds.map(() => [0, 1, 2, 3, 4]));

    const calls = await waitFor(
      async () => {
        const rows = await harness.database.knex('calls').whereIn('event_id', eventIds);
        return rows.length === CALLS && rows.every((row: { status: string }) => row.status === 'failed') ? rows : undefined;
      },
      { description: 'every call log to say failed after its last retry', timeoutMs: 60_000 },
    );
    expect(calls.map((row: { retry_count: number }) => row.retry_count)).toEqual(eventIds.map(() => 4));
    // The retries did meet the outage: the sender counted the failed reads and waited.
    const metrics = await scrapeMetrics(harness.services.get('sender') as NonNullable<ReturnType<typeof harness.services.get>>);
    expect(metrics).toMatch(/hookstream_sender_infrastructure_failures_total\{[^}]*reason="database"[^}]*\} [1-9]/);
  });
});
