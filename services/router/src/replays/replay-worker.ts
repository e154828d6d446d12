import { setTimeout as sleep } from 'node:timers/promises';
import { validateDomainEvent, type DomainEvent } from '@hookstream/events';
import {
  offsetsOfTimeRange,
  type Admin,
  type CompressionTypes,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from '@hookstream/kafka';
import { deliveryMessageSchema, encodeMessage, type DeliveryMessage } from '@hookstream/messages';
import type { WebhookState } from '@hookstream/db';
import type { Logger } from '@hookstream/observability';
import type { RouterMetrics } from '../metrics';
import type { ReplayDal } from './replay-dal';
import { isFinished, numberReplayedCall, replayDelivery, ReplayRate, type Positions, type ReplayJob } from './replay-fns';

export interface ReplayWorkerSettings {
  /** Replayed calls per second, per replay (so per webhook: one replay of a webhook runs at a time). */
  ratePerSecond: number;
  /** How long a job stays this worker's without a checkpoint. */
  leaseMs: number;
  /** How often the worker looks for jobs nobody holds. */
  pollIntervalMs: number;
  /** Replays this worker runs at once. */
  maxConcurrent: number;
  /** The most one fetch of a job's consumer brings, all partitions together and each. */
  fetchMaxBytes?: number;
  /** Each job reads with a consumer group of its own, named from this and the job id. */
  groupPrefix: string;
  /** Unique per process: the lease owner. */
  owner: string;
}

export interface ReplayWorkerDependencies {
  kafka: Pick<Kafka, 'consumer'>;
  admin: Pick<Admin, 'fetchTopicOffsetsByTimestamp'>;
  producer: Pick<Producer, 'send'>;
  compression?: CompressionTypes;
  dal: ReplayDal;
  topics: { domainEvents: string; webhookReplays: string };
  /** The webhook as it is now (the router's view). */
  webhookOf: (webhookId: string) => WebhookState | undefined;
  /** Reads changed webhooks now: one created a moment ago may not be in the view yet. */
  refreshWebhooks: () => Promise<void>;
  /** Bytes of domain-events to a JSON value; throws when it must be waited for (the registry). */
  decode: (value: Buffer | null) => Promise<{ ok: true; decoded: unknown } | { ok: false }>;
  settings: ReplayWorkerSettings;
  metrics: Pick<RouterMetrics, 'replayEventsScanned' | 'replayCalls' | 'replaysRunning' | 'replaysFinished'>;
  logger: Logger;
}

type RunEnd = { kind: 'done' } | { kind: 'failed'; reason: string } | { kind: 'lost' } | { kind: 'fault'; error: unknown } | { kind: 'stopped' };

/** Replayed calls produced and checkpointed together. */
const MAX_CALLS_PER_STEP = 500;

/**
 * Runs replay jobs (docs/replays.md): takes a job nobody holds, plans its offsets from the
 * brokers' time indexes, reads domain-events over that range with a consumer of its own,
 * and writes the calls its webhook gets to webhook-replays at the replay's rate. Progress
 * is checkpointed in the job's row after the calls are durable in Kafka, so a crash
 * replays at most one step again (same event ids) and never skips one. A job whose
 * webhook went offline or was deleted fails; a cancelled job stops at its next checkpoint.
 */
export function createReplayWorker(deps: ReplayWorkerDependencies) {
  const { settings, logger, metrics } = deps;
  const running = new Map<string, { stop: () => void; ended: Promise<void> }>();
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let polling = false;

  const poll = async () => {
    if (polling || stopping) return;
    polling = true;
    try {
      while (!stopping && running.size < settings.maxConcurrent) {
        const job = await deps.dal.claim(settings.owner, settings.leaseMs);
        if (!job) break;
        start(job);
      }
    } catch (error) {
      logger.warn({ err: error }, 'looking for replay jobs failed');
    } finally {
      polling = false;
    }
  };

  const start = (job: ReplayJob) => {
    const stopSignal = new AbortController();
    metrics.replaysRunning.inc();
    const ended = runJob(job, stopSignal.signal)
      .catch((error: unknown): RunEnd => ({ kind: 'fault', error }))
      .then(async (end) => {
        metrics.replaysRunning.dec();
        running.delete(job.id);
        const fields = { replayId: job.id, webhookId: job.webhookId };
        if (end.kind === 'done' || end.kind === 'failed') {
          await deps.dal.finish(settings.owner, job.id, end.kind === 'done' ? { status: 'done' } : { status: 'failed', reason: end.reason });
          metrics.replaysFinished.inc({ status: end.kind });
          logger.info({ ...fields, status: end.kind, reason: end.kind === 'failed' ? end.reason : undefined }, 'replay ended');
        } else if (end.kind === 'stopped') {
          await deps.dal.release(settings.owner, job.id);
        } else if (end.kind === 'fault') {
          // The lease runs out and a worker resumes the job from its checkpoint.
          logger.warn({ ...fields, err: end.error }, 'replay interrupted by a fault; it resumes from its checkpoint');
        } else {
          logger.info(fields, 'replay cancelled or taken over');
        }
      })
      .catch((error: unknown) => logger.warn({ err: error, replayId: job.id }, 'recording the end of a replay failed'));
    running.set(job.id, { stop: () => stopSignal.abort(), ended });
  };

  /** Why the webhook gets no calls now, if it does not. */
  const webhookProblem = (webhook: WebhookState | undefined, job: ReplayJob): string | undefined => {
    if (!webhook || webhook.deleted || webhook.workspaceId.toLowerCase() !== job.workspaceId.toLowerCase()) return 'webhook_deleted';
    if (webhook.status !== 'online') return 'webhook_offline';
    return undefined;
  };

  async function runJob(job: ReplayJob, stop: AbortSignal): Promise<RunEnd> {
    if (!deps.webhookOf(job.webhookId)) await deps.refreshWebhooks();
    const problem = webhookProblem(deps.webhookOf(job.webhookId), job);
    if (problem) return { kind: 'failed', reason: problem };
    let positions: Positions;
    if (job.positions) {
      positions = structuredClone(job.positions);
    } else {
      const ranges = await offsetsOfTimeRange(deps.admin, deps.topics.domainEvents, job.from, job.to);
      positions = Object.fromEntries(ranges.map((range) => [String(range.partition), { next: range.next, end: range.end }]));
      if (!(await deps.dal.checkpoint(settings.owner, settings.leaseMs, job.id, positions, 0, 0))) return { kind: 'lost' };
    }
    if (isFinished(positions)) return { kind: 'done' };
    if (stop.aborted) return { kind: 'stopped' };

    const fetchMaxBytes = settings.fetchMaxBytes ?? 1024 * 1024;
    const consumer = deps.kafka.consumer({
      groupId: `${settings.groupPrefix}${job.id}`,
      allowAutoTopicCreation: false,
      maxBytes: fetchMaxBytes,
      maxBytesPerPartition: fetchMaxBytes,
    });
    const rate = new ReplayRate(settings.ratePerSecond, Date.now());
    let settle: (end: RunEnd) => void = () => undefined;
    const ended = new Promise<RunEnd>((resolve) => (settle = resolve));
    let over = false;
    const end = (result: RunEnd) => {
      over = true;
      settle(result);
    };
    stop.addEventListener('abort', () => end({ kind: 'stopped' }), { once: true });

    const step = async (payload: EachBatchPayload, partition: number, messages: KafkaMessage[]): Promise<boolean> => {
      const range = positions[String(partition)] as { next: string; end: string };
      const webhook = deps.webhookOf(job.webhookId);
      const problem = webhookProblem(webhook, job);
      if (problem) {
        end({ kind: 'failed', reason: problem });
        return false;
      }
      const calls: Array<Omit<DeliveryMessage, 'retry_count' | 'replay'>> = [];
      for (const message of messages) {
        const bytes = await deps.decode(message.value);
        if (!bytes.ok) continue;
        const validation = validateDomainEvent(bytes.decoded);
        if (!validation.ok) continue;
        const call = replayDelivery(validation.event as DomainEvent, webhook as WebhookState, job, new Date(Number(message.timestamp)));
        if (call) calls.push(call);
      }
      if (calls.length > 0) {
        const counts = await deps.dal.loggedRetryCounts(calls.map((call) => call.event_id));
        const numbered = calls.map((call) => numberReplayedCall(call, job.id, counts.get(call.event_id)));
        // Behind the replay's rate: a long wait is cut into heartbeats, so the group keeps us.
        let waitMs = rate.take(numbered.length, Date.now());
        while (waitMs > 0 && !over) {
          const slice = Math.min(waitMs, 1_000);
          await sleep(slice);
          waitMs -= slice;
          await payload.heartbeat();
        }
        if (over) return false;
        await deps.producer.send({
          topic: deps.topics.webhookReplays,
          acks: -1,
          compression: deps.compression,
          messages: numbered.map((call) => ({ key: call.event_id, value: encodeMessage(deliveryMessageSchema, call) })),
        });
      }
      const last = messages[messages.length - 1] as KafkaMessage;
      range.next = String(BigInt(last.offset) + 1n);
      // The next fetch of the partition starts after it (nothing is committed: the job's
      // checkpoint below is where a restart resumes).
      payload.resolveOffset(last.offset);
      metrics.replayEventsScanned.inc(messages.length);
      metrics.replayCalls.inc(calls.length);
      if (!(await deps.dal.checkpoint(settings.owner, settings.leaseMs, job.id, positions, messages.length, calls.length))) {
        end({ kind: 'lost' });
        return false;
      }
      return true;
    };

    await consumer.connect();
    try {
      await consumer.subscribe({ topic: deps.topics.domainEvents, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const range = positions[String(batch.partition)];
          const pause = () => consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          try {
            if (!range || BigInt(range.next) >= BigInt(range.end)) {
              pause();
              return;
            }
            const inRange = batch.messages.filter((message) => BigInt(message.offset) >= BigInt(range.next) && BigInt(message.offset) < BigInt(range.end));
            // Steps of at most MAX_CALLS_PER_STEP messages (so at most as many calls), and at
            // most one second of the rate, so that a checkpoint follows every few seconds.
            const stepSize = Math.max(1, Math.min(MAX_CALLS_PER_STEP, Math.ceil(settings.ratePerSecond)));
            for (let start = 0; start < inRange.length && !over; start += stepSize) {
              if (!payload.isRunning() || payload.isStale()) return;
              if (!(await step(payload, batch.partition, inRange.slice(start, start + stepSize)))) return;
            }
            if (over || !payload.isRunning() || payload.isStale()) return;
            const last = batch.messages[batch.messages.length - 1];
            if (last) {
              // Past what the batch held (the range's messages are stepped through above): the
              // next fetch starts after the batch.
              payload.resolveOffset(last.offset);
              // A batch entirely past the range end (offsets skipped by control records).
              if (BigInt(range.next) < BigInt(range.end) && inRange.length === 0 && BigInt(last.offset) >= BigInt(range.end)) range.next = range.end;
            }
            if (BigInt(range.next) >= BigInt(range.end)) pause();
            if (isFinished(positions)) end({ kind: 'done' });
          } catch (error) {
            end({ kind: 'fault', error });
          }
        },
      });
      // Each partition starts where the job stands; kafkajs applies seeks once it is assigned.
      for (const [partition, range] of Object.entries(positions)) {
        if (BigInt(range.next) < BigInt(range.end)) consumer.seek({ topic: deps.topics.domainEvents, partition: Number(partition), offset: range.next });
      }
      return await ended;
    } finally {
      over = true;
      await consumer.disconnect().catch((error: unknown) => logger.warn({ err: error, replayId: job.id }, 'disconnecting a replay consumer failed'));
    }
  }

  return {
    start(): void {
      timer = setInterval(() => void poll(), settings.pollIntervalMs);
      void poll();
    },
    /** Stops taking jobs and hands the running ones back (their checkpoints stand). */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      const jobs = [...running.values()];
      for (const job of jobs) job.stop();
      await Promise.all(jobs.map((job) => job.ended));
    },
    running: () => running.size,
  };
}

export type ReplayWorker = ReturnType<typeof createReplayWorker>;
