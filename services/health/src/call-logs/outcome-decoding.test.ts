import { encodeMessage, outcomeMessageSchema } from '@hookstream/messages';
import { makeOutcome } from '../test-support/outcomes';
import { decodeOutcome } from './outcome-decoding';

describe('decodeOutcome', () => {
  it('decodes a well-formed outcome', () => {
    const outcome = makeOutcome();
    const decoded = decodeOutcome(encodeMessage(outcomeMessageSchema, outcome));
    expect(decoded).toEqual({ ok: true, outcome });
  });

  it.each([
    ['an empty value', null, 'empty'],
    ['zero bytes', Buffer.alloc(0), 'empty'],
    ['text that is not JSON', Buffer.from('{"version":1,'), 'not_json'],
    ['JSON of another shape', Buffer.from(JSON.stringify({ version: 1, attempt_id: 'x' })), 'schema_invalid'],
    ['a newer message version', Buffer.from(JSON.stringify({ ...makeOutcome(), version: 2 })), 'schema_invalid'],
    ['a workspace id that is not a UUID', Buffer.from(JSON.stringify(makeOutcome({ workspace_id: 'acme' }))), 'identifier_invalid'],
    ['a domain event id that is not a UUID', Buffer.from(JSON.stringify(makeOutcome({ domain_event_id: 'evt-1' }))), 'identifier_invalid'],
  ])('skips %s with reason %s', (_name, value, reason) => {
    const decoded = decodeOutcome(value);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? undefined : decoded.reason).toBe(reason);
  });
});
