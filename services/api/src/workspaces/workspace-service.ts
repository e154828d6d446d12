import type { Knex } from '@hookstream/db';
import type { ApiKeyDal } from '../auth/api-key-dal';
import { generateApiKey } from '../auth/api-keys';
import { NotFoundError } from '../http/errors';
import type { WorkspaceDal, WorkspaceRow } from './workspace-dal';
import type { CreatedApiKey, CreatedWorkspace, Workspace } from './workspace-schemas';

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

function toWorkspace(row: WorkspaceRow): Workspace {
  return { id: row.id, name: row.name, created_at: row.created_at.toISOString() };
}

/**
 * Operators' side of tenancy: workspaces and their API keys. Used by the admin routes and
 * by the CLI alike. A key's plaintext leaves this service once, in the creation result.
 */
export function createWorkspaceService(deps: {
  knex: Knex;
  workspaces: WorkspaceDal;
  apiKeys: Pick<ApiKeyDal, 'insert' | 'revoke'>;
}) {
  return {
    /** A workspace with its first API key, in one transaction: never a workspace nobody can use. */
    async create(name: string): Promise<CreatedWorkspace> {
      return deps.knex.transaction(async (trx) => {
        const workspace = await deps.workspaces.insert(name, trx);
        const key = generateApiKey();
        const keyRow = await deps.apiKeys.insert({ workspace_id: workspace.id, key_hash: key.hash, key_prefix: key.displayPrefix }, trx);
        return { ...toWorkspace(workspace), api_key: key.key, api_key_id: keyRow.id };
      });
    },

    async list(page: number, limit: number): Promise<{ data: Workspace[]; pagination: { page: number; limit: number; count: number } }> {
      const { rows, count } = await deps.workspaces.list({ offset: (page - 1) * limit, limit });
      return { data: rows.map(toWorkspace), pagination: { page, limit, count } };
    },

    async createApiKey(workspaceId: string): Promise<CreatedApiKey> {
      if (!(await deps.workspaces.exists(workspaceId))) throw new NotFoundError('No workspace with this id');
      const key = generateApiKey();
      const row = await deps.apiKeys.insert({ workspace_id: workspaceId, key_hash: key.hash, key_prefix: key.displayPrefix });
      return { id: row.id, api_key: key.key, key_prefix: row.key_prefix, created_at: row.created_at.toISOString() };
    },

    /** Revoked keys stop working on the next request: authentication reads the table each time. */
    async revokeApiKey(workspaceId: string, keyId: string): Promise<void> {
      if (!(await deps.apiKeys.revoke(workspaceId, keyId))) throw new NotFoundError('No active API key with this id in this workspace');
    },
  };
}
