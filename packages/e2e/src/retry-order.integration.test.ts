import { deriveEventId } from '@hookstream/events';
import type { Producer } from '@hookstream/kafka';
import { testKafka, waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { requestManualRetry } from './manual-retry';
import { domainEvent } from './seed';

/**
 * Retries fire on time whatever the order in which they were written. With a schedule of
 * 10 s and 20 s, a failed manual retry a moment after its first call writes automatic
 * retry 2 due at T0 + 20 s into the tier of retry 2, whose ordinary retries wait 10 s. If
 * it leads the tier's partition, ordinary retries 2 written after it but due before it
 * must not wait for it, even beyond the first fetch of the partition: one partition per
 * topic, thousands of calls, so that the tier holds several fetches.
 */
const SCHEDULE_MS = [10_000, 20_000];
const ORDINARY_CALLS = 4_000;
const MANUAL_CALLS = 5;
const LATENESS_BOUND_MS = 3_000;

describe('retry order under load', () => {
  let harness: Harness;
  let producer: Producer;

  beforeAll(async () => {
    harness = await createHarness('retry-order', {
      partitions: 1,
      env: {
        WEBHOOK_RETRY_SCHEDULE: SCHEDULE_MS.map((ms) => `${ms}ms`).join(','),
        // Every call goes to the one receiver: let them all queue for it rather than fail fast.
        SENDER_MAX_QUEUED_PER_ENDPOINT: '20000',
        // This test is about the order of the tiers, not about one endpoint's share of the
        // sender: the one receiver may hold the whole pool (past its default tenth, calls are
        // deferred 5 s), at a fixed 64 calls at a time rather than a limit it learns.
        SENDER_ENDPOINT_SHARE: '1',
        SENDER_MIN_CONCURRENT_PER_ENDPOINT: '64',
        SENDER_INITIAL_CONCURRENT_PER_ENDPOINT: '64',
        SENDER_MAX_CONCURRENT_PER_ENDPOINT: '64',
        // Thousands of failures of one webhook: more than the offline rule allows by default.
        WEBHOOK_OFFLINE_THRESHOLD: '1000000',
      },
    });
    producer = testKafka('retry-order').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await harness?.close();
  });

  it('sends every automatic retry within a few seconds of its slot', async () => {
    const workspace = await harness.seed.workspace('Order');
    harness.receiver.behave('/order', { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/order'), events: ['Case.Created'] });
    await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);

    const attemptsByEvent = () => {
      const byEvent = new Map<string, Map<number, number>>();
      for (const request of harness.receiver.requestsTo('/order')) {
        const eventId = request.headers['dotfile-event-id'] as string;
        const attempts = byEvent.get(eventId) ?? new Map<number, number>();
        if (!attempts.has(Number(request.headers['dotfile-retry-count']))) attempts.set(Number(request.headers['dotfile-retry-count']), request.receivedAt);
        byEvent.set(eventId, attempts);
      }
      return byEvent;
    };

    // The ordinary calls first.
    const ordinary = Array.from({ length: ORDINARY_CALLS }, () => domainEvent({ type: 'Case.Created', workspace }));
    for (let start = 0; start < ordinary.length; start += 500) await harness.publish(ordinary.slice(start, start + 500));
    const ordinaryIds = ordinary.map((event) => deriveEventId(event.id, webhook.id));
    const everyCallHas = (eventIds: string[], retryCount: number) => {
      const byEvent = attemptsByEvent();
      return eventIds.every((eventId) => byEvent.get(eventId)?.has(retryCount));
    };
    await waitFor(() => everyCallHas(ordinaryIds, 0), { description: 'every ordinary first call', timeoutMs: 60_000, intervalMs: 250 });

    // Five seconds later, the calls whose manual retries fail: their retry 2 (due T0 + 20 s)
    // is written before the ordinary retries 2 (written at their T0 + 10 s, due 10 s later).
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const manual = Array.from({ length: MANUAL_CALLS }, () => domainEvent({ type: 'Case.Created', workspace }));
    await harness.publish(manual);
    const manualIds = manual.map((event) => deriveEventId(event.id, webhook.id));
    await waitFor(
      async () => (await harness.database.knex('calls').whereIn('event_id', manualIds).where({ status: 'retrying' })).length === MANUAL_CALLS,
      { description: 'the manual calls in the log', timeoutMs: 30_000 },
    );
    for (const eventId of manualIds) await requestManualRetry(harness, eventId, producer);

    const allIds = [...ordinaryIds, ...manualIds];
    await waitFor(() => everyCallHas(allIds, 2), { description: 'retry 2 of every call', timeoutMs: 120_000, intervalMs: 250 }).catch(() => undefined);

    const byEvent = attemptsByEvent();
    const lateness: number[] = [];
    const lateOnes: string[] = [];
    const missing: string[] = [];
    for (const eventId of allIds) {
      const attempts = byEvent.get(eventId);
      const t0 = attempts?.get(0);
      for (const retry of [1, 2]) {
        // A manual call's retry 1 was the manual retry: only its automatic retry 2 has a slot.
        if (manualIds.includes(eventId) && retry === 1) continue;
        const at = attempts?.get(retry);
        if (t0 === undefined || at === undefined) missing.push(`${eventId}#${retry}`);
        else {
          const ms = at - (t0 + (SCHEDULE_MS[retry - 1] as number));
          lateness.push(ms);
          if (ms > LATENESS_BOUND_MS) lateOnes.push(`${manualIds.includes(eventId) ? 'manual' : 'ordinary'} retry ${retry}: ${ms} ms`);
        }
      }
    }
    expect(missing).toEqual([]);
    // Every retry within a few seconds of its slot, as the receiver saw it (on failure:
    // how many were late, the first of them, and the worst).
    expect({ late: lateOnes.length, first: lateOnes.slice(0, 5), worstMs: Math.max(...lateness) }).toEqual({
      late: 0,
      first: [],
      worstMs: expect.any(Number),
    });
    // None early, by the sender's own clock (the receiver sees a loaded first call late).
    const ours = new Set(allIds);
    const retryOutcomes = await waitFor(
      () => {
        const found = harness.outcomes.filter((outcome) => outcome.type === 'automatic_retry' && ours.has(outcome.event_id));
        return found.length >= lateness.length ? found : undefined;
      },
      { description: 'the outcomes of the retries', timeoutMs: 30_000, intervalMs: 250 },
    );
    const early = retryOutcomes.filter(
      (outcome) => Date.parse(outcome.attempted_at) < Date.parse(outcome.first_attempt_at) + (SCHEDULE_MS[outcome.retry_count - 1] as number),
    );
    expect(early).toEqual([]);
  });
});
