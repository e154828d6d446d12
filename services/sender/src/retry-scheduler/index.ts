export { DEFAULT_SLACK_MS, decideWaiting, placeRetry, tierDelaysMs, type WaitDecision } from './placement';
export { createRetryTierHandler, type RetryTierDependencies } from './tier-consumer';
