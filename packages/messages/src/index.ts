export { deliveryMessageSchema, ATTEMPT_TYPES, type AttemptType, type DeliveryMessage } from './delivery';
export {
  outcomeMessageSchema,
  OUTCOME_RESULTS,
  FAILURE_KINDS,
  NOT_SENT_REASONS,
  type OutcomeMessage,
  type OutcomeResult,
  type FailureKind,
  type NotSentReason,
} from './outcome';
export { lifecycleMessageSchema, type LifecycleMessage } from './lifecycle';
export { encodeMessage, decodeMessage, type DecodeResult } from './codec';
export { manualRetryDelivery, type RetryableCall } from './manual-retry';
export { mayAttemptGoOut, attemptNeedsCallState, type AttemptVerdict, type WebhookFacts, type CallFacts } from './attempt-policy';
