import type { Kafka, Producer, ProducerConfig } from '@hookstream/kafka';

/**
 * The router's one transactional producer, replaceable by a new one of the same
 * transactional id. kafkajs keeps a producer's sequence numbers in memory and cannot
 * re-initialise them: a new producer's `InitProducerId` gives a new epoch (sequences start
 * again at 0), fences the previous producer and completes or aborts its open transaction.
 */
export interface RenewableProducer {
  transaction: Producer['transaction'];
  /** Connects a new producer of the same id, then disconnects the current one. */
  renew(): Promise<void>;
  disconnect(): Promise<void>;
}

export async function connectRenewableProducer(
  kafka: Pick<Kafka, 'producer'>,
  config: ProducerConfig & { transactionalId: string },
  onDisconnectError: (error: unknown) => void = () => undefined,
): Promise<RenewableProducer> {
  let current = kafka.producer(config);
  await current.connect();
  return {
    transaction: () => current.transaction(),
    async renew() {
      const next = kafka.producer(config);
      try {
        await next.connect();
        // kafkajs sends InitProducerId on its first transaction, not on connect: an empty
        // transaction makes the new epoch (and the fencing) happen before this returns.
        const fence = await next.transaction();
        await fence.abort();
      } catch (error) {
        await next.disconnect().catch(() => undefined);
        throw error;
      }
      const previous = current;
      current = next;
      await previous.disconnect().catch(onDisconnectError);
    },
    disconnect: () => current.disconnect(),
  };
}
