import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A schema registry client for domain events, shared by producers and the router. JSON
 * Schema validation needs the standard formats (`occurred_at` is a `date-time`), which
 * the client's default validator does not know.
 */
export function createSchemaRegistry(host: string): SchemaRegistry {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return new SchemaRegistry({ host }, { [SchemaType.JSON]: { ajvInstance: ajv } });
}
