import { Writable } from 'node:stream';
import pino from 'pino';
import { createKafka } from './client';
import { kafkaLogLevel, loweredKafkaErrorTypes } from './log-level';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' protocol error table has no typings.
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };

// The messages kafkajs itself attaches to these broker error codes.
const CONCURRENT_TRANSACTIONS = createErrorFromCode(51).message;
const REBALANCE_IN_PROGRESS = createErrorFromCode(27).message;
const NOT_LEADER_FOR_PARTITION = createErrorFromCode(6).message;
const MESSAGE_TOO_LARGE = createErrorFromCode(10).message;
const TOPIC_AUTHORIZATION_FAILED = createErrorFromCode(29).message;
const INVALID_PRODUCER_EPOCH = createErrorFromCode(47).message;

describe('kafkaLogLevel', () => {
  it.each([
    ['a failed AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS', 'Response AddPartitionsToTxn(key: 24, version: 1)', CONCURRENT_TRANSACTIONS, 'debug'],
    ['a heartbeat answered REBALANCE_IN_PROGRESS', 'Response Heartbeat(key: 12, version: 3)', REBALANCE_IN_PROGRESS, 'debug'],
    ['a produce answered NOT_LEADER_FOR_PARTITION', 'Response Produce(key: 0, version: 7)', NOT_LEADER_FOR_PARTITION, 'warn'],
    ['a produce refused a record as too large', 'Response Produce(key: 0, version: 7)', MESSAGE_TOO_LARGE, 'error'],
    ['an authorization failure', 'Response Metadata(key: 3, version: 6)', TOPIC_AUTHORIZATION_FAILED, 'error'],
    ['a fenced producer', 'Response Produce(key: 0, version: 7)', INVALID_PRODUCER_EPOCH, 'error'],
  ])('%s', (_case, message, error, expected) => {
    expect(kafkaLogLevel({ level: 'error', message, error })).toBe(expected);
  });

  it("lowers the producer's retry line of a leader move, and keeps it for a real failure", () => {
    expect(kafkaLogLevel({ level: 'error', message: `Failed to send messages: ${NOT_LEADER_FOR_PARTITION}` })).toBe('warn');
    expect(kafkaLogLevel({ level: 'error', message: `Failed to send messages: ${MESSAGE_TOO_LARGE}` })).toBe('error');
  });

  it('keeps error lines without a broker error, and every other level', () => {
    expect(kafkaLogLevel({ level: 'error', message: 'Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout' })).toBe('error');
    expect(kafkaLogLevel({ level: 'error', message: 'Connection timeout', error: undefined })).toBe('error');
    expect(kafkaLogLevel({ level: 'warn', message: 'Response Produce', error: CONCURRENT_TRANSACTIONS })).toBe('warn');
    expect(kafkaLogLevel({ level: 'info', message: 'Consumer has joined the group' })).toBe('info');
  });

  it('names only error types kafkajs knows', () => {
    const { lowered, known } = loweredKafkaErrorTypes();
    expect(known).toEqual(lowered);
  });
});

describe('the kafkajs log creator', () => {
  it('writes a retried CONCURRENT_TRANSACTIONS response at debug and a real error at error', () => {
    const lines: Array<{ level: number; msg: string; error?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string; error?: string });
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'log-test', logger });
    // kafkajs' connection logs a failed response this way.
    kafka.logger().namespace('Connection').error('Response AddPartitionsToTxn(key: 24, version: 1)', { error: CONCURRENT_TRANSACTIONS, correlationId: 7 });
    kafka.logger().namespace('Connection').error('Response Produce(key: 0, version: 7)', { error: MESSAGE_TOO_LARGE, correlationId: 8 });
    expect(lines.map(({ level, error }) => [pino.levels.labels[level], error])).toEqual([
      ['debug', CONCURRENT_TRANSACTIONS],
      ['error', MESSAGE_TOO_LARGE],
    ]);
  });
});
