import { readFileSync } from 'node:fs';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { EVENT_TYPES, exampleEventContent, getEventDefinition, isEventType, type DomainEvent } from '@hookstream/events';
import { buildDomainEvent, createSchemaRegistry, InvalidDomainEventError, readDomainEventAvroSchema, readDomainEventJsonSchema, type DomainEventInput, type Encoding } from '@hookstream/producer';
import { CliError, UsageError, type ParsedArguments } from './arguments';

export const EVENT_USAGE = `  event publish --workspace <id> --type <type> [--json <file> | --example]
                 [--workspace-name <name>] [--id <uuid>] [--encoding json|avro|json-schema]
                 [--subject <name>] [--dry-run]  publish one domain event to the domain-events topic:
                                                the entity and context from a JSON file ("-" for
                                                stdin), or an example from the catalog (default)`;

/** A mistake in what the user asked to publish: said before anything is sent. */
export class EventInputError extends CliError {}

export type EventEncoding = 'json' | 'avro' | 'json-schema';

/** What `event publish` needs from the outside world; the real ones are in main.ts. */
export interface EventPublishDependencies {
  /** The workspace's name, or undefined when there is no such workspace. */
  workspaceName(id: string): Promise<string | undefined>;
  /** Publishes the envelope; resolves with where it went. */
  publish(event: DomainEvent, encoding: EventEncoding, subject: string | undefined): Promise<{ topic: string; detail: string }>;
  readFile(path: string): string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENCODINGS: readonly EventEncoding[] = ['json', 'avro', 'json-schema'];

function stringOption(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.options.get(name);
  if (value === undefined) return undefined;
  if (value === true || value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

/** The entity and context (and optionally id, occurred_at) a `--json` file gives. */
function readContentFile(text: string, source: string): Partial<DomainEventInput> & { occurred_at?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EventInputError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EventInputError(`${source} must hold a JSON object`);
  const object = parsed as Record<string, unknown>;
  const allowed = new Set(['entity', 'context', 'id', 'occurred_at', 'type', 'workspace']);
  const unknown = Object.keys(object).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw new EventInputError(`${source}: unknown field(s) ${unknown.join(', ')} (expected entity, context, id, occurred_at)`);
  if (!('entity' in object)) throw new EventInputError(`${source} has no "entity": the object the event is about, e.g. {"entity": {"id": "…", "name": "…"}}`);
  return object as Partial<DomainEventInput> & { occurred_at?: string };
}

/**
 * `event publish`: builds the envelope, checks it with the router's own rules (type in the
 * catalog, the context its family needs) and only then publishes it. Returns the lines to
 * print.
 */
export async function runEventPublish(parsed: ParsedArguments, dependencies: EventPublishDependencies): Promise<string[]> {
  const workspaceId = stringOption(parsed, 'workspace');
  if (workspaceId === undefined) throw new UsageError('--workspace <id> is required');
  if (!UUID.test(workspaceId)) throw new UsageError('--workspace must be a workspace id (a UUID)');
  const type = stringOption(parsed, 'type');
  if (type === undefined) throw new UsageError('--type <event type> is required, e.g. --type Case.StatusUpdated');
  if (!isEventType(type)) {
    throw new EventInputError(`unknown event type "${type}"; the catalog has: ${EVENT_TYPES.join(', ')}`);
  }
  const encoding = (stringOption(parsed, 'encoding') ?? 'json') as EventEncoding;
  if (!ENCODINGS.includes(encoding)) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}`);
  const file = stringOption(parsed, 'json');
  if (file !== undefined && parsed.options.has('example')) throw new UsageError('give --json <file> or --example, not both');
  const id = stringOption(parsed, 'id');
  const subject = stringOption(parsed, 'subject');
  if (subject !== undefined && encoding === 'json') throw new UsageError('--subject names the schema registry subject: it goes with --encoding avro or json-schema');

  let content: Partial<DomainEventInput> & { occurred_at?: string };
  if (file !== undefined) {
    const source = file === '-' ? 'stdin' : file;
    let text: string;
    try {
      text = dependencies.readFile(file === '-' ? '/dev/stdin' : file);
    } catch (error) {
      throw new EventInputError(`cannot read ${source}: ${(error as Error).message}`);
    }
    content = readContentFile(text, source);
    if (content.type !== undefined && content.type !== type) throw new EventInputError(`${source} says type ${String(content.type)}, --type says ${type}`);
    const fileWorkspace = content.workspace as { id?: unknown } | undefined;
    if (fileWorkspace?.id !== undefined && fileWorkspace.id !== workspaceId) {
      throw new EventInputError(`${source} names workspace ${String(fileWorkspace.id)}, --workspace says ${workspaceId}`);
    }
  } else {
    content = exampleEventContent(type) ?? {};
  }

  const workspaceName = stringOption(parsed, 'workspace-name') ?? (await dependencies.workspaceName(workspaceId));
  if (workspaceName === undefined) throw new EventInputError(`there is no workspace ${workspaceId} (create one with: npm run cli -- workspace create --name <name>)`);

  let event: DomainEvent;
  try {
    const occurredAt = content.occurred_at === undefined ? undefined : new Date(content.occurred_at);
    event = buildDomainEvent({
      ...(id ?? content.id ? { id: id ?? content.id } : {}),
      type,
      ...(occurredAt ? { occurredAt } : {}),
      workspace: { id: workspaceId, name: workspaceName },
      entity: content.entity as DomainEventInput['entity'],
      ...(content.context === undefined ? {} : { context: content.context }),
    });
  } catch (error) {
    if (error instanceof InvalidDomainEventError || error instanceof RangeError) throw new EventInputError(`nothing was sent: ${error.message}`);
    throw error;
  }

  const definition = getEventDefinition(type);
  const describe = `${type}${definition.parent ? ` (a sub-event of ${definition.parent})` : ''}`;
  const envelopeLines = JSON.stringify(event, null, 2).split('\n');
  if (parsed.options.has('dry-run')) return [`would publish ${describe}, id ${event.id} (dry run: nothing sent)`, ...envelopeLines];
  const sent = await dependencies.publish(event, encoding, subject);
  return [`published ${describe}, id ${event.id}, to ${sent.topic} (${sent.detail})`, ...envelopeLines];
}

/** The Encoding of the producer library for `encoding`, registering the schema when needed. */
export async function producerEncoding(encoding: EventEncoding, options: { registryUrl: string | undefined; subject: string }): Promise<Encoding> {
  if (encoding === 'json') return { kind: 'json' };
  if (options.registryUrl === undefined) {
    throw new EventInputError(`--encoding ${encoding} writes the Confluent wire format: set SCHEMA_REGISTRY_URL to the schema registry's address`);
  }
  const registry = createSchemaRegistry(options.registryUrl);
  const { id } =
    encoding === 'avro'
      ? await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readDomainEventAvroSchema()) }, { subject: options.subject })
      : await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(readDomainEventJsonSchema()) }, { subject: options.subject });
  return { kind: 'registry', registry, schemaId: id, schemaType: encoding === 'avro' ? 'avro' : 'json' };
}

export function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}
