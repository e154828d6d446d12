import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { anyFreePort, findRepoRoot } from '@hookstream/local-infra';
import { createHarness, type Harness } from './harness';
import type { ServiceName } from './services';

/**
 * A service started on a Node.js older than the `engines` range refuses to start, with a
 * message naming both versions, instead of running until its first compressed produce
 * crashes it. Runs each service's build with a real older Node (`OLD_NODE`, by default
 * the system's /usr/bin/node), against a working broker and database.
 */
const OLD_NODE = process.env.OLD_NODE ?? '/usr/bin/node';

describe('starting on an unsupported Node.js', () => {
  let harness: Harness;
  let oldVersion: string;

  beforeAll(async () => {
    if (!existsSync(OLD_NODE)) throw new Error(`this test needs an older Node.js at ${OLD_NODE} (set OLD_NODE)`);
    oldVersion = execFileSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).trim();
    if (Number.parseInt(oldVersion.slice(1), 10) >= 24) throw new Error(`${OLD_NODE} is ${oldVersion}, not older than the supported range`);
    harness = await createHarness('old-node');
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each<ServiceName>(['api', 'router', 'sender', 'health'])('%s exits at once with a clear message', async (name) => {
    const apiPort = await anyFreePort();
    const child = spawn(OLD_NODE, [path.join(findRepoRoot(), 'services', name, 'dist', 'main.js')], {
      env: { ...process.env, LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true', ...harness.env, METRICS_PORT: '0', API_PORT: String(apiPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} was still running on ${oldVersion} after 30 s:\n${output}`)), 30_000);
        child.once('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code).toBe(1);
      expect(output).toBe(`hookstream-${name}: refusing to start: Node.js ${oldVersion} is not supported: hookstream needs Node.js >=24 <25 (the engines range of package.json)\n`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
