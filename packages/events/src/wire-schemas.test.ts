import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as avro from 'avsc';
import { validateDomainEvent } from './envelope';
import { normalizeDecodedEnvelope, readDomainEventAvroSchema, readDomainEventJsonSchema } from './wire-schemas';
import { caseSubset, workspace } from './test-support/domain-events';

// docs/producing-events.md: the envelope also travels Avro- or JSON-Schema-encoded through the
// Confluent Schema Registry wire format; both schemas ship in schemas/.
const envelope = {
  id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
  type: 'Note.Created',
  occurred_at: '2026-11-25T12:00:00.000Z',
  workspace,
  entity: { id: 'note_1', content: 'Asked for the KBIS — déjà vu', author: { first_name: 'Ada', last_name: 'Lovelace' } },
  context: { case: caseSubset },
};

function toAvroRecord(value: typeof envelope) {
  return { ...value, entity: JSON.stringify(value.entity), context: JSON.stringify(value.context) };
}

describe('domain-event.avsc', () => {
  const type = avro.Type.forSchema(readDomainEventAvroSchema() as unknown as avro.Schema);

  it('is a valid Avro record schema with the envelope fields', () => {
    expect(type.typeName).toBe('record');
    expect((type as avro.types.RecordType).fields.map((field) => field.name)).toEqual([
      'id', 'type', 'occurred_at', 'workspace', 'entity', 'context',
    ]);
  });

  it('round-trips an envelope, which then validates as the original', () => {
    const decoded = type.fromBuffer(type.toBuffer(toAvroRecord(envelope)));
    const result = validateDomainEvent(normalizeDecodedEnvelope(decoded));
    expect(result).toEqual({ ok: true, event: envelope });
  });

  it('documents that entity and context are JSON text', () => {
    const fields = readDomainEventAvroSchema().fields as Array<{ name: string; type: unknown; doc: string }>;
    for (const name of ['entity', 'context']) {
      const field = fields.find((candidate) => candidate.name === name);
      expect(field?.type).toBe('string');
      expect(field?.doc).toMatch(/JSON text/);
    }
  });

  it('fills context with "{}" for a writer that had no context field (schema evolution default)', () => {
    const readerSchema = readDomainEventAvroSchema();
    const fields = (readerSchema.fields as Array<{ name: string }>).filter((field) => field.name !== 'context');
    const writerType = avro.Type.forSchema({ ...readerSchema, fields } as unknown as avro.Schema);
    const { context: _ignored, ...withoutContext } = toAvroRecord({ ...envelope, type: 'Case.Created' });
    const resolver = type.createResolver(writerType);
    const decoded = type.fromBuffer(writerType.toBuffer(withoutContext), resolver);
    expect(validateDomainEvent(normalizeDecodedEnvelope(decoded))).toMatchObject({ ok: true, event: { context: {} } });
  });
});

describe('domain-event.schema.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(readDomainEventJsonSchema());

  it('is draft-07', () => {
    expect(readDomainEventJsonSchema().$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it.each([
    ['the example envelope', envelope, true],
    ['an envelope without context', { ...envelope, type: 'Case.Created', context: undefined }, true],
    ['an id that is not a UUID', { ...envelope, id: 'evt-1' }, false],
    ['an entity without id', { ...envelope, entity: { name: 'x' } }, false],
    ['a workspace without name', { ...envelope, workspace: { id: 'ws' } }, false],
    ['an occurred_at that is not a date-time', { ...envelope, occurred_at: 'yesterday' }, false],
  ])('agrees with validateDomainEvent on %s', (_name, value, valid) => {
    const json = JSON.parse(JSON.stringify(value)) as unknown;
    expect(validate(json)).toBe(valid);
    expect(validateDomainEvent(json).ok).toBe(valid);
  });
});

describe('normalizeDecodedEnvelope', () => {
  it.each([
    ['entity', { ...toAvroRecord(envelope), entity: '{"id": ' }, 'entity: '],
    ['context', { ...toAvroRecord(envelope), context: 'not json' }, 'context: '],
    ['entity as JSON null', { ...toAvroRecord(envelope), entity: 'null' }, 'entity: '],
  ])('leaves %s that is not a JSON object for validateDomainEvent to reject as schema_invalid', (_name, record, field) => {
    const result = validateDomainEvent(normalizeDecodedEnvelope(record));
    expect(result).toMatchObject({ ok: false, reason: 'schema_invalid' });
    expect(!result.ok && result.message).toContain(field);
  });

  it('returns JSON-decoded envelopes (objects already) unchanged in content', () => {
    expect(normalizeDecodedEnvelope(envelope)).toEqual(envelope);
  });

  it.each([null, 'text', 42, []])('returns %j as it is', (value) => {
    expect(normalizeDecodedEnvelope(value)).toEqual(value);
  });
});
