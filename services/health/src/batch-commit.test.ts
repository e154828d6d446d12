import { commitBatchOffsets, groupMovedOn } from './batch-commit';

/** What kafkajs' `commitOffsets` rejects with when the broker refused the commit. */
function wrapped(type: string): Error {
  const cause = Object.assign(new Error(`broker said ${type}`), { name: 'KafkaJSProtocolError', type, retriable: false });
  return Object.assign(new Error(cause.message), { name: 'KafkaJSNonRetriableError', cause });
}

const offsets = [{ topic: 'webhook-outcomes', partition: 0, offset: '10' }];

describe('commitBatchOffsets', () => {
  it.each(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP'])(
    'throws the broker’s own error for %s, which kafkajs answers by rejoining',
    async (type) => {
      const error = wrapped(type);
      await expect(commitBatchOffsets({ commitOffsets: () => Promise.reject(error) }, offsets)).rejects.toBe(error.cause);
    },
  );

  it('throws any other failure as it came', async () => {
    const error = wrapped('UNKNOWN_SERVER_ERROR');
    await expect(commitBatchOffsets({ commitOffsets: () => Promise.reject(error) }, offsets)).rejects.toBe(error);
  });

  it('commits the offsets it is given', async () => {
    const committed: unknown[] = [];
    await commitBatchOffsets({ commitOffsets: async (given) => void committed.push(given) }, offsets);
    expect(committed).toEqual([offsets]);
  });

  it('finds nothing in an error that is not a group refusal', () => {
    expect(groupMovedOn(new Error('connect ECONNREFUSED'))).toBeUndefined();
    expect(groupMovedOn('not an error')).toBeUndefined();
  });
});
