import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { webhookPayloadSchemas } from '@hookstream/events';
import type { ReceivedRequest } from './receiver';

type OpenApiLike = {
  webhooks?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: unknown }> } } }>;
  components?: { schemas?: Record<string, unknown> };
};

/**
 * Validates delivered bodies against the `webhooks` section of an OpenAPI document (the
 * one the API serves, or one built from the catalog as the API builds it): the body of a
 * call for event type T must match the schema the document gives for webhook T.
 * Returns what is wrong with each call, empty when every one matches.
 */
export function createPayloadValidator(document?: OpenApiLike) {
  const source: OpenApiLike = document ?? documentFromCatalog();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: source.components ?? {} });
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();

  function validatorOf(event: string) {
    let validate = validators.get(event);
    if (validate === undefined) {
      const schema = source.webhooks?.[event]?.post?.requestBody?.content?.['application/json']?.schema as { $ref?: string } | undefined;
      if (schema?.$ref === undefined) return undefined;
      validate = ajv.compile({ $ref: `openapi.json${schema.$ref}` });
      validators.set(event, validate);
    }
    return validate;
  }

  return {
    violations(requests: readonly ReceivedRequest[]): string[] {
      return requests.flatMap((request) => {
        const event = String(request.body.event);
        const validate = validatorOf(event);
        if (validate === undefined) return [`${request.path}: no webhook "${event}" in the document`];
        if (validate(request.body)) return [];
        return [`${request.path} ${event}: ${ajv.errorsText(validate.errors)}`];
      });
    },
  };
}

function documentFromCatalog(): OpenApiLike {
  const { components, payloadSchemaNames } = webhookPayloadSchemas();
  return {
    components: { schemas: components },
    webhooks: Object.fromEntries(
      Object.entries(payloadSchemaNames).map(([type, name]) => [
        type,
        { post: { requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } } } },
      ]),
    ),
  };
}
