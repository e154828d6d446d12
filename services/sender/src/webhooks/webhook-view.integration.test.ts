import { randomBytes } from 'node:crypto';
import { createSecretBox, createWebhookView, type WebhookView } from '@hookstream/db';
import { createTestDatabase, waitFor, type TestDatabase } from '@hookstream/testkit';

/**
 * The sender's webhook view against the real database: a row whose secret cannot be
 * decrypted is reported and left out, without stopping the view from starting or from
 * following later changes; deleted webhooks leave the view after a while.
 */
describe('the webhook view with secrets', () => {
  const box = createSecretBox(randomBytes(32));
  const otherKeyBox = createSecretBox(randomBytes(32));
  let database: TestDatabase;
  let workspaceId: string;
  let view: WebhookView | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    [{ id: workspaceId }] = await database.knex('workspaces').insert({ name: 'Acme' }).returning('id');
  });

  afterEach(() => view?.stop());

  afterAll(async () => {
    await database?.drop();
  });

  const insertWebhook = async (values: Record<string, unknown> = {}): Promise<string> => {
    const [row] = await database
      .knex('webhooks')
      .insert({ workspace_id: workspaceId, url: 'https://hooks.example.com/a', events: ['Case.Created'], secret_encrypted: box.encrypt('whsec_good'), ...values })
      .returning('id');
    return row.id;
  };
  const update = (id: string, values: Record<string, unknown>) => database.knex('webhooks').where({ id }).update({ ...values, updated_at: database.knex.fn.now() });

  it('starts, leaves out and reports a webhook whose secret does not decrypt, and keeps following every other change', async () => {
    const good = await insertWebhook();
    const foreign = await insertWebhook({ secret_encrypted: otherKeyBox.encrypt('whsec_other') });
    const damaged = await insertWebhook({ secret_encrypted: 'v1.not.a-secret' });
    const bad: Array<[string, string]> = [];
    view = createWebhookView({
      knex: database.knex,
      secretBox: box,
      refreshIntervalMs: 100,
      onBadRow: (id, error) => bad.push([id, String(error)]),
    });

    await view.start();
    expect(view.get(good)?.secret).toBe('whsec_good');
    expect(view.get(foreign)).toBeUndefined();
    expect(view.get(damaged)).toBeUndefined();
    expect(bad.map(([id]) => id).sort()).toEqual([foreign, damaged].sort());
    expect(bad.some(([, error]) => error.includes('whsec_'))).toBe(false);

    // Changes after the bad rows still arrive, and a fixed row joins the view.
    await update(good, { status: 'offline' });
    await update(foreign, { secret_encrypted: box.encrypt('whsec_fixed') });
    const later = await insertWebhook({ url: 'https://hooks.example.com/later' });
    await waitFor(() => view?.get(good)?.status === 'offline' && view.get(foreign)?.secret === 'whsec_fixed' && view.get(later) !== undefined, {
      description: 'the view to follow the changes made after the bad rows',
      timeoutMs: 20_000,
    });
    expect(view.isFresh()).toBe(true);
    // Each bad version of a row is reported once, however often the overlap reads it again.
    expect(bad).toHaveLength(2);
  });

  it('finds the webhooks of a workspace whatever the case of its id, as event ids are compared', async () => {
    const id = await insertWebhook({ url: 'https://hooks.example.com/case' });
    view = createWebhookView({ knex: database.knex, refreshIntervalMs: 100 });
    await view.start();
    for (const spelling of [workspaceId, workspaceId.toUpperCase()]) {
      expect(view.onlineWebhooksOf(spelling).map((webhook) => webhook.id)).toContain(id);
    }
  });

  it('forgets deleted webhooks after a while, and does not load those deleted long ago', async () => {
    const longGone = await insertWebhook({ deleted_at: new Date(Date.now() - 3 * 24 * 3_600_000) });
    const live = await insertWebhook();
    view = createWebhookView({ knex: database.knex, secretBox: box, refreshIntervalMs: 100, forgetDeletedAfterMs: 2_000 });
    await view.start();
    expect(view.get(longGone)).toBeUndefined();
    expect(view.get(live)).toBeDefined();
    const sizeBefore = view.size();

    await update(live, { deleted_at: database.knex.fn.now() });
    await waitFor(() => view?.get(live)?.deleted === true, { description: 'the deletion to reach the view', timeoutMs: 20_000 });
    await waitFor(() => view?.get(live) === undefined, { description: 'the deleted webhook to leave the view', timeoutMs: 20_000 });
    expect(view.size()).toBe(sizeBefore - 1);
  });
});
