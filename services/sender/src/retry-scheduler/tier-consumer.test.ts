import type { EachBatchPayload, KafkaMessage } from '@hookstream/kafka';
import type { DeliveryMessage } from '@hookstream/messages';
import { Kafka } from '@hookstream/kafka';
import { Registry } from '@hookstream/observability';
import { InfrastructureWaits } from '../delivery/consumers';
import { Capacity } from '../delivery/endpoint-limiter';
import { PartitionTracker } from '../delivery/partition-tracker';
import { DONE } from '../delivery/steps';
import { createSenderMetrics } from '../metrics';
import { tierDelaysMs } from './placement';
import { createRetryTierHandler, type RetryTierDependencies } from './tier-consumer';

// The tier consumer against a simulated broker: each tier is one partition read in fetches
// of a fixed number of messages from a position that the handler may seek; a paused
// partition is not fetched. The clock is jest's: the simulation jumps from timer to timer,
// so hours of waiting take milliseconds, and each send's lateness is exact.

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SCHEDULE_MS = [1 * HOUR, 4 * HOUR, 13 * HOUR, 40 * HOUR];
const TIERS = ['retry-1h', 'retry-4h', 'retry-13h', 'retry-40h'];
const FETCH_MESSAGES = 500;
const START = Date.parse('2026-11-25T12:00:00.000Z');

interface Stored {
  offset: string;
  timestamp: string;
  delivery: DeliveryMessage;
}

function retry(eventNumber: number, retryCount: number, dueAt: number): DeliveryMessage {
  return {
    version: 1,
    type: 'automatic_retry',
    event_id: `00000000-0000-4000-8000-${String(eventNumber).padStart(12, '0')}`,
    webhook_id: '00000000-0000-4000-8000-000000000001',
    workspace_id: 'ws-1',
    event: 'Case.Updated',
    sub_event: null,
    domain_event: { id: 'evt', type: 'Case.StatusUpdated', occurred_at: new Date(START).toISOString(), workspace: { id: 'ws-1', name: 'Acme' }, entity: { id: 'c' }, context: {} },
    retry_count: retryCount,
    first_attempt_at: new Date(START).toISOString(),
    due_at: new Date(dueAt).toISOString(),
    produced_at: new Date(START).toISOString(),
  };
}

