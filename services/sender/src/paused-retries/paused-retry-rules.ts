import type { WebhookState } from '@hookstream/db';
import type { DeliveryResult } from '../delivery/steps';

/**
 * The rules of paused retries (docs/webhooks.md "Promoted webhooks") as plain functions:
 * which of its parked retries a webhook gets now (a probe, or the release), at what pace,
 * and what a probe's result means.
 */

/** Probing a paused webhook: its retries stay parked but for the one probe per interval. */
export function isProbing(webhook: Pick<WebhookState, 'promoted' | 'retryState' | 'status' | 'deleted'> | undefined): boolean {
  return webhook !== undefined && webhook.promoted && webhook.retryState === 'paused' && webhook.status === 'online' && !webhook.deleted;
}

export interface ReleasePace {
  /** Retries taken at each release slot, oldest first. */
  batch: number;
  /** The time between two slots of one webhook. */
  spacingMs: number;
}

/**
 * `ratePerSecond` releases per second, in slots no closer than `checkIntervalMs` (how
 * often the parked retries are looked at): one retry per slot while the rate allows a slot
 * per check, more per slot beyond. `batch / spacingMs` is exactly the rate.
 */
export function releasePace(ratePerSecond: number, checkIntervalMs: number): ReleasePace {
  const batch = Math.max(1, Math.ceil((ratePerSecond * checkIntervalMs) / 1_000));
  return { batch, spacingMs: (batch * 1_000) / ratePerSecond };
}

/** What one probe's attempt tells. */
export type ProbeVerdict =
  /** The receiver answered with a 2xx: the webhook resumes. */
  | 'resume'
  /** It failed (or was deferred by the sender's own backpressure): still paused, next probe one interval later. */
  | 'stay_paused'
  /** The call no longer needs this retry (it succeeded, or a manual retry took its slot): the next oldest is the probe. */
  | 'next_candidate'
  /** The database could not be read: the retry goes back, and the probe waits for the next interval. */
  | 'give_back';

export function probeVerdict(result: DeliveryResult): ProbeVerdict {
  switch (result.kind) {
    case 'done':
      return result.succeeded === true ? 'resume' : 'stay_paused';
    case 'gave_up':
      return 'next_candidate';
    case 'parked':
    case 'retry_later':
      return 'give_back';
  }
}

/** The probe result counted in hookstream_sender_retry_probes_total. */
export function probeResultLabel(result: DeliveryResult): 'succeeded' | 'failed' | 'deferred' | 'not_needed' | 'unavailable' {
  switch (result.kind) {
    case 'done':
      return result.succeeded === undefined ? 'deferred' : result.succeeded ? 'succeeded' : 'failed';
    case 'gave_up':
      return 'not_needed';
    default:
      return 'unavailable';
  }
}
