import { compressionFor, type CompressionTypes, type IHeaders, type Producer } from '@hookstream/kafka';
import type { Logger } from '@hookstream/observability';

/** A message the router produces (a delivery or a dead letter). */
export interface OutgoingMessage {
  key: Buffer | string | null;
  value: Buffer;
  headers: IHeaders;
}

/** What one consumed batch hands to the batcher once it has been routed. */
export interface Contribution {
  /** The messages to produce, by topic; empty when every event was a duplicate or matched nothing. */
  topicMessages: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage[] }>;
  /** The consumed partition and the offset to commit for it: the batch's last offset + 1. */
  offset: { topic: string; partition: number; offset: string };
  /** Domain event ids these messages route, recorded (`afterCommit`) once committed. */
  routedIds: readonly string[];
  /** Called as soon as the transaction has committed (the consumer's `resolveOffset`). */
  onCommitted?: () => void;
  /**
   * True when the batch's partition was revoked or re-positioned meanwhile: it is left out
   * of the transaction (neither its messages nor its offset are committed).
   */
  isStale?: () => boolean;
}

/** A committed contribution, or one left out because its batch had gone stale. */
export type ContributionOutcome = 'committed' | 'stale';

/** One consumed batch's place in the batcher, from the start of its routing to its commit. */
export interface BatcherTicket {
  /**
   * Claims domain event ids for this batch and returns those another batch in flight holds
   * (they are duplicates: that batch routes them, or, if its transaction fails, routes them
   * again when kafkajs re-delivers it). Claim before asking the receipts table, so that an
   * id routed by another partition is either still claimed or already recorded.
   */
  claim(ids: Iterable<string>): Set<string>;
  /**
   * Resolves when the transaction holding the contribution has committed (or with
   * 'stale'); rejects when that transaction failed (it was aborted). Its ids stay claimed
   * until `afterCommit` has recorded them, so the partition may fetch on meanwhile.
   */
  submit(contribution: Contribution): Promise<ContributionOutcome>;
  /** Withdraws a ticket that will not submit and drops its claims. Idempotent. */
  release(): void;
}

export interface TransactionBatcher {
  /** Announces a batch being routed: transactions wait for it (a short while) to join. */
  enter(): BatcherTicket;
  /** Resolves once the receipts of every committed transaction are written (or failed). */
  drain(): Promise<void>;
}

export interface TransactionBatcherOptions {
  producer: Pick<Producer, 'transaction'>;
  consumerGroup: string;
  /** Each produce request (and each partition's record batch in it) stays under this size. */
  maxBytesPerSend: number;
  /** Codec of the record batches produced (`KAFKA_COMPRESSION`). */
  compression?: CompressionTypes | undefined;
  /**
   * Records the routed ids of a committed transaction (one statement per transaction).
   * Its contributors do not wait for it; the next transaction commits only after it.
   */
  afterCommit: (routedIds: string[]) => Promise<void>;
  /** Observes each committed transaction (metrics). */
  onTransaction?: (summary: { batches: number; messages: number }) => void;
  /**
   * How long a submitted contribution waits at most for batches that entered before it
   * and are still being routed (the other partitions of the same fetch, usually under a
   * millisecond away), so that they share one transaction.
   */
  maxLingerMs?: number;
  logger: Pick<Logger, 'warn' | 'error'>;
}

interface Entry {
  ticket: Ticket;
  contribution: Contribution;
  resolve: (outcome: ContributionOutcome) => void;
  reject: (error: unknown) => void;
}

interface Ticket extends BatcherTicket {
  state: 'routing' | 'submitted' | 'done';
  claimed: string[];
}

/**
 * Group commit for the router's one transactional producer. Every partition's batch is
 * routed concurrently and submitted here; one transaction at a time carries everything
 * submitted before it started: the deliveries and dead letters of all its batches (sent in
 * requests of at most `maxBytesPerSend`), one `sendOffsets` with every batch's offset, one
 * commit. Either all of them become visible with their offsets, or the transaction is
 * aborted and every contributor is rejected, so kafkajs re-delivers each batch from its
 * last committed offset (event ids are deterministic: nothing is lost or doubled).
 *
 * A transaction waits (at most `maxLingerMs`) for batches that entered before its first
 * contribution was submitted: the batches of one fetch then share one transaction instead
 * of the first going alone and the others queueing behind it.
 */
