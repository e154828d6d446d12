import { KafkaJSNonRetriableError } from 'kafkajs';
import { CompressionTypes } from '@hookstream/kafka';
import {
  TransactionFailedError,
  createTransactionBatcher,
  requestsByBytes,
  type Contribution,
  type OutgoingMessage,
  type TransactionBatcherOptions,
} from './transaction-batcher';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

interface SendBatchCall {
  topicMessages: Array<{ topic: string; messages: OutgoingMessage[] }>;
  acks?: number;
}

interface SendOffsetsCall {
  consumerGroupId: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

/** One transaction of the fake producer: what it was asked to do, and a way to hold its commit. */
interface FakeTransaction {
  sends: SendBatchCall[];
  offsets: SendOffsetsCall[];
  committed: boolean;
  aborted: boolean;
}

type FailingStep = 'begin' | 'send' | 'commit' | 'commit-answer';

/**
 * A transactional producer that records every transaction. `holdCommits` makes each commit
 * wait until the test releases it; `failNext` makes one step of the next transaction fail
 * ('commit-answer': the broker commits, the answer is lost). As kafkajs' producer, it is
 * unusable after a failed commit or abort until `renew` (a new producer of the same id).
 */
function fakeProducer() {
  const transactions: FakeTransaction[] = [];
  const heldCommits: Deferred[] = [];
  const renewals: string[] = [];
  /** The group's committed offsets, by partition of 'domain-events'. */
  const groupOffsets = new Map<number, string>();
  let holdCommits = false;
  let abortBreaks = false;
  let failNext: { step: FailingStep; error: Error } | undefined;
  let open = 0;
  return {
    transactions,
    heldCommits,
    renewals,
    groupOffsets,
    hold(value: boolean) {
      holdCommits = value;
    },
    failNext(step: FailingStep, error: Error) {
      failNext = { step, error };
    },
    breakNextAbort() {
      abortBreaks = true;
    },
    async renew(reason: string) {
      renewals.push(reason);
      open = 0;
    },
    producer: {
      async transaction() {
        const failure = failNext?.step === 'begin' ? failNext : undefined;
        if (failure) {
          failNext = undefined;
          throw failure.error;
        }
        // The real producer refuses a second transaction while one is open.
        if (open > 0) throw new Error('there is already an ongoing transaction');
        open += 1;
        const failing = failNext;
        failNext = undefined;
        const record: FakeTransaction = { sends: [], offsets: [], committed: false, aborted: false };
        transactions.push(record);
        return {
          async sendBatch(call: SendBatchCall) {
            if (failing?.step === 'send') throw failing.error;
            // As the broker does: a partition batch holding a record over the limit is refused.
            if (call.topicMessages.some(({ messages }) => messages.some((entry) => entry.value.toString().startsWith('huge')))) {
              throw refusedByBroker();
            }
            record.sends.push(call);
            return call.topicMessages.map(({ topic }) => ({ topicName: topic, partition: 0, errorCode: 0 }));
          },
          async sendOffsets(call: SendOffsetsCall) {
            record.offsets.push(call);
          },
          async commit() {
            if (holdCommits) {
              const hold = deferred();
              heldCommits.push(hold);
              await hold.promise;
            }
            if (failing?.step === 'commit') throw failing.error;
            record.committed = true;
            for (const { partitions } of record.offsets.flatMap((call) => call.topics)) {
              for (const { partition, offset } of partitions) groupOffsets.set(partition, offset);
            }
            if (failing?.step === 'commit-answer') throw failing.error;
            open -= 1;
          },
          async abort() {
            if (abortBreaks) {
              abortBreaks = false;
              throw new Error('Cannot continue to use transaction once ended');
            }
            record.aborted = true;
            open -= 1;
          },
        };
      },
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' protocol error table has no typings.
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };

/** What kafkajs rejects a send with when the broker answers MESSAGE_TOO_LARGE (it does not retry it). */
const refusedByBroker = () => {
  const protocolError = createErrorFromCode(10);
  // Its typings omit the second argument kafkajs' retrier passes.
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
  return new NonRetriable(protocolError, { cause: protocolError });
};

const message = (text: string, source?: string): OutgoingMessage => ({ key: text, value: Buffer.from(text), headers: {}, ...(source ? { source } : {}) });

function contribution(partition: number, nextOffset: string, texts: string[], routedIds: string[] = []): Contribution {
  return {
    topicMessages: [
      { topic: 'deliveries', messages: texts.map((text) => message(text)) },
      { topic: 'dlq', messages: [] },
    ],
    offset: { topic: 'domain-events', partition, offset: nextOffset },
    routedIds,
  };
}

/** A batch whose messages each come from a consumed message (offset = its text's index). */
function attributed(partition: number, nextOffset: string, texts: string[]): Contribution {
  return {
    topicMessages: [
      { topic: 'deliveries', messages: texts.map((text, index) => message(text, String(index))) },
      { topic: 'dlq', messages: [] },
    ],
    offset: { topic: 'domain-events', partition, offset: nextOffset },
    routedIds: texts.map((text) => `id-${text}`),
    deadLetterFor: (source, detail) => ({
      topic: 'dlq',
      message: { key: null, value: Buffer.from(`dead:${texts[Number(source)]}`), headers: { reason: detail } },
      routedId: `id-${texts[Number(source)]}`,
    }),
  };
}

const sentTexts = (transaction: FakeTransaction | undefined) =>
  (transaction?.sends ?? []).flatMap((send) => send.topicMessages.flatMap(({ messages }) => messages.map((entry) => entry.value.toString())));

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(overrides: Partial<TransactionBatcherOptions> = {}) {
  const fake = fakeProducer();
  const recorded: string[][] = [];
  const transactionSizes: Array<{ batches: number; messages: number }> = [];
  const warnings: unknown[] = [];
  const errors: unknown[] = [];
  const batcher = createTransactionBatcher({
    producer: fake.producer as unknown as TransactionBatcherOptions['producer'],
    consumerGroup: 'router-group',
    maxBytesPerSend: 1_000,
    // Long enough never to expire in a test unless the test says otherwise.
    maxLingerMs: 60_000,
    afterCommit: async (ids) => {
      recorded.push(ids);
    },
    onTransaction: (summary) => transactionSizes.push(summary),
    // The fake answers one partition per topic; the coverage check has a test of its own.
    unwritten: () => [],
    renewProducer: (reason) => fake.renew(reason),
    committedOffsets: async () => [...fake.groupOffsets].map(([partition, offset]) => ({ partition, offset })),
    logger: {
      warn: (...args: unknown[]) => warnings.push(args),
      error: (...args: unknown[]) => errors.push(args),
    } as unknown as TransactionBatcherOptions['logger'],
    ...overrides,
  });
  return { fake, batcher, recorded, transactionSizes, warnings, errors };
}

/** A batcher whose receipts stay unwritten until the test resolves them, one per transaction. */
function setupWithHeldReceipts() {
  const receipts: Deferred[] = [];
  const parts = setup({
    afterCommit: () => {
      const pending = deferred();
      receipts.push(pending);
      return pending.promise;
    },
  });
  return { ...parts, receipts };
}

describe('createTransactionBatcher (group commit of the routed batches)', () => {
  it('commits a lone batch: its messages, its offset, then its receipts', async () => {
    const { fake, batcher, recorded, transactionSizes } = setup();
    const ticket = batcher.enter();
    const committed = jest.fn();
    const outcome = await ticket.submit({ ...contribution(0, '11', ['a', 'b'], ['id-a', 'id-b']), onCommitted: committed });
    expect(outcome).toBe('committed');
    expect(fake.transactions).toHaveLength(1);
    expect(fake.transactions[0]).toMatchObject({ committed: true, aborted: false });
    expect(fake.transactions[0]?.sends).toEqual([
      // A request of a few bytes goes uncompressed (see compressionFor).
      { topicMessages: [{ topic: 'deliveries', messages: [message('a'), message('b')] }], acks: -1, compression: CompressionTypes.None },
    ]);
    expect(fake.transactions[0]?.offsets).toEqual([
      { consumerGroupId: 'router-group', topics: [{ topic: 'domain-events', partitions: [{ partition: 0, offset: '11' }] }] },
    ]);
    expect(committed).toHaveBeenCalledTimes(1);
    expect(recorded).toEqual([['id-a', 'id-b']]);
    expect(transactionSizes).toEqual([{ batches: 1, messages: 2 }]);
  });

  it('puts every batch submitted while a transaction is in flight into the next one: one send, one sendOffsets with every partition, one commit', async () => {
    const { fake, batcher, recorded, transactionSizes } = setup();
    fake.hold(true);
    const first = batcher.enter().submit(contribution(0, '5', ['p0'], ['id-0']));
    await flush();
    expect(fake.heldCommits).toHaveLength(1);

    // Partitions 1 and 2 finish routing while partition 0's transaction is committing.
    const second = batcher.enter().submit(contribution(1, '8', ['p1-a', 'p1-b'], ['id-1']));
    const third = batcher.enter().submit(contribution(2, '3', ['p2'], ['id-2']));
    await flush();
    expect(fake.transactions).toHaveLength(1);

    fake.hold(false);
    fake.heldCommits[0]?.resolve();
    await expect(Promise.all([first, second, third])).resolves.toEqual(['committed', 'committed', 'committed']);
    expect(fake.transactions).toHaveLength(2);
    const shared = fake.transactions[1];
    expect(shared?.sends).toHaveLength(1);
    expect(sentTexts(shared)).toEqual(['p1-a', 'p1-b', 'p2']);
    expect(shared?.offsets).toEqual([
      {
        consumerGroupId: 'router-group',
        topics: [{ topic: 'domain-events', partitions: [{ partition: 1, offset: '8' }, { partition: 2, offset: '3' }] }],
      },
    ]);
    expect(shared?.committed).toBe(true);
    expect(recorded).toEqual([['id-0'], ['id-1', 'id-2']]);
    expect(transactionSizes).toEqual([
      { batches: 1, messages: 1 },
      { batches: 2, messages: 3 },
    ]);
  });

  it('waits for the batches that entered before the first submission, so that the batches of one fetch share a transaction', async () => {
    const { fake, batcher } = setup();
    const tickets = [batcher.enter(), batcher.enter(), batcher.enter()];
    const first = tickets[0]?.submit(contribution(0, '1', ['p0']));
    await flush();
    expect(fake.transactions).toHaveLength(0);
    const second = tickets[1]?.submit(contribution(1, '1', ['p1']));
    await flush();
    expect(fake.transactions).toHaveLength(0);
    // The third fails before submitting (e.g. the webhook view went stale): no more waiting.
    tickets[2]?.release();
    await expect(Promise.all([first, second])).resolves.toEqual(['committed', 'committed']);
    expect(fake.transactions).toHaveLength(1);
    expect(sentTexts(fake.transactions[0])).toEqual(['p0', 'p1']);
  });

  it('waits for a slow batch at most maxLingerMs', async () => {
    const { fake, batcher } = setup({ maxLingerMs: 30 });
    const slow = batcher.enter();
    const started = Date.now();
    await expect(batcher.enter().submit(contribution(0, '1', ['p0']))).resolves.toBe('committed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(fake.transactions).toHaveLength(1);
    await expect(slow.submit(contribution(1, '1', ['p1']))).resolves.toBe('committed');
    expect(fake.transactions).toHaveLength(2);
  });

  it('rejects every contributor of a failed commit, resolves none of their offsets, replaces the producer and goes on with the next', async () => {
    const { fake, batcher, recorded } = setup();
    const failure = new Error('broker said no');
    fake.failNext('commit', failure);
    const tickets = [batcher.enter(), batcher.enter()];
    const committed = jest.fn();
    const results = Promise.allSettled([
      tickets[0]?.submit({ ...contribution(0, '4', ['p0'], ['id-0']), onCommitted: committed }),
      tickets[1]?.submit({ ...contribution(1, '9', ['p1'], ['id-1']), onCommitted: committed }),
    ]);
    const reasons = (await results).map((result) => (result.status === 'rejected' ? result.reason : result.status));
    // Retriable: kafkajs routes the batches again instead of stopping the consumer.
    for (const reason of reasons) expect(reason).toMatchObject({ name: 'TransactionFailedError', retriable: true, cause: { cause: failure } });
    expect(fake.transactions).toHaveLength(1);
    // A failed commit cannot be aborted (kafkajs stays in state COMMITTING): a new producer ends it.
    expect(fake.transactions[0]).toMatchObject({ committed: false, aborted: false });
    expect(fake.renewals).toEqual(['failed_transaction']);
    expect(committed).not.toHaveBeenCalled();
    expect(recorded).toEqual([]);

    // kafkajs re-delivers both batches; the batcher is not stuck.
    await expect(batcher.enter().submit(contribution(0, '4', ['p0'], ['id-0']))).resolves.toBe('committed');
    expect(fake.transactions[1]).toMatchObject({ committed: true, aborted: false });
    expect(recorded).toEqual([['id-0']]);
  });

  it.each(['begin', 'send'] as const)('rejects the contributors when the transaction fails at %s', async (step) => {
    const { fake, batcher } = setup();
    const failure = new Error(`${step} failed`);
    fake.failNext(step, failure);
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).rejects.toMatchObject({ name: 'TransactionFailedError', cause: failure });
    if (step === 'send') expect(fake.transactions[0]).toMatchObject({ committed: false, aborted: true });
    // Replaced either way: one that cannot begin a transaction is stuck in a state; after a
    // failed send its sequence numbers may be behind what the broker wrote, and the batch
    // routed again would be taken for a duplicate of the aborted records.
    expect(fake.renewals).toEqual(['failed_transaction']);
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).resolves.toBe('committed');
  });

  it('commits the offsets of a batch with nothing to send (all duplicates or no match)', async () => {
    const { fake, batcher } = setup();
    const committed = jest.fn();
    await expect(batcher.enter().submit({ ...contribution(2, '42', []), onCommitted: committed })).resolves.toBe('committed');
    expect(fake.transactions).toHaveLength(1);
    expect(fake.transactions[0]?.sends).toEqual([]);
    expect(fake.transactions[0]?.offsets).toEqual([
      { consumerGroupId: 'router-group', topics: [{ topic: 'domain-events', partitions: [{ partition: 2, offset: '42' }] }] },
    ]);
    expect(fake.transactions[0]?.committed).toBe(true);
    expect(committed).toHaveBeenCalledTimes(1);
  });

  it('leaves out a batch whose partition went stale while it waited: neither its messages nor its offset', async () => {
    const { fake, batcher, recorded } = setup();
    const tickets = [batcher.enter(), batcher.enter()];
    const committed = jest.fn();
    const stale = tickets[0]?.submit({ ...contribution(0, '7', ['stale'], ['id-stale']), isStale: () => true, onCommitted: committed });
    const live = tickets[1]?.submit({ ...contribution(1, '3', ['live'], ['id-live']), isStale: () => false });
    await expect(Promise.all([stale, live])).resolves.toEqual(['stale', 'committed']);
    expect(sentTexts(fake.transactions[0])).toEqual(['live']);
    expect(fake.transactions[0]?.offsets[0]?.topics).toEqual([{ topic: 'domain-events', partitions: [{ partition: 1, offset: '3' }] }]);
    expect(committed).not.toHaveBeenCalled();
    expect(recorded).toEqual([['id-live']]);

    // Only stale batches: no transaction at all.
    await expect(batcher.enter().submit({ ...contribution(0, '7', ['stale']), isStale: () => true })).resolves.toBe('stale');
    expect(fake.transactions).toHaveLength(1);
  });

  it('resolves the contributors when recording the receipts fails after the commit, logs it, and drops the claims', async () => {
    const failure = new Error('database down');
    const { fake, batcher, errors } = setup({ afterCommit: () => Promise.reject(failure) });
    const committed = jest.fn();
    const ticket = batcher.enter();
    ticket.claim(['id']);
    await expect(ticket.submit({ ...contribution(0, '2', ['p0'], ['id']), onCommitted: committed })).resolves.toBe('committed');
    expect(fake.transactions[0]?.committed).toBe(true);
    expect(committed).toHaveBeenCalledTimes(1);
    await flush();
    expect(errors).toHaveLength(1);
    expect(batcher.enter().claim(['id'])).toEqual(new Set());
  });

  it('resolves a contribution once committed, without waiting for its receipts; the next transaction commits only after them', async () => {
    const { fake, batcher, receipts } = setupWithHeldReceipts();
    await expect(batcher.enter().submit(contribution(0, '1', ['p0']))).resolves.toBe('committed');
    expect(receipts).toHaveLength(1);

    const second = batcher.enter().submit(contribution(1, '1', ['p1']));
    await flush();
    // Sent, offsets added, commit held back by the first transaction's receipts.
    expect(fake.transactions[1]).toMatchObject({ committed: false });
    expect(sentTexts(fake.transactions[1])).toEqual(['p1']);
    receipts[0]?.resolve();
    await expect(second).resolves.toBe('committed');
    expect(fake.transactions[1]).toMatchObject({ committed: true });
    receipts[1]?.resolve();
  });
});

describe('a broker lost during a transaction', () => {
  it('resolves the batches of a commit whose answer was lost when the group has their offsets', async () => {
    const { fake, batcher, recorded } = setup();
    fake.failNext('commit-answer', new Error('Connection error: connect ECONNREFUSED'));
    const committed = jest.fn();
    await expect(batcher.enter().submit({ ...contribution(0, '4', ['p0'], ['id-0']), onCommitted: committed })).resolves.toBe('committed');
    expect(committed).toHaveBeenCalledTimes(1);
    expect(fake.renewals).toEqual(['failed_transaction']);
    await batcher.drain();
    expect(recorded).toEqual([['id-0']]);
    // The batch is not sent again: it is in the topic once.
    expect(fake.transactions).toHaveLength(1);
    await expect(batcher.enter().submit(contribution(0, '5', ['p1']))).resolves.toBe('committed');
  });

  it('replaces the producer after OUT_OF_ORDER_SEQUENCE_NUMBER and rejects the batches as retriable', async () => {
    const { fake, batcher } = setup();
    const protocolError = createErrorFromCode(45);
    const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
    fake.failNext('send', new NonRetriable(protocolError, { cause: protocolError }));
    const rejection = batcher.enter().submit(contribution(0, '2', ['p0']));
    await expect(rejection).rejects.toBeInstanceOf(TransactionFailedError);
    await expect(rejection).rejects.toMatchObject({ retriable: true });
    expect(fake.transactions[0]).toMatchObject({ committed: false, aborted: true });
    expect(fake.renewals).toEqual(['failed_transaction']);
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).resolves.toBe('committed');
  });

  it('replaces the producer when the abort fails, before the next transaction', async () => {
    const { fake, batcher } = setup();
    fake.breakNextAbort();
    fake.failNext('send', new Error('Request timed out'));
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).rejects.toBeInstanceOf(TransactionFailedError);
    expect(fake.renewals).toEqual(['failed_transaction']);
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).resolves.toBe('committed');
  });

