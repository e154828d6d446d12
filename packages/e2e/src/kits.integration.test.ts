import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { anyFreePort, findRepoRoot } from '@hookstream/local-infra';
import { signBody } from '@hookstream/signing';
import { testInfrastructure, testSchemaRegistry, waitFor, type TestSchemaRegistry } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { createPayloadValidator } from './payload-schemas';

/**
 * The two kits as a user gets them: each package is packed with `npm pack`, the tarballs
 * are installed with npm into a project outside this repository (its other dependencies
 * from the registry), and plain Node.js scripts there use them, with no path back into the
 * workspace: a producer publishes events to the real broker (JSON, and Avro through a schema registry), the router and sender
 * deliver it, and a node:http receiver verifies the signed calls (one webhook during a
 * secret rotation, its receiver still on the old secret).
 */

jest.setTimeout(240_000);

const run = promisify(execFile);
const repoRoot = findRepoRoot();
const nodeBin = path.dirname(process.execPath);
const npm = existsSync(path.join(nodeBin, 'npm')) ? path.join(nodeBin, 'npm') : 'npm';
const KITS = ['events', 'signing', 'producer'];

/** The environment of a user's shell: no npm_* variables of the npm that may be running these tests. */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return { ...env, PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

const RECEIVER = `
const { createServer } = require('node:http');
const { verifyWebhook } = require('@hookstream/signing');

const secrets = JSON.parse(process.env.SECRETS);
createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const result = verifyWebhook({
      rawBody: Buffer.concat(chunks),
      headers: req.headers,
      secret: secrets[req.url],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!result.ok) {
      console.log(JSON.stringify({ path: req.url, rejected: result.reason }));
      return res.writeHead(400, { 'content-type': 'text/plain' }).end(result.reason);
    }
    console.log(JSON.stringify({ path: req.url, matched: result.matched, payload: result.payload }));
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ listening: true })));
`;

const PUBLISHER = `
const { Kafka, logLevel } = require('kafkajs');
const { createDomainEventProducer, createSchemaRegistry, registerDomainEventSchema, InvalidDomainEventError } = require('@hookstream/producer');

async function main() {
  const kafka = new Kafka({ clientId: 'kit-user', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.ERROR });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const events = createDomainEventProducer({ producer, topic: process.env.TOPIC });
  const workspace = JSON.parse(process.env.WORKSPACE);
  try {
    await events.publish([{ type: 'Note.Created', workspace, entity: { id: 'note-without-its-case' } }]);
    console.log(JSON.stringify({ refused: null }));
  } catch (error) {
    console.log(JSON.stringify({ refused: error instanceof InvalidDomainEventError ? error.reason : String(error) }));
  }
  const [sent] = await events.publish(
    [{ type: 'Case.StatusUpdated', workspace, entity: { id: 'case-from-the-kit', status: 'approved' } }],
    { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  );
  console.log(JSON.stringify({ sent }));

  // The same through a schema registry: Confluent wire format, Avro.
  const encoding = await registerDomainEventSchema(createSchemaRegistry(process.env.SCHEMA_REGISTRY_URL), { schemaType: 'avro', topic: process.env.TOPIC });
  const [sentAvro] = await createDomainEventProducer({ producer, topic: process.env.TOPIC, encoding }).publish([
    { type: 'Case.StatusUpdated', workspace, entity: { id: 'case-from-the-kit-in-avro', status: 'rejected', nested: { score: 3 } } },
  ]);
  console.log(JSON.stringify({ sentAvro, schemaId: encoding.schemaId }));
  await producer.disconnect();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** What the project uses, type-checked against the installed packages' declarations. */
const TYPED_USE = `
import { verifyWebhook, type WebhookVerification } from '@hookstream/signing';
import { createDomainEventProducer, registerDomainEventSchema, type DomainEventInput } from '@hookstream/producer';
import { webhookPayloadJsonSchema, type EventType } from '@hookstream/events';

const type: EventType = 'Check.Approved';
const input: DomainEventInput = { type, workspace: { id: 'w', name: 'W' }, entity: { id: 'e' } };
// @ts-expect-error a type outside the catalog does not compile
const misspelt: DomainEventInput = { type: 'Case.Craeted', workspace: { id: 'w', name: 'W' }, entity: { id: 'e' } };
const verification: WebhookVerification = verifyWebhook({ rawBody: Buffer.from('{}'), headers: {}, secret: 's', nowSeconds: 0 });
export const used = [input, misspelt, verification, createDomainEventProducer, registerDomainEventSchema, webhookPayloadJsonSchema(type)];
`;

/** The receiver examples of the signing kit's README, run as a user would paste them. */
const README_EXAMPLES = [
  { name: 'readme-express', heading: '## express (the raw body)' },
  { name: 'readme-fastify', heading: '## Fastify' },
  { name: 'readme-node-http', heading: '## Plain `node:http`' },
];

/**
 * The first TypeScript block under a heading of the README, compiled to an ES module. Two
 * changes only: the port it listens on (4000 in the page) comes from PORT, and `handle`,
 * the user's own work, prints what it gets.
 */
async function readmeExample(heading: string): Promise<string> {
  return compileExample(await readmeBlock('signing', heading), (code) => {
    expect([heading, code.split('4000').length - 1]).toEqual([heading, 1]);
    return `${code.replace('4000', 'Number(process.env.PORT)')}\nfunction handle(payload) { console.log(JSON.stringify({ verified: payload })); }\n`;
  });
}

/**
 * The producer README's examples: where they say localhost, the test's broker and registry
 * (from the environment), and the test's topic name.
 */
async function producerExample(heading: string): Promise<string> {
  return compileExample(await readmeBlock('producer', heading), (code) => {
    const adapted = code
      .replaceAll("['localhost:9092']", 'process.env.KAFKA_BROKERS.split(",")')
      .replaceAll("'http://localhost:8081'", 'process.env.SCHEMA_REGISTRY_URL')
      .replaceAll("registerDomainEventSchema(registry, { schemaType: 'avro' })", "registerDomainEventSchema(registry, { schemaType: 'avro', topic: process.env.TOPIC })")
      .replaceAll('createDomainEventProducer({ producer', 'createDomainEventProducer({ topic: process.env.TOPIC, producer');
    expect([heading, adapted.includes('localhost'), adapted.includes('process.env.TOPIC')]).toEqual([heading, false, true]);
    return adapted;
  });
}

function compileExample(code: string, adapt: (code: string) => string): string {
  return ts.transpileModule(adapt(code), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

async function readmeBlock(kit: string, heading: string): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'packages', kit, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`${heading}\n`));
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!section.startsWith(heading) || code === undefined) throw new Error(`no TypeScript example under "${heading}" in the ${kit} README`);
  return code;
}

interface ScriptProcess {
  child: ChildProcess;
  lines: () => Array<Record<string, unknown>>;
  output: string[];
}

function startScript(cwd: string, file: string, env: Record<string, string>): ScriptProcess {
  const child = spawn(process.execPath, [file], { cwd, env: userEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return {
    child,
    output,
    lines: () =>
      output
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Packs the kits and installs the tarballs into a new project in the system's temp directory. */
async function installKits(): Promise<{ project: string; timings: Record<string, number> }> {
  const started = Date.now();
  const base = await mkdtemp(path.join(os.tmpdir(), 'hookstream-kits-'));
  const tarballs = path.join(base, 'tarballs');
  await mkdir(tarballs);
  for (const kit of KITS) {
    await run(npm, ['pack', '--pack-destination', tarballs, '--loglevel=error'], { cwd: path.join(repoRoot, 'packages', kit), env: userEnvironment() });
  }
  const packed = Date.now();
  const project = path.join(base, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'kit-user', version: '1.0.0', private: true }));
  const files = (await readdir(tarballs)).map((file) => path.join(tarballs, file));
  expect(files.map((file) => path.basename(file)).sort()).toEqual(['hookstream-events-0.1.0.tgz', 'hookstream-producer-0.1.0.tgz', 'hookstream-signing-0.1.0.tgz']);
  // express and Fastify for the README's receiver examples, from the registry.
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files, 'express@^5', 'fastify@^5'], {
    cwd: project,
    env: userEnvironment(),
    timeout: 180_000,
  });
  const installed = Date.now();
  await writeFile(path.join(project, 'receiver.js'), RECEIVER);
  await writeFile(path.join(project, 'publish.js'), PUBLISHER);
  await writeFile(path.join(project, 'typed-use.ts'), TYPED_USE);
  for (const example of README_EXAMPLES) await writeFile(path.join(project, `${example.name}.mjs`), await readmeExample(example.heading));
  await writeFile(path.join(project, 'readme-publish-json.mjs'), await producerExample('## JSON'));
  await writeFile(path.join(project, 'readme-publish-registry.mjs'), await producerExample('## Confluent wire format, with a schema registry'));
  return { project, timings: { packMs: packed - started, installMs: installed - packed } };
}

describe('the producer and receiver kits, packed and installed outside the workspace', () => {
  let harness: Harness;
  let registry: TestSchemaRegistry;
  let project: string;
  let receiver: ScriptProcess | undefined;
  const exampleProcesses: ScriptProcess[] = [];
  let receiverUrl: (suffix: string) => string;
  let currentSecret = '';
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    const [install, created] = await Promise.all([
      installKits(),
      (async () => {
        registry = testSchemaRegistry();
        const created = await createHarness('kits', { env: { SCHEMA_REGISTRY_URL: registry.url } });
        await Promise.all([created.start('router'), created.start('sender')]);
        return created;
      })(),
    ]);
    harness = created;
    project = install.project;
    Object.assign(timings, install.timings, { setupMs: Date.now() - started });
  });

  afterAll(async () => {
    receiver?.child.kill('SIGTERM');
    for (const example of exampleProcesses) example.child.kill('SIGTERM');
    await harness?.close();
    if (project) await rm(path.dirname(project), { recursive: true, force: true });
    // Figures for the record (npm pack, npm install, whole setup), not targets.
    console.log(`kits: ${JSON.stringify(timings)}`);
  });

  it('installs from the tarballs alone, the declarations type-checking a typical use', async () => {
    const installed = ['events', 'signing', 'producer'].map((kit) => path.join(project, 'node_modules', '@hookstream', kit));
    for (const directory of installed) {
      expect(existsSync(path.join(directory, 'dist', 'index.d.ts'))).toBe(true);
      expect(existsSync(path.join(directory, 'README.md'))).toBe(true);
      expect(existsSync(path.join(directory, 'LICENSE'))).toBe(true);
      // A real directory from the tarball, not a link back into the workspace.
      expect(path.relative(repoRoot, realpathSync(directory)).startsWith('..')).toBe(true);
    }
    expect(existsSync(path.join(project, 'node_modules', 'kafkajs'))).toBe(true);

    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const started = Date.now();
    await run(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', '--skipLibCheck',
        '--types', 'node', '--typeRoots', path.join(repoRoot, 'node_modules', '@types'), 'typed-use.ts'],
      { cwd: project, env: userEnvironment() },
    ).catch((error: { stdout?: string }) => {
      throw new Error(`the installed declarations do not type-check:\n${error.stdout ?? String(error)}`);
    });
    timings.typecheckMs = Date.now() - started;
  });

  it('publishes with the producer kit (JSON, then Avro through a registry) and verifies the calls with the signing kit, through a rotation', async () => {
    const workspace = await harness.seed.workspace('Kits');
    const port = await anyFreePort();
    receiverUrl = (suffix) => `http://127.0.0.1:${port}${suffix}`;
    const current = await harness.seed.webhook({ workspaceId: workspace.id, url: receiverUrl('/current'), events: ['Case.Updated'] });
    currentSecret = current.secret;
    const rotating = await harness.seed.webhook({ workspaceId: workspace.id, url: receiverUrl('/rotating'), events: ['Case.StatusUpdated'] });
    // Rotated with an hour of grace: calls carry Dotfile-Old-Signature made with the old secret,
    // which is the only one this webhook's receiver knows.
    await harness.seed.rotateSecret(rotating.id, 3_600_000);

    receiver = startScript(project, 'receiver.js', {
      PORT: String(port),
      SECRETS: JSON.stringify({ '/current': current.secret, '/rotating': rotating.secret }),
    });
    const ready = receiver;
    await waitFor(() => ready.lines().some((line) => line.listening), { description: `the kit's receiver listening:\n${ready.output.join('')}` });
    // Let the router's view (refreshed every 200 ms here) see the new webhooks.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const started = Date.now();
    const publisher = startScript(project, 'publish.js', {
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      TOPIC: harness.topics.domainEvents,
      WORKSPACE: JSON.stringify(workspace),
      SCHEMA_REGISTRY_URL: registry.url,
    });
    const exitCode = await new Promise<number | null>((resolve) => publisher.child.once('exit', resolve));
    expect([exitCode, publisher.output.join('')]).toEqual([0, expect.any(String)]);
    const published = publisher.lines();
    // The event without the context its family needs is refused before anything is sent.
    expect(published[0]).toEqual({ refused: 'context_missing' });
    const sent = published[1]?.sent as { id: string; type: string; entity: Record<string, unknown> };
    expect(sent).toMatchObject({ type: 'Case.StatusUpdated', entity: { id: 'case-from-the-kit', status: 'approved' } });
    const sentAvro = published[2]?.sentAvro as { id: string; entity: Record<string, unknown> };
    expect(sentAvro).toMatchObject({ entity: { id: 'case-from-the-kit-in-avro' } });
    expect(published[2]?.schemaId).toEqual(expect.any(Number));

    const verified = await waitFor(
      () => {
        const lines = ready.lines().filter((line) => line.matched !== undefined);
        return lines.length >= 4 ? lines : undefined;
      },
      { description: `the four verified calls at the kit's receiver:\n${ready.output.join('')}`, timeoutMs: 60_000 },
    );
    timings.publishToAllVerifiedMs = Date.now() - started;

    const call = (path: string, entity: Record<string, unknown>) =>
      verified.find((line) => line.path === path && (line.payload as { case: { id: string } }).case.id === entity.id);
    for (const entity of [sent.entity, sentAvro.entity]) {
      expect(call('/current', entity)).toMatchObject({
        matched: 'current',
        payload: { event: 'Case.Updated', sub_event: 'Case.StatusUpdated', case: entity, context: { workspace, retry_count: 0 } },
      });
      expect(call('/rotating', entity)).toMatchObject({ matched: 'previous', payload: { event: 'Case.StatusUpdated', case: entity } });
    }
    expect(verified).toHaveLength(4);
    expect(ready.lines().filter((line) => line.rejected !== undefined)).toEqual([]);

    // The bodies match the typed payload schemas of the OpenAPI webhooks section.
    const asReceived = verified.map((line) => ({ path: line.path as string, headers: {}, rawBody: Buffer.alloc(0), body: line.payload as Record<string, unknown>, receivedAt: 0 }));
    expect(createPayloadValidator().violations(asReceived)).toEqual([]);
    // Nothing reached the dead-letter topic: the refused event was never sent.
    expect(harness.deadLetters).toHaveLength(0);
  });

  it("verifies real calls with the README's express, Fastify and node:http receivers, and refuses a forged one", async () => {
    const workspace = await harness.seed.workspace('README examples');
    const examples = await Promise.all(
      README_EXAMPLES.map(async (example) => {
        const port = await anyFreePort();
        const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: `http://127.0.0.1:${port}/hooks/hookstream`, events: ['Case.Updated'] });
        const child = startScript(project, `${example.name}.mjs`, { PORT: String(port), WEBHOOK_SECRET: webhook.secret });
        exampleProcesses.push(child);
        return { ...example, port, process: child };
      }),
    );
    // Each listens when its port answers (the examples print nothing when they start).
    for (const example of examples) {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${example.port}/hooks/hookstream`, { method: 'POST' }).then((response) => response.status).catch(() => undefined)) === 400,
        { description: `${example.name} answering 400 to an unsigned call:\n${example.process.output.join('')}` },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const publisher = startScript(project, 'publish.js', {
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      TOPIC: harness.topics.domainEvents,
      WORKSPACE: JSON.stringify(workspace),
      SCHEMA_REGISTRY_URL: registry.url,
    });
    expect(await new Promise((resolve) => publisher.child.once('exit', resolve))).toBe(0);
    for (const example of examples) {
      const verified = await waitFor(
        () => {
          const lines = example.process.lines().filter((line) => line.verified !== undefined);
          return lines.length >= 2 ? lines : undefined;
        },
        { description: `both calls verified by ${example.name}:\n${example.process.output.join('')}`, timeoutMs: 60_000 },
      );
      expect([example.name, verified.map((line) => (line.verified as { sub_event: string }).sub_event)]).toEqual([
        example.name,
        ['Case.StatusUpdated', 'Case.StatusUpdated'],
      ]);
      const body = JSON.stringify(verified[0]?.verified);
      const forged = await fetch(`http://127.0.0.1:${example.port}/hooks/hookstream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dotfile-signature': signBody(body, 'dotsecret.not-the-webhooks-secret-0123456789abcdef') },
        body,
      });
      expect([example.name, forged.status, await forged.text()]).toEqual([example.name, 400, 'bad_signature']);
    }
  });

  it("runs the producer README's JSON and schema-registry examples against the real broker and registry", async () => {
    const env = { KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','), TOPIC: harness.topics.domainEvents, SCHEMA_REGISTRY_URL: registry.url };
    for (const example of ['readme-publish-json.mjs', 'readme-publish-registry.mjs']) {
      const script = startScript(project, example, env);
      const exitCode = await new Promise((resolve) => script.child.once('exit', resolve));
      // `published <id>`: publish resolved, the broker acknowledged the event (acks=all).
      expect([example, exitCode, script.output.join('')]).toEqual([example, 0, expect.stringMatching(/published [0-9a-f-]{36}/)]);
    }
  });

  it("answers 400 with the reason to a forged signature and to a replayed call, as the kit's receiver is written", async () => {
    const current = ready();
    const payload = current.lines().find((line) => line.path === '/current')?.payload as { context: Record<string, unknown> };
    expect(payload).toBeDefined();

    const forged = JSON.stringify({ ...payload, context: { ...payload.context, timestamp: Math.floor(Date.now() / 1000) } });
    const forgedResponse = await fetch(receiverUrl('/current'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dotfile-signature': signBody(forged, 'dotsecret.not-the-webhooks-secret-0123456789abcdef') },
      body: forged,
    });
    expect([forgedResponse.status, await forgedResponse.text()]).toEqual([400, 'bad_signature']);

    // A genuine call recorded an hour ago and sent again: its signature is right, its timestamp is not.
    const replayed = JSON.stringify({ ...payload, context: { ...payload.context, timestamp: Math.floor(Date.now() / 1000) - 3_600 } });
    const replayResponse = await fetch(receiverUrl('/current'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dotfile-signature': signBody(replayed, currentSecret) },
      body: replayed,
    });
    expect([replayResponse.status, await replayResponse.text()]).toEqual([400, 'timestamp_out_of_tolerance']);

    const unsigned = await fetch(receiverUrl('/current'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: forged });
    expect([unsigned.status, await unsigned.text()]).toEqual([400, 'missing_signature']);
    await waitFor(() => current.lines().filter((line) => line.rejected !== undefined).length === 3, { description: 'the three rejections logged' });
  });

  function ready(): ScriptProcess {
    if (receiver === undefined) throw new Error("the kit's receiver did not start");
    return receiver;
  }
});
