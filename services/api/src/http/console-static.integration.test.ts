import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../test-support/api-harness';

jest.setTimeout(60_000);

describe('the console under /console, served by the api', () => {
  let api: TestApi;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = mkdtempSync(path.join(tmpdir(), 'console-dist-'));
    mkdirSync(path.join(consoleDir, 'assets'));
    writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/app-1.js"></script>');
    writeFileSync(path.join(consoleDir, 'assets', 'app-1.js'), 'console.log(1)');
    api = await startTestApi({ label: 'console', consoleDir });
  });

  afterAll(async () => {
    await api?.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('answers every page path with the app, under a strict Content-Security-Policy', async () => {
    for (const page of ['/console/', '/console/webhooks', '/console/logs/5f0c7a52-0000-4000-8000-000000000000']) {
      const response = await fetch(`${api.url}${page}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('/console/assets/app-1.js');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('serves the hashed assets with a long cache, and 404 for a missing one (not the page)', async () => {
    const asset = await fetch(`${api.url}/console/assets/app-1.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const missing = await fetch(`${api.url}/console/assets/nope.js`);
    expect(missing.status).toBe(404);
  });

  it('redirects /console to /console/', async () => {
    const response = await fetch(`${api.url}/console`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/console/');
  });
});