  it('rejects the batches when no new producer can be made yet, and makes one before the next transaction', async () => {
    let failing = true;
    const renewals: string[] = [];
    const { fake, batcher } = setup({
      renewProducer: async (reason) => {
        if (failing) throw new Error('no broker answers');
        renewals.push(reason);
        await fake.renew(reason);
      },
    });
    const protocolError = createErrorFromCode(45);
    const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
    fake.failNext('send', new NonRetriable(protocolError, { cause: protocolError }));
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).rejects.toBeInstanceOf(TransactionFailedError);
    failing = false;
    await expect(batcher.enter().submit(contribution(0, '2', ['p0']))).resolves.toBe('committed');
    expect(renewals).toEqual(['failed_transaction']);
  });
});

describe('a send that left partitions out', () => {
  it('aborts the transaction and rejects its batches, so that they are routed again', async () => {
    const missing = [{ topic: 'deliveries', partition: 2, messages: 1 }];
    const incomplete: unknown[] = [];
    const { fake, batcher, recorded } = setup({ unwritten: () => missing, onIncompleteSend: (partitions) => incomplete.push(partitions) });
    const committed = jest.fn();
    await expect(batcher.enter().submit({ ...contribution(0, '4', ['a', 'b'], ['id-a']), onCommitted: committed })).rejects.toThrow(
      'without writing deliveries[2] (1 messages)',
    );
    expect(fake.transactions[0]).toMatchObject({ committed: false, aborted: true });
    expect(fake.transactions[0]?.offsets).toEqual([]);
    expect(committed).not.toHaveBeenCalled();
    expect(recorded).toEqual([]);
    expect(incomplete).toEqual([missing]);
    // The partitions the response did cover were written, then aborted: a new producer
    // sends the batch again under new sequence numbers.
    expect(fake.renewals).toEqual(['failed_transaction']);
  });
});

