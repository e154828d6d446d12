import { createWebhookView, type WebhookView } from '@hookstream/db';
import { EVENT_TYPES } from '@hookstream/events';
import { isValidSecretFormat, signBody, verifyWebhook } from '@hookstream/signing';
import { waitFor } from '@hookstream/testkit';
import { collectTopic, startTestApi, type TestApi } from '../test-support/api-harness';
import { testKafka } from '@hookstream/testkit';

jest.setTimeout(60_000);

describe('webhooks over HTTP, against the real database and broker', () => {
  let api: TestApi;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };
  let view: WebhookView;
  let lifecycle: Awaited<ReturnType<typeof collectTopic>>;

  const create = (body: Record<string, unknown>, apiKey = acme.apiKey) => api.request('POST', '/v1/webhooks', { apiKey, body });
  const validWebhook = (overrides: Record<string, unknown> = {}) => ({
    url: 'https://hooks.example.com/dotfile',
    events: ['Case.Created'],
    ...overrides,
  });

  beforeAll(async () => {
    api = await startTestApi({ label: 'webhooks' });
    acme = await api.createWorkspace('Acme');
    globex = await api.createWorkspace('Globex');
    view = createWebhookView({ knex: api.database.knex, secretBox: api.secretBox, refreshIntervalMs: 500 });
    await view.start();
    lifecycle = await collectTopic(api.topics.webhookLifecycle);
  });

  afterAll(async () => {
    view.stop();
    await lifecycle.stop();
    await api.close();
  });

  describe('authentication', () => {
    it.each([
      ['no key', undefined],
      ['an empty key', ''],
      ['a malformed key', 'not-a-key'],
      ['an unknown key', `dotkey.${'A'.repeat(43)}`],
    ])('answers 401 to %s', async (_label, apiKey) => {
      const response = await api.request('GET', '/v1/webhooks', apiKey === undefined ? {} : { apiKey });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ status_code: 401, code: 'unauthorized' });
      expect(Date.parse(response.body.timestamp)).not.toBeNaN();
    });

    it('does not take the admin token as an API key', async () => {
      expect((await api.request('GET', '/v1/webhooks', { admin: true })).status).toBe(401);
    });
  });

  describe('create', () => {
    it('creates an online webhook with a generated secret', async () => {
      const response = await create(validWebhook({ name: 'Case feed', events: ['Case.Created', 'Case.StatusUpdated', 'Case.Created'] }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        name: 'Case feed',
        url: 'https://hooks.example.com/dotfile',
        events: ['Case.Created', 'Case.StatusUpdated'],
        status: 'online',
        previous_secret_expires_at: null,
        offline_reason: null,
        promoted: false,
        retry_state: 'normal',
        retry_state_since: null,
      });
      expect(isValidSecretFormat(response.body.secret)).toBe(true);
      // Stored encrypted, never in clear.
      const row = await api.database.knex('webhooks').where({ id: response.body.id }).first();
      expect(row.secret_encrypted).not.toContain(response.body.secret);
      expect(api.secretBox.decrypt(row.secret_encrypted)).toBe(response.body.secret);
      expect(row.workspace_id).toBe(acme.id);
    });

    it('creates a promoted webhook, and a promoted one can be made ordinary again, ending a pause of its retries', async () => {
      const response = await create(validWebhook({ promoted: true }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ promoted: true, retry_state: 'normal' });
      const id = response.body.id as string;
      expect((await api.request('GET', `/v1/webhooks/${id}`, { apiKey: acme.apiKey })).body).toMatchObject({ promoted: true, retry_state: 'normal' });

      // The health service paused its retries (over the failure threshold).
      const pausedAt = new Date('2026-11-25T10:00:00.000Z');
      await api.database.knex('webhooks').where({ id }).update({ retry_state: 'paused', retry_state_since: pausedAt, updated_at: api.database.knex.fn.now() });
      expect((await api.request('GET', `/v1/webhooks/${id}`, { apiKey: acme.apiKey })).body).toMatchObject({
        promoted: true,
        retry_state: 'paused',
        retry_state_since: pausedAt.toISOString(),
      });

      const patched = await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { promoted: false } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ promoted: false, retry_state: 'resuming' });
      expect(Date.parse(patched.body.retry_state_since)).toBeGreaterThan(pausedAt.getTime());

      const again = await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { promoted: true } });
      expect(again.body).toMatchObject({ promoted: true, retry_state: 'resuming' });
      expect((await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { promoted: 'yes' } })).status).toBe(400);
    });

    it('keeps a secret the customer supplies, and an offline status as a manual one', async () => {
      const secret = `dotsecret.${'k'.repeat(40)}`;
      const response = await create(validWebhook({ secret, status: 'offline' }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ secret, status: 'offline', offline_reason: 'manual', name: null });
    });

    it.each([
      ['url missing', { events: ['Case.Created'] }, ['url']],
      ['events missing', { url: 'https://example.com/h' }, ['events']],
      ['events empty', validWebhook({ events: [] }), ['events']],
      ['events not a list', validWebhook({ events: 'Case.Created' }), ['events']],
      ['url not a string', validWebhook({ url: 42 }), ['url']],
      ['a bad status', validWebhook({ status: 'paused' }), ['status']],
      ['a short secret', validWebhook({ secret: 'dotsecret.short' }), ['secret']],
      ['a secret without the prefix', validWebhook({ secret: 'x'.repeat(50) }), ['secret']],
      ['a name with control characters', validWebhook({ name: 'a\u0000b' }), ['name']],
      ['a very long name', validWebhook({ name: 'n'.repeat(201) }), ['name']],
      ['a very long url', validWebhook({ url: `https://example.com/${'a'.repeat(2100)}` }), ['url']],
      ['an unknown field', validWebhook({ retries: 3 }), ['retries']],
      ['two bad fields', { url: 1, events: 2 }, ['url', 'events']],
    ])('refuses %s with 400 naming the field', async (_label, body, fields) => {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_error');
      expect(response.body.details.map((detail: { field: string }) => detail.field).sort()).toEqual([...fields].sort());
    });

    it('refuses unknown event names, listing the valid ones', async () => {
      const response = await create(validWebhook({ events: ['Case.Created', 'Case.Exploded'] }));
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field: 'events.1', location: 'body' })]);
      for (const type of EVENT_TYPES) expect(response.body.details[0].message).toContain(type);
    });

    it.each([
      ['malformed', 'not a url'],
      ['not http(s)', 'ftp://example.com/hook'],
      ['javascript', 'javascript:alert(1)'],
      ['with credentials', 'https://user:secret@example.com/hook'],
      ['a private address', 'https://10.1.2.3/hook'],
      ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
      ['a loopback address outside the allowlist', 'http://127.0.0.2:8080/hook'],
      ['IPv6 loopback', 'http://[::1]/hook'],
      ['an IPv4-mapped private address', 'https://[::ffff:192.168.0.1]/hook'],
      ['a numeric loopback alias', 'http://2130706434/hook'],
    ])('refuses a URL that is %s', async (_label, url) => {
      const response = await create(validWebhook({ url }));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'url' })] });
    });
  });

  describe('get', () => {
    it('returns a webhook of the workspace, and 404 for another workspace, unknown ids and non-UUIDs', async () => {
      const created = await create(validWebhook({ name: 'to get' }));
      const fetched = await api.request('GET', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey });
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);

      const other = await api.request('GET', `/v1/webhooks/${created.body.id}`, { apiKey: globex.apiKey });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('not_found');
      expect((await api.request('GET', '/v1/webhooks/00000000-0000-4000-8000-000000000000', { apiKey: acme.apiKey })).status).toBe(404);
      expect((await api.request('GET', '/v1/webhooks/42', { apiKey: acme.apiKey })).status).toBe(404);
      expect((await api.request('GET', "/v1/webhooks/1'%20OR%20'1'='1", { apiKey: acme.apiKey })).status).toBe(404);
    });
  });

  describe('list', () => {
    let workspace: { id: string; apiKey: string };
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];

    beforeAll(async () => {
      workspace = await api.createWorkspace('Lister');
      for (const [index, name] of names.entries()) {
        const response = await create(
          validWebhook({
            name,
            url: `https://${name}.example.com/hooks/${index % 2 === 0 ? 'even' : 'odd_50%'}`,
            events: index % 2 === 0 ? ['Case.Created', 'Check.Started'] : ['Case.Created'],
            status: name === 'echo' ? 'offline' : 'online',
          }),
          workspace.apiKey,
        );
        expect(response.status).toBe(201);
      }
    });

    const list = async (query: string) => {
      const response = await api.request('GET', `/v1/webhooks${query}`, { apiKey: workspace.apiKey });
      expect(response.status).toBe(200);
      return response.body as { data: Array<{ name: string; updated_at: string; status: string }>; pagination: { page: number; limit: number; count: number } };
    };

    it('sorts by updated_at ascending by default, 20 per page', async () => {
      const page = await list('');
      expect(page.pagination).toEqual({ page: 1, limit: 20, count: 5 });
      expect(page.data.map((webhook) => webhook.name)).toEqual(names);
    });

    it('pages through the results without overlap', async () => {
      const pages = await Promise.all([1, 2, 3, 4].map((page) => list(`?sort=name&limit=2&page=${page}`)));
      expect(pages.map((page) => page.data.map((webhook) => webhook.name))).toEqual([['alpha', 'bravo'], ['charlie', 'delta'], ['echo'], []]);
      expect(pages.every((page) => page.pagination.count === 5 && page.pagination.limit === 2)).toBe(true);
    });

    it('sorts by several fields, each ascending or descending', async () => {
      expect((await list('?sort=name.desc')).data.map((webhook) => webhook.name)).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
      expect((await list('?sort=status.desc,name')).data.map((webhook) => webhook.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      expect((await list('?sort=status,name.desc')).data.map((webhook) => webhook.name)).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
      expect((await list('?sort=url.desc')).data.map((webhook) => webhook.name)).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
      expect((await list('?sort=created_at.desc')).data.map((webhook) => webhook.name)).toEqual([...names].reverse());
    });

    it('filters by status, events, URL and name', async () => {
      expect((await list('?status=offline')).data.map((webhook) => webhook.name)).toEqual(['echo']);
      const subscribed = await list('?events=Check.Started&sort=name');
      expect(subscribed.data.map((webhook) => webhook.name)).toEqual(['bravo', 'delta', 'echo']);
      expect(subscribed.pagination.count).toBe(3);
      expect((await list('?events=Check.Started,Case.Created&status=online&sort=name')).data.map((webhook) => webhook.name)).toEqual(['bravo', 'delta']);
      expect((await list('?events=Note.Created')).data).toEqual([]);
      // A literal % in the filter is not a wildcard.
      expect((await list('?url=ODD_50%25&sort=name')).data.map((webhook) => webhook.name)).toEqual(['alpha', 'charlie']);
      expect((await list('?name=HARL')).data.map((webhook) => webhook.name)).toEqual(['charlie']);
      expect((await list("?name=x'%20OR%201%3D1%20--")).data).toEqual([]);
    });

    it.each([
      ['?limit=101', 'limit'],
      ['?limit=0', 'limit'],
      ['?page=0', 'page'],
      ['?page=abc', 'page'],
      ['?sort=secret', 'sort'],
      ['?sort=name.sideways', 'sort'],
      ['?status=paused', 'status'],
      ['?events=Case.Nope', 'events'],
      ['?name=%00', 'name'],
      ['?colour=blue', 'colour'],
      ['?limit=1&limit=2', 'limit'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const response = await api.request('GET', `/v1/webhooks${query}`, { apiKey: workspace.apiKey });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field, location: 'query' })]);
    });

    it('never shows another workspace\'s webhooks', async () => {
      const page = await api.request('GET', '/v1/webhooks?limit=100', { apiKey: globex.apiKey });
      expect(page.body.data).toEqual([]);
      expect(page.body.pagination.count).toBe(0);
    });
  });

  describe('update', () => {
    it('changes url, events and name, bumping updated_at, and the webhook view follows within 2 s', async () => {
      const created = await create(validWebhook());
      await waitFor(() => view.get(created.body.id), { description: 'the view to load the new webhook', timeoutMs: 2_000 });
      const response = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, {
        apiKey: acme.apiKey,
        body: { url: 'http://127.0.0.1:9999/new', events: ['Note.Created'], name: 'renamed' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ url: 'http://127.0.0.1:9999/new', events: ['Note.Created'], name: 'renamed', secret: created.body.secret });
      expect(Date.parse(response.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
      await waitFor(() => view.get(created.body.id)?.url === 'http://127.0.0.1:9999/new' && view.get(created.body.id)?.events.has('Note.Created'), {
        description: 'the view to see the new URL and events',
        timeoutMs: 2_000,
      });

      const cleared = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey, body: { name: null } });
      expect(cleared.body.name).toBeNull();
    });

    it('replaces the secret at once when one is given', async () => {
      const created = await create(validWebhook());
      const secret = `dotsecret.${'z'.repeat(32)}`;
      const response = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey, body: { secret } });
      expect(response.body).toMatchObject({ secret, previous_secret_expires_at: null });
    });

    it('takes a webhook offline manually and back online, restarting the failure window, with lifecycle events', async () => {
      const created = await create(validWebhook());
      const id = created.body.id as string;
      const windowBefore = (await api.database.knex('webhooks').where({ id }).first()).failure_window_reset_at as Date;

      const offline = await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { status: 'offline' } });
      expect(offline.body).toMatchObject({ status: 'offline', offline_reason: 'manual' });
      await waitFor(() => view.get(id)?.status === 'offline' && view.onlineWebhooksOf(acme.id).every((webhook) => webhook.id !== id), {
        description: 'the view to drop the offline webhook',
        timeoutMs: 2_000,
      });

      // As the health service does at the failure threshold.
      await api.database.knex('webhooks').where({ id }).update({ offline_reason: 'failure_threshold', updated_at: api.database.knex.fn.now() });
      const online = await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { status: 'online' } });
      expect(online.body).toMatchObject({ status: 'online', offline_reason: null });
      const windowAfter = (await api.database.knex('webhooks').where({ id }).first()).failure_window_reset_at as Date;
      expect(windowAfter.getTime()).toBeGreaterThan(windowBefore.getTime());

      // Already online: the window restarts again, but no second online event is published.
      await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { status: 'online' } });
      const windowAgain = (await api.database.knex('webhooks').where({ id }).first()).failure_window_reset_at as Date;
      expect(windowAgain.getTime()).toBeGreaterThan(windowAfter.getTime());

      const events = await waitFor(
        () => {
          const mine = lifecycle.messages.filter((message) => message.key === id);
          return mine.length >= 2 && mine;
        },
        { description: 'lifecycle events of the webhook' },
      );
      expect(events.map((message) => message.value)).toEqual([
        expect.objectContaining({ version: 1, type: 'webhook.offline', webhook_id: id, workspace_id: acme.id, reason: 'manual', failure_count: null }),
        expect.objectContaining({ type: 'webhook.online', webhook_id: id, reason: 'manual' }),
      ]);
    });

    it('answers an empty change with the webhook unchanged', async () => {
      const created = await create(validWebhook());
      const response = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey, body: {} });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(created.body);
    });

    it.each([
      ['a refused URL', { url: 'https://192.168.1.1/' }, 'url'],
      ['an unknown event', { events: ['Nope.Nope'] }, 'events.0'],
      ['an unknown field', { id: '00000000-0000-4000-8000-000000000000' }, 'id'],
      ['a null url', { url: null }, 'url'],
    ])('refuses %s', async (_label, body, field) => {
      const created = await create(validWebhook());
      const response = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey, body });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field })]);
    });

    it('answers 404 for another workspace\'s webhook and leaves it alone', async () => {
      const created = await create(validWebhook({ name: 'mine' }));
      const response = await api.request('PATCH', `/v1/webhooks/${created.body.id}`, { apiKey: globex.apiKey, body: { name: 'theirs' } });
      expect(response.status).toBe(404);
      expect((await api.request('GET', `/v1/webhooks/${created.body.id}`, { apiKey: acme.apiKey })).body.name).toBe('mine');
    });
  });

  describe('delete', () => {
    it('soft-deletes, cancels pending automatic retries, and the view drops it within 2 s', async () => {
      const created = await create(validWebhook());
      const id = created.body.id as string;
      await waitFor(() => view.get(id), { description: 'the view to load it', timeoutMs: 2_000 });
      const calls = await api.database
        .knex('calls')
        .insert(
          (['retrying', 'failed', 'succeeded'] as const).map((status, index) => ({
            event_id: `00000000-0000-5000-8000-00000000000${index}`,
            workspace_id: acme.id,
            webhook_id: id,
            domain_event_id: `00000000-0000-4000-8000-00000000000${index}`,
            event: 'Case.Created',
            status,
          })),
        )
        .returning(['id', 'status']);

      expect((await api.request('DELETE', `/v1/webhooks/${id}`, { apiKey: globex.apiKey })).status).toBe(404);
      const deleted = await api.request('DELETE', `/v1/webhooks/${id}`, { apiKey: acme.apiKey });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');

      expect((await api.request('GET', `/v1/webhooks/${id}`, { apiKey: acme.apiKey })).status).toBe(404);
      expect((await api.request('DELETE', `/v1/webhooks/${id}`, { apiKey: acme.apiKey })).status).toBe(404);
      expect((await api.request('PATCH', `/v1/webhooks/${id}`, { apiKey: acme.apiKey, body: { name: 'x' } })).status).toBe(404);
      const row = await api.database.knex('webhooks').where({ id }).first();
      expect(row.deleted_at).not.toBeNull();
      const after = await api.database.knex('calls').whereIn('id', calls.map((call: { id: string }) => call.id)).orderBy('event_id');
      expect(after.map((call: { status: string; status_reason: string | null }) => [call.status, call.status_reason])).toEqual([
        ['cancelled', 'webhook_deleted'],
        ['failed', null],
        ['succeeded', null],
      ]);
      await waitFor(() => view.get(id)?.deleted === true, { description: 'the view to see the deletion', timeoutMs: 2_000 });
      expect(view.onlineWebhooksOf(acme.id).some((webhook) => webhook.id === id)).toBe(false);
    });
  });

  describe('rotate secret', () => {
    /** The sender's rule (docs/webhooks.md "Request"): the old signature only while the grace period runs. */
    const signLikeTheSender = (state: ReturnType<WebhookView['get']>, body: string, now: Date) => {
      const headers: Record<string, string> = { 'dotfile-signature': signBody(body, state?.secret as string) };
      if (state?.previousSecret && state.previousSecretExpiresAt && state.previousSecretExpiresAt > now) {
        headers['dotfile-old-signature'] = signBody(body, state.previousSecret);
      }
      return headers;
    };
    const body = () => JSON.stringify({ event: 'Case.Created', context: { timestamp: Math.floor(Date.now() / 1000) } });
    const receiverAccepts = (secret: string, rawBody: string, headers: Record<string, string>) =>
      verifyWebhook({ rawBody, headers, secret, nowSeconds: Math.floor(Date.now() / 1000) });

    it('keeps the old secret valid through the grace period (24 h by default), then only the new one', async () => {
      const created = await create(validWebhook());
      const id = created.body.id as string;
      const oldSecret = created.body.secret as string;

      const rotated = await api.request('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: acme.apiKey });
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).not.toBe(oldSecret);
      expect(isValidSecretFormat(newSecret)).toBe(true);
      const expiresIn = Date.parse(rotated.body.previous_secret_expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(24 * 3_600_000 - 60_000);
      expect(expiresIn).toBeLessThanOrEqual(24 * 3_600_000);

      // The sender's view has both secrets within 2 s; a receiver holding either one accepts.
      const state = await waitFor(() => (view.get(id)?.secret === newSecret ? view.get(id) : undefined), {
        description: 'the view to see the rotation',
        timeoutMs: 2_000,
      });
      expect(state.previousSecret).toBe(oldSecret);
      const payload = body();
      const headers = signLikeTheSender(state, payload, new Date());
      expect(receiverAccepts(oldSecret, payload, headers)).toMatchObject({ ok: true, matched: 'previous' });
      expect(receiverAccepts(newSecret, payload, headers)).toMatchObject({ ok: true, matched: 'current' });

      const published = await waitFor(() => lifecycle.messages.find((message) => message.key === id && message.value.type === 'webhook.secret_rotated'), {
        description: 'the secret_rotated lifecycle event',
      });
      expect(published.value).toMatchObject({ webhook_id: id, workspace_id: acme.id, reason: null });
    });

    it('ends the old secret when a short grace period (fractions of an hour) runs out', async () => {
      const created = await create(validWebhook());
      const id = created.body.id as string;
      const oldSecret = created.body.secret as string;
      const rotated = await api.request('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: acme.apiKey, body: { grace_period_hours: 0.0005 } });
      expect(rotated.status).toBe(200);
      const expiresAt = Date.parse(rotated.body.previous_secret_expires_at);
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(1_800);

      const state = await waitFor(() => (view.get(id)?.secret === rotated.body.secret ? view.get(id) : undefined), {
        description: 'the view to see the rotation',
        timeoutMs: 2_000,
      });
      const during = body();
      const duringHeaders = signLikeTheSender(state, during, new Date(expiresAt - 1));
      expect(receiverAccepts(oldSecret, during, duringHeaders).ok).toBe(true);

      await waitFor(async () => (await api.request('GET', `/v1/webhooks/${id}`, { apiKey: acme.apiKey })).body.previous_secret_expires_at === null, {
        description: 'the grace period to end',
        timeoutMs: 5_000,
      });
      const after = body();
      const afterHeaders = signLikeTheSender(state, after, new Date());
      expect(afterHeaders['dotfile-old-signature']).toBeUndefined();
      expect(receiverAccepts(oldSecret, after, afterHeaders)).toEqual({ ok: false, reason: 'bad_signature' });
      expect(receiverAccepts(rotated.body.secret, after, afterHeaders)).toMatchObject({ ok: true, matched: 'current' });
    });

    it('drops the older secret when rotating again during a grace period; 0 ends it at once', async () => {
      const created = await create(validWebhook());
      const id = created.body.id as string;
      const first = await api.request('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: acme.apiKey, body: {} });
      const second = await api.request('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: acme.apiKey, body: { grace_period_hours: 0 } });
      expect(second.body.previous_secret_expires_at).toBeNull();
      const row = await api.database.knex('webhooks').where({ id }).first();
      expect(api.secretBox.decrypt(row.previous_secret_encrypted)).toBe(first.body.secret);
      expect(api.secretBox.decrypt(row.secret_encrypted)).toBe(second.body.secret);
    });

    it.each([[{ grace_period_hours: 169 }], [{ grace_period_hours: -1 }], [{ grace_period_hours: '24' }], [{ secret: 'dotsecret.x' }]])(
      'refuses %j',
      async (requestBody) => {
        const created = await create(validWebhook());
        const response = await api.request('POST', `/v1/webhooks/${created.body.id}/rotate-secret`, { apiKey: acme.apiKey, body: requestBody });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('validation_error');
      },
    );

    it('answers 404 for another workspace\'s webhook', async () => {
      const created = await create(validWebhook());
      expect((await api.request('POST', `/v1/webhooks/${created.body.id}/rotate-secret`, { apiKey: globex.apiKey })).status).toBe(404);
    });
  });

  describe('lifecycle events while the broker is unreachable', () => {
    it('records the change and publishes its event once the broker is back: none lost, none invented', async () => {
      const isolated = await startTestApi({ label: 'outbox' });
      const events = await collectTopic(isolated.topics.webhookLifecycle);
      try {
        const tenant = await isolated.createWorkspace();
        const created = await isolated.request('POST', '/v1/webhooks', { apiKey: tenant.apiKey, body: validWebhook() });
        const id = created.body.id as string;

        // The API's own producer, disconnected: every send fails as the broker being gone does.
        await isolated.producer.disconnect();
        const patched = await isolated.request('PATCH', `/v1/webhooks/${id}`, { apiKey: tenant.apiKey, body: { status: 'offline' } });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({ status: 'offline', offline_reason: 'manual' });
        const rotated = await isolated.request('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: tenant.apiKey });
        expect(rotated.status).toBe(200);
        // A request that changes nothing records no event.
        expect((await isolated.request('PATCH', `/v1/webhooks/${id}`, { apiKey: tenant.apiKey, body: { status: 'offline' } })).status).toBe(200);
        expect(await isolated.database.knex('webhook_lifecycle_outbox').where({ webhook_id: id }).count({ count: '*' })).toEqual([{ count: 2 }]);

        await isolated.producer.connect();
        const mine = await waitFor(
          () => {
            const found = events.messages.filter((message) => message.key === id);
            return found.length >= 2 && found;
          },
          { description: 'both lifecycle events after the broker is back' },
        );
        expect(mine.map((message) => message.value.type)).toEqual(['webhook.offline', 'webhook.secret_rotated']);
        await waitFor(async () => (await isolated.database.knex('webhook_lifecycle_outbox').where({ webhook_id: id })).length === 0, {
          description: 'the outbox to be emptied',
        });
        // Published once each: a late duplicate would show up behind them.
        const probe = testKafka('outbox-probe').admin();
        await probe.connect();
        const [offsets] = await Promise.all([probe.fetchTopicOffsets(isolated.topics.webhookLifecycle)]);
        await probe.disconnect();
        expect(offsets?.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(events.messages.length);
        expect(events.messages.filter((message) => message.key === id)).toHaveLength(2);
      } finally {
        await events.stop();
        await isolated.close();
      }
    });
  });

  describe('the per-workspace limit', () => {
    it('refuses the 51st webhook with limit_reached, also under concurrent creates, and frees a slot on delete', async () => {
      const workspace = await api.createWorkspace('Limited');
      const first = await Promise.all(Array.from({ length: 45 }, () => create(validWebhook(), workspace.apiKey)));
      expect(first.every((response) => response.status === 201)).toBe(true);
      // 10 concurrent creates for 5 free slots.
      const racing = await Promise.all(Array.from({ length: 10 }, () => create(validWebhook(), workspace.apiKey)));
      expect(racing.filter((response) => response.status === 201)).toHaveLength(5);
      const refused = racing.filter((response) => response.status !== 201);
      expect(refused.every((response) => response.status === 400 && response.body.code === 'limit_reached')).toBe(true);
      expect(await api.database.knex('webhooks').where({ workspace_id: workspace.id }).count({ count: '*' })).toEqual([{ count: 50 }]);

      await api.request('DELETE', `/v1/webhooks/${first[0]?.body.id}`, { apiKey: workspace.apiKey });
      expect((await create(validWebhook(), workspace.apiKey)).status).toBe(201);
      expect((await create(validWebhook(), workspace.apiKey)).status).toBe(400);
    });
  });
});
