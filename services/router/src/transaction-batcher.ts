import {
  IncompleteSendError,
  KafkaJSError,
  compressionFor,
  sendCoverage,
  type CompressionTypes,
  type IHeaders,
  type Producer,
  type RecordMetadata,
  type UnwrittenPartition,
} from '@hookstream/kafka';
import type { Logger } from '@hookstream/observability';

/** A message the router produces (a delivery or a dead letter). */
export interface OutgoingMessage {
  key: Buffer | string | null;
  value: Buffer;
  headers: IHeaders;
  /** The offset of the consumed message it comes from (to dead-letter that one if refused). */
  source?: string;
}

/**
 * Broker errors that refuse a record for good: sending it again gets the same answer. The
 * broker answers them for the whole partition batch of a produce request.
 */
const REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

/** Set on a dead letter whose original bytes the dead-letter topic refused too. */
export const VALUE_DROPPED_HEADER = 'hookstream-dlq-value-dropped';

/** The broker's refusal in a kafkajs error (possibly wrapped as non-retriable), if it is one. */
export function refusalOf(error: unknown): { type: string; message: string } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    const { type, message, cause } = current as { type?: unknown; message?: unknown; cause?: unknown };
    if (typeof type === 'string' && REFUSALS.has(type)) return { type, message: typeof message === 'string' ? message : type };
    current = cause;
  }
  return undefined;
}

/**
 * A transaction that failed on a transient broker fault (a broker lost, a leader moved):
 * it was aborted (or never committed) and its batches are routed again. kafkajs retries
 * a batch that fails with it instead of stopping the consumer, as it would for the
 * producer's own non-retriable errors (OUT_OF_ORDER_SEQUENCE_NUMBER, a transaction
 * state exception).
 */
export class TransactionFailedError extends KafkaJSError {
  override readonly name: string = 'TransactionFailedError';
  constructor(cause: unknown) {
    // A KafkaJSError, retriable: kafkajs retries the batch and logs no error line for it.
    // (kafkajs takes the cause too, which its typings omit.)
    const metadata = { retriable: true, cause: cause instanceof Error ? cause : new Error(String(cause)) };
    super(`the Kafka transaction failed, its batches are routed again: ${cause instanceof Error ? cause.message : String(cause)}`, metadata);
  }
}

