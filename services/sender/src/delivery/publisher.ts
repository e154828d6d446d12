import { compressionFor, type CompressionTypes, type IHeaders, type Producer } from '@hookstream/kafka';
import type { Logger } from '@hookstream/observability';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers?: IHeaders;
}

interface Pending {
  messages: OutgoingMessage[];
  resolve: () => void;
}

/**
 * Publishes outcomes and retries with acks=all, many attempts' messages per request:
 * while one request is on the wire, the next batch gathers, and an idle publisher waits
 * `lingerMs` for more before it sends (Kafka's `linger.ms`: at 1,000 calls/s, 7 outcomes
 * per request made 130 produce requests/s for the broker; nothing waits on an outcome but
 * the offset commit, every 250 ms, and the call log). `publish` resolves only when its
 * messages are durable; a broker outage is retried (with backoff) rather than surfaced,
 * since the attempt it reports has already been made.
 */
export function createBatchingPublisher(
  producer: Producer,
  logger: Logger,
  options: { compression?: CompressionTypes; maxMessagesPerRequest?: number; maxBytesPerRequest?: number; lingerMs?: number } = {},
) {
  const limits = { maxMessagesPerRequest: options.maxMessagesPerRequest ?? 2_000, maxBytesPerRequest: options.maxBytesPerRequest ?? 512 * 1024 };
  const { compression } = options;
  const lingerMs = options.lingerMs ?? 0;
  let queue: Pending[] = [];
  let queuedMessages = 0;
  let sending = false;
  let lingering: NodeJS.Timeout | undefined;
  let closed = false;

  const startSending = () => {
    if (lingering) clearTimeout(lingering);
    lingering = undefined;
    if (!sending) void sendLoop();
  };

  const sendLoop = async () => {
    sending = true;
    let backoffMs = 100;
    while (queue.length > 0) {
      // Bounded in count and in bytes: a request (and so each partition's record batch)
      // must stay under the broker's message size limit, or it is refused again and again.
      const batch: Pending[] = [];
      let count = 0;
      let bytes = 0;
      while (queue.length > 0 && count < limits.maxMessagesPerRequest) {
        const next = queue[0] as Pending;
        const size = next.messages.reduce((sum, message) => sum + message.value.length, 0);
        if (batch.length > 0 && bytes + size > limits.maxBytesPerRequest) break;
        queue.shift();
        queuedMessages -= next.messages.length;
        batch.push(next);
        count += next.messages.length;
        bytes += size;
      }
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const pending of batch) {
        for (const message of pending.messages) {
          const list = byTopic.get(message.topic) ?? [];
          list.push(message);
          byTopic.set(message.topic, list);
        }
      }
      try {
        await producer.sendBatch({
          acks: -1,
          compression: compressionFor(compression, bytes),
          topicMessages: [...byTopic].map(([topic, messages]) => ({
            topic,
            messages: messages.map(({ key, value, headers }) => ({ key, value, headers })),
          })),
        });
        for (const pending of batch) pending.resolve();
        backoffMs = 100;
      } catch (error) {
        logger.warn({ err: error, messages: count }, 'publishing outcomes failed; retrying');
        queue = [...batch, ...queue];
        queuedMessages += count;
        if (closed) break;
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
    sending = false;
  };

  return {
    publish(messages: OutgoingMessage[]): Promise<void> {
      if (messages.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        queue.push({ messages, resolve });
        queuedMessages += messages.length;
        if (sending || lingering) {
          // A send in progress takes the queue when it returns; a full request goes now.
          if (lingering && queuedMessages >= limits.maxMessagesPerRequest) startSending();
        } else if (lingerMs > 0 && !closed) {
          lingering = setTimeout(startSending, lingerMs);
        } else {
          startSending();
        }
      });
    },
    /** Stops retrying a failed send, and sends what is lingering at once. */
    close(): void {
      closed = true;
      if (lingering) startSending();
    },
  };
}

export type BatchingPublisher = ReturnType<typeof createBatchingPublisher>;
