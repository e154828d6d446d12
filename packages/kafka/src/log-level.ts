/**
 * The level a kafkajs log line is written at. kafkajs logs every failed response at error
 * level, including the ones it retries as a matter of course: a transactional producer
 * meets CONCURRENT_TRANSACTIONS for a few milliseconds after each commit (hundreds of
 * lines per process in a busy hour), a consumer meets REBALANCE_IN_PROGRESS at each
 * rebalance, and every client meets NOT_LEADER_OR_FOLLOWER and coordinator moves when a
 * broker restarts or a leader moves. Those lines would make an error-rate alert fire on a
 * healthy system, so they are lowered; anything else keeps kafkajs' level.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' protocol error table has no typings.
const { errorCodes } = require('kafkajs/src/protocol/error') as {
  errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
};

export type KafkaLogLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * Errors the broker answers during normal operation of a transactional producer or a
 * consumer group, which kafkajs retries: logged at debug.
 */
const ROUTINE = new Set(['CONCURRENT_TRANSACTIONS', 'GROUP_LOAD_IN_PROGRESS', 'REBALANCE_IN_PROGRESS']);

/**
 * Errors a cluster change causes (a broker restarting, a leader or coordinator moving),
 * which kafkajs retries after refreshing its metadata: worth a warning, not an alert.
 */
const CLUSTER_CHANGE = new Set([
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
]);

const levelByErrorMessage = new Map<string, KafkaLogLevelName>();
for (const { type, message } of errorCodes) {
  if (ROUTINE.has(type)) levelByErrorMessage.set(message, 'debug');
  else if (CLUSTER_CHANGE.has(type)) levelByErrorMessage.set(message, 'warn');
}

/** The kafkajs error types whose log lines are lowered, and those of them kafkajs knows. */
export function loweredKafkaErrorTypes(): { lowered: string[]; known: string[] } {
  const lowered = [...ROUTINE, ...CLUSTER_CHANGE];
  const known = new Set(errorCodes.map(({ type }) => type));
  return { lowered, known: lowered.filter((type) => known.has(type)) };
}

const FAILED_TO_SEND = 'Failed to send messages: ';

/**
 * kafkajs writes such an error in two shapes: a failed response (`Response
 * AddPartitionsToTxn(key: 24, version: 3)` with the error's message in `error`) and the
 * producer's retry (`Failed to send messages: <the error's message>`).
 */
export function kafkaLogLevel(entry: { level: KafkaLogLevelName; message: string; error?: unknown }): KafkaLogLevelName {
  if (entry.level !== 'error') return entry.level;
  const errorMessage =
    typeof entry.error === 'string'
      ? entry.error
      : entry.message.startsWith(FAILED_TO_SEND)
        ? entry.message.slice(FAILED_TO_SEND.length)
        : undefined;
  if (errorMessage === undefined) return 'error';
  return levelByErrorMessage.get(errorMessage) ?? 'error';
}
