import { connect } from 'node:net';
import { Kafka, Partitioners, logLevel as KafkaLogLevel, type Admin, type LogEntry, type ProducerConfig } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogLevel } from './log-level';
import { trackingPartitioner } from './produce-coverage';
import type { TopicSpec } from './topics';
// Registers the zstd codec with kafkajs, and the coordinator cache, before any client is created.
import './compression';
import './coordinator-cache';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs through the service's pino logger, as structured JSON like the rest; the
 * errors it retries as a matter of course are lowered to debug or warn (`log-level.ts`).
 */
export function createKafka(options: {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** Reconnection budget; the default rides out a few seconds of broker outage. */
  retry?: { initialRetryTime?: number; maxRetryTime?: number; retries?: number };
}): Kafka {
  const kafkaLogger = options.logger.child({ component: 'kafkajs' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, ...options.retry },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const written = kafkaLogLevel({ level: LEVEL_NAMES[level] ?? 'info', message, error: extra.error });
        kafkaLogger[written]({ namespace, ...extra }, message);
      },
  });
  // Every producer remembers the partition of each message it sends, so that a send's
  // response can be checked for partitions kafkajs left out (`produce-coverage.ts`). The
  // partitioner is kafkajs' default (the Java client's) unless the caller names one.
  const createProducer = kafka.producer.bind(kafka);
  kafka.producer = (config?: ProducerConfig) =>
    createProducer({ ...config, createPartitioner: trackingPartitioner(config?.createPartitioner ?? Partitioners.DefaultPartitioner) });
  return kafka;
}

/**
 * Creates the topics that do not exist yet (existing ones are left as they are) and waits
 * until every partition has a leader. kafkajs' own `waitForLeaders` gives up on the
 * UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers for a moment after creating a topic,
 * so the wait is done here.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], timeoutMs = 30_000): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: false });
  const topics = specs.map((spec) => spec.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const ready = metadata.every(
        (topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return missing.map((spec) => spec.topic);
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class BrokerUnreachableError extends Error {
  constructor(readonly brokers: readonly string[], cause: unknown) {
    super(
      `cannot reach the Kafka broker at ${brokers.join(', ')}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Start one with `npm start` (it runs a local broker), or point KAFKA_BROKERS at a running broker.',
    );
    this.name = 'BrokerUnreachableError';
  }
}

/** Resolves when some broker accepts a TCP connection within `timeoutMs`. */
function anyBrokerAcceptsTcp(brokers: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = brokers.length;
    let lastError: unknown = new Error('no broker address');
    if (pending === 0) reject(lastError);
    for (const broker of brokers) {
      const separator = broker.lastIndexOf(':');
      const socket = connect({ host: broker.slice(0, separator), port: Number(broker.slice(separator + 1)) });
      socket.setTimeout(timeoutMs);
      const fail = (error: unknown) => {
        socket.destroy();
        lastError = error;
        pending -= 1;
        if (pending === 0) reject(lastError);
      };
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
      socket.once('error', fail);
    }
  });
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/**
 * Fails fast, with the address and what to do, when the broker does not answer within
 * the time limit. A TCP probe first, since kafkajs' own connect retries for far longer;
 * then the cluster must answer a metadata request.
 */
export async function waitForBroker(kafka: Kafka, brokers: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await anyBrokerAcceptsTcp(brokers, Math.max(100, Math.min(1_000, deadline - Date.now())));
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await withDeadline(
          admin.connect().then(() => admin.describeCluster()),
          deadline,
        );
        return;
      } finally {
        void admin.disconnect().catch(() => undefined);
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new BrokerUnreachableError(brokers, lastError);
}
