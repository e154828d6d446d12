import type { AttemptType } from './delivery';
import type { NotSentReason } from './outcome';

/**
 * Whether one attempt of a call may go out: the single rule the API (before it queues a
 * manual retry) and the sender (before it sends anything) both apply.
 *
 * - A deleted webhook gets nothing (nor does one whose secret cannot be read: it cannot be
 *   signed, and the view treats it as gone).
 * - An offline webhook gets no first calls, no replayed calls and no automatic retries.
 * - A manual retry is the customer's explicit request and "can be asked at any time": it
 *   goes out while the webhook is offline, and after the call succeeded or ran out of
 *   retries.
 * - An automatic retry is not sent once the call succeeded, nor when a failed manual
 *   retry already took its retry number (that retry scheduled its own successor).
 * - An automatic retry of a promoted webhook whose retries are paused (or resuming) is not
 *   sent now: it is parked, to be sent later, unless it is itself being released from the
 *   parked retries (a probe, or the release after a probe succeeded).
 */
export interface WebhookFacts {
  status: 'online' | 'offline';
  deleted: boolean;
  /** A promoted webhook whose automatic retries are paused or resuming. */
  retriesPaused?: boolean;
}

export interface CallFacts {
  succeeded: boolean;
  /** The highest retry number attempted (0 after the first call). */
  retryCount: number;
}

export type AttemptVerdict = { send: true } | { send: false; reason: NotSentReason };

const SEND: AttemptVerdict = { send: true };

/**
 * Whether the call's state can change the verdict, so that a caller reads it only when it
 * matters (the sender reads it from the database).
 */
export function attemptNeedsCallState(type: AttemptType, webhook: WebhookFacts | undefined): boolean {
  return type === 'automatic_retry' && webhook !== undefined && !webhook.deleted && webhook.status === 'online';
}

/**
 * @param attempt the attempt's type and retry number (as carried by its delivery message)
 * @param webhook the webhook as it is now; undefined when it does not exist
 * @param call the call's state; needed only where `attemptNeedsCallState` says so
 *   (undefined: no call logged yet)
 */
export function mayAttemptGoOut(
  /** `released`: a parked retry taken out of the pause (probe or release). */
  attempt: { type: AttemptType; retryCount: number; released?: boolean },
  webhook: WebhookFacts | undefined,
  call?: CallFacts,
): AttemptVerdict {
  if (webhook === undefined || webhook.deleted) return { send: false, reason: 'webhook_deleted' };
  if (attempt.type === 'manual_retry') return SEND;
  if (webhook.status !== 'online') return { send: false, reason: 'webhook_offline' };
  if (attempt.type === 'automatic_retry' && call) {
    if (call.succeeded) return { send: false, reason: 'already_succeeded' };
    if (call.retryCount >= attempt.retryCount) return { send: false, reason: 'superseded' };
  }
  if (attempt.type === 'automatic_retry' && webhook.retriesPaused === true && attempt.released !== true) {
    return { send: false, reason: 'retries_paused' };
  }
  return SEND;
}
