import type { OutcomeMessage } from '@hookstream/messages';
import { effectOfOutcome, type OutcomeEffect } from './call-status';

type Input = Pick<OutcomeMessage, 'result' | 'final' | 'next_retry_at' | 'not_sent_reason'>;
const DUE = '2026-11-25T11:00:00.000Z';

describe('effectOfOutcome', () => {
  it.each<[string, Input, OutcomeEffect]>([
    [
      'a success ends the call',
      { result: 'succeeded', final: true, next_retry_at: null, not_sent_reason: null },
      { kind: 'attempt', status: 'succeeded', nextRetryAt: null },
    ],
    [
      'a failure with a retry to come is retrying, with its due time',
      { result: 'failed', final: false, next_retry_at: DUE, not_sent_reason: null },
      { kind: 'attempt', status: 'retrying', nextRetryAt: DUE },
    ],
    [
      'a final failure (retries exhausted) is failed',
      { result: 'failed', final: true, next_retry_at: null, not_sent_reason: null },
      { kind: 'attempt', status: 'failed', nextRetryAt: null },
    ],
    [
      'a final failure never shows a retry time',
      { result: 'failed', final: true, next_retry_at: DUE, not_sent_reason: null },
      { kind: 'attempt', status: 'failed', nextRetryAt: null },
    ],
    [
      'a retry not sent to a deleted webhook cancels the call',
      { result: 'not_sent', final: true, next_retry_at: null, not_sent_reason: 'webhook_deleted' },
      { kind: 'cancel', reason: 'webhook_deleted' },
    ],
    [
      'a retry not sent to an offline webhook cancels the call',
      { result: 'not_sent', final: true, next_retry_at: null, not_sent_reason: 'webhook_offline' },
      { kind: 'cancel', reason: 'webhook_offline' },
    ],
    [
      'a call not sent because its event type left the catalog is cancelled with that reason',
      { result: 'not_sent', final: true, next_retry_at: null, not_sent_reason: 'unknown_event_type' },
      { kind: 'cancel', reason: 'unknown_event_type' },
    ],
    [
      'a retry not sent because the call already succeeded changes nothing',
      { result: 'not_sent', final: true, next_retry_at: null, not_sent_reason: 'already_succeeded' },
      { kind: 'ignore' },
    ],
    [
      'a retry parked while a promoted webhook\'s retries are paused keeps the call retrying and says so',
      { result: 'not_sent', final: false, next_retry_at: null, not_sent_reason: 'retries_paused' },
      { kind: 'pause', reason: 'retries_paused' },
    ],
    [
      'a retry whose slot a manual retry took changes nothing',
      { result: 'not_sent', final: false, next_retry_at: null, not_sent_reason: 'superseded' },
      { kind: 'ignore' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(effectOfOutcome(input)).toEqual(expected);
  });
});
