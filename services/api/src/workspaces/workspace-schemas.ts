import { paginationQuery, paginationSchema, resourceId, safeText, timestampOutput, z } from '../http/common-schemas';

export const workspaceName = safeText(200).min(1).openapi({ description: 'Display name', example: 'Acme' });

export const createWorkspaceBody = z.object({ name: workspaceName }).strict().openapi('CreateWorkspaceRequest');

export const workspaceSchema = z
  .object({ id: z.uuid(), name: z.string(), created_at: timestampOutput })
  .strict()
  .openapi('Workspace');

export const createdWorkspaceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    created_at: timestampOutput,
    api_key: z.string().openapi({ description: 'The workspace\'s first API key. Shown this once: store it now.' }),
    api_key_id: z.uuid(),
  })
  .strict()
  .openapi('CreatedWorkspace');

export const workspaceListSchema = z
  .object({ data: z.array(workspaceSchema), pagination: paginationSchema })
  .strict()
  .openapi('WorkspaceList');

export const workspaceListQuery = z.object(paginationQuery(100)).strict();

export const createdApiKeySchema = z
  .object({
    id: z.uuid(),
    api_key: z.string().openapi({ description: 'Shown this once: store it now.' }),
    key_prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart' }),
    created_at: timestampOutput,
  })
  .strict()
  .openapi('CreatedApiKey');

export const workspaceKeyParams = z
  .object({
    id: resourceId.openapi({ description: 'Workspace id' }),
    key_id: resourceId.openapi({ description: 'API key id' }),
  })
  .strict();

export type Workspace = z.infer<typeof workspaceSchema>;
export type CreatedWorkspace = z.infer<typeof createdWorkspaceSchema>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