export function createTransactionBatcher(options: TransactionBatcherOptions): TransactionBatcher {
  const { producer, consumerGroup, maxBytesPerSend, compression, afterCommit, onTransaction, logger } = options;
  const maxLingerMs = options.maxLingerMs ?? 5;

  /** Tickets still routing (entered, not yet submitted or released). */
  const routing = new Set<Ticket>();
  /** Submitted contributions waiting for the next transaction. */
  let queue: Entry[] = [];
  /** Tickets the next transaction waits for: those routing when the queue last became non-empty. */
  let awaited = new Set<Ticket>();
  let lingerTimer: NodeJS.Timeout | undefined;
  let inFlight = false;
  /** The previous transaction's `afterCommit`: at most one runs at a time. */
  let recording: Promise<void> = Promise.resolve();
  /** Domain event ids claimed by a ticket, until its contribution is recorded or dropped. */
  const claims = new Map<string, Ticket>();

  function dropClaims(ticket: Ticket): void {
    for (const id of ticket.claimed) {
      if (claims.get(id) === ticket) claims.delete(id);
    }
    ticket.claimed = [];
  }

  function stopAwaiting(ticket: Ticket): void {
    routing.delete(ticket);
    if (awaited.delete(ticket) && awaited.size === 0) startIfReady();
  }

  function startIfReady(): void {
    if (inFlight || queue.length === 0 || awaited.size > 0) return;
    if (lingerTimer) clearTimeout(lingerTimer);
    lingerTimer = undefined;
    const entries = queue;
    queue = [];
    inFlight = true;
    void runTransaction(entries);
  }

  function enqueue(entry: Entry): void {
    if (queue.length === 0) {
      awaited = new Set(routing);
      if (awaited.size > 0) {
        lingerTimer = setTimeout(() => {
          lingerTimer = undefined;
          awaited.clear();
          startIfReady();
        }, maxLingerMs);
      }
    }
    queue.push(entry);
    startIfReady();
  }

  function finish(): void {
    inFlight = false;
    startIfReady();
  }

  async function runTransaction(candidates: Entry[]): Promise<void> {
    const entries: Entry[] = [];
    for (const entry of candidates) {
      if (entry.contribution.isStale?.()) settle(entry, () => entry.resolve('stale'));
      else entries.push(entry);
    }
    if (entries.length === 0) return finish();

    let messageCount = 0;
    try {
      const merged = merge(entries.map((entry) => entry.contribution));
      messageCount = merged.messageCount;
      const transaction = await producer.transaction();
      try {
        for (const topicMessages of requestsByBytes(merged.messagesByTopic, maxBytesPerSend)) {
          const bytes = topicMessages.reduce((sum, { messages }) => sum + messages.reduce((total, message) => total + message.value.length, 0), 0);
          await transaction.sendBatch({ topicMessages, acks: -1, compression: compressionFor(compression, bytes) });
        }
        await transaction.sendOffsets({ consumerGroupId: consumerGroup, topics: merged.offsets });
        // Receipts are written one transaction at a time: should the database fall behind,
        // the router slows down instead of holding ever more claims.
        await recording;
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch((abortError: unknown) => logger.warn({ err: abortError }, 'transaction abort failed'));
        throw error;
      }
    } catch (error) {
      for (const entry of entries) settle(entry, () => entry.reject(error));
      return finish();
    }
    // Committed: the contributors' partitions fetch on, and the next transaction may start,
    // while the receipts are written. The ids stay claimed until they are, so a republished
    // id finds either the claim or the receipt.
    const routedIds: string[] = [];
    for (const entry of entries) {
      entry.ticket.state = 'done';
      entry.contribution.onCommitted?.();
      for (const id of entry.contribution.routedIds) routedIds.push(id);
    }
    onTransaction?.({ batches: entries.length, messages: messageCount });
    recording = afterCommit(routedIds)
      .catch((error: unknown) => {
        // The calls are committed; only the duplicate check of a later republish of these
        // ids is weakened (it would route them again, with the same event ids).
        logger.error({ err: error, ids: routedIds.length }, 'recording routed domain event ids failed');
      })
      .finally(() => {
        for (const entry of entries) dropClaims(entry.ticket);
      });
    for (const entry of entries) entry.resolve('committed');
    finish();
  }

  function settle(entry: Entry, outcome: () => void): void {
    entry.ticket.state = 'done';
    dropClaims(entry.ticket);
    outcome();
  }

  return {
    enter() {
      const ticket: Ticket = {
        state: 'routing',
        claimed: [],
        claim(ids) {
          const heldElsewhere = new Set<string>();
          if (ticket.state === 'done') throw new Error('claim after the ticket was released');
          for (const id of ids) {
            const holder = claims.get(id);
            if (holder === undefined) {
              claims.set(id, ticket);
              ticket.claimed.push(id);
            } else if (holder !== ticket) {
              heldElsewhere.add(id);
            }
          }
          return heldElsewhere;
        },
        submit(contribution) {
          if (ticket.state !== 'routing') return Promise.reject(new Error('a ticket submits once, before it is released'));
          ticket.state = 'submitted';
          const promise = new Promise<ContributionOutcome>((resolve, reject) => {
            // Queued before `stopAwaiting` so that a transaction it triggers includes it.
            enqueue({ ticket, contribution, resolve, reject });
          });
          stopAwaiting(ticket);
          return promise;
        },
        release() {
          if (ticket.state !== 'routing') return;
          ticket.state = 'done';
          dropClaims(ticket);
          stopAwaiting(ticket);
        },
      };
      routing.add(ticket);
      return ticket;
    },
    async drain() {
      // A recording may start while the previous one is awaited.
      let last: Promise<void> | undefined;
      while (last !== recording) {
        last = recording;
        await last;
      }
    },
  };
}

