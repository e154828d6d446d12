export { startReceiver, REJECTION_REASONS, type ReceiverOptions, type RunningReceiver } from './receiver';
export { parseReceiverArguments, RECEIVER_USAGE } from './arguments';
