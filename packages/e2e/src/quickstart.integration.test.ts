import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { anyFreePort, findRepoRoot } from '@hookstream/local-infra';
import { codeBlocks, createTestDatabase, testInfrastructure, uniquePrefix, waitFor, type CodeBlock, type TestDatabase } from '@hookstream/testkit';

jest.setTimeout(900_000);

/**
 * docs/quickstart.md, run as written: every `sh` block in order, in bash, from the
 * repository's folder, against the run's broker and database (KAFKA_BROKERS and
 * DATABASE_URL are set, so `npm start` starts no infrastructure of its own) on free ports:
 * the page's 8080 and 4000 are the only words changed. Blocks marked `background` stay
 * running like a second terminal (`ready` is the text that says they are up); `wait-for`
 * waits for a text in those terminals first, as a reader watches them; `until` runs a
 * read-only block again until its output holds the text. Shell variables carry from
 * block to block as in one shell (every variable is exported, so that it is kept).
 */
const root = findRepoRoot();
const page = readFileSync(path.join(root, 'docs', 'quickstart.md'), 'utf8');

interface Terminal {
  block: CodeBlock;
  child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
}

describe('docs/quickstart.md', () => {
  const terminals: Terminal[] = [];
  const folder = mkdtempSync(path.join(tmpdir(), 'hookstream-quickstart-'));
  const state = path.join(folder, 'state.sh');
  let database: TestDatabase;

  afterAll(async () => {
    for (const terminal of terminals.reverse()) {
      if (terminal.child.exitCode === null && terminal.child.signalCode === null) process.kill(-(terminal.child.pid as number), 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([terminal.exited.then(() => true), new Promise((resolve) => (timer = setTimeout(() => resolve(false), 60_000)))]);
      clearTimeout(timer);
      if (!stopped) process.kill(-(terminal.child.pid as number), 'SIGKILL');
    }
    rmSync(path.join(root, '.data', 'quickstart.env'), { force: true });
    await database?.drop();
  });

  it('takes a fresh stack to a signed delivery, a failure, a manual retry and its call log', async () => {
    database = await createTestDatabase();
    const apiPort = await anyFreePort();
    const receiverPort = await anyFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      DATABASE_URL: database.url,
      KAFKA_TOPIC_PREFIX: uniquePrefix('quickstart'),
      API_PORT: String(apiPort),
    };
    const substitutions: Array<[RegExp, string]> = [
      [/127\.0\.0\.1:8080/g, `127.0.0.1:${apiPort}`],
      [/127\.0\.0\.1:4000/g, `127.0.0.1:${receiverPort}`],
      [/--port 4000\b/g, `--port ${receiverPort}`],
    ];
    const blocks = codeBlocks(page).filter((block) => block.language === 'sh');
    for (const [pattern] of substitutions) expect(blocks.some((block) => pattern.test(block.code))).toBe(true);
    const asRun = (block: CodeBlock) => substitutions.reduce((code, [pattern, value]) => code.replace(pattern, value), block.code);
    const terminalOutput = () => terminals.map((terminal) => terminal.output).join('');

    const runForeground = async (block: CodeBlock) => {
      const script = `set -euo pipefail -o allexport\n[ -f '${state}' ] && source '${state}'\n${asRun(block)}\nexport -p > '${state}'\n`;
      const child = spawn('bash', ['-c', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      if (code !== 0) throw new Error(`the block at docs/quickstart.md:${block.line} exited with ${code}:\n${stdout}\n${stderr}`);
      return stdout;
    };

    let lastOutput = '';
    for (const block of blocks) {
      const { background, ready, until } = block.attributes;
      const waitText = block.attributes['wait-for'];
      if (waitText !== undefined) {
        await waitFor(() => terminalOutput().includes(waitText), { timeoutMs: 120_000, intervalMs: 250, description: `"${waitText}" in the other terminals:\n${terminalOutput()}` });
      }
      if (background !== undefined) {
        const child = spawn('bash', ['-c', `source '${state}' 2>/dev/null || true\n${asRun(block)}`], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const terminal: Terminal = { block, child, output: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
        child.stdout?.on('data', (chunk: Buffer) => (terminal.output += chunk.toString('utf8')));
        child.stderr?.on('data', (chunk: Buffer) => (terminal.output += chunk.toString('utf8')));
        terminals.push(terminal);
        await waitFor(
          () => {
            if (child.exitCode !== null) throw new Error(`the block at docs/quickstart.md:${block.line} exited with ${child.exitCode}:\n${terminal.output}`);
            return terminal.output.includes(ready ?? '');
          },
          { timeoutMs: 600_000, intervalMs: 250, description: `"${ready}" from the block at docs/quickstart.md:${block.line}` },
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\n${terminal.output}`);
        });
        continue;
      }
      if (until !== undefined) {
        lastOutput = await waitFor(async () => {
          const output = await runForeground(block);
          return output.includes(until) ? output : undefined;
        }, { timeoutMs: 120_000, intervalMs: 500, description: `"${until}" from the block at docs/quickstart.md:${block.line}` });
        continue;
      }
      lastOutput = await runForeground(block);
    }

    // What the reader is told to look at.
    const [npmStart, receiver] = terminals;
    expect(npmStart?.output).toContain('hookstream is running');
    expect(npmStart?.output).not.toContain('TimeoutNegativeWarning');
    const printed = receiver?.output ?? '';
    expect(printed).toMatch(/Case\.Updated › Case\.StatusUpdated {2}first call \(4 automatic retries left\) {2}→ 500/);
    expect(printed).toMatch(/Case\.Updated › Case\.StatusUpdated {2}retry 1 \(3 automatic retries left\) {2}→ 200/);
    expect(printed).toContain('Dotfile-Signature matches your secret');
    expect(printed).not.toContain('→ 400');
    const call = JSON.parse(lastOutput);
    expect(call).toMatchObject({ status: 'succeeded', event: 'Case.Updated', sub_event: 'Case.StatusUpdated', retry_count: 1 });
    expect(call.attempts.map((attempt: { type: string; status_code: number }) => [attempt.type, attempt.status_code])).toEqual([
      ['first_call', 500],
      ['manual_retry', 200],
    ]);
  });
});
