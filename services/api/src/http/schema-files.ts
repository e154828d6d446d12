import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { DOMAIN_EVENT_AVRO_SCHEMA_PATH, DOMAIN_EVENT_JSON_SCHEMA_PATH } from '@hookstream/events';
import { setRouteLabel } from './operation';

/**
 * The domain-event envelope's schemas, byte for byte the files of packages/events/schemas,
 * for producers that register them in their schema registry or generate types from them
 * (docs/producing-events.md "Schemas"). Public, like /openapi.json: they hold no data.
 */
export const SCHEMA_FILES = [
  { path: '/schemas/domain-event.schema.json', file: DOMAIN_EVENT_JSON_SCHEMA_PATH, type: 'application/schema+json' },
  { path: '/schemas/domain-event.avsc', file: DOMAIN_EVENT_AVRO_SCHEMA_PATH, type: 'application/json' },
] as const;

export function serveSchemaFiles(app: Express): void {
  for (const schema of SCHEMA_FILES) {
    const text = readFileSync(schema.file, 'utf8');
    app.get(schema.path, (_request, response) => {
      setRouteLabel(response, schema.path);
      response.type(schema.type).send(text);
    });
  }
}
