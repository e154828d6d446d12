/**
 * PostgreSQL text and jsonb hold neither NUL characters nor unpaired UTF-16 surrogates,
 * and one such character in a response body (the customer's bytes) or a domain event
 * would fail its whole batch's transaction on every redelivery. Both are replaced with
 * U+FFFD, as a UTF-8 decoder does with bytes it cannot read.
 */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters this must find.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string;
export function storableText(text: string | null): string | null;
export function storableText(text: string | null): string | null {
  if (text === null) return null;
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

/** The same for every string (keys included) inside a JSON value. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [storableText(key), storableJson(entry)]));
  }
  return value;
}
