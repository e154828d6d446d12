import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSecret, signBody } from '@hookstream/signing';
import { codeBlocks, waitFor } from '@hookstream/testkit';

// The express receiver that docs/webhooks.md "Verifying signatures" gives customers, run as
// a process, called with what hookstream sends: a page customers copy must work. Only
// its port changes (4000 becomes a free one, printed).

const root = path.resolve(__dirname, '..', '..', '..', '..');

describe('the receiver example of docs/webhooks.md', () => {
  // Under the repository's node_modules, so that `import 'express'` resolves as in a project.
  const folder = path.join(root, 'node_modules', '.cache', `hookstream-doc-example-${process.pid}`);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('accepts signed calls, including during a rotation, and refuses bad signatures and stale timestamps', async () => {
    const page = readFileSync(path.join(root, 'docs', 'webhooks.md'), 'utf8');
    const examples = codeBlocks(page).filter((block) => block.language === 'js' && block.code.includes('dotfile-signature'));
    expect(examples).toHaveLength(1);
    const code = (examples[0]?.code as string).replace('app.listen(4000);', "const server = app.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));");
    expect(code).not.toBe(examples[0]?.code);
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'receiver.mjs');
    writeFileSync(file, code);

    const secret = generateSecret();
    const child = spawn(process.execPath, [file], { env: { ...process.env, WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const port = await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the example exited: ${output}`);
          return /port (\d+)/.exec(output)?.[1];
        },
        { timeoutMs: 30_000, description: 'the example to listen' },
      );
      const body = (timestamp: number) =>
        JSON.stringify({ event: 'Case.Created', context: { timestamp, event_id: 'e-1', retry_count: 0, remaining_retry_count: 4, workspace: { id: 'w', name: 'Acme' } }, case: { id: 'c-1' } });
      const post = (raw: string, headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/dotfile-webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw }).then((response) => response.status);
      const now = Math.floor(Date.now() / 1000);
      const fresh = body(now);

      expect(await post(fresh, { 'dotfile-signature': signBody(fresh, secret) })).toBe(204);
      expect(await post(fresh, { 'dotfile-signature': signBody(fresh, generateSecret()), 'dotfile-old-signature': signBody(fresh, secret) })).toBe(204);
      expect(await post(fresh, { 'dotfile-signature': signBody(fresh, generateSecret()) })).toBe(400);
      expect(await post(fresh, {})).toBe(400);
      const stale = body(now - 600);
      expect(await post(stale, { 'dotfile-signature': signBody(stale, secret) })).toBe(400);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
