import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { anyFreePort } from '@hookstream/local-infra';
import { waitFor } from '@hookstream/testkit';
import { repoPath } from './repo-files';

const run = promisify(execFile);

/**
 * The folder of `promtool` and `prometheus`, installing Debian's package through
 * scripts/ensure-prometheus.sh when they are missing (a quick no-op otherwise).
 */
export async function ensurePrometheusTools(): Promise<string> {
  const { stdout } = await run('bash', [repoPath('scripts', 'ensure-prometheus.sh')], { timeout: 600_000 });
  return stdout.trim().split('\n').at(-1) as string;
}

export interface CommandResult {
  code: number;
  output: string;
}

/** Runs promtool; a non-zero exit is a result to assert on, not an exception. */
export async function runPromtool(binDir: string, args: string[], cwd = repoPath()): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(path.join(binDir, 'promtool'), args, { cwd, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

export interface RunningPrometheus {
  readonly url: string;
  /** Instant query through the HTTP API; throws on an error status (a bad expression). */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * A Prometheus of the test's own: loopback only, a free port, configuration and storage
 * in a temporary folder removed on stop. `config` is the YAML text of its configuration
 * (rule files by absolute path).
 */
export async function startPrometheus(binDir: string, config: string): Promise<RunningPrometheus> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'hookstream-prometheus-'));
  const storage = path.join(workDir, 'data');
  const configFile = path.join(workDir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await anyFreePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(
    path.join(binDir, 'prometheus'),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output.join('')}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      { description: `prometheus ready on ${url}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${output.join('')}`);
  }
  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expression }),
      });
      const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
      if (body.status !== 'success') throw new Error(`query failed (${body.error ?? response.status}): ${expression}`);
      if (body.data?.resultType === 'scalar') return [{ metric: {}, value: body.data.result as [number, string] }];
      return body.data?.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    },
    stop,
  };
}
