import { RETRY_TIER_TOPICS, TOPIC, topicNames, topicSpecs } from './topics';

describe('topics', () => {
  it('names every topic of docs/architecture.md, behind the prefix', () => {
    const names = topicNames('t42-');
    expect(Object.values(names).sort()).toEqual(
      [
        'domain-events',
        'domain-events-dlq',
        'webhook-deliveries',
        'webhook-replays',
        'webhook-retry-1h',
        'webhook-retry-4h',
        'webhook-retry-13h',
        'webhook-retry-40h',
        'webhook-outcomes',
        'webhook-lifecycle',
      ]
        .map((name) => `t42-${name}`)
        .sort(),
    );
  });

  it('orders the retry tiers as the schedule', () => {
    expect(RETRY_TIER_TOPICS).toEqual([TOPIC.webhookRetry1h, TOPIC.webhookRetry4h, TOPIC.webhookRetry13h, TOPIC.webhookRetry40h]);
  });

  it('takes partitions, replication and min.insync.replicas from the layout', () => {
    const specs = topicSpecs(topicNames(''), { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 });
    expect(specs).toHaveLength(10);
    for (const spec of specs) {
      expect(spec.numPartitions).toBe(6);
      expect(spec.replicationFactor).toBe(3);
      expect(spec.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    }
  });
});
