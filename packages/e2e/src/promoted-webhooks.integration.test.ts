import { deriveEventId } from '@hookstream/events';
import type { Producer } from '@hookstream/kafka';
import { testKafka, waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { requestManualRetry } from './manual-retry';
import type { ReceivedRequest } from './receiver';
import { domainEvent } from './seed';
import { scrapeMetrics, type RunningService } from './services';

/**
 * docs/webhooks.md "Promoted webhooks", end to end with the real broker, database and an
 * HTTP receiver: over the failure threshold (5 here) a promoted webhook is not set
 * offline; its automatic retries pause (parked, not sent) while first calls and manual
 * retries go on; one probe goes out per probe interval (3 s here); once the receiver
 * recovers, a probe succeeds and the parked retries go out oldest first at the resume rate
 * (4/s here), and every call ends delivered.
 */
const THRESHOLD = 5;
const PROBE_INTERVAL_MS = 3_000;
const RESUME_RATE = 4;
const PATH = '/promoted';

const retryCountOf = (request: ReceivedRequest) => Number(request.headers['dotfile-retry-count']);
const eventIdOf = (request: ReceivedRequest) => String(request.headers['dotfile-event-id']);
const retryKey = (eventId: string, retryCount: number) => `${eventId}/${retryCount}`;

/** A sample's value; `label` (e.g. `result="failed"`) picks one series. Every series also carries `service`. */
function metricValue(text: string, name: string, label?: string): number {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && (label === undefined || candidate.includes(label)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('promoted webhooks, end to end', () => {
  let harness: Harness;
  let sender: RunningService;
  let producer: Producer;

  beforeAll(async () => {
    harness = await createHarness('promoted', {
      env: {
        // Short enough that no retry waits long in a tier; a call advances only when it is attempted.
        WEBHOOK_RETRY_SCHEDULE: '2s,4s,6s,8s',
        WEBHOOK_OFFLINE_THRESHOLD: String(THRESHOLD),
        SENDER_PAUSED_RETRY_PROBE_INTERVAL: `${PROBE_INTERVAL_MS}ms`,
        SENDER_PAUSED_RETRY_RESUME_RATE: String(RESUME_RATE),
        SENDER_PAUSED_RETRY_CHECK_INTERVAL: '100ms',
      },
    });
    producer = testKafka('promoted-manual-retry').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    [, sender] = await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await harness?.close();
  });

  it('pauses its retries instead of going offline, probes at the interval, and delivers every parked retry oldest first once the receiver recovers', async () => {
    const { knex } = harness.database;
    const workspace = await harness.seed.workspace('Promoted');
    harness.receiver.behave(PATH, { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url(PATH), events: ['Case.Created'] });
    await harness.seed.update(webhook.id, { promoted: true });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const webhookRow = () => knex('webhooks').where({ id: webhook.id }).first('status', 'offline_reason', 'retry_state', 'retry_state_since');
    const automaticRetries = (from = 0, to = Number.POSITIVE_INFINITY) =>
      harness.receiver.requestsTo(PATH).filter((request) => retryCountOf(request) > 0 && request.receivedAt >= from && request.receivedAt < to);

    // 8 failing first calls: over the threshold of 5.
    const events = Array.from({ length: 8 }, () => domainEvent({ type: 'Case.Created', workspace }));
    await harness.publish(events);
    await waitFor(async () => (await webhookRow()).retry_state === 'paused', { description: 'the retries to pause' });
    const pausedAt = Date.now();
    expect(await webhookRow()).toMatchObject({ status: 'online', offline_reason: null });

    // Every retry 1 falls due 2 s after its first call: parked, and the call log says so.
    await waitFor(
      async () => {
        const [row] = await knex('calls').where({ webhook_id: webhook.id, status: 'retrying', status_reason: 'retries_paused' }).count({ count: '*' });
        return Number(row?.count) >= 7;
      },
      { description: 'the call log to show the paused retries', timeoutMs: 20_000 },
    );

    // First calls keep flowing while paused (they fail too, and their retries park as well).
    const later = Array.from({ length: 2 }, () => domainEvent({ type: 'Case.Created', workspace }));
    await harness.publish(later);
    await waitFor(() => harness.receiver.requestsTo(PATH).filter((request) => retryCountOf(request) === 0).length === 10, {
      description: 'the two first calls made while paused',
    });

    // A manual retry is not paused: it goes out at once.
    const manualEventId = deriveEventId((later[1] as { id: string }).id, webhook.id);
    await waitFor(async () => (await knex('calls').where({ event_id: manualEventId }).first()) ?? undefined, { description: 'the call in the log' });
    const manualAskedAt = Date.now();
    await requestManualRetry(harness, manualEventId, producer);
    const manual = await waitFor(
      () => harness.receiver.requestsTo(PATH).find((request) => request.receivedAt >= manualAskedAt && eventIdOf(request) === manualEventId),
      { description: 'the manual retry' },
    );
    expect(retryCountOf(manual)).toBe(1);
    expect((await webhookRow()).retry_state).toBe('paused');

    // One probe per interval while paused: wait for two, then check nothing else was sent.
    await waitFor(() => automaticRetries(pausedAt).filter((request) => request !== manual).length >= 2, {
      description: 'two probes',
      timeoutMs: 4 * PROBE_INTERVAL_MS + 10_000,
    });
    const snapshot: Array<{ event_id: string; retry_count: number }> = await knex('parked_retries')
      .where({ webhook_id: webhook.id })
      .orderBy([{ column: 'due_at' }, { column: 'parked_at' }, { column: 'event_id' }])
      .select('event_id', 'retry_count');
    expect(snapshot.length).toBeGreaterThanOrEqual(8);

    harness.receiver.behave(PATH, { kind: 'status', status: 200 });
    const recoveredAt = Date.now();
    const probesWhilePaused = automaticRetries(pausedAt, recoveredAt).filter((request) => request !== manual);
    for (let index = 1; index < probesWhilePaused.length; index += 1) {
      const gap = (probesWhilePaused[index] as ReceivedRequest).receivedAt - (probesWhilePaused[index - 1] as ReceivedRequest).receivedAt;
      // Claimed on the database clock, checked every 100 ms: never sooner than the interval.
      expect(gap).toBeGreaterThanOrEqual(PROBE_INTERVAL_MS - 150);
    }
    expect(probesWhilePaused.length).toBeLessThanOrEqual(Math.floor((recoveredAt - pausedAt) / PROBE_INTERVAL_MS) + 1);

    // Nothing lost: every call ends delivered, and the webhook is back to normal.
    const eventIds = [...events, ...later].map((event) => deriveEventId((event as { id: string }).id, webhook.id));
    await waitFor(
      async () => {
        const [row] = await knex('calls').whereIn('event_id', eventIds).where({ status: 'succeeded' }).count({ count: '*' });
        return Number(row?.count) === eventIds.length;
      },
      { description: 'every call delivered', timeoutMs: PROBE_INTERVAL_MS + 30_000 },
    );
    await waitFor(async () => (await webhookRow()).retry_state === 'normal', { description: 'the retries back to normal' });
    expect(await knex('parked_retries').where({ webhook_id: webhook.id })).toEqual([]);
    expect((await webhookRow()).status).toBe('online');

    // After the recovery: the successful probe, then the parked retries, oldest first, at the resume rate.
    const afterRecovery = automaticRetries(recoveredAt);
    const snapshotKeys = snapshot.map((row) => retryKey(row.event_id, row.retry_count));
    const sentKeys = afterRecovery.map((request) => retryKey(eventIdOf(request), retryCountOf(request)));
    const common = new Set(snapshotKeys.filter((key) => sentKeys.includes(key)));
    expect(common.size).toBeGreaterThanOrEqual(5);
    expect(sentKeys.filter((key) => common.has(key))).toEqual(snapshotKeys.filter((key) => common.has(key)));
    const released = afterRecovery.slice(1);
    const spanMs = (released[released.length - 1] as ReceivedRequest).receivedAt - (released[0] as ReceivedRequest).receivedAt;
    // The rate bounds them: n releases span at least n - 2 slots of 1/rate s (a check that
    // came late may use its missed slot at once, never more than one).
    expect(spanMs).toBeGreaterThanOrEqual(((released.length - 2) * 1_000) / RESUME_RATE);

    // Each call got each retry number at most once.
    const keys = harness.receiver.requestsTo(PATH).map((request) => retryKey(eventIdOf(request), retryCountOf(request)));
    expect(new Set(keys).size).toBe(keys.length);

    const metrics = await scrapeMetrics(sender);
    expect(metricValue(metrics, 'hookstream_sender_retry_probes_total', 'result="failed"')).toBeGreaterThanOrEqual(2);
    expect(metricValue(metrics, 'hookstream_sender_retry_probes_total', 'result="succeeded"')).toBe(1);
    expect(metricValue(metrics, 'hookstream_sender_retry_resumes_total')).toBe(1);
    expect(metricValue(metrics, 'hookstream_sender_retries_parked_total')).toBeGreaterThanOrEqual(10);
    // Released and sent, or released and not needed any more (the manual retry took its number).
    expect(metricValue(metrics, 'hookstream_sender_paused_retries_released_total')).toBeGreaterThanOrEqual(released.length);
    await waitFor(async () => metricValue(await scrapeMetrics(sender), 'hookstream_sender_paused_retries') === 0, { description: 'the gauge back to 0' });
  });
});
