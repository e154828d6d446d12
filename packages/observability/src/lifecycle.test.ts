import pino from 'pino';
import { createShutdown } from './lifecycle';

const silent = pino({ level: 'silent' });

describe('createShutdown', () => {
  it('runs the steps once, in order, even when called again', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({
      logger: silent,
      timeoutMs: 1_000,
      steps: () => [
        { name: 'intake', run: async () => void order.push('intake') },
        { name: 'flush', run: async () => void order.push('flush') },
      ],
    });
    const [first, second] = await Promise.all([shutdown('test'), shutdown('again')]);
    expect(order).toEqual(['intake', 'flush']);
    expect(first).toBe(true);
    expect(second).toBe(true);
  });

  it('keeps going after a failing or overrunning step and reports an unclean stop', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({
      logger: silent,
      timeoutMs: 50,
      steps: () => [
        { name: 'fails', run: async () => Promise.reject(new Error('broken')) },
        { name: 'hangs', run: () => new Promise(() => undefined) },
        { name: 'close', run: async () => void order.push('close') },
      ],
    });
    await expect(shutdown('test')).resolves.toBe(false);
    expect(order).toEqual(['close']);
  });
});
