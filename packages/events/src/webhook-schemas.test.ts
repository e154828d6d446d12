import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_TYPES, contextKeysOf, familyOf, getEventDefinition, type EventType } from './catalog';
import { buildWebhookPayload } from './payload';
import { aDomainEvent, caseSubset, companySubset, individualSubset, noteSubset } from './test-support/domain-events';
import { webhookPayloadJsonSchema, webhookPayloadSchemas } from './webhook-schemas';

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
const attempt = { eventId: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a', timestampSeconds: 1764072000, retryCount: 1, maxRetries: 4 };
const subsets: Record<string, Record<string, unknown>> = { case: caseSubset, note: noteSubset, individual: individualSubset, company: companySubset };

function validatorOf(type: EventType) {
  return ajv.compile(webhookPayloadJsonSchema(type));
}

function payloadOf(type: EventType, match: { event: string; subEvent?: string } = { event: type }) {
  const context = Object.fromEntries(contextKeysOf(familyOf(type)).map((key) => [key, subsets[key]]));
  return buildWebhookPayload({ ...attempt, match, event: aDomainEvent({ type, entity: { id: 'entity-1', anything: [1, 2] }, context }) });
}

describe('the webhook payload schemas', () => {
  it('has one payload schema per catalog event type, each accepting what the sender builds', () => {
    const { payloadSchemaNames } = webhookPayloadSchemas();
    expect(Object.keys(payloadSchemaNames).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const validate = validatorOf(type);
      expect([type, validate(payloadOf(type)), validate.errors]).toEqual([type, true, null]);
    }
  });

  it('accepts a sub-event delivered under its subscribed parent, and only its own sub-events', () => {
    const validate = validatorOf('Case.Updated');
    expect(validate(payloadOf('Case.StatusUpdated', { event: 'Case.Updated', subEvent: 'Case.StatusUpdated' }))).toBe(true);
    expect(validate(payloadOf('Case.StatusUpdated', { event: 'Case.Updated', subEvent: 'Individual.InfoUpdated' }))).toBe(false);
    // A type without sub-events has no sub_event at all.
    expect(validatorOf('Case.Created')({ ...payloadOf('Case.Created'), sub_event: 'Case.StatusUpdated' })).toBe(false);
  });

  it("refuses a payload without the context its family needs, or under another family's key", () => {
    const note = payloadOf('Note.Created');
    delete (note.context as Record<string, unknown>).case;
    expect(validatorOf('Note.Created')(note)).toBe(false);

    const check = payloadOf('Check.Started');
    expect(validatorOf('Check.Started')(check)).toBe(true);
    delete (check.context as Record<string, unknown>).individual;
    delete (check.context as Record<string, unknown>).company;
    expect(validatorOf('Check.Started')(check)).toBe(false);

    const { case: entity, ...rest } = payloadOf('Case.Created');
    expect(validatorOf('Case.Created')({ ...rest, individual: entity })).toBe(false);
    expect(validatorOf('Case.Created')({ ...payloadOf('Case.Created'), event: 'Case.Deleted' })).toBe(false);
  });

  it('describes each payload with its catalog description', () => {
    const { components, payloadSchemaNames } = webhookPayloadSchemas();
    expect(components[payloadSchemaNames['Check.Expired']]?.description).toBe(getEventDefinition('Check.Expired').description);
    expect(components.CheckWebhookContext?.required).toEqual(['timestamp', 'event_id', 'retry_count', 'remaining_retry_count', 'workspace', 'case']);
  });
});
