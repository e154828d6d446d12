import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { anyFreePort, findRepoRoot, serviceNodeOptions } from '@hookstream/local-infra';

export type ServiceName = 'api' | 'router' | 'sender' | 'health';

export interface RunningService {
  readonly name: ServiceName;
  readonly metricsPort: number;
  readonly process: ChildProcess;
  readonly output: string[];
  /** SIGKILL: no shutdown, no flush, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the orderly shutdown. */
  stop(): Promise<number | null>;
}

/**
 * Runs a service from its build output, as `npm start` does, and waits until its
 * `/readyz` answers 200 (consumers joined, views loaded).
 */
export async function startService(name: ServiceName, env: Record<string, string>, readyTimeoutMs = 60_000): Promise<RunningService> {
  const repoRoot = findRepoRoot();
  const metricsPort = await anyFreePort();
  const child = spawn(process.execPath, [path.join(repoRoot, 'services', name, 'dist', 'main.js')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      ...env,
      NODE_OPTIONS: serviceNodeOptions(env.NODE_OPTIONS ?? process.env.NODE_OPTIONS),
      METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    metricsPort,
    process: child,
    output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function scrapeMetrics(service: RunningService): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
  return response.text();
}
