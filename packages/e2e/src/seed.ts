import { randomBytes, randomUUID } from 'node:crypto';
import { createSecretBox, parseSecretKey, type Knex } from '@hookstream/db';
import { generateSecret } from '@hookstream/signing';

/** Creates workspaces and webhooks directly in the database, as the API would. */
export function createSeeder(knex: Knex, secretKeyBase64: string) {
  const box = createSecretBox(parseSecretKey(secretKeyBase64));
  return {
    async workspace(name = 'Acme'): Promise<{ id: string; name: string }> {
      const [row] = await knex('workspaces').insert({ name }).returning(['id', 'name']);
      return row;
    },
    async webhook(input: { workspaceId: string; url: string; events: string[]; secret?: string; status?: 'online' | 'offline' }) {
      const secret = input.secret ?? generateSecret();
      const [row] = await knex('webhooks')
        .insert({
          workspace_id: input.workspaceId,
          url: input.url,
          events: input.events,
          status: input.status ?? 'online',
          secret_encrypted: box.encrypt(secret),
        })
        .returning(['id']);
      return { id: row.id as string, secret };
    },
    async rotateSecret(webhookId: string, graceMs: number) {
      const current = await knex('webhooks').select('secret_encrypted').where({ id: webhookId }).first();
      const secret = generateSecret();
      await knex('webhooks')
        .where({ id: webhookId })
        .update({
          previous_secret_encrypted: current.secret_encrypted,
          previous_secret_expires_at: new Date(Date.now() + graceMs),
          secret_encrypted: box.encrypt(secret),
          updated_at: knex.fn.now(),
        });
      return secret;
    },
    async update(webhookId: string, changes: Record<string, unknown>) {
      await knex('webhooks').where({ id: webhookId }).update({ ...changes, updated_at: knex.fn.now() });
    },
  };
}

export function newSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export function domainEvent(input: {
  type: string;
  workspace: { id: string; name: string };
  entity?: Record<string, unknown>;
  context?: Record<string, unknown>;
  id?: string;
}) {
  return {
    id: input.id ?? randomUUID(),
    type: input.type,
    occurred_at: new Date().toISOString(),
    workspace: input.workspace,
    entity: input.entity ?? { id: randomUUID(), name: 'entity' },
    context: input.context ?? {},
  };
}
