import { Kafka, logLevel as KafkaLogLevel, type Admin, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicSpec } from './topics';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's pino logger, as structured JSON like the rest. */
export function createKafka(options: { brokers: readonly string[]; clientId: string; logger: Logger }): Kafka {
  const kafkaLogger = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[LEVEL_NAMES[level] ?? 'info']({ namespace, ...extra }, message);
      },
  });
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((spec) => spec.topic);
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

/**
 * Fails fast, with the address and what to do, when the broker does not answer within
 * the time limit (instead of kafkajs' long retry loop).
 */
export async function waitForBroker(kafka: Kafka, brokers: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new BrokerUnreachableError(brokers, lastError);
}
