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

/**
 * Whether the JSON value parsed from `jsonText` (decoded from UTF-8) is storable as it is:
 * no string inside it (keys included), and nothing in the JSON of any string that is
 * itself JSON text, holds either character. One scan of the text instead of a walk of
 * the value, for text without any `\u` escape (JSON.stringify writes one only for a
 * control character or an unpaired surrogate):
 * - JSON.parse refuses raw control characters, and the UTF-8 decoder turns an encoded
 *   surrogate into U+FFFD, so only an escape can make either character;
 * - a string holding `\u` (JSON text with an escape of its own, like a request body)
 *   is written `\\u`, `\u005cu`, `\\\u0075`...: however it is spelt, the text holds
 *   `\u`. Looking only for the escapes of the two characters would miss the NUL that
 *   `\u005cu0000` puts in a request body's JSON.
 */
export function jsonTextIsStorable(jsonText: string): boolean {
  return !jsonText.includes('\\u');
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