/** The messages of several contributions by topic, and their offsets as `sendOffsets` takes them. */
function merge(contributions: readonly Contribution[]) {
  const messagesByTopic = new Map<string, OutgoingMessage[]>();
  const offsetsByTopic = new Map<string, Map<number, string>>();
  let messageCount = 0;
  for (const contribution of contributions) {
    for (const { topic, messages } of contribution.topicMessages) {
      const forTopic = messagesByTopic.get(topic);
      if (forTopic) {
        for (const message of messages) forTopic.push(message);
      } else if (messages.length > 0) {
        messagesByTopic.set(topic, [...messages]);
      }
      messageCount += messages.length;
    }
    const { topic, partition, offset } = contribution.offset;
    const partitions = offsetsByTopic.get(topic) ?? new Map<number, string>();
    offsetsByTopic.set(topic, partitions);
    // One partition's batches are never in flight together; should two meet, the later wins.
    const previous = partitions.get(partition);
    if (previous === undefined || BigInt(offset) > BigInt(previous)) partitions.set(partition, offset);
  }
  const offsets = [...offsetsByTopic].map(([topic, partitions]) => ({
    topic,
    partitions: [...partitions].map(([partition, offset]) => ({ partition, offset })),
  }));
  return { messagesByTopic, messageCount, offsets };
}

/**
 * Produce requests of at most `maxBytes` of message values each, topics in their given
 * order; a message larger than that goes alone.
 */
export function requestsByBytes(
  messagesByTopic: ReadonlyMap<string, readonly OutgoingMessage[]>,
  maxBytes: number,
): Array<Array<{ topic: string; messages: OutgoingMessage[] }>> {
  const requests: Array<Array<{ topic: string; messages: OutgoingMessage[] }>> = [];
  let request: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  let count = 0;
  let bytes = 0;
  for (const [topic, messages] of messagesByTopic) {
    let current: OutgoingMessage[] = [];
    for (const message of messages) {
      if (count > 0 && bytes + message.value.length > maxBytes) {
        if (current.length > 0) request.push({ topic, messages: current });
        requests.push(request);
        request = [];
        current = [];
        count = 0;
        bytes = 0;
      }
      current.push(message);
      count += 1;
      bytes += message.value.length;
    }
    if (current.length > 0) request.push({ topic, messages: current });
  }
  if (request.length > 0) requests.push(request);
  return requests;
}
