import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// What a person sees under `npm start`: a service's log lines and Node's warnings, from a
// real process, on a pipe (as under Docker or a log collector) and on a terminal (a
// pseudo-terminal made by util-linux's `script`, as when someone runs it by hand).

const run = promisify(execFile);
const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
const folder = mkdtempSync(path.join(tmpdir(), 'hookstream-terminal-'));
const child = path.join(folder, 'service.js');
writeFileSync(
  child,
  `const { createLogger, silenceTimeoutNegativeWarning } = require(${JSON.stringify(dist)});
silenceTimeoutNegativeWarning();
const logger = createLogger({ service: 'router', level: 'info', format: process.env.LOG_FORMAT || 'auto' });
logger.info({ webhook: { secret: 'dotsecret.must-not-show' } }, 'routed 3 deliveries');
setTimeout(() => {}, -1796523615969); // what kafkajs 2.2.4 does on Node 24
process.emitWarning('other warnings still show', 'OtherWarning');
setTimeout(() => {}, 20);
`,
);

describe('a service\'s output', () => {
  it('is JSON lines on a pipe, with secrets redacted, and only the TimeoutNegativeWarning dropped', async () => {
    const { stdout, stderr } = await run(process.execPath, [child], { env: { ...process.env, LOG_FORMAT: '' } });
    const line = JSON.parse(stdout.trim());
    expect(line).toMatchObject({ level: 'info', service: 'router', msg: 'routed 3 deliveries', webhook: { secret: '[redacted]' } });
    expect(stderr).toContain('OtherWarning: other warnings still show');
    expect(stderr).not.toContain('TimeoutNegativeWarning');
    expect(stderr).not.toContain('negative number');
  });

  it('is readable lines on a terminal, secrets still redacted', async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(child)}`;
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { env: { ...process.env, LOG_FORMAT: '' } });
    // eslint-disable-next-line no-control-regex
    const plain = stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(router\): routed 3 deliveries/);
    expect(plain).not.toContain('"msg"');
    expect(plain).not.toContain('dotsecret.must-not-show');
    expect(plain).toContain('[redacted]');
    expect(plain).toContain('OtherWarning');
    expect(plain).not.toContain('TimeoutNegativeWarning');
  });

  it('follows LOG_FORMAT when it is set', async () => {
    const { stdout } = await run(process.execPath, [child], { env: { ...process.env, LOG_FORMAT: 'pretty' } });
    expect(stdout).toContain('INFO (router): routed 3 deliveries');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(child)}`;
    const onTerminal = await run('script', ['-qec', command, '/dev/null'], { env: { ...process.env, LOG_FORMAT: 'json' } });
    expect(JSON.parse(onTerminal.stdout.split('\n').find((text) => text.startsWith('{')) as string)).toMatchObject({ msg: 'routed 3 deliveries' });
  });
});
