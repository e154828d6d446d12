import type { KafkaMessage } from '@hookstream/kafka';
import { decodeMessage, deliveryMessageSchema, type DeliveryMessage, type NotSentReason } from '@hookstream/messages';

/**
 * The delivery loop in two steps, each ending in an explicit result:
 *
 * 1. `parseDelivery`: the message read from Kafka is a delivery message, or it is dropped
 *    (counted, with its reason; there is nothing to publish an outcome for);
 * 2. the attempt (executeDelivery): `done` when the attempt's outcome is durable,
 *    `gave_up` when an outcome saying why nothing was sent is durable, `parked` when a paused
 *    retry is kept in the database (and its outcome says so), `retry_later` when
 *    something the sender depends on (the database) failed: the same message is tried
 *    again after a backoff, and its offset is never committed meanwhile.
 *
 * No other ending exists: a message is completed (its offset may be committed) only after
 * an outcome for it was published.
 */
export type ParseResult = { kind: 'ok'; delivery: DeliveryMessage } | { kind: 'drop'; reason: DropReason; error: string };

export type DropReason = 'undecodable';

/** What the sender could not reach: the call or webhook state lives in PostgreSQL. */
export type InfrastructureReason = 'database' | 'unexpected';

export type DeliveryResult =
  /** `succeeded`: what the attempt's answer was, when one was made (a probe of paused retries reads it). */
  | { kind: 'done'; succeeded?: boolean }
  | { kind: 'gave_up'; reason: NotSentReason }
  /** An automatic retry of a promoted webhook whose retries are paused: durably parked, its outcome published. */
  | { kind: 'parked' }
  | { kind: 'retry_later'; reason: InfrastructureReason; error: unknown };

export const DONE: DeliveryResult = { kind: 'done' };

export function parseDelivery(message: Pick<KafkaMessage, 'value'>): ParseResult {
  const decoded = decodeMessage(deliveryMessageSchema, message.value);
  if (decoded.ok) return { kind: 'ok', delivery: decoded.value };
  return { kind: 'drop', reason: 'undecodable', error: decoded.error };
}

/** A failure of something the sender depends on, with what it was. */
export class InfrastructureError extends Error {
  constructor(
    readonly reason: InfrastructureReason,
    cause: unknown,
  ) {
    super(`${reason} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'InfrastructureError';
  }
}

/**
 * A read of the database never waits longer than this: a connection that the server
 * dropped mid-request can leave a query unanswered, and the message must not wait on it
 * for good. The read is abandoned and the message tried again.
 */
export const DATABASE_READ_TIMEOUT_MS = 5_000;

/**
 * Runs a read of the database; its failure, or no answer within the timeout, becomes an
 * InfrastructureError('database').
 */
export async function fromDatabase<T>(read: () => Promise<T>, timeoutMs = DATABASE_READ_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([read(), timeout]);
  } catch (error) {
    throw new InfrastructureError('database', error);
  } finally {
    clearTimeout(timer);
  }
}
