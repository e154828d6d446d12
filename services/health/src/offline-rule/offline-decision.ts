import type { RetryState } from '@hookstream/db';
import type { LifecycleMessage } from '@hookstream/messages';

export const FAILURE_THRESHOLD_REASON = 'failure_threshold';

export interface WebhookHealthState {
  status: 'online' | 'offline';
  deleted: boolean;
  /** Never set offline by the rule; its automatic retries pause instead. */
  promoted?: boolean;
  retryState?: RetryState;
  /** The most failures found in any window of the rule's length that holds a new failure. */
  failuresInWindow: number;
}

/**
 * docs/webhooks.md "Offline rule": more than `threshold` failures within the rolling
 * window take an online webhook offline, at the (threshold + 1)th failure. A deleted or
 * already offline webhook is left alone (an offline one keeps its reason, e.g. `manual`).
 */
export function shouldGoOffline(state: WebhookHealthState, threshold: number): boolean {
  return state.status === 'online' && !state.deleted && state.promoted !== true && state.failuresInWindow > threshold;
}

/**
 * docs/webhooks.md "Promoted webhooks": where the rule would take a promoted webhook
 * offline, its automatic retries pause instead (first calls go on). One that is paused
 * already stays as it is; one resuming (a probe succeeded, the failure window restarted
 * then) pauses again once it is over the threshold again.
 */
export function shouldPauseRetries(state: WebhookHealthState, threshold: number): boolean {
  return (
    state.status === 'online' && !state.deleted && state.promoted === true && state.retryState !== 'paused' && state.failuresInWindow > threshold
  );
}

/** The operator event published when the rule takes a webhook offline (docs/architecture.md "Topics", webhook-lifecycle). */
export function offlineLifecycleMessage(
  webhook: { id: string; workspaceId: string },
  failureCount: number,
  now: Date,
): LifecycleMessage {
  return {
    version: 1,
    type: 'webhook.offline',
    webhook_id: webhook.id,
    workspace_id: webhook.workspaceId,
    reason: FAILURE_THRESHOLD_REASON,
    occurred_at: now.toISOString(),
    failure_count: failureCount,
  };
}
