import { EVENT_FAMILIES, EVENT_TYPES, getEventDefinition, getFamilyDefinition, type ContextKey, type EventFamily, type EventType } from './catalog';

// JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses them) of the bodies a webhook receives,
// built from the catalog: one payload schema per event type, one entity and one context
// schema per family. The API's OpenAPI document publishes them under `webhooks` so that
// customers can generate receiver types; the end-to-end tests validate real deliveries
// against them.

export type JsonSchema = Record<string, unknown>;

export interface WebhookPayloadSchemas {
  /** Named schemas, to go under `components.schemas`; they refer to one another with `$ref`. */
  components: Record<string, JsonSchema>;
  /** The component name of each event type's payload. */
  payloadSchemaNames: Record<EventType, string>;
}

const CONTEXT_KEY_DESCRIPTIONS: Record<ContextKey, string> = {
  case: 'The case the entity belongs to, as the producing platform sent it',
  note: 'The note the comment belongs to, as the producing platform sent it',
  individual: 'The individual the check runs on, as the producing platform sent it',
  company: 'The company the check runs on, as the producing platform sent it',
};

/** `#/components/schemas/<name>` unless another prefix is given (a bare JSON Schema `$defs`, say). */
export function webhookPayloadSchemas(refPrefix = '#/components/schemas/'): WebhookPayloadSchemas {
  const ref = (name: string) => ({ $ref: `${refPrefix}${name}` });
  const components: Record<string, JsonSchema> = {
    WebhookWorkspace: {
      type: 'object',
      description: 'The workspace the event happened in',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
      additionalProperties: false,
    },
  };

  for (const family of Object.keys(EVENT_FAMILIES) as EventFamily[]) {
    const definition = getFamilyDefinition(family);
    components[entitySchemaName(family)] = {
      type: 'object',
      description: `The ${family} entity as the producing platform sent it: \`id\` always, its other fields passed through unchanged`,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1 } },
      additionalProperties: true,
    };

    const requiredKeys: ContextKey[] = [];
    const anyOf: JsonSchema[] = [];
    const contextProperties: Record<string, JsonSchema> = {};
    for (const requirement of definition.requiredContext) {
      const keys = typeof requirement === 'string' ? [requirement] : requirement.anyOf;
      for (const key of keys) contextProperties[key] = { type: 'object', description: CONTEXT_KEY_DESCRIPTIONS[key], additionalProperties: true };
      if (typeof requirement === 'string') requiredKeys.push(requirement);
      else anyOf.push(...requirement.anyOf.map((key) => ({ required: [key] })));
    }
    components[contextSchemaName(family)] = {
      type: 'object',
      description: `The context of a ${family} event: when it was sent, which attempt it is, the workspace${
        requiredKeys.length > 0 || anyOf.length > 0 ? ' and the objects the entity belongs to' : ''
      }`,
      required: ['timestamp', 'event_id', 'retry_count', 'remaining_retry_count', 'workspace', ...requiredKeys],
      properties: {
        timestamp: {
          type: 'integer',
          description: 'UNIX seconds when this attempt was sent; reject a call whose timestamp is more than a minute or two from your clock (replays)',
        },
        event_id: {
          type: 'string',
          format: 'uuid',
          description: 'The same on every attempt of this event to this webhook (also the Dotfile-Event-Id header): use it to drop duplicates',
        },
        retry_count: { type: 'integer', minimum: 0, description: '0 on the first call, then the retry number' },
        remaining_retry_count: { type: 'integer', minimum: 0, description: 'Automatic retries left after this one' },
        workspace: ref('WebhookWorkspace'),
        ...contextProperties,
      },
      ...(anyOf.length > 0 ? { anyOf } : {}),
      additionalProperties: false,
    };
  }

  const payloadSchemaNames = {} as Record<EventType, string>;
  for (const type of EVENT_TYPES) {
    const definition = getEventDefinition(type);
    const family = definition.family;
    const subEvents = EVENT_TYPES.filter((candidate) => getEventDefinition(candidate).parent === type);
    const name = payloadSchemaName(type);
    payloadSchemaNames[type] = name;
    components[name] = {
      type: 'object',
      title: `${type} webhook payload`,
      description: definition.description,
      required: ['event', 'context', getFamilyDefinition(family).payloadKey],
      properties: {
        event: { type: 'string', const: type, description: 'The event type the webhook subscribed to' },
        ...(subEvents.length > 0
          ? {
              sub_event: {
                type: 'string',
                enum: subEvents,
                description: `Present when the change is one of ${type}'s sub-events: which one`,
              },
            }
          : {}),
        context: ref(contextSchemaName(family)),
        [getFamilyDefinition(family).payloadKey]: ref(entitySchemaName(family)),
      },
      additionalProperties: false,
    };
  }
  return { components, payloadSchemaNames };
}

/** One self-contained JSON Schema (draft 2020-12) of an event type's payload, its parts under `$defs`. */
export function webhookPayloadJsonSchema(type: EventType): JsonSchema {
  const { components, payloadSchemaNames } = webhookPayloadSchemas('#/$defs/');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...components[payloadSchemaNames[type]],
    $defs: components,
  };
}

function entitySchemaName(family: EventFamily): string {
  return `${family}Entity`;
}

function contextSchemaName(family: EventFamily): string {
  return `${family}WebhookContext`;
}

function payloadSchemaName(type: EventType): string {
  return `${type.replace('.', '')}WebhookPayload`;
}
