import type { Kafka } from 'kafkajs';
import { ensureTopics, waitForBroker } from './client';
import { topicNames, topicSpecs, type TopicNames } from './topics';

export interface KafkaTopicConfig {
  KAFKA_BROKERS: readonly string[];
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS: number;
}

/**
 * Start-up step shared by every service: fail fast if the broker does not answer, then
 * create any missing topic (idempotent, so services may race to do it).
 */
export async function prepareKafka(kafka: Kafka, config: KafkaTopicConfig, timeoutMs = 10_000): Promise<TopicNames> {
  await waitForBroker(kafka, config.KAFKA_BROKERS, timeoutMs);
  const names = topicNames(config.KAFKA_TOPIC_PREFIX);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      topicSpecs(names, {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
      }),
    );
  } finally {
    await admin.disconnect();
  }
  return names;
}
