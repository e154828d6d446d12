import type { NotSentReason, OutcomeMessage } from '@hookstream/messages';

/** The statuses of a call log (docs/webhooks.md "Call logs"). */
export type CallStatus = 'pending' | 'succeeded' | 'retrying' | 'failed' | 'cancelled';

/**
 * What one outcome does to its call's log:
 * - `attempt`: an attempt was made; it is added to the log and sets the status;
 * - `cancel`: a retry (or first call) was not sent because the webhook is deleted or
 *   offline, or because its event type left the catalog (docs/webhooks.md "Retries"); no attempt, but the log says why;
 * - `pause`: an automatic retry of a promoted webhook was parked while its retries are
 *   paused; the call stays `retrying`, with the reason and no retry time (it is sent when
 *   the retries resume);
 * - `ignore`: a retry not sent because the call already succeeded, or because a manual
 *   retry took its slot; it is neither an attempt nor a change of status.
 */
export type OutcomeEffect =
  | { kind: 'attempt'; status: Extract<CallStatus, 'succeeded' | 'retrying' | 'failed'>; nextRetryAt: string | null }
  | { kind: 'cancel'; reason: Extract<NotSentReason, 'webhook_deleted' | 'webhook_offline' | 'unknown_event_type'> }
  | { kind: 'pause'; reason: Extract<NotSentReason, 'retries_paused'> }
  | { kind: 'ignore' };

export function effectOfOutcome(
  outcome: Pick<OutcomeMessage, 'result' | 'final' | 'next_retry_at' | 'not_sent_reason'>,
): OutcomeEffect {
  switch (outcome.result) {
    case 'succeeded':
      return { kind: 'attempt', status: 'succeeded', nextRetryAt: null };
    case 'failed':
      // `final` says whether an automatic retry follows; `next_retry_at` when it is due.
      // A final failure never shows a retry time, whatever the message carries.
      return outcome.final
        ? { kind: 'attempt', status: 'failed', nextRetryAt: null }
        : { kind: 'attempt', status: 'retrying', nextRetryAt: outcome.next_retry_at };
    case 'not_sent':
      if (
        outcome.not_sent_reason === 'webhook_deleted' ||
        outcome.not_sent_reason === 'webhook_offline' ||
        outcome.not_sent_reason === 'unknown_event_type'
      ) {
        return { kind: 'cancel', reason: outcome.not_sent_reason };
      }
      if (outcome.not_sent_reason === 'retries_paused') return { kind: 'pause', reason: 'retries_paused' };
      return { kind: 'ignore' };
  }
}
