import { fromDatabase, InfrastructureError, parseDelivery } from './steps';

describe('fromDatabase', () => {
  it('passes an answer through', async () => {
    await expect(fromDatabase(async () => 42)).resolves.toBe(42);
  });

  it('turns a failed read into an infrastructure error that keeps the cause', async () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const error = await fromDatabase(async () => Promise.reject(cause)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({ reason: 'database', cause });
  });

  it('gives up on a read that never answers', async () => {
    const error = await fromDatabase(() => new Promise<never>(() => undefined), 20).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'database', message: 'database unavailable: no answer from the database within 20 ms' });
  });
});

describe('parseDelivery', () => {
  it('drops a message that is not a delivery message, saying why', () => {
    expect(parseDelivery({ value: Buffer.from('{"version":1}') })).toMatchObject({ kind: 'drop', reason: 'undecodable' });
    expect(parseDelivery({ value: null })).toEqual({ kind: 'drop', reason: 'undecodable', error: 'empty message' });
  });
});
