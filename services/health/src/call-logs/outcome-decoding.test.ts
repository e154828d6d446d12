import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMessage, outcomeMessageSchema, type OutcomeMessage } from '@hookstream/messages';
import { makeOutcome } from '../test-support/outcomes';
import { decodeOutcome, wellFormedOutcome } from './outcome-decoding';

describe('decodeOutcome', () => {
  it('decodes a well-formed outcome', () => {
    const outcome = makeOutcome();
    const decoded = decodeOutcome(encodeMessage(outcomeMessageSchema, outcome));
    expect(decoded).toEqual({ ok: true, outcome, storable: true });
  });

  it.each([
    ['an empty value', 'empty', null],
    ['zero bytes', 'empty', Buffer.alloc(0)],
    ['text that is not JSON', 'not_json', Buffer.from('{"version":1,')],
    ['JSON of another shape', 'schema_invalid', Buffer.from(JSON.stringify({ version: 1, attempt_id: 'x' }))],
    ['a newer message version', 'schema_invalid', Buffer.from(JSON.stringify({ ...makeOutcome(), version: 2 }))],
    ['a workspace id that is not a UUID', 'identifier_invalid', Buffer.from(JSON.stringify(makeOutcome({ workspace_id: 'acme' })))],
    ['a domain event id that is not a UUID', 'identifier_invalid', Buffer.from(JSON.stringify(makeOutcome({ domain_event_id: 'evt-1' })))],
  ])('skips %s with reason %s', (_name, reason, value) => {
    const decoded = decodeOutcome(value);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? undefined : decoded.reason).toBe(reason);
  });

  it('says what is wrong with an outcome the schema refuses', () => {
    const decoded = decodeOutcome(Buffer.from(JSON.stringify({ ...makeOutcome(), retry_count: -1, attempted_at: 'yesterday' })));
    expect(decoded.ok ? undefined : decoded.detail).toMatch(/retry_count: .*; attempted_at: /);
  });

  it('says that an outcome with a character PostgreSQL refuses, anywhere, is not storable as it is', () => {
    const storable = (outcome: OutcomeMessage) => {
      const decoded = decodeOutcome(Buffer.from(JSON.stringify(outcome)));
      return decoded.ok ? decoded.storable : undefined;
    };
    expect(storable(makeOutcome({ response: { headers: {}, body: 'nul\u0000' } }))).toBe(false);
    expect(storable(makeOutcome({ domain_event: { ['k\uD800']: 1 } }))).toBe(false);
    expect(storable(makeOutcome({ request: { headers: {}, body: JSON.stringify({ a: '\u0000' }) } }))).toBe(false);
    expect(storable(makeOutcome({ response: { headers: {}, body: 'émoji \uD83D\uDE00' } }))).toBe(true);
  });

  it('drops fields the schema does not know, as the schema does', () => {
    const outcome = makeOutcome();
    const decoded = decodeOutcome(Buffer.from(JSON.stringify({ ...outcome, extra: 1, request: { ...outcome.request, extra: 2 } })));
    expect(decoded).toEqual({ ok: true, outcome, storable: true });
  });
});

describe('wellFormedOutcome, the hand-written schema check', () => {
  const shape = outcomeMessageSchema.shape;

  it("uses zod's own patterns for UUIDs and timestamps", () => {
    // zod 4 keeps a string format's pattern on the schema; the copies in
    // outcome-decoding.ts must stay the same.
    const patternOf = (schema: unknown) => (schema as { _zod: { pattern?: RegExp } })._zod.pattern?.source;
    const source = readFileSync(path.join(__dirname, 'outcome-decoding.ts'), 'utf8');
    for (const pattern of [patternOf(shape.attempt_id), patternOf(shape.attempted_at)]) {
      expect(pattern).toBeDefined();
      expect(source).toContain(`/${pattern}/`);
    }
  });

  const uuid = '6f1c2d3e-0000-4000-8000-000000000001';
  const timestamp = '2026-11-25T10:00:00.000Z';
  // Values each field is tried with: valid ones of every kind, and near misses.
  const candidates: unknown[] = [
    undefined,
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    '',
    'x',
    [],
    {},
    { a: 'b' },
    { a: 1 },
    uuid,
    uuid.toUpperCase(),
    '6f1c2d3e-0000-0000-8000-000000000001',
    '6f1c2d3e-0000-4000-c000-000000000001',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    timestamp,
    '2026-11-25T10:00:00Z',
    '2026-11-25T10:00:00.123456+05:30',
    '2026-11-25T10:00:00',
    '2026-11-25T10:00Z',
    '2026-11-25 10:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-02-29T10:00:00Z',
    '2024-02-29T10:00:00Z',
    '2026-11-25T10:00:00.000z',
    '2026-11-25T10:00:00+0530',
    'first_call',
    'succeeded',
    'not_sent',
    'http_status',
    'webhook_deleted',
    'pending',
    3,
    500,
    -0,
    { headers: {}, body: '' },
    { headers: { a: 'b' }, body: '{}', extra: true },
    { headers: { a: 1 }, body: '' },
    { headers: [], body: '' },
    { headers: {} },
    { body: '' },
  ];

  it('accepts exactly what the schema accepts, field by field, and returns what the schema returns', () => {
    const base = JSON.parse(JSON.stringify(makeOutcome())) as Record<string, unknown>;
    let accepted = 0;
    let refused = 0;
    for (const field of Object.keys(shape)) {
      for (const candidate of candidates) {
        const value = { ...base, [field]: candidate };
        if (candidate === undefined) delete value[field];
        const expected = outcomeMessageSchema.safeParse(value);
        const actual = wellFormedOutcome(value);
        expect({ field, candidate, accepted: actual !== undefined }).toEqual({ field, candidate, accepted: expected.success });
        if (expected.success) {
          expect(actual).toEqual(expected.data);
          accepted += 1;
        } else {
          refused += 1;
        }
      }
    }
    // The corpus tries both sides of every field.
    expect(accepted).toBeGreaterThan(Object.keys(shape).length);
    expect(refused).toBeGreaterThan(Object.keys(shape).length);
  });

  it.each([
    ['an array', []],
    ['a string', 'outcome'],
    ['null', null],
    ['a number', 1],
  ])('refuses %s', (_name, value) => {
    expect(wellFormedOutcome(value)).toBeUndefined();
    expect(outcomeMessageSchema.safeParse(value).success).toBe(false);
  });
});
