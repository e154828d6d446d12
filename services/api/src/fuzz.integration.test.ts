import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_TOKEN, startTestApi, type TestApi } from './test-support/api-harness';

/**
 * Property-based fuzzing of the live API from its own OpenAPI document (schemathesis,
 * installed from PyPI by scripts/ensure-schemathesis.sh): every check (no 5xx, statuses,
 * content types, headers and bodies as documented, invalid data refused, valid data
 * accepted, auth enforced, 405 + Allow for other methods, use after delete…) over
 * generated requests to every operation.
 */
// 250 keeps `npm test` within its time budget as the API grows; raise it for a deeper run.
const EXAMPLES_PER_OPERATION = Number(process.env.HOOKSTREAM_FUZZ_EXAMPLES ?? 250);
const repoRoot = path.resolve(__dirname, '../../..');

jest.setTimeout(15 * 60_000);

/**
 * Where the document cannot say everything the server checks, valid-looking data may be
 * refused with a 400: a URL that JSON Schema accepts as `format: uri` can still be ftp://,
 * carry credentials or name a refused address (docs/webhooks.md "Target safety"), and a
 * retry or replay range can run backwards or past 30 days. For those operations only, a 400 is an
 * accepted answer to generated "valid" data; every other check stays as strict.
 */
const CONFIG = `
# A 413 (body over 1 MiB) or 431 (URL or headers over Node's 16 KiB) refuses invalid data
# as surely as a 400 does; a 5xx does not (schemathesis' default list would allow it).
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "431"]

[[operations]]
include-operation-id = ["createWebhook", "updateWebhook", "retryFailedCalls"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "404", "409", "429"]

# A replay's range can run backwards, past 30 days or into the future, name event types
# the webhook does not get (400), meet a running replay of the webhook (409) or start
# before what the log holds (422).
[[operations]]
include-operation-id = ["createReplay"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "404", "409", "422", "429"]
`;

function run(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' } });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

describe('fuzzing the live API from its OpenAPI document', () => {
  let api: TestApi;
  let workDir: string;
  let st: string;

  beforeAll(async () => {
    const installed = await promisify(execFile)('bash', [path.join(repoRoot, 'scripts/ensure-schemathesis.sh')], { timeout: 10 * 60_000 });
    st = installed.stdout.trim();
    workDir = mkdtempSync(path.join(tmpdir(), 'hookstream-fuzz-'));
    writeFileSync(path.join(workDir, 'schemathesis.toml'), CONFIG);
    // The fuzzer creates webhooks by the thousand and sends as fast as it can: neither the
    // per-workspace limit nor the rate limit is what is under test here.
    // Test calls of the fuzzer's webhooks (https://example.com/hook, public addresses it
    // makes up) must not leave the machine: here they are refused without dialling, as the
    // target-safety rules refuse an address; the real client is tested in test-calls/.
    api = await startTestApi({
      label: 'fuzz',
      settings: {
        maxWebhooksPerWorkspace: 1_000_000,
        rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000 },
        testCalls: { perMinute: 1_000_000, burst: 1_000_000 },
      },
      webhookClient: {
        post: async () => ({
          succeeded: false,
          statusCode: null,
          failureKind: 'target_refused',
          error: 'the fuzzing test sends no call off the machine',
          responseHeaders: {},
          responseBody: '',
          durationMs: 0,
        }),
        close: async () => undefined,
      },
    });
  }, 12 * 60_000);

  afterAll(async () => {
    await api?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it(`finds no 5xx and no response that breaks the document (${EXAMPLES_PER_OPERATION} examples per operation)`, async () => {
    const tenant = await api.createWorkspace('Fuzz');
    // Some call logs, so that reads and retries meet existing resources too.
    const webhook = await api.request('POST', '/v1/webhooks', {
      apiKey: tenant.apiKey,
      body: { url: 'https://example.com/hook', events: ['Case.Created'] },
    });
    for (const status of ['failed', 'succeeded', 'retrying']) {
      await api.database.knex('calls').insert({
        event_id: randomUUID(),
        workspace_id: tenant.id,
        webhook_id: webhook.body.id,
        domain_event_id: randomUUID(),
        event: 'Case.Created',
        status,
        domain_event: {
          id: randomUUID(),
          type: 'Case.Created',
          occurred_at: new Date().toISOString(),
          workspace: { id: tenant.id, name: 'Fuzz' },
          entity: { id: 'case-1' },
          context: {},
        },
      });
    }

    const started = Date.now();
    const result = await run(
      st,
      [
        '--config-file',
        path.join(workDir, 'schemathesis.toml'),
        'run',
        `${api.url}/openapi.json`,
        '--checks',
        'all',
        '--max-examples',
        String(EXAMPLES_PER_OPERATION),
        '--seed',
        '20261125',
        '--workers',
        '2',
        '--generation-database',
        'none',
        '--no-color',
        '--request-timeout',
        '20',
        '-H',
        `X-DOTFILE-API-KEY: ${tenant.apiKey}`,
        '-H',
        `Authorization: Bearer ${ADMIN_TOKEN}`,
      ],
      { cwd: workDir, timeoutMs: 12 * 60_000 },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`\n[fuzz] schemathesis ran ${EXAMPLES_PER_OPERATION} examples per operation in ${seconds} s\n${result.output.split('\n').slice(-40).join('\n')}\n`);
    if (result.code !== 0) {
      // The whole report (failures come with a curl line to reproduce them) for the CI logs.
      mkdirSync(path.join(repoRoot, 'reports'), { recursive: true });
      writeFileSync(path.join(repoRoot, 'reports', 'schemathesis-output.txt'), result.output);
      throw new Error(`schemathesis exited with ${result.code} (full report in reports/schemathesis-output.txt):\n${result.output.slice(0, 30_000)}`);
    }
    expect(result.output).toMatch(/passed/i);
  });
});
