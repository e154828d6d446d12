import type { Producer } from '@hookstream/kafka';
import { benchDomainEvent, type BenchWorkspace } from './domain-event';
import { admissibleEvents, createTokenBucket, outstandingWindow } from './token-bucket';

const TICK_MS = 10;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SEND_CHUNK = 250;

/**
 * Produces bench domain events as a platform team would: JSON, key = workspace id (so the
 * router keeps each workspace in order), acks=all, the workspaces taken in turn so that
 * the keys spread over the partitions.
 */
export function createEventSender(options: {
  producer: Producer;
  topic: string;
  workspaces: readonly BenchWorkspace[];
  run: string;
  sizeBytes: number;
}) {
  let next = 0;
  return async (count: number): Promise<void> => {
    const messages = [];
    for (let index = 0; index < count; index += 1) {
      const workspace = options.workspaces[next % options.workspaces.length] as BenchWorkspace;
      next += 1;
      messages.push({ key: workspace.id, value: benchDomainEvent({ workspace, run: options.run, sentAtMs: now(), sizeBytes: options.sizeBytes }) });
    }
    // Keys are few (one per workspace), so one partition may get most of a send: chunks
    // keep each partition's record batch well under the broker's 1 MiB message limit.
    const sends = [];
    for (let start = 0; start < messages.length; start += SEND_CHUNK) {
      sends.push(options.producer.send({ topic: options.topic, acks: -1, messages: messages.slice(start, start + SEND_CHUNK) }));
    }
    await Promise.all(sends);
  };
}

export type EventSender = ReturnType<typeof createEventSender>;

/** Sends in flight at once: enough that the producer never waits on one round trip. */
const MAX_CONCURRENT_SENDS = 4;

async function runLoop(input: { durationMs: number; step: (nowMs: number, inFlight: number) => number; send: EventSender }) {
  const startMs = now();
  const endMs = startMs + input.durationMs;
  let produced = 0;
  let inFlight = 0;
  let failure: unknown;
  const sends = new Set<Promise<void>>();
  while (now() < endMs && failure === undefined) {
    const count = input.step(now(), inFlight);
    if (count > 0 && inFlight < MAX_CONCURRENT_SENDS) {
      produced += count;
      inFlight += 1;
      const sending: Promise<void> = input
        .send(count)
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => {
          inFlight -= 1;
          sends.delete(sending);
        });
      sends.add(sending);
    }
    await sleep(TICK_MS);
  }
  await Promise.all(sends);
  if (failure !== undefined) throw failure;
  return { produced, startMs, endMs: now() };
}

/**
 * Open loop: a fixed offered rate, whatever the pipeline does (as real producers do).
 * Events due while all sends are in flight wait for the next tick, so the rate holds.
 */
export async function offerFixedRate(input: { send: EventSender; eventsPerSecond: number; durationMs: number }) {
  const bucket = createTokenBucket({ ratePerSecond: input.eventsPerSecond, startMs: now(), maxBurst: input.eventsPerSecond });
  let due = 0;
  return runLoop({
    durationMs: input.durationMs,
    send: input.send,
    step: (nowMs, inFlight) => {
      due += bucket.take(nowMs);
      if (inFlight >= MAX_CONCURRENT_SENDS) return 0;
      const count = due;
      due = 0;
      return count;
    },
  });
}

/**
 * Closed loop: produce as fast as the pipeline delivers, keeping the deliveries produced
 * but not yet received under a window of about two seconds of the recently delivered rate
 * (see outstandingWindow), and pausing while the health service's lag exceeds the same
 * window; so every consumer's lag stays bounded and the delivered rate is the rate the
 * whole pipeline sustains. Counts which bound held the producer back.
 */
export async function offerSaturatingLoad(input: {
  send: EventSender;
  durationMs: number;
  fanOut: number;
  window: { min: number; max: number; seconds: number };
  received: () => number;
  healthLag: () => number;
}) {
  let producedDeliveries = 0;
  const ticks = { total: 0, heldByDeliveryWindow: 0, heldByHealthLag: 0 };
  // (time, received) every tick, to measure the rate over the last two seconds.
  const history: Array<{ atMs: number; received: number }> = [];
  let window = input.window.min;
  const result = await runLoop({
    durationMs: input.durationMs,
    send: input.send,
    step: (nowMs, inFlight) => {
      ticks.total += 1;
      const received = input.received();
      history.push({ atMs: nowMs, received });
      while (history.length > 1 && (history[0] as { atMs: number }).atMs < nowMs - 2_000) history.shift();
      const oldest = history[0] as { atMs: number; received: number };
      const spanSeconds = (nowMs - oldest.atMs) / 1_000;
      if (spanSeconds >= 1) window = outstandingWindow((received - oldest.received) / spanSeconds, input.window);
      if (input.healthLag() > window) {
        ticks.heldByHealthLag += 1;
        return 0;
      }
      if (inFlight >= MAX_CONCURRENT_SENDS) return 0;
      const count = admissibleEvents({
        producedDeliveries,
        receivedDeliveries: received,
        fanOut: input.fanOut,
        maxOutstanding: window,
        maxBatch: 1_000,
      });
      if (count === 0) ticks.heldByDeliveryWindow += 1;
      producedDeliveries += count * input.fanOut;
      return count;
    },
  });
  return { ...result, ticks };
}
