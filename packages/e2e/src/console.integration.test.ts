import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { deriveEventId } from '@hookstream/events';
import { anyFreePort, findRepoRoot } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import { ensureChromium, keyboardReport, launchChromium, screenshot, seriousAccessibilityViolations } from './browser';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * The Console App in a real headless Chromium against the whole stack: the api serving
 * the console's build, router, sender and health as processes, the broker, the database
 * and a loopback receiver. The first automatic retry comes 20 s after the first call, so
 * a manual retry from the console lands before it.
 */
const FIRST_RETRY_MS = 20_000;
const ADMIN_TOKEN = 'console-e2e-admin-token-0123456789';
const chromiumFound = ensureChromium();
if ('missing' in chromiumFound) {
  console.warn(`Skipping the console's browser tests: Chromium is not installed and could not be installed.\n${chromiumFound.missing}`);
}
const describeInBrowser = 'path' in chromiumFound ? describe : describe.skip;

jest.setTimeout(180_000);

describeInBrowser('the Console App in headless Chromium', () => {
  let harness: Harness;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let apiUrl: string;
  let workspace: { id: string; name: string };
  let apiKey: string;
  let webhookId: string;
  let secret: string;
  const cspViolations: string[] = [];
  const accessibility: Record<string, string[]> = {};

  const hookPath = '/console-hook';
  const callsOf = (eventId: string) => harness.receiver.requestsTo(hookPath).filter((request) => request.headers['dotfile-event-id'] === eventId);
  const visible = (selector: string, timeout = 60_000) => page.locator(selector).first().waitFor({ state: 'visible', timeout });
  const text = (value: string, timeout = 60_000) => page.getByText(value, { exact: false }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout });

  /** axe-core, keyboard reachability and a screenshot of the page as it is now. */
  async function checkPage(name: string) {
    const violations = await seriousAccessibilityViolations(page);
    accessibility[name] = violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.join(', ')}`);
    const keyboard = await keyboardReport(page);
    expect({ page: name, violations: accessibility[name] }).toEqual({ page: name, violations: [] });
    expect({ page: name, unreached: keyboard.unreached, invisibleFocus: keyboard.invisibleFocus }).toEqual({ page: name, unreached: [], invisibleFocus: [] });
    expect(keyboard.reached).toBeGreaterThan(0);
    await screenshot(page, name);
  }

  /** Clicks Refresh until a call of this status shows (the page does not refresh by itself). */
  async function refreshUntil(status: string, timeoutMs = 90_000) {
    await waitFor(
      async () => {
        if (await page.locator('table.calls .badge', { hasText: status }).first().isVisible()) return true;
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.waitForTimeout(500);
        return false;
      },
      { description: `a ${status} call on the page`, timeoutMs, intervalMs: 250 },
    );
  }

  async function publish(type: string) {
    const event = domainEvent({ type, workspace, entity: { id: `case-${randomUUID().slice(0, 8)}`, name: 'A case' } });
    await harness.publish([event]);
    return event;
  }

  beforeAll(async () => {
    harness = await createHarness('console', {
      env: { WEBHOOK_RETRY_SCHEDULE: `${FIRST_RETRY_MS}ms,40s,60s,80s` },
    });
    const apiPort = await anyFreePort();
    await Promise.all([
      harness.start('api', { API_PORT: String(apiPort), ADMIN_TOKEN }),
      harness.start('router'),
      harness.start('sender'),
      harness.start('health'),
    ]);
    apiUrl = `http://127.0.0.1:${apiPort}`;
    base = `${apiUrl}/console`;
    const created = await fetch(`${apiUrl}/admin/v1/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Console Co' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; name: string; api_key: string };
    workspace = { id: body.id, name: body.name };
    apiKey = body.api_key;

    browser = await launchChromium((chromiumFound as { path: string }).path);
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('refuses a wrong key with a clear message, then signs in by keyboard with the right one', async () => {
    await page.goto(`${base}/`);
    await visible('#api-key');
    await checkPage('sign-in');
    await page.locator('#api-key').focus();
    await page.keyboard.type('dfk_not_a_real_key_0000000000000000');
    await page.keyboard.press('Enter');
    await text('This API key was refused: it is wrong or has been revoked.');
    await page.locator('#api-key').fill('');
    await page.locator('#api-key').focus();
    await page.keyboard.type(apiKey);
    await page.keyboard.press('Enter');
    await text('No webhook yet.');
    // The key is in this tab's sessionStorage, not in the URL.
    expect(page.url()).not.toContain(apiKey);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([apiKey]);
  });

  it('creates a webhook in the UI, with the event picker, and shows its secret once', async () => {
    await page.getByRole('link', { name: 'New webhook' }).click();
    await visible('text=Case.Created');
    await checkPage('webhook-new');
    // An address the API refuses: its message shows next to the URL field.
    await page.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
    await page.getByRole('checkbox', { name: /^Case\.Created/ }).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await visible('#url-error');
    expect(await page.getByLabel('Endpoint URL').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Name (optional)').fill('Case feed <b>bold</b>');
    await page.getByLabel('Endpoint URL').fill(harness.receiver.url(hookPath));
    await page.getByRole('checkbox', { name: /^Case\.Updated/ }).check();
    // Its sub-events are included: shown checked and disabled.
    expect(await page.getByRole('checkbox', { name: /^Case\.StatusUpdated/ }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await visible('.secret-value');
    secret = (await page.locator('.secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^dotsecret\./);
    webhookId = page.url().split('/').at(-1) as string;
    // Typed text is shown as text, never as HTML.
    expect(await page.locator('h1').textContent()).toBe('Case feed <b>bold</b>');
    expect(await page.locator('h1 b').count()).toBe(0);
    await checkPage('webhook-created');
  });

  it('shows a delivered call as succeeded in the call logs', async () => {
    // The router and sender see a new webhook within two seconds.
    await page.waitForTimeout(2_500);
    const event = await publish('Case.Created');
    await waitFor(() => callsOf(deriveEventId(event.id, webhookId)).length === 1, { description: 'the call at the receiver', timeoutMs: 60_000 });
    await page.getByRole('link', { name: 'Call logs' }).click();
    await refreshUntil('succeeded');
    expect(await page.locator('table.calls tbody tr').count()).toBe(1);
  });

  it('shows a failed attempt with its status and body; after a fix, a retry from the UI succeeds and no automatic retry follows', async () => {
    harness.receiver.behave(hookPath, { kind: 'status', status: 500, body: 'database is down' });
    await publish('Case.Updated');
    await page.goto(`${base}/logs?status=retrying`);
    await refreshUntil('retrying');
    await checkPage('call-logs');
    await page.locator('table.calls tbody tr a').first().click();
    await visible('[data-testid=call-status]');
    await text('HTTP 500');
    await page.getByText('Response', { exact: true }).first().click();
    await text('database is down');
    const eventId = (await page.locator('dd code').first().textContent()) as string;
    expect(callsOf(eventId)).toHaveLength(1);
    const firstCallAt = (callsOf(eventId)[0] as { receivedAt: number }).receivedAt;
    expect(await page.getByTestId('next-retry').textContent()).not.toBe('None');
    await checkPage('call-detail-failed');

    harness.receiver.behave(hookPath, { kind: 'status', status: 200, body: 'ok' });
    await page.getByRole('button', { name: 'Retry now' }).click();
    await text('Retry done: HTTP 200, the call is succeeded.', 90_000);
    expect(Date.now()).toBeLessThan(firstCallAt + FIRST_RETRY_MS);
    expect(await page.getByTestId('next-retry').textContent()).toBe('None');
    expect(await page.getByTestId('remaining-retries').textContent()).toBe('0');
    await checkPage('call-detail-retried');

    // Past the slot of the first automatic retry: nothing more was sent for this call.
    await page.waitForTimeout(Math.max(0, firstCallAt + FIRST_RETRY_MS + 3_000 - Date.now()));
    expect(callsOf(eventId)).toHaveLength(2);
    expect(callsOf(eventId).map((request) => request.headers['dotfile-retry-count'])).toEqual(['0', '1']);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await text('Manual retry #1');
    expect(await page.locator('[data-testid=call-status]').textContent()).toBe('succeeded');
  });

  it('takes a webhook offline and back online', async () => {
    await page.goto(`${base}/webhooks/${webhookId}`);
    await page.getByRole('button', { name: 'Set offline' }).click();
    await text('The webhook is offline: no calls are sent to it.');
    expect(await page.locator('.title-row .badge').textContent()).toBe('offline');
    await text('Set offline by hand.');
    expect((await harness.database.knex('webhooks').where({ id: webhookId }).first()).status).toBe('offline');

    // An offline webhook can be tested: the call goes out now, signed, and the page shows the answer.
    await page.getByLabel('Event', { exact: true }).selectOption('Case.Created');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.getByRole('region', { name: 'Test call result' });
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await result.getByRole('status').textContent()).toMatch(/^HTTP 200 · \d+ ms · the receiver accepted it$/);
    const callId = ((await result.getByRole('link', { name: 'See it in the call log' }).getAttribute('href')) as string).split('/').at(-1);
    const logged = await harness.database.knex('calls').where({ id: callId }).first();
    expect(logged).toMatchObject({ kind: 'test', status: 'succeeded', webhook_id: webhookId });
    const [tested] = callsOf(logged.event_id);
    expect(tested?.headers['dotfile-signature']).toBe(createHmac('sha256', secret).update(tested!.rawBody).digest('hex'));
    expect((await harness.database.knex('webhooks').where({ id: webhookId }).first()).status).toBe('offline');

    await page.getByRole('button', { name: 'Set online' }).click();
    await text('The webhook is online: calls are sent again.');
    expect(await page.locator('.title-row .badge').textContent()).toBe('online');
    expect((await harness.database.knex('webhooks').where({ id: webhookId }).first()).status).toBe('online');
  });

  it('rotates the secret with a grace period, and calls then carry both signatures', async () => {
    await page.getByLabel('Grace period (hours, 0 to 168)').fill('2');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await text('Secret rotated. Until');
    const newSecret = (await page.locator('.secret-value').textContent()) as string;
    expect(newSecret).toMatch(/^dotsecret\./);
    expect(newSecret).not.toBe(secret);
    await text('Still signs calls (Dotfile-Old-Signature) until');
    await checkPage('webhook-detail');

    await page.waitForTimeout(2_500);
    const event = await publish('Case.Created');
    const received = await waitFor(
      () => callsOf(deriveEventId(event.id, webhookId))[0],
      { description: 'a call signed with both secrets', timeoutMs: 60_000 },
    );
    const hmac = (key: string) => createHmac('sha256', key).update(received.rawBody).digest('hex');
    expect(received.headers['dotfile-signature']).toBe(hmac(newSecret));
    expect(received.headers['dotfile-old-signature']).toBe(hmac(secret));
  });

  it('lists the webhook with its failures against the offline threshold and its 24 h chart', async () => {
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await visible('table.data');
    await text('/ 50');
    await visible('figure.chart.compact svg');
    const chart = await page.locator('figure.chart.compact svg').getAttribute('aria-label');
    expect(chart).toMatch(/Last 24 hours: [1-9]\d* succeeded, [1-9]\d* failed/);
    await checkPage('webhooks');
  });

  it('renders a 50-row call-log page, and an expired page says so', async () => {
    // Figures for docs/benchmarks.md: navigation to a rendered page of 50 calls.
    const rows = Array.from({ length: 60 }, (_, index) => ({
      event_id: randomUUID(),
      workspace_id: workspace.id,
      webhook_id: webhookId,
      domain_event_id: randomUUID(),
      event: 'Case.Created',
      status: 'succeeded',
      status_code: 200,
      endpoint: harness.receiver.url(hookPath),
      retry_count: 0,
      payload: { event: 'Case.Created', index },
      created_at: new Date(Date.now() - index * 1000),
    }));
    await harness.database.knex('calls').insert(rows);
    // Noted by the page itself (the CSP forbids evaluating strings in it): the time since
    // navigation start when the 50th row is in the document.
    await context.addInitScript(`
      new MutationObserver((_, observer) => {
        if (document.querySelectorAll('table.calls tbody tr').length >= 50) {
          window.__rendered50 = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    `);
    const timings: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      await page.goto(`${base}/logs?limit=50`);
      timings.push(await waitFor(async () => (await page.evaluate('window.__rendered50')) as number | undefined, { description: '50 rows rendered', timeoutMs: 60_000 }));
    }
    const reports = path.join(findRepoRoot(), 'reports');
    mkdirSync(reports, { recursive: true });
    writeFileSync(path.join(reports, 'console-timings.json'), JSON.stringify({ navigationTo50RowsMs: timings }, null, 2));
    console.log(`console: navigation to a rendered 50-row call-log page, ms: ${timings.map((ms) => ms.toFixed(0)).join(', ')}`);

    await harness.database.knex('webhooks').where({ id: webhookId }).update({ deleted_at: new Date() });
    await page.goto(`${base}/webhooks/${webhookId}`);
    await text('This page has expired');
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible('#api-key');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