describe('a record the broker refuses for good', () => {
  it("commits the other partitions' batches, then dead-letters the refused record's consumed message and commits the rest of its batch", async () => {
    let renewals = 0;
    const { fake, batcher, recorded, errors } = setup({ renewProducer: async () => void (renewals += 1) });
    fake.hold(true);
    const blocker = batcher.enter().submit(contribution(9, '1', ['first']));
    await flush();
    const refused: string[] = [];
    const poisoned = batcher.enter().submit({ ...attributed(0, '3', ['ok-1', 'huge-1', 'ok-2']), onRefused: (sources) => void refused.push(...sources) });
    const other = batcher.enter().submit(contribution(1, '8', ['p1'], ['id-p1']));
    await flush();
    fake.hold(false);
    fake.heldCommits[0]?.resolve();
    await expect(Promise.all([blocker, poisoned, other])).resolves.toEqual(['committed', 'committed', 'committed']);

    const committedTransactions = fake.transactions.filter((transaction) => transaction.committed);
    const texts = committedTransactions.flatMap(sentTexts);
    expect(texts.filter((text) => text !== 'first').sort()).toEqual(['dead:huge-1', 'ok-1', 'ok-2', 'p1']);
    // Every offset committed, exactly once.
    const offsets = committedTransactions.flatMap((transaction) => transaction.offsets.flatMap(({ topics }) => topics.flatMap(({ partitions }) => partitions)));
    expect(offsets.map(({ partition, offset }) => `${partition}@${offset}`).sort()).toEqual(['0@3', '1@8', '9@1']);
    // The refused event is not recorded as routed (a republish of it is routed again).
    expect(recorded.flat()).not.toContain('id-huge-1');
    expect(recorded.flat()).toEqual(expect.arrayContaining(['id-ok-1', 'id-ok-2', 'id-p1']));
    expect(refused).toEqual(['1']);
    expect(errors).toHaveLength(1);
    // A new producer after each refused send (the shared one, the batch alone, and the probes that hit the record).
    expect(renewals).toBeGreaterThanOrEqual(3);
    // The probes that found the record were aborted, never committed.
    expect(fake.transactions.filter((transaction) => transaction.aborted).flatMap((transaction) => transaction.sends)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ topicMessages: expect.arrayContaining([expect.objectContaining({ topic: 'dlq' })]) })]),
    );
  });

  it('keeps failing a batch whose refused record it cannot dead-letter, and never commits part of it', async () => {
    const { fake, batcher } = setup();
    await expect(batcher.enter().submit(contribution(0, '2', ['ok', 'huge']))).rejects.toThrow('cannot be dead-lettered');
    expect(fake.transactions.filter((transaction) => transaction.committed)).toEqual([]);
  });
});

