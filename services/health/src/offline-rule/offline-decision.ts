import type { LifecycleMessage } from '@hookstream/messages';

export const FAILURE_THRESHOLD_REASON = 'failure_threshold';

export interface WebhookHealthState {
  status: 'online' | 'offline';
  deleted: boolean;
  /** The most failures found in any window of the rule's length that holds a new failure. */
  failuresInWindow: number;
}

/**
 * docs/webhooks.md "Offline rule": more than `threshold` failures within the rolling
 * window take an online webhook offline, at the (threshold + 1)th failure. A deleted or
 * already offline webhook is left alone (an offline one keeps its reason, e.g. `manual`).
 */
export function shouldGoOffline(state: WebhookHealthState, threshold: number): boolean {
  return state.status === 'online' && !state.deleted && state.failuresInWindow > threshold;
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
