import { summarizeServiceErrors } from './service-errors';

describe('summarizeServiceErrors', () => {
  const output = [
    '(node:1) TimeoutNegativeWarning: -1 is a negative number.',
    JSON.stringify({ level: 'warn', msg: 'Limiting retries' }),
    JSON.stringify({ level: 'error', msg: 'Failed to send messages: CONCURRENT_TRANSACTIONS' }),
    JSON.stringify({ level: 'error', msg: 'Failed to send messages: CONCURRENT_TRANSACTIONS' }),
    JSON.stringify({ level: 'error', msg: 'router consumer crashed', err: { message: 'message too large' } }),
    '{"level":"error","msg":"cut in the mid',
    JSON.stringify({ level: 60, msg: 'fatal as a number' }),
  ].join('\n');

  it('groups error and fatal lines by message, most frequent first, and skips the rest', () => {
    expect(summarizeServiceErrors(output)).toEqual([
      { message: 'Failed to send messages: CONCURRENT_TRANSACTIONS', count: 2 },
      { message: 'router consumer crashed: message too large', count: 1 },
      { message: 'fatal as a number', count: 1 },
    ]);
  });

  it('keeps only the most frequent', () => {
    expect(summarizeServiceErrors(output, 1)).toHaveLength(1);
  });
});
