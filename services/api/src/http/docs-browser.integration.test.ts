import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApi, type TestApi } from '../test-support/api-harness';

/**
 * /docs in a real browser (Debian's headless Chromium): Redoc, served by the API under the
 * page's Content-Security-Policy, renders the operations and the webhooks section, and the
 * policy blocks nothing Redoc needs.
 */

jest.setTimeout(120_000);

const run = promisify(execFile);

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((candidate): candidate is string => !!candidate);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error("no Chromium for the /docs browser test: install Debian's 'chromium' package or set CHROMIUM_PATH");
  return found;
}

describe('the /docs page in headless Chromium', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ label: 'docs-browser' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('renders operations and webhooks with the bundle served locally, the policy blocking only the CDN logo', async () => {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'hookstream-docs-chromium-'));
    try {
      const { stdout, stderr } = await run(
        chromiumPath(),
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
          '--enable-logging=stderr',
          '--v=0',
          // Time enough, in the page's own clock, to load the bundle and the document and render.
          '--virtual-time-budget=20000',
          '--dump-dom',
          `${api.url}/docs`,
        ],
        { maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
      );
      // Rendered by Redoc: an operation, a webhook and a field of a payload schema.
      const expected = ['/v1/webhooks/{id}/rotate-secret', 'Case.StatusUpdated', 'remaining_retry_count', 'Webhook events'];
      expect({ missing: expected.filter((text) => !stdout.includes(text)), domBytes: stdout.length }).toEqual({ missing: [], domBytes: expect.any(Number) });

      const violations = stderr.split('\n').filter((line) => /Content Security Policy|Refused to/i.test(line));
      const unexpected = violations.filter((line) => !/Loading the image 'https:\/\/cdn\.redoc\.ly\/[^']*' violates .*img-src/.test(line));
      expect(unexpected).toEqual([]);
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
