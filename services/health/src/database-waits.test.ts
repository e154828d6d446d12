import { silentLogger } from '@hookstream/testkit';
import { databaseRetryDelayMs, untilWritten, type BatchLease } from './database-waits';

const policy = { firstMs: 1, maxMs: 4 };
const context = { logger: silentLogger, what: 'writing', topic: 't', partition: 0, policy };

function lease(overrides: Partial<BatchLease> = {}): BatchLease & { heartbeats: number } {
  const state = { heartbeats: 0 };
  return Object.assign(state, {
    heartbeat: async () => {
      state.heartbeats += 1;
    },
    isRunning: () => true,
    isStale: () => false,
    ...overrides,
  });
}

describe('untilWritten', () => {
  it('tries the write again, heartbeating between tries, until it succeeds', async () => {
    let tries = 0;
    const batch = lease();
    const result = await untilWritten(
      async () => {
        tries += 1;
        if (tries < 4) throw new Error('connect ECONNREFUSED');
        return 'written';
      },
      batch,
      context,
    );
    expect(result).toBe('written');
    expect(tries).toBe(4);
    expect(batch.heartbeats).toBe(3);
  });

  it('gives the batch up, unwritten, once the partition was taken or the consumer stops', async () => {
    let stale = false;
    const write = async () => {
      stale = true;
      throw new Error('down');
    };
    await expect(untilWritten(write, lease({ isStale: () => stale }), context)).resolves.toBeUndefined();
    await expect(untilWritten(write, lease({ isRunning: () => false }), context)).resolves.toBeUndefined();
  });

  it('lets a rebalance reported by the heartbeat through to kafkajs', async () => {
    const rebalancing = new Error('The group is rebalancing');
    const write = async () => {
      throw new Error('down');
    };
    await expect(untilWritten(write, lease({ heartbeat: () => Promise.reject(rebalancing) }), context)).rejects.toBe(rebalancing);
  });
});

describe('databaseRetryDelayMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1_000],
    [50, 1_000],
  ])('after %i failures waits %i ms', (failures, delay) => {
    expect(databaseRetryDelayMs(failures, { firstMs: 100, maxMs: 1_000 })).toBe(delay);
  });
});
