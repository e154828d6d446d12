import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureChromium, HEADLESS_CHROMIUM_FLAGS } from '@hookstream/testkit';
import { startTestApi, type TestApi } from '../test-support/api-harness';

/**
 * /docs in a real browser (Debian's headless Chromium): Redoc, served by the API under the
 * page's Content-Security-Policy, renders the operations and the webhooks section, and the
 * policy blocks nothing Redoc needs.
 */

jest.setTimeout(120_000);

const run = promisify(execFile);

const chromium = ensureChromium();
if ('missing' in chromium) throw new Error(`no Chromium for the /docs browser test: ${chromium.missing}`);

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
        chromium.path,
        [
          ...HEADLESS_CHROMIUM_FLAGS,
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
