export {
  MAX_SECRET_RANDOM_CHARACTERS,
  MIN_SECRET_RANDOM_CHARACTERS,
  SECRET_PREFIX,
  generateSecret,
  isValidSecretFormat,
  signBody,
  verifyWebhookSignature,
} from './signature';
export type { SignatureMatch, SignatureVerification, SignatureVerificationInput } from './signature';
export {
  EVENT_ID_HEADER,
  MASKED_HEADER_VALUE,
  OLD_SIGNATURE_HEADER,
  REMAINING_RETRY_COUNT_HEADER,
  RETRY_COUNT_HEADER,
  SIGNATURE_HEADER,
  maskSignatureHeaders,
  readHeader,
} from './headers';
export type { HeaderValue } from './headers';
export { DEFAULT_TOLERANCE_SECONDS, verifyWebhook } from './verify-webhook';
export type { WebhookRejection, WebhookVerification, WebhookVerificationInput } from './verify-webhook';
