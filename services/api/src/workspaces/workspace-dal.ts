import type { Knex } from '@hookstream/db';

export interface WorkspaceRow {
  id: string;
  name: string;
  created_at: Date;
}

export type WorkspaceDal = ReturnType<typeof createWorkspaceDal>;

export function createWorkspaceDal(knex: Knex) {
  return {
    async insert(name: string, db: Knex | Knex.Transaction = knex): Promise<WorkspaceRow> {
      const [row] = await db<WorkspaceRow>('workspaces').insert({ name }).returning(['id', 'name', 'created_at']);
      if (!row) throw new Error('insert into workspaces returned no row');
      return row;
    },

    async exists(id: string): Promise<boolean> {
      return (await knex('workspaces').where({ id }).first('id')) !== undefined;
    },

    /** Oldest first, so that pages stay put as workspaces are added. */
    async list(page: { offset: number; limit: number }): Promise<{ rows: WorkspaceRow[]; count: number }> {
      const [rows, countRow] = await Promise.all([
        knex<WorkspaceRow>('workspaces').select('id', 'name', 'created_at').orderBy([{ column: 'created_at' }, { column: 'id' }]).offset(page.offset).limit(page.limit),
        knex('workspaces').count<{ count: number }[]>({ count: '*' }).first(),
      ]);
      return { rows, count: countRow?.count ?? 0 };
    },
  };
}