function simulation(options: { maxHeld?: number; capacity?: number; consumer?: (simulated: RetryTierDependencies['consumer']) => RetryTierDependencies['consumer'] } = {}) {
  const partitions = TIERS.map(() => ({ log: [] as Stored[], position: 0, paused: false, committed: 0 }));
  const tracker = new PartitionTracker();
  /** Sends of these events wait until released: their outcome waits on a broker that is down. */
  const stuck = new Map<string, { released: Promise<void>; release: () => void }>();
  const sent: Array<{ eventId: string; retryCount: number; latenessMs: number }> = [];
  const metrics = createSenderMetrics(new Registry());
  const indexOf = (topic: string) => TIERS.indexOf(topic);

  const write = (tier: number, delivery: DeliveryMessage) => {
    const partition = partitions[tier] as (typeof partitions)[number];
    partition.log.push({ offset: String(partition.log.length), timestamp: String(Date.now()), delivery });
  };

  const { handler, stop, onRebalance, onCrash } = createRetryTierHandler({
    tracker,
    capacity: new Capacity(options.capacity ?? 100_000),
    metrics,
    waits: new InfrastructureWaits(metrics),
    logger: { error: () => undefined, warn: () => undefined } as never,
    execute: async (delivery) => {
      await stuck.get(delivery.event_id)?.released;
      sent.push({ eventId: delivery.event_id, retryCount: delivery.retry_count, latenessMs: Date.now() - Date.parse(delivery.due_at) });
      return DONE;
    },
    consumer: (options.consumer ?? ((simulated) => simulated))({
      pause: (topics) => topics.forEach(({ topic }) => ((partitions[indexOf(topic)] as (typeof partitions)[number]).paused = true)),
      resume: (topics) => topics.forEach(({ topic }) => ((partitions[indexOf(topic)] as (typeof partitions)[number]).paused = false)),
      seek: ({ topic, offset }) => void ((partitions[indexOf(topic)] as (typeof partitions)[number]).position = Number(offset)),
    }),
    tierOf: indexOf,
    delaysMs: tierDelaysMs(SCHEDULE_MS, TIERS.length),
    moveRetry: async (delivery, tier) => write(tier, delivery),
    now: () => Date.now(),
    maxHeld: options.maxHeld,
  });

  /** One fetch of every partition that is not paused and has something to read. */
  const fetchOnce = async (): Promise<boolean> => {
    let progressed = false;
    for (const [tier, partition] of partitions.entries()) {
      if (partition.paused || partition.position >= partition.log.length) continue;
      const from = partition.position;
      const slice = partition.log.slice(from, from + FETCH_MESSAGES);
      let resolved: number | undefined;
      const messages = slice.map(({ offset, timestamp, delivery }) => ({ offset, timestamp, key: null, value: Buffer.from(JSON.stringify(delivery)), attributes: 0, headers: {} }) as KafkaMessage);
      await handler({
        batch: { topic: TIERS[tier], partition: 0, messages, lastOffset: () => (slice[slice.length - 1] as Stored).offset },
        resolveOffset: (offset: string) => void (resolved = Number(offset)),
        heartbeat: async () => undefined,
        isRunning: () => true,
        isStale: () => false,
      } as unknown as EachBatchPayload);
      // As kafkajs: a seek wins; otherwise the next fetch starts after the last resolved offset.
      if (partition.position === from && resolved !== undefined) partition.position = resolved + 1;
      progressed = true;
    }
    return progressed;
  };

  /** Runs until every expected send happened, jumping from timer to timer. */
  const runUntil = async (expectedSends: number, deadline: number) => {
    while (sent.length < expectedSends && Date.now() < deadline) {
      while (await fetchOnce()) await Promise.resolve();
      await jest.advanceTimersToNextTimerAsync();
    }
    stop();
  };

  /** Commits as the sender does every 250 ms: up to the lowest unfinished message. */
  const commit = () => {
    for (const { topic, offset } of tracker.takeCommittable()) (partitions[indexOf(topic)] as (typeof partitions)[number]).committed = Number(offset);
  };

  /** The consumer rejoins its group and keeps its partitions: kafkajs reads on from the committed offsets. */
  const rejoin = () => {
    commit();
    for (const partition of partitions) partition.position = partition.committed;
    onRebalance(TIERS, Object.fromEntries(TIERS.map((topic) => [topic, [0]])));
  };

  /** A rebalance gives every tier partition to the other sender. */
  const loseAll = () => {
    commit();
    onRebalance(TIERS, {});
  };

  const holdUp = (eventNumber: number) => {
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    stuck.set(retry(eventNumber, 1, 0).event_id, { released, release });
    return release;
  };

  return { write, sent, runUntil, fetchOnce, metrics, commit, rejoin, loseAll, holdUp, partitions, crash: onCrash };
}

