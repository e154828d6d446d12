import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureKafkaToolsJars, findRepoRoot } from '@hookstream/local-infra';
import { codeBlocks, testInfrastructure, waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';

/**
 * docs/producing-events.md "With kafka-console-producer": the page's shell block, run as
 * written by bash with Apache Kafka's own console producer (infra/kafka-tools fetches it; a
 * `bin/kafka-console-producer.sh` stands in for the distribution's script), only the
 * broker address and topic name swapped for the test's. The router routes the line and
 * the sender delivers it, so the example cannot drift from what hookstream accepts.
 */
describe('the kafka-console-producer example of the producer guide', () => {
  let harness: Harness;
  let workDir: string;

  beforeAll(async () => {
    harness = await createHarness('console-producer');
    await Promise.all([harness.start('router'), harness.start('sender')]);
    workDir = await mkdtemp(path.join(os.tmpdir(), 'hookstream-console-producer-'));
    const libs = await ensureKafkaToolsJars(findRepoRoot());
    await mkdir(path.join(workDir, 'bin'));
    const script = path.join(workDir, 'bin', 'kafka-console-producer.sh');
    await writeFile(script, `#!/usr/bin/env bash\nexec java -cp "${libs}/*" org.apache.kafka.tools.ConsoleProducer "$@"\n`);
    await chmod(script, 0o755);
  });

  afterAll(async () => {
    await harness?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('publishes a Case.Created line that hookstream delivers to the subscribed webhook', async () => {
    const page = await readFile(path.join(findRepoRoot(), 'docs', 'producing-events.md'), 'utf8');
    const section = page.slice(page.indexOf('## With kafka-console-producer'));
    const block = codeBlocks(section).find((candidate) => candidate.language === 'sh');
    if (!block) throw new Error('no shell block under "With kafka-console-producer"');
    expect(block.code).toContain('127.0.0.1:9092');
    expect(block.code).toContain('--topic domain-events');
    const command = block.code
      .replace('127.0.0.1:9092', testInfrastructure().kafkaBrokers.join(','))
      .replace('--topic domain-events', `--topic ${harness.topics.domainEvents}`);

    const workspace = await harness.seed.workspace('Console producer');
    await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/console-producer'), events: ['Case.Created'] });
    // The router's webhook view refreshes every 200 ms in these tests.
    await new Promise((resolve) => setTimeout(resolve, 600));

    const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: workDir,
        env: { ...process.env, WORKSPACE_ID: workspace.id },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result).toMatchObject({ code: 0 });

    const [call] = await waitFor(() => (harness.receiver.requestsTo('/console-producer').length > 0 ? harness.receiver.requestsTo('/console-producer') : undefined), {
      description: 'the console producer line delivered',
      timeoutMs: 60_000,
    });
    expect(call?.body).toMatchObject({ event: 'Case.Created', case: { id: 'case-42', name: 'New case' } });
    expect(harness.deadLetters).toEqual([]);
  });
});
