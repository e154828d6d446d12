import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';

/**
 * `hookstream_kafka_consumer_lag{topic,group}`: messages in the topic not yet committed by
 * the group, summed over partitions. Each service reports the groups it consumes with.
 */
export function startConsumerLagMetric(options: {
  admin: Admin;
  registry: Registry;
  groups: ReadonlyArray<{ groupId: string; topics: readonly string[] }>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): { stop(): void } {
  const gauge =
    (options.registry.getSingleMetric('hookstream_kafka_consumer_lag') as Gauge<'topic' | 'group'> | undefined) ??
    new Gauge({
      name: 'hookstream_kafka_consumer_lag',
      help: 'Messages not yet committed by a consumer group, per topic (sum over partitions)',
      labelNames: ['topic', 'group'],
      registers: [options.registry],
    });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const measure = async () => {
    for (const { groupId, topics } of options.groups) {
      const committed = await options.admin.fetchOffsets({ groupId, topics: [...topics] });
      for (const topic of topics) {
        const ends = await options.admin.fetchTopicOffsets(topic);
        const committedByPartition = new Map(
          committed.find((entry) => entry.topic === topic)?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? [],
        );
        let lag = 0;
        for (const end of ends) {
          const high = Number(end.high);
          const low = Number(end.low);
          const position = committedByPartition.get(end.partition) ?? -1;
          lag += Math.max(0, high - (position >= 0 ? position : low));
        }
        gauge.set({ topic, group: groupId }, lag);
      }
    }
  };

  const loop = () => {
    timer = setTimeout(() => {
      measure()
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          if (!stopped) loop();
        });
    }, options.intervalMs ?? 5_000);
    timer.unref();
  };
  loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
