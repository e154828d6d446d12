import { compressionFor, sendCoverage, type CompressionTypes, type IHeaders, type Message, type Producer, type UnwrittenPartition } from '@hookstream/kafka';
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
 *
 * kafkajs can resolve a request without having written some of its partitions when a
 * partition leader moves meanwhile (tulios/kafkajs#1303): each response is checked against
 * the partitions the request wrote, and the messages of a missing partition are sent again
 * (only those: the others are written).
 */
export function createBatchingPublisher(
  producer: Producer,
  logger: Logger,
  options: {
    compression?: CompressionTypes;
    maxMessagesPerRequest?: number;
    maxBytesPerRequest?: number;
    lingerMs?: number;
    /** Observes a request that resolved without writing every partition (metrics). */
    onIncompleteSend?: (missing: readonly UnwrittenPartition[]) => void;
    /** Which messages a response leaves out; defaults to the check of `@hookstream/kafka`. */
    unwritten?: typeof sendCoverage<Message>;
  } = {},
) {
  const limits = { maxMessagesPerRequest: options.maxMessagesPerRequest ?? 2_000, maxBytesPerRequest: options.maxBytesPerRequest ?? 512 * 1024 };
  const { compression } = options;
  const lingerMs = options.lingerMs ?? 0;
  let queue: Pending[] = [];
  let queuedMessages = 0;
  let sending = false;
  let lingering: NodeJS.Timeout | undefined;
  let closed = false;
  const coverage = options.unwritten ?? sendCoverage<Message>;

  type TopicMessages = Array<{ topic: string; messages: Message[] }>;
  /** Sends one request; resolves with the messages it did not write (normally none). */
  const sendChecked = async (topicMessages: TopicMessages): Promise<TopicMessages> => {
    const bytes = topicMessages.reduce((sum, { messages }) => sum + messages.reduce((total, { value }) => total + (value?.length ?? 0), 0), 0);
    const response = await producer.sendBatch({ acks: -1, compression: compressionFor(compression, bytes), topicMessages });
    const { unwritten, missing } = coverage(topicMessages, response);
    if (missing.length > 0) {
      options.onIncompleteSend?.(missing);
      logger.warn({ missing }, 'a produce request resolved without writing every partition; sending those messages again');
    }
    return unwritten;
  };

  const startSending = () => {
    if (lingering) clearTimeout(lingering);
    lingering = undefined;
    if (!sending) void sendLoop();
  };

  const sendLoop = async () => {
    sending = true;
    let backoffMs = 100;
    /**
     * How many of the first queued publishes were in a request that failed: they are sent
     * again alone, as they were. kafkajs takes back the sequence numbers of a failed
     * request's partitions although the broker may have written some of them; the same
     * record batches sent again are then recognised as duplicates, while a batch with more
     * records in it would be refused as out of order, again and again.
     */
    let resend = 0;
    while (queue.length > 0) {
      // Bounded in count and in bytes: a request (and so each partition's record batch)
      // must stay under the broker's message size limit, or it is refused again and again.
      const batch: Pending[] = [];
      let count = 0;
      let bytes = 0;
      while (queue.length > 0 && (resend > 0 ? batch.length < resend : count < limits.maxMessagesPerRequest)) {
        const next = queue[0] as Pending;
        const size = next.messages.reduce((sum, message) => sum + message.value.length, 0);
        if (resend === 0 && batch.length > 0 && bytes + size > limits.maxBytesPerRequest) break;
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
      let unwritten: TopicMessages;
      try {
        unwritten = await sendChecked(
          [...byTopic].map(([topic, messages]) => ({
            topic,
            messages: messages.map(({ key, value, headers }) => ({ key, value, headers })),
          })),
        );
      } catch (error) {
        logger.warn({ err: error, messages: count }, 'publishing outcomes failed; retrying');
        queue = [...batch, ...queue];
        queuedMessages += count;
        resend = batch.length;
        if (closed) break;
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
        continue;
      }
      // The rest of the request is written: only what it left out is sent again.
      while (unwritten.length > 0) {
        try {
          unwritten = await sendChecked(unwritten);
        } catch (error) {
          logger.warn({ err: error }, 'sending again what a request left out failed; retrying');
          if (closed) break;
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 5_000);
        }
      }
      resend = 0;
      if (unwritten.length > 0) break;
      for (const pending of batch) pending.resolve();
      backoffMs = 100;
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
