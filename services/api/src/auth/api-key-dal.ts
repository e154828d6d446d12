import type { Knex } from '@hookstream/db';

export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  key_hash: Buffer;
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

export type ApiKeyDal = ReturnType<typeof createApiKeyDal>;

/** `api_keys`: SHA-256 digests of tenant keys, one workspace each. */
export function createApiKeyDal(knex: Knex) {
  return {
    /** The active (not revoked) key with this digest, if any. */
    async findActiveByHash(hash: Buffer): Promise<ApiKeyRow | undefined> {
      return knex<ApiKeyRow>('api_keys').where({ key_hash: hash }).whereNull('revoked_at').first();
    },

    async insert(
      row: { workspace_id: string; key_hash: Buffer; key_prefix: string },
      db: Knex | Knex.Transaction = knex,
    ): Promise<ApiKeyRow> {
      const [inserted] = await db<ApiKeyRow>('api_keys').insert(row).returning('*');
      if (!inserted) throw new Error('insert into api_keys returned no row');
      return inserted;
    },

    /** Revokes an active key of the workspace; false when there is none with that id. */
    async revoke(workspaceId: string, keyId: string): Promise<boolean> {
      const updated = await knex('api_keys')
        .where({ id: keyId, workspace_id: workspaceId })
        .whereNull('revoked_at')
        .update({ revoked_at: knex.fn.now() });
      return updated > 0;
    },
  };
}
