import { EVENT_FAMILIES, listCatalog } from '@hookstream/events';
import { z } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';

const families = Object.keys(EVENT_FAMILIES) as [string, ...string[]];

export const catalogEntrySchema = z
  .object({
    type: z.string().openapi({ example: 'Case.StatusUpdated' }),
    family: z.enum(families),
    parent: z.string().nullable().openapi({ description: 'For a sub-event: the top-level event delivered in its place', example: 'Case.Updated' }),
    description: z.string(),
  })
  .strict()
  .openapi('CatalogEvent');

export const catalogSchema = z.object({ data: z.array(catalogEntrySchema) }).strict().openapi('Catalog');

/** `GET /v1/events` (docs/webhooks.md "Event catalog"). */
export function catalogOperations(): Operation[] {
  return [
    defineOperation({
      operationId: 'listEvents',
      method: 'get',
      path: '/v1/events',
      tag: 'Events',
      summary: 'List the event catalog',
      description: 'Every event type a webhook can subscribe to, with its family, its parent (for sub-events) and a description.',
      security: 'apiKey',
      success: { status: 200, description: 'The catalog', schema: catalogSchema },
      handle: async () => ({ status: 200, body: { data: listCatalog() } }),
    }),
  ];
}
