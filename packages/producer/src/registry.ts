import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A schema registry client for domain events, shared by producers and the router. JSON
 * Schema validation needs the standard formats (`occurred_at` is a `date-time`), which
 * the client's default validator does not know.
 *
 * Each request is abandoned after `requestTimeoutMs` (10 s by default): without a limit, a
 * registry that accepts connections and never answers would hold a decode forever.
 */
export function createSchemaRegistry(host: string, options: { requestTimeoutMs?: number } = {}): SchemaRegistry {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const timeout = options.requestTimeoutMs ?? 10_000;
  const requestTimeout = () => ({
    async prepareRequest(next: () => Promise<{ timeout(): number | undefined; enhance(extras: { timeout: number }): unknown }>) {
      const request = await next();
      return request.timeout() ? request : request.enhance({ timeout });
    },
  });
  return new SchemaRegistry(
    { host, middlewares: [requestTimeout as NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number]] },
    { [SchemaType.JSON]: { ajvInstance: ajv } },
  );
}
