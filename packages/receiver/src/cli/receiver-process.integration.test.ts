import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { generateSecret, signBody } from '@hookstream/signing';
import { waitFor } from '@hookstream/testkit';

// `npm run receiver -- …` as a user runs it: the built command in a process of its own.
const main = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');

function spawnReceiver(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [main, ...args], { stdio: 'pipe' });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('npm run receiver', () => {
  it('listens, verifies, prints deliveries, fails the first one on purpose, and stops on SIGINT', async () => {
    const secret = generateSecret();
    const receiver = spawnReceiver(['--port', '0', '--secret', secret, '--fail-first', '1']);
    try {
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(receiver.output.stdout)?.[1], {
        timeoutMs: 30_000,
        description: 'the receiver to print its address',
      });
      const body = JSON.stringify({
        event: 'Note.Created',
        context: { timestamp: Math.floor(Date.now() / 1000), event_id: 'e-1', retry_count: 0, remaining_retry_count: 4, workspace: { id: 'w', name: 'Acme' } },
        note: { id: 'note-1', content: 'Asked for the KBIS.' },
      });
      const send = (signature: string) => fetch(`${url}/hooks`, { method: 'POST', headers: { 'dotfile-signature': signature }, body });
      expect((await send(signBody(body, secret))).status).toBe(500);
      expect((await send(signBody(body, secret))).status).toBe(200);
      const refused = await send(signBody(body, generateSecret()));
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'bad_signature' });
      await waitFor(() => receiver.output.stderr.includes('→ 400 bad_signature'), { timeoutMs: 10_000, description: 'the rejection in the log' });
      expect(receiver.output.stdout).toMatch(/Note\.Created {2}first call \(4 automatic retries left\) {2}→ 500[\s\S]*Note\.Created {2}first call .*→ 200/);
      expect(receiver.output.stdout + receiver.output.stderr).not.toContain(secret);
    } finally {
      receiver.child.kill('SIGINT');
    }
    expect(await receiver.exited).toBe(0);
  });

  it('exits 2 with the reason on bad usage', async () => {
    const receiver = spawnReceiver(['--port', '0']);
    expect(await receiver.exited).toBe(2);
    expect(receiver.output.stderr).toContain('--secret <secret> (or WEBHOOK_SECRET) is required');
  });
});
