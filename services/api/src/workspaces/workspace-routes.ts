import { idPathParams } from '../http/common-schemas';
import { defineOperation, type Operation } from '../http/operation';
import type { WorkspaceService } from './workspace-service';
import {
  createWorkspaceBody,
  createdApiKeySchema,
  createdWorkspaceSchema,
  workspaceKeyParams,
  workspaceListQuery,
  workspaceListSchema,
} from './workspace-schemas';

const TAG = 'Admin';

/** `/admin/v1/…` (docs/webhooks.md "Workspaces and API keys"), behind the admin token. */
export function workspaceOperations(service: WorkspaceService): Operation[] {
  return [
    defineOperation({
      operationId: 'createWorkspace',
      method: 'post',
      path: '/admin/v1/workspaces',
      tag: TAG,
      summary: 'Create a workspace and its first API key',
      description: 'The API key is returned this once; only its SHA-256 digest is stored.',
      security: 'adminToken',
      body: { schema: createWorkspaceBody, required: true },
      success: { status: 201, description: 'The workspace, with its API key', schema: createdWorkspaceSchema },
      handle: async ({ body }) => ({ status: 201, body: await service.create(body.name) }),
    }),
    defineOperation({
      operationId: 'listWorkspaces',
      method: 'get',
      path: '/admin/v1/workspaces',
      tag: TAG,
      summary: 'List workspaces',
      description: 'Oldest first.',
      security: 'adminToken',
      query: workspaceListQuery,
      success: { status: 200, description: 'A page of workspaces', schema: workspaceListSchema },
      handle: async ({ query }) => ({ status: 200, body: await service.list(query.page, query.limit) }),
    }),
    defineOperation({
      operationId: 'createApiKey',
      method: 'post',
      path: '/admin/v1/workspaces/{id}/api-keys',
      tag: TAG,
      summary: 'Create another API key for a workspace',
      security: 'adminToken',
      params: idPathParams,
      success: { status: 201, description: 'The new key, shown this once', schema: createdApiKeySchema },
      handle: async ({ params }) => ({ status: 201, body: await service.createApiKey(params.id) }),
    }),
    defineOperation({
      operationId: 'revokeApiKey',
      method: 'delete',
      path: '/admin/v1/workspaces/{id}/api-keys/{key_id}',
      tag: TAG,
      summary: 'Revoke an API key',
      description: 'The key stops working at once. Revoking a key that is already revoked answers 404.',
      security: 'adminToken',
      params: workspaceKeyParams,
      success: { status: 204, description: 'Revoked' },
      handle: async ({ params }) => {
        await service.revokeApiKey(params.id, params.key_id);
        return { status: 204 };
      },
    }),
  ];
}
