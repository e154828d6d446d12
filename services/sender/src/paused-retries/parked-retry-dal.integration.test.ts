import { randomUUID } from 'node:crypto';
import type { DeliveryMessage } from '@hookstream/messages';
import { createTestDatabase, type TestDatabase } from '@hookstream/testkit';
import { createParkedRetryDal, type ParkedRetryDal } from './parked-retry-dal';

/**
 * `parked_retries` and the pause claims against the real PostgreSQL: a retry parks once,
 * comes out oldest first and to one taker at a time, and the probe interval and release
 * slots are claimed once per period whoever asks.
 */
describe('the parked retries', () => {
  let database: TestDatabase;
  let dal: ParkedRetryDal;
  let workspaceId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dal = createParkedRetryDal(database.knex);
    [{ id: workspaceId }] = await database.knex('workspaces').insert({ name: 'Acme' }).returning('id');
  });

  afterAll(async () => {
    await database?.drop();
  });

  const insertWebhook = async (values: Record<string, unknown> = {}): Promise<string> => {
    const [row] = await database
      .knex('webhooks')
      .insert({ workspace_id: workspaceId, url: 'https://hooks.example.com/a', events: ['Case.Created'], secret_encrypted: 'x', promoted: true, ...values })
      .returning('id');
    return row.id;
  };

  const retry = (webhookId: string, dueAt: string, retryCount = 1): DeliveryMessage => ({
    version: 1,
    type: 'automatic_retry',
    event_id: randomUUID(),
    webhook_id: webhookId,
    workspace_id: workspaceId,
    event: 'Case.Created',
    sub_event: null,
    domain_event: { id: randomUUID(), type: 'Case.Created', occurred_at: dueAt, workspace: { id: workspaceId, name: 'Acme' }, entity: { id: 'c1' }, context: {} },
    retry_count: retryCount,
    first_attempt_at: '2026-12-06T09:00:00.000Z',
    due_at: dueAt,
    produced_at: '2026-12-06T09:00:00.000Z',
  });

  it('parks a retry read twice once, and gives retries out oldest due first, each to one taker until its lease runs out', async () => {
    const webhookId = await insertWebhook({ retry_state: 'paused' });
    const late = retry(webhookId, '2026-12-06T10:00:02.000Z');
    const early = retry(webhookId, '2026-12-06T10:00:01.000Z');
    const middle = retry(webhookId, '2026-12-06T10:00:01.500Z', 2);
    for (const delivery of [late, early, middle, late]) await dal.park(delivery);
    expect(await dal.countsByWebhook()).toContainEqual({ webhookId, parked: 3, ready: 3 });

    const [first, second] = await Promise.all([dal.takeOldest(webhookId, 1, 60_000), dal.takeOldest(webhookId, 1, 60_000)]);
    const taken = [...(first ?? []), ...(second ?? [])].map((parked) => parked.eventId).sort();
    expect(taken).toEqual([early.event_id, middle.event_id].sort());
    expect(await dal.countsByWebhook()).toContainEqual({ webhookId, parked: 3, ready: 1 });
    const [rest] = await dal.takeOldest(webhookId, 5, 60_000);
    expect(rest?.delivery).toEqual(late);

    // A retry given back is first in line again; an expired lease frees one too.
    await dal.giveBack({ eventId: early.event_id, retryCount: 1 });
    expect((await dal.takeOldest(webhookId, 5, 0)).map((parked) => parked.eventId)).toEqual([early.event_id]);
    expect((await dal.takeOldest(webhookId, 5, 60_000)).map((parked) => parked.eventId)).toEqual([early.event_id]);
    for (const parked of [early, middle, late]) await dal.remove({ eventId: parked.event_id, retryCount: parked.retry_count });
    expect(await database.knex('parked_retries').where({ webhook_id: webhookId })).toEqual([]);
  });

  it('claims a probe once per interval, only while paused, and a release slot only while not paused', async () => {
    const webhookId = await insertWebhook({ retry_state: 'paused', retries_probed_at: new Date(Date.now() - 120_000) });
    const claims = await Promise.all([dal.claimProbe(webhookId, 60_000), dal.claimProbe(webhookId, 60_000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await dal.claimProbe(webhookId, 60_000)).toBe(false);
    expect(await dal.claimRelease(webhookId, 100)).toBe(false);

    expect(await dal.resume(webhookId)).toBe(true);
    expect(await dal.resume(webhookId)).toBe(false);
    const resumed = await database.knex('webhooks').where({ id: webhookId }).first('retry_state', 'failure_window_reset_at', 'retry_state_since');
    expect(resumed.retry_state).toBe('resuming');
    expect(resumed.failure_window_reset_at.getTime()).toBe(resumed.retry_state_since.getTime());
    expect(await dal.claimProbe(webhookId, 0)).toBe(false);
    const slots = await Promise.all([dal.claimRelease(webhookId, 60_000), dal.claimRelease(webhookId, 60_000)]);
    expect(slots.filter(Boolean)).toHaveLength(1);
    expect(await dal.claimRelease(webhookId, 60_000)).toBe(false);

    // A paused webhook set offline by hand, or no longer promoted, has its retries released (and given up under the usual rules).
    const offline = await insertWebhook({ retry_state: 'paused', status: 'offline' });
    expect(await dal.claimProbe(offline, 0)).toBe(false);
    expect(await dal.claimRelease(offline, 100)).toBe(true);
  });

  it('brings a resuming webhook back to normal once no parked retry is left', async () => {
    const webhookId = await insertWebhook({ retry_state: 'resuming' });
    const parked = retry(webhookId, '2026-12-06T10:00:00.000Z');
    await dal.park(parked);
    expect(await dal.finishResuming()).not.toContain(webhookId);
    await dal.remove({ eventId: parked.event_id, retryCount: 1 });
    expect(await dal.finishResuming()).toContain(webhookId);
    expect((await database.knex('webhooks').where({ id: webhookId }).first('retry_state')).retry_state).toBe('normal');
  });
});