describe('drain', () => {
  it('resolves once the receipts of the committed transactions are written', async () => {
    const { batcher, receipts } = setupWithHeldReceipts();
    await batcher.drain();
    await batcher.enter().submit(contribution(0, '1', ['p0'], ['id']));
    const drained = jest.fn();
    const draining = batcher.drain().then(drained);
    await flush();
    expect(drained).not.toHaveBeenCalled();
    receipts[0]?.resolve();
    await draining;
    expect(drained).toHaveBeenCalledTimes(1);
  });
});

describe('claims on domain event ids in flight', () => {
  it('reports an id another batch in flight holds, until that batch has committed and recorded it', async () => {
    const { batcher, receipts } = setupWithHeldReceipts();
    const first = batcher.enter();
    expect(first.claim(['x', 'y'])).toEqual(new Set());
    expect(first.claim(['x'])).toEqual(new Set());

    const second = batcher.enter();
    expect(second.claim(['y', 'z'])).toEqual(new Set(['y']));
    second.release();

    await expect(first.submit(contribution(0, '1', ['x', 'y'], ['x', 'y']))).resolves.toBe('committed');
    // Committed, receipts not yet written: still claimed.
    expect(receipts).toHaveLength(1);
    expect(batcher.enter().claim(['y'])).toEqual(new Set(['y']));
    receipts[0]?.resolve();
    await flush();
    const third = batcher.enter();
    expect(third.claim(['x', 'y', 'z'])).toEqual(new Set());
    third.release();
  });

  it('drops the claims of a batch whose transaction failed', async () => {
    const { fake, batcher } = setup();
    fake.failNext('commit', new Error('no'));
    const ticket = batcher.enter();
    ticket.claim(['x']);
    await expect(ticket.submit(contribution(0, '1', ['x'], ['x']))).rejects.toThrow(TransactionFailedError);
    expect(batcher.enter().claim(['x'])).toEqual(new Set());
  });
});

describe('requestsByBytes', () => {
  const sized = (size: number) => ({ key: null, value: Buffer.alloc(size), headers: {} });
  const shape = (requests: ReturnType<typeof requestsByBytes>) =>
    requests.map((request) => request.map(({ topic, messages }) => `${topic}:${messages.map((entry) => entry.value.length).join(',')}`));

  it('splits the messages of all topics into requests under the byte limit, a large message alone', () => {
    const byTopic = new Map([
      ['deliveries', [sized(40), sized(40), sized(40), sized(200), sized(10)]],
      ['dlq', [sized(30), sized(0)]],
    ]);
    expect(shape(requestsByBytes(byTopic, 100))).toEqual([['deliveries:40,40'], ['deliveries:40'], ['deliveries:200'], ['deliveries:10', 'dlq:30,0']]);
    expect(requestsByBytes(new Map(), 100)).toEqual([]);
    expect(requestsByBytes(new Map([['dlq', [sized(0)]]]), 100)).toHaveLength(1);
  });
});
