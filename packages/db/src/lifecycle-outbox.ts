import type { Knex } from 'knex';
import type { CompressionTypes, Producer } from '@hookstream/kafka';
import { encodeMessage, lifecycleMessageSchema, type LifecycleMessage } from '@hookstream/messages';
/** The few logger methods the publisher uses (pino's). */
interface Logger {
  warn(object: object, message: string): void;
}

/**
 * Writes operator events in the transaction that decides them (the transactional outbox):
 * the event exists if and only if the change committed, whatever the broker does. The
 * health service (offline rule) and the API (status changes, secret rotations) both write
 * here, and both publish the table with `createLifecyclePublisher`.
 */
export async function enqueueLifecycleMessages(transaction: Knex.Transaction, messages: readonly LifecycleMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await transaction('webhook_lifecycle_outbox').insert(
    messages.map((message) => ({ webhook_id: message.webhook_id, message: JSON.stringify(message) })),
  );
}

export interface LifecyclePublisher {
  /** Publishes what the outbox holds, soon; concurrent requests share one run. */
  requestFlush(): void;
  /** Publishes what the outbox holds now; resolves with the messages published. */
  flush(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Publishes the outbox to webhook-lifecycle and deletes what the broker acknowledged.
 * Rows are claimed with SKIP LOCKED, so several instances (health, API) share the work without
 * publishing a row twice while it is in flight; a crash between the broker's ack and the
 * delete publishes it again on restart (at least once: operator events are idempotent by
 * webhook id and time). Also swept every `intervalMs`, for rows left by a crash or a
 * broker outage.
 */
export function createLifecyclePublisher(options: {
  knex: Knex;
  producer: Pick<Producer, 'send'>;
  topic: string;
  /** Codec of the record batches (`KAFKA_COMPRESSION`). */
  compression?: CompressionTypes;
  logger: Logger;
  onPublished?: (count: number) => void;
  intervalMs?: number;
  batchSize?: number;
}): LifecyclePublisher {
  const batchSize = options.batchSize ?? 100;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function publishOnce(): Promise<number> {
    return options.knex.transaction(async (transaction) => {
      const rows: Array<{ id: string; webhook_id: string; message: LifecycleMessage }> = await transaction('webhook_lifecycle_outbox')
        .select('id', 'webhook_id', 'message')
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked();
      if (rows.length === 0) return 0;
      await options.producer.send({
        topic: options.topic,
        acks: -1,
        compression: options.compression,
        messages: rows.map((row) => ({ key: row.webhook_id, value: encodeMessage(lifecycleMessageSchema, row.message) })),
      });
      await transaction('webhook_lifecycle_outbox')
        .whereIn(
          'id',
          rows.map((row) => row.id),
        )
        .delete();
      return rows.length;
    });
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await publishOnce();
      total += published;
      if (published < batchSize) return total;
    }
  }

  function flush(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await drain();
        } while (again);
        if (total > 0) options.onPublished?.(total);
        return total;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const sweep = () => {
    timer = setTimeout(() => {
      flush()
        .catch((error: unknown) => options.logger.warn({ err: error, topic: options.topic }, 'publishing lifecycle messages failed; retrying later'))
        .finally(() => {
          if (!stopped) sweep();
        });
    }, options.intervalMs ?? 5_000);
    timer.unref();
  };

  return {
    requestFlush() {
      flush().catch((error: unknown) =>
        options.logger.warn({ err: error, topic: options.topic }, 'publishing lifecycle messages failed; retrying later'),
      );
    },
    flush,
    start() {
      stopped = false;
      sweep();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
