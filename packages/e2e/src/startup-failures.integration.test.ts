import { spawn } from 'node:child_process';
import path from 'node:path';
import { findRepoRoot } from '@hookstream/local-infra';
import { testInfrastructure } from '@hookstream/testkit';

/**
 * Bad input: a broker or database that does not answer makes start-up fail
 * fast, naming the address and what to do; no hang, no stack trace.
 */
function runService(name: string, env: Record<string, string>): Promise<{ code: number | null; output: string; elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(findRepoRoot(), 'services', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output, elapsedMs: Date.now() - started })));
}

describe('start-up against unreachable infrastructure', () => {
  it('stops the router with the broker address and the way out when the broker does not answer', async () => {
    const result = await runService('router', { KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: testInfrastructure().databaseUrl });
    expect(result.code).toBe(1);
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(result.output).toContain('cannot reach the Kafka broker at 127.0.0.1:1');
    expect(result.output).toContain('KAFKA_BROKERS');
    expect(result.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('stops the sender with the database address (password hidden) when the database does not answer', async () => {
    const result = await runService('sender', {
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      DATABASE_URL: 'postgres://hookstream:s3cret@127.0.0.1:1/hookstream',
      WEBHOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAFKA_TOPIC_PREFIX: 't-startup-',
    });
    expect(result.code).toBe(1);
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(result.output).toContain('cannot reach PostgreSQL at postgres://hookstream:***@127.0.0.1:1/hookstream');
    expect(result.output).toContain('DATABASE_URL');
    expect(result.output).not.toContain('s3cret');
  });

  it('names the bad variable when the configuration is invalid', async () => {
    const result = await runService('sender', { WEBHOOK_TIMEOUT: 'soon', WEBHOOK_SECRET_KEY: 'x' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('WEBHOOK_TIMEOUT: expected a duration');
  });
});