/** The commit request itself failed: the broker may have committed the transaction or not. */
class CommitInDoubtError extends Error {
  constructor(cause: unknown) {
    super(`the commit failed, its outcome is unknown: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CommitInDoubtError';
  }
}

/** Whether kafkajs gave up on an error for good (its producer may be unusable since). */
function isNonRetriable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    if ((current as { retriable?: unknown }).retriable === false) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
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
  /**
   * The dead letter for the consumed message at `source` when the broker refuses its output
   * for good, and the routed id it no longer routes. Without it, such a batch fails again
   * and again (kafkajs re-delivers it).
   */
  deadLetterFor?: (source: string, detail: string) => { topic: string; message: OutgoingMessage; routedId?: string };
  /** Called with the consumed messages dead-lettered because the broker refused their output. */
  onRefused?: (sources: readonly string[]) => void;
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
   * Which messages of a send its response does not cover (kafkajs can resolve a send that
   * left a partition out when a leader moves); the transaction is then aborted and its
   * batches retried. Defaults to the check of `@hookstream/kafka`.
   */
  unwritten?: (
    topicMessages: ReadonlyArray<{ topic: string; messages: readonly OutgoingMessage[] }>,
    response: readonly RecordMetadata[],
  ) => UnwrittenPartition[];
  /** Observes a send that resolved without writing every partition (metrics). */
  onIncompleteSend?: (missing: readonly UnwrittenPartition[]) => void;
  /**
   * Replaces the producer with a new one of the same transactional id (a new epoch, whose
   * sequence numbers start again). Called after a transaction failed once it had sent
   * anything, and after the broker refused a record: the broker may have written partitions
   * of a request kafkajs counts as failed, and kafkajs' sequence numbers for them went
   * back; see `abortAfter`.
   */
  renewProducer: (reason: ProducerRenewalReason) => Promise<void>;
  /**
   * The consumer group's committed offsets of a topic's partitions. After a commit whose
   * outcome is unknown (the broker was lost during it), the new producer's epoch has
   * completed or aborted that transaction; its offsets tell which.
   */
  committedOffsets?: (topic: string) => Promise<ReadonlyArray<{ partition: number; offset: string }>>;
  /** Observes a failed transaction: its batches routed again, or found committed after all (metrics). */
  onTransactionFailed?: (outcome: 'retried' | 'committed') => void;
  /**
   * How long a submitted contribution waits at most for batches that entered before it
   * and are still being routed (the other partitions of the same fetch, usually under a
   * millisecond away), so that they share one transaction.
   */
  maxLingerMs?: number;
  logger: Pick<Logger, 'warn' | 'error'>;
}

/**
 * Why the producer was replaced: the broker refused a record, or a transaction failed in a
 * way that leaves kafkajs' producer unusable (a commit cut off by a broker loss leaves its
 * state at COMMITTING for good; a lost request leaves its sequence numbers behind).
 */
export type ProducerRenewalReason = 'refused' | 'failed_transaction';

type Transaction = Awaited<ReturnType<Pick<Producer, 'transaction'>['transaction']>>;

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
  const { producer, consumerGroup, maxBytesPerSend, compression, afterCommit, onTransaction, onIncompleteSend, renewProducer, committedOffsets, onTransactionFailed, logger } =
    options;
  const maxLingerMs = options.maxLingerMs ?? 5;
  const unwritten = options.unwritten ?? ((topicMessages, response) => sendCoverage(topicMessages, response).missing);

  /** Sends one request in the transaction and fails unless the response covers every partition. */
  async function send(transaction: Transaction, topicMessages: Array<{ topic: string; messages: OutgoingMessage[] }>): Promise<void> {
    const bytes = topicMessages.reduce((sum, { messages }) => sum + messages.reduce((total, message) => total + message.value.length, 0), 0);
    const response = await transaction.sendBatch({ topicMessages, acks: -1, compression: compressionFor(compression, bytes) });
    const missing = unwritten(topicMessages, response);
    if (missing.length > 0) {
      onIncompleteSend?.(missing);
      throw new IncompleteSendError(missing);
    }
  }

  /**
   * One transaction: the given requests, the offsets, the commit (after the previous
   * receipts). Aborted, and the error rethrown, if any step fails.
   */
  async function commitTransaction(
    requests: Array<Array<{ topic: string; messages: OutgoingMessage[] }>>,
    offsets: ReturnType<typeof merge>['offsets'],
  ): Promise<void> {
    const transaction = await begin();
    let sending = false;
    let committing = false;
    try {
      sending = requests.length > 0;
      for (const topicMessages of requests) await send(transaction, topicMessages);
      await transaction.sendOffsets({ consumerGroupId: consumerGroup, topics: offsets });
      // Receipts are written one transaction at a time: should the database fall behind,
      // the router slows down instead of holding ever more claims.
      await recording;
      committing = true;
      await transaction.commit();
    } catch (error) {
      if (committing) {
        // kafkajs stays in state COMMITTING: neither abort nor a next transaction works.
        broken = true;
        throw new CommitInDoubtError(error);
      }
      await abortAfter(transaction, error, sending);
      throw error;
    }
  }

  /** Begins a transaction, on a new producer first if the current one is unusable. */
  async function begin(): Promise<Transaction> {
    if (broken) await renew('failed_transaction');
    try {
      return await producer.transaction();
    } catch (error) {
      broken = true;
      throw error;
    }
  }

  async function renew(reason: ProducerRenewalReason): Promise<void> {
    await renewProducer(reason);
    broken = false;
  }

  /**
   * Aborts a transaction that failed. After a failed send the producer is replaced too:
   * kafkajs takes back the sequence numbers of a request that failed as a whole, although
   * the broker may have written some of its partitions (one partition's leader moved, the
   * others answered; or the answer was lost), and then left those out of its retry
   * (tulios/kafkajs#1303). Those records are aborted with the transaction, but the broker
   * remembers their sequence numbers: the same batch sent again by the same producer (a
   * batch routed again yields the same records) is taken for a duplicate of the aborted
   * one, acknowledged and not written, and the next commit would make the batch's offset
   * durable without its deliveries. A new producer starts a new epoch, whose sequence
   * numbers start again.
   */
  async function abortAfter(transaction: Transaction, error: unknown, sentAny: boolean): Promise<void> {
    await transaction.abort().catch((abortError: unknown) => {
      broken = true;
      logger.warn({ err: abortError }, 'transaction abort failed: the producer is replaced');
    });
    if (refusalOf(error)) await renew('refused');
    else if (sentAny) broken = true;
    else if (isNonRetriable(error)) broken = true;
  }

  /**
   * A transaction failed for another reason than a refused record: the producer is
   * replaced if it is unusable (the new one, of the same transactional id, fences the old
   * and ends its transaction), a transaction whose commit was cut off is looked up in the
   * committed offsets, and every batch not committed is rejected so that kafkajs routes it
   * again from its last committed offset.
   */
  async function recover(entries: Entry[], error: unknown): Promise<void> {
    const inDoubt = error instanceof CommitInDoubtError;
    logger.warn(
      { err: error, batches: entries.length, inDoubt, renewProducer: broken },
      'a Kafka transaction failed (a broker lost or a leader moved?): its batches are routed again',
    );
    for (let attempt = 1; broken; attempt += 1) {
      try {
        await renew('failed_transaction');
      } catch (renewError) {
        logger.warn({ err: renewError, attempt }, 'replacing the producer failed; trying again');
        // A commit cut off is resolved only by a new producer: try longer for it.
        if (attempt >= (inDoubt ? 5 : 1)) break;
        await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
      }
    }
    let found = new Set<Entry>();
    if (inDoubt && !broken && committedOffsets) {
      try {
        found = await foundCommitted(entries);
      } catch (lookupError) {
        logger.warn({ err: lookupError }, 'reading the committed offsets after a failed commit failed');
      }
    }
    if (inDoubt && found.size < entries.length) {
      logger.warn({ batches: entries.length - found.size, renewed: !broken }, 'a commit was cut off and is not found committed: its batches are routed again');
    }
    const rejected = entries.filter((entry) => !found.has(entry));
    for (const entry of rejected) settle(entry, () => entry.reject(new TransactionFailedError(error)));
    if (rejected.length > 0) onTransactionFailed?.('retried');
    if (found.size > 0) {
      const kept = entries.filter((entry) => found.has(entry));
      logger.warn({ batches: kept.length }, 'a commit cut off by a broker fault was committed after all');
      onTransactionFailed?.('committed');
      committed(
        kept,
        kept.flatMap((entry) => entry.contribution.routedIds),
        merge(kept.map((entry) => entry.contribution)).messageCount,
      );
    }
  }

  /** The entries whose offsets the group has committed (each partition's offset at least theirs). */
  async function foundCommitted(entries: Entry[]): Promise<Set<Entry>> {
    const byTopic = new Map<string, Map<number, bigint>>();
    for (const topic of new Set(entries.map((entry) => entry.contribution.offset.topic))) {
      const partitions = new Map<number, bigint>();
      for (const { partition, offset } of await (committedOffsets as NonNullable<typeof committedOffsets>)(topic)) {
        partitions.set(partition, BigInt(offset));
      }
      byTopic.set(topic, partitions);
    }
    return new Set(
      entries.filter(({ contribution: { offset } }) => (byTopic.get(offset.topic)?.get(offset.partition) ?? -1n) >= BigInt(offset.offset)),
    );
  }

  /**
   * Whether the broker refuses these messages: they are sent in a transaction that is then
   * aborted (nothing becomes visible). Other errors are thrown.
   */
  async function refuses(messages: readonly OutgoingMessage[], topicOf: Map<OutgoingMessage, string>): Promise<boolean> {
    const transaction = await begin();
    try {
      for (const request of requestsByBytes(byTopic(messages, topicOf), maxBytesPerSend)) await send(transaction, request);
    } catch (error) {
      await abortAfter(transaction, error, true);
      if (refusalOf(error)) return true;
      throw error;
    }
    await transaction.abort().catch((abortError: unknown) => logger.warn({ err: abortError }, 'transaction abort failed'));
    return false;
  }

  /** The groups (one per consumed message) the broker refuses, found by halving. */
  async function refusedGroups(groups: OutgoingMessage[][], topicOf: Map<OutgoingMessage, string>): Promise<OutgoingMessage[][]> {
    if (groups.length === 0 || !(await refuses(groups.flat(), topicOf))) return [];
    if (groups.length === 1) return groups;
    const half = Math.ceil(groups.length / 2);
    return [...(await refusedGroups(groups.slice(0, half), topicOf)), ...(await refusedGroups(groups.slice(half), topicOf))];
  }

  /**
   * A contribution whose transaction the broker refused, alone: each consumed message's
   * output is tried again (in aborted transactions) to find the ones refused for good;
   * those are dead-lettered with the broker's answer, the rest is committed with the offset,
   * one request per consumed message (the broker may refuse a partition batch of several
   * records that it accepts one by one). Returns the routed ids committed.
   */
  async function commitIsolated(entry: Entry, detail: string): Promise<string[]> {
    const { contribution } = entry;
    const deadLetterFor = contribution.deadLetterFor;
    const topicOf = new Map<OutgoingMessage, string>();
    const groupsBySource = new Map<string, OutgoingMessage[]>();
    const unattributed: OutgoingMessage[] = [];
    for (const { topic, messages } of contribution.topicMessages) {
      for (const message of messages) {
        topicOf.set(message, topic);
        if (message.source === undefined) unattributed.push(message);
        else groupsBySource.set(message.source, [...(groupsBySource.get(message.source) ?? []), message]);
      }
    }
    if (!deadLetterFor || unattributed.length > 0) throw new Error(`the broker refused a record that cannot be dead-lettered: ${detail}`);
    const groups = [...groupsBySource.values()];
    const refused = new Set(await refusedGroups(groups, topicOf));
    if (refused.size === 0) {
      // Nothing refused alone: the request as a whole was too large; one per consumed message.
      logger.warn({ detail }, 'a transaction was refused, but none of its records alone: sending them one consumed message at a time');
    }
    const refusedSources: string[] = [];
    const forgotten = new Set<string>();
    const requests: Array<Array<{ topic: string; messages: OutgoingMessage[] }>> = [];
    const deadLetters: OutgoingMessage[] = [];
    for (const group of groups) {
      if (refused.has(group)) {
        const source = group[0]?.source as string;
        const { topic, message, routedId } = deadLetterFor(source, detail);
        refusedSources.push(source);
        deadLetters.push(message);
        if (routedId !== undefined) forgotten.add(routedId);
        requests.push([{ topic, messages: [message] }]);
      } else {
        requests.push(...requestsByBytes(byTopic(group, topicOf), maxBytesPerSend));
      }
    }
    const { offsets } = merge([contribution]);
    try {
      await commitTransaction(requests, offsets);
    } catch (error) {
      if (!refusalOf(error) || deadLetters.length === 0) throw error;
      // The dead-letter topic refuses the original bytes too (a smaller limit there): the
      // dead letters keep their headers, which say where the original is, without the value.
      logger.warn({ err: error }, 'the dead-letter topic refused the original bytes: dead-lettering without them');
      for (const message of deadLetters) {
        message.value = Buffer.alloc(0);
        message.headers = { ...message.headers, [VALUE_DROPPED_HEADER]: 'true' };
      }
      await commitTransaction(requests, offsets);
    }
    if (refusedSources.length > 0) {
      logger.error(
        { topic: contribution.offset.topic, partition: contribution.offset.partition, offsets: refusedSources, detail },
        'the broker refused the output of domain events for good: dead-lettered',
      );
      contribution.onRefused?.(refusedSources);
    }
    return contribution.routedIds.filter((id) => !forgotten.has(id));
  }

  /** Tickets still routing (entered, not yet submitted or released). */
  const routing = new Set<Ticket>();
  /** Submitted contributions waiting for the next transaction. */
  let queue: Entry[] = [];
  /** Tickets the next transaction waits for: those routing when the queue last became non-empty. */
  let awaited = new Set<Ticket>();
  let lingerTimer: NodeJS.Timeout | undefined;
  let inFlight = false;
  /** The producer must be replaced before the next transaction. */
  let broken = false;
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
      await commitTransaction(requestsByBytes(merged.messagesByTopic, maxBytesPerSend), merged.offsets);
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) {
        logger.warn({ err: error, batches: entries.length }, 'the broker refused a record: retrying each batch alone');
        await isolate(entries, refusal.message);
      } else {
        await recover(entries, error);
      }
      return finish();
    }
    committed(
      entries,
      entries.flatMap((entry) => entry.contribution.routedIds),
      messageCount,
    );
    finish();
  }

  /** Each batch of a refused transaction in its own, and a refused one record by record. */
  async function isolate(entries: Entry[], detail: string): Promise<void> {
    for (const entry of entries) {
      if (entry.contribution.isStale?.()) {
        settle(entry, () => entry.resolve('stale'));
        continue;
      }
      const merged = merge([entry.contribution]);
      try {
        let routedIds: string[];
        if (entries.length === 1) {
          routedIds = await commitIsolated(entry, detail);
        } else {
          try {
            await commitTransaction(requestsByBytes(merged.messagesByTopic, maxBytesPerSend), merged.offsets);
            routedIds = [...entry.contribution.routedIds];
          } catch (error) {
            const refusal = refusalOf(error);
            if (!refusal) throw error;
            routedIds = await commitIsolated(entry, refusal.message);
          }
        }
        committed([entry], routedIds, merged.messageCount);
      } catch (error) {
        settle(entry, () => entry.reject(error instanceof TransactionFailedError ? error : new TransactionFailedError(error)));
      }
    }
  }

  /**
   * Committed: the contributors' partitions fetch on, and the next transaction may start,
   * while the receipts are written. The ids stay claimed until they are, so a republished
   * id finds either the claim or the receipt.
   */
  function committed(entries: Entry[], routedIds: string[], messageCount: number): void {
    for (const entry of entries) {
      entry.ticket.state = 'done';
      entry.contribution.onCommitted?.();
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

/** Messages by topic, in their given order. */
function byTopic(messages: readonly OutgoingMessage[], topicOf: ReadonlyMap<OutgoingMessage, string>): Map<string, OutgoingMessage[]> {
  const topics = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const topic = topicOf.get(message) as string;
    topics.set(topic, [...(topics.get(topic) ?? []), message]);
  }
  return topics;
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
