import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findRepoRoot } from '@hookstream/local-infra';

/**
 * Debian's Chromium for the browser tests, installed by scripts/ensure-chromium.sh where
 * it is missing. Returns the binary's path, or why there is none (the tests then say so).
 */
export function ensureChromium(): { path: string } | { missing: string } {
  const result = spawnSync('bash', [path.join(findRepoRoot(), 'scripts', 'ensure-chromium.sh')], { encoding: 'utf8', timeout: 900_000 });
  const found = result.stdout.trim().split('\n').at(-1);
  if (result.status === 0 && found) return { path: found };
  return { missing: (result.stderr || result.error?.message || 'scripts/ensure-chromium.sh failed').trim() };
}

/**
 * Headless Chromium on a closed network: without the background-networking flags it tries
 * to reach Google's services, which here only floods it with refused connections.
 */
export const HEADLESS_CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
