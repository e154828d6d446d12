// Header names of docs/webhooks.md "Request". HTTP header names are case-insensitive;
// Node lower-cases incoming ones, so receivers look them up in lower case.
export const SIGNATURE_HEADER = 'Dotfile-Signature';
export const OLD_SIGNATURE_HEADER = 'Dotfile-Old-Signature';
export const EVENT_ID_HEADER = 'Dotfile-Event-Id';
export const RETRY_COUNT_HEADER = 'Dotfile-Retry-Count';
export const REMAINING_RETRY_COUNT_HEADER = 'Dotfile-Remaining-Retry-Count';

export const MASKED_HEADER_VALUE = '<masked>';

export type HeaderValue = string | string[] | undefined;

const SIGNATURE_HEADER_NAMES = new Set([SIGNATURE_HEADER.toLowerCase(), OLD_SIGNATURE_HEADER.toLowerCase()]);

/**
 * A copy of the headers with the signature values replaced by `<masked>`, for call logs:
 * a signature of a known body is an oracle for the secret's validity (secrets and
 * signatures never appear in logs). Absent (undefined) values stay absent.
 */
export function maskSignatureHeaders<Value>(headers: Readonly<Record<string, Value>>): Record<string, Value | typeof MASKED_HEADER_VALUE> {
  const masked: Record<string, Value | typeof MASKED_HEADER_VALUE> = {};
  for (const [name, value] of Object.entries(headers)) {
    masked[name] = SIGNATURE_HEADER_NAMES.has(name.toLowerCase()) && value !== undefined ? MASKED_HEADER_VALUE : value;
  }
  return masked;
}

/** The first value of a header, looked up case-insensitively. */
export function readHeader(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [candidate, value] of Object.entries(headers)) {
    if (candidate.toLowerCase() === wanted) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}