describe('the retry tier consumer', () => {
  // setImmediate stays real: the handler yields to the event loop with it.
  beforeEach(() => jest.useFakeTimers({ now: START, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('sends every retry on time when retries due later than their tier delay sit in front of ordinary ones', async () => {
    const sim = simulation();
    const ordinary: number[] = [];
    // Manual retries that failed a minute after their first call: retry 2 due at T0 + 4 h,
    // written to the 4h tier (3 h) with nearly 4 h to wait. One leads the partition.
    let event = 0;
    const manual = (writtenAt: number) => {
      event += 1;
      sim.write(1, retry(event, 2, writtenAt - MINUTE + 4 * HOUR));
    };
    manual(Date.now());
    // Then 3,000 ordinary retries 2 in bursts of 100 over ten minutes (six fetches), due
    // 3 h after being written, with more manual ones among them.
    for (let index = 0; index < 3_000; index += 1) {
      jest.setSystemTime(START + Math.floor(index / 100) * 20_000);
      event += 1;
      ordinary.push(event);
      sim.write(1, retry(event, 2, Date.now() + 3 * HOUR));
      if (index % 500 === 250) manual(Date.now());
    }
    const total = event;

    await sim.runUntil(total, START + 6 * HOUR);

    expect(sim.sent).toHaveLength(total);
    expect(new Set(sim.sent.map((send) => send.eventId)).size).toBe(total);
    const worst = Math.max(...sim.sent.map((send) => send.latenessMs));
    expect(worst).toBeGreaterThanOrEqual(0);
    expect(worst).toBeLessThanOrEqual(1_000);
    // The manual ones waited 3 h in their tier, then in memory for the rest.
    expect((await sim.metrics.retriesHeld.get()).values[0]?.value).toBe(0);
  });

  it('moves a retry that waited its tier delay to the tier that fits the rest of its wait', async () => {
    const sim = simulation();
    // Written to the 40h tier (27 h) with 39 h to wait (a schedule that changed): after
    // 27 h, 12 h remain, which the 13h tier (9 h) fits; after 9 more hours, 3 h in the 4h tier.
    sim.write(3, retry(1, 4, START + 39 * HOUR));
    for (let index = 0; index < 1_200; index += 1) {
      jest.setSystemTime(START + Math.floor(index / 100) * 60_000);
      sim.write(3, retry(2 + index, 4, Date.now() + 27 * HOUR));
    }
    await sim.runUntil(1_201, START + 48 * HOUR);
    expect(sim.sent).toHaveLength(1_201);
    expect(Math.max(...sim.sent.map((send) => send.latenessMs))).toBeLessThanOrEqual(1_000);
    const moved = (await sim.metrics.retriesMoved.get()).values.map(({ labels, value }) => [labels.from_tier, labels.to_tier, value]);
    expect(moved).toEqual([
      ['40h', '13h', 1],
      ['13h', '4h', 1],
    ]);
  });

  it('sends on time a retry due sooner than those written before it, far beyond the first fetch', async () => {
    const sim = simulation();
    // 3,000 ordinary retries 1 (six fetches), then one written late: its first call
    // answered after half an hour, so it is due 30 minutes after being written.
    for (let index = 0; index < 3_000; index += 1) {
      jest.setSystemTime(START + Math.floor(index / 100) * 1_000);
      sim.write(0, retry(index + 1, 1, Date.now() + HOUR));
    }
    jest.setSystemTime(START + 60_000);
    sim.write(0, retry(3_001, 1, START + 30 * MINUTE));
    await sim.runUntil(3_001, START + 3 * HOUR);
    expect(sim.sent).toHaveLength(3_001);
    expect(sim.sent.find((send) => send.eventId.endsWith('000000003001'))?.latenessMs).toBe(0);
    expect(Math.max(...sim.sent.map((send) => send.latenessMs))).toBeLessThanOrEqual(1_000);
  });

  it('waits in the partition once memory is full, and still sends every retry once and on time', async () => {
    const sim = simulation({ maxHeld: 100 });
    for (let index = 0; index < 1_000; index += 1) {
      jest.setSystemTime(START + Math.floor(index / 10) * 1_000);
      sim.write(0, retry(index + 1, 1, Date.now() + HOUR));
    }
    await sim.runUntil(1_000, START + 3 * HOUR);
    expect(sim.sent).toHaveLength(1_000);
    expect(new Set(sim.sent.map((send) => send.eventId)).size).toBe(1_000);
    expect(Math.max(...sim.sent.map((send) => send.latenessMs))).toBeLessThanOrEqual(1_000);
    expect((await sim.metrics.retriesHeld.get()).values[0]?.value).toBe(0);
  });

  it('sends a retry held in memory across a rejoin, even when a retry behind it completes first', async () => {
    const sim = simulation();
    // A broker died: retry 2 was written late, already due, and its outcome waits on the dead
    // broker; retry 1, before it in the partition, waits in memory for its due time.
    sim.write(0, retry(1, 1, START + MINUTE));
    sim.write(0, retry(2, 1, START - 1_000));
    const release = sim.holdUp(2);
    await sim.fetchOnce();
    // The consumer crashed on the broker failure; kafkajs restarts it and it rejoins.
    sim.rejoin();
    // The outcome of retry 2 is written, and committed, before the partition is read again.
    release();
    for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
    expect(sim.sent.map((send) => send.eventId)).toEqual([retry(2, 1, 0).event_id]);
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(0);

    await sim.runUntil(2, START + HOUR);

    expect(sim.sent.map((send) => send.eventId).sort()).toEqual([retry(1, 1, 0).event_id, retry(2, 1, 0).event_id]);
    expect(sim.sent.find((send) => send.eventId === retry(1, 1, 0).event_id)?.latenessMs).toBeLessThanOrEqual(1_000);
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(2);
  });

  it('goes on sending when a paused partition falls due while kafkajs restarts the consumer', async () => {
    // A kafkajs consumer that is not running, as one is between a crash and its restart.
    const restarting = new Kafka({ brokers: ['127.0.0.1:9'], logCreator: () => () => undefined }).consumer({ groupId: 'not-running' });
    let crashed = false;
    const sim = simulation({
      maxHeld: 1,
      consumer: (simulated) => ({ ...simulated, resume: (topics) => (crashed ? restarting.resume(topics) : simulated.resume(topics)) }),
    });
    for (let event = 1; event <= 3; event += 1) sim.write(0, retry(event, 1, START + MINUTE));
    // One retry in memory; the partition waits at the second until the first goes out.
    await sim.fetchOnce();
    // The broker died and the consumer crashed; kafkajs restarts it some seconds later.
    crashed = true;
    jest.setSystemTime(START + MINUTE - 1);
    await jest.advanceTimersToNextTimerAsync();
    await jest.advanceTimersToNextTimerAsync();
    crashed = false;
    sim.rejoin();

    await sim.runUntil(3, START + HOUR);

    expect(sim.sent.map((send) => send.eventId).sort()).toEqual([1, 2, 3].map((event) => retry(event, 1, 0).event_id));
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(3);
  });

  it('reads on from the committed offset when the partition comes back after a crash, committing what follows', async () => {
    const sim = simulation();
    sim.write(0, retry(1, 1, START + MINUTE));
    // Retry 1 waits in memory when the consumer crashes and leaves the group.
    await sim.fetchOnce();
    sim.crash();
    // While it restarts, the other sender takes the partition, sends retry 1, commits past it.
    (sim.partitions[0] as { committed: number }).committed = 1;
    // The restarted consumer rejoins and gets the partition back.
    sim.rejoin();
    sim.write(0, retry(2, 1, START));

    await sim.runUntil(1, START + HOUR);

    expect(sim.sent.map((send) => send.eventId)).toEqual([retry(2, 1, 0).event_id]);
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(2);
  });

  it('does not send a retry that waited for a free slot while its partition went to another member', async () => {
    const sim = simulation({ capacity: 1 });
    sim.write(0, retry(1, 1, START + 2 * MINUTE));
    sim.write(0, retry(2, 1, START - 1_000));
    sim.write(0, retry(3, 1, START + MINUTE));
    // Retry 2 holds the only slot, its outcome stuck on a dead broker; 1 and 3 wait in memory.
    const release = sim.holdUp(2);
    await sim.fetchOnce();
    // Retry 3 falls due and waits for the slot; then a rebalance gives the partition away.
    await jest.advanceTimersByTimeAsync(MINUTE);
    sim.loseAll();
    release();
    await jest.advanceTimersByTimeAsync(0);
    for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
    // Nothing may be committed over the new owner's progress, least of all past retry 1.
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(0);
    expect(sim.sent.map((send) => send.eventId)).toEqual([retry(2, 1, 0).event_id]);
    // The partition comes back before its new owner committed anything.
    sim.rejoin();

    await sim.runUntil(4, START + HOUR);

    expect(new Set(sim.sent.map((send) => send.eventId))).toEqual(new Set([1, 2, 3].map((event) => retry(event, 1, 0).event_id)));
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(3);
  });

  it('does not send again a retry in flight when its consumer crashed and rejoined', async () => {
    const sim = simulation();
    sim.write(0, retry(1, 1, START - 1_000));
    sim.write(0, retry(2, 1, START + MINUTE));
    const release = sim.holdUp(1);
    await sim.fetchOnce();
    sim.crash();
    sim.rejoin();
    release();

    await sim.runUntil(2, START + HOUR);
    await jest.advanceTimersByTimeAsync(MINUTE);

    expect(sim.sent.map((send) => send.eventId)).toEqual([1, 2].map((event) => retry(event, 1, 0).event_id));
    sim.commit();
    expect(sim.partitions[0]?.committed).toBe(2);
  });
});
