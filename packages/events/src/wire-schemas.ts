import { readFileSync } from 'node:fs';
import path from 'node:path';

// The envelope's schemas as shipped files (docs/producing-events.md: "the project ships the
// envelope's schemas"), so producers in other languages can register them as they are.
// Resolved from the package root so this works from both src/ (tests) and dist/.
const SCHEMAS_DIRECTORY = path.join(__dirname, '..', 'schemas');

export const DOMAIN_EVENT_AVRO_SCHEMA_PATH = path.join(SCHEMAS_DIRECTORY, 'domain-event.avsc');
export const DOMAIN_EVENT_JSON_SCHEMA_PATH = path.join(SCHEMAS_DIRECTORY, 'domain-event.schema.json');

/** The Avro schema of the envelope (entity and context as JSON text), parsed; a fresh copy per call. */
export function readDomainEventAvroSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(DOMAIN_EVENT_AVRO_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
}

/** The JSON Schema (draft-07) of the envelope, parsed; a fresh copy per call. */
export function readDomainEventJsonSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(DOMAIN_EVENT_JSON_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
}

/**
 * Turns an Avro-decoded envelope, whose `entity` and `context` are JSON text, into the shape
 * validateDomainEvent expects. Anything else (JSON and JSON-Schema messages, already objects)
 * is returned as it is. Text that is not JSON is left as text, which validateDomainEvent
 * rejects as schema_invalid naming the field, so a bad message reaches the DLQ with a reason.
 */
export function normalizeDecodedEnvelope(decoded: unknown): unknown {
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    return decoded;
  }
  // A plain copy: avsc decodes records into instances of generated classes.
  const envelope: Record<string, unknown> = { ...decoded };
  for (const field of ['entity', 'context'] as const) {
    const value = envelope[field];
    if (typeof value === 'string') {
      envelope[field] = parseJsonOrKeepText(value);
    }
  }
  return envelope;
}

function parseJsonOrKeepText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
