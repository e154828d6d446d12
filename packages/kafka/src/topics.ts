/**
 * Every topic of docs/architecture.md "Topics". Tests and parallel deployments put a prefix in
 * front (`KAFKA_TOPIC_PREFIX`), so that their data never mixes.
 */
export const TOPIC = {
  domainEvents: 'domain-events',
  domainEventsDlq: 'domain-events-dlq',
  webhookDeliveries: 'webhook-deliveries',
  webhookReplays: 'webhook-replays',
  webhookRetry1h: 'webhook-retry-1h',
  webhookRetry4h: 'webhook-retry-4h',
  webhookRetry13h: 'webhook-retry-13h',
  webhookRetry40h: 'webhook-retry-40h',
  webhookOutcomes: 'webhook-outcomes',
  webhookLifecycle: 'webhook-lifecycle',
} as const;

export type TopicKey = keyof typeof TOPIC;

/** The retry tiers in schedule order: retry number n waits in tier n-1. */
export const RETRY_TIER_TOPICS = [
  TOPIC.webhookRetry1h,
  TOPIC.webhookRetry4h,
  TOPIC.webhookRetry13h,
  TOPIC.webhookRetry40h,
] as const;

export type TopicNames = { readonly [Key in TopicKey]: string };

export function topicNames(prefix: string): TopicNames {
  return Object.fromEntries(Object.entries(TOPIC).map(([key, name]) => [key, `${prefix}${name}`])) as TopicNames;
}

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}

export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Retry tiers and the DLQ keep their messages longer than their longest wait. */
const RETENTION_MS: Partial<Record<TopicKey, number>> = {
  domainEventsDlq: 30 * 86_400_000,
  webhookRetry40h: 7 * 86_400_000,
  webhookRetry13h: 7 * 86_400_000,
  webhookRetry4h: 7 * 86_400_000,
  webhookRetry1h: 7 * 86_400_000,
};

export function topicSpecs(names: TopicNames, layout: TopicLayout): TopicSpec[] {
  return (Object.keys(TOPIC) as TopicKey[]).map((key) => {
    const configEntries = [
      { name: 'min.insync.replicas', value: String(layout.minInsyncReplicas) },
      // Deliveries carry the domain event (up to the router's 512 KiB default limit) and
      // outcomes the payload sent: room for the largest, beyond the broker's 1 MiB default.
      { name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) },
    ];
    const retention = RETENTION_MS[key];
    if (retention !== undefined) configEntries.push({ name: 'retention.ms', value: String(retention) });
    return {
      topic: names[key],
      numPartitions: layout.partitions,
      replicationFactor: layout.replicationFactor,
      configEntries,
    };
  });
}
