import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createKafka, waitForBroker } from '@hookstream/kafka';
import { anyFreePort, firstFreePort, isPortFree } from './ports';
import { isProcessAlive, runCommandOrThrow, terminateProcess } from './processes';

export interface LocalKafkaOptions {
  repoRoot: string;
  /** Holds the KRaft metadata and logs; reused across restarts of the same broker. */
  dataDir: string;
  /** Client port; `undefined` picks any free port, a number is taken or the next free one. */
  port?: number | undefined;
  controllerPort?: number | undefined;
  heapMb?: number;
  readyTimeoutMs?: number;
  /** Wait for the given ports to be free instead of moving on to the next free ones (restarts). */
  exactPorts?: boolean;
}

export interface LocalKafka {
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
  /** Stops and starts the same broker (same data, same ports). */
  restart(): Promise<LocalKafka>;
}

function libsDir(repoRoot: string, project = 'kafka'): string {
  return path.join(repoRoot, 'infra', project, '.cache', 'libs');
}

/**
 * Fetches the jars of `infra/<project>/pom.xml` from Maven Central (through the Maven
 * local repository, so a second run is offline) unless the cache already matches the pom.
 */
async function ensureJars(repoRoot: string, project: string, log: (line: string) => void): Promise<string> {
  const pom = path.join(repoRoot, 'infra', project, 'pom.xml');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  const libs = libsDir(repoRoot, project);
  const stamp = path.join(libs, '.pom-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pomHash) return libs;
  log(`fetching infra/${project}'s jars from Maven Central (first run only)`);
  // A stale jar left from another version of the pom would stay on the classpath.
  rmSync(libs, { recursive: true, force: true });
  await runCommandOrThrow('mvn', [
    '-q',
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libs}`,
  ]);
  writeFileSync(stamp, pomHash);
  return libs;
}

/** The java command line of one Kafka node (a single broker, or a node of a cluster). */
export function kafkaJvmArguments(node: { heapMb: number; log4jFile: string; dataDir: string; classpath: string; propertiesFile: string }): string[] {
  return [
    `-Xms${Math.min(256, node.heapMb)}m`,
    `-Xmx${node.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${node.log4jFile}`,
    `-Dkafka.logs.dir=${node.dataDir}`,
    '-cp',
    node.classpath,
    'kafka.Kafka',
    node.propertiesFile,
  ];
}

/** The broker's jars (infra/kafka/pom.xml), fetched on first use. */
export function ensureKafkaJars(repoRoot: string, log: (line: string) => void = () => undefined): Promise<string> {
  return ensureJars(repoRoot, 'kafka', log);
}

/**
 * Kafka's command-line tools (infra/kafka-tools/pom.xml: the console producer), kept off
 * the broker's classpath, fetched on first use.
 */
export function ensureKafkaToolsJars(repoRoot: string, log: (line: string) => void = () => undefined): Promise<string> {
  return ensureJars(repoRoot, 'kafka-tools', log);
}

export const LOG4J2_PROPERTIES = `
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = INFO
`;

function serverProperties(options: { dataDir: string; port: number; controllerPort: number }): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(options.dataDir, 'kraft')}`,
    // A single node: internal topics must have replication factor 1, or consumer groups
    // and transactions never get a coordinator.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'num.partitions=3',
    'log.segment.bytes=67108864',
    '',
  ].join('\n');
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const libs = await ensureKafkaJars(options.repoRoot);
  mkdirSync(options.dataDir, { recursive: true });
  const pidFile = path.join(options.dataDir, 'broker.pid');
  await stopStaleBroker(pidFile);

  let port: number;
  let controllerPort: number;
  if (options.exactPorts && options.port !== undefined && options.controllerPort !== undefined) {
    // A restart keeps its address: clients hold it. Wait for the old process to let go.
    port = options.port;
    controllerPort = options.controllerPort;
    await waitForFreePorts([port, controllerPort], 30_000);
  } else {
    port = options.port === undefined ? await anyFreePort() : await firstFreePort(options.port);
    controllerPort = options.controllerPort === undefined ? await anyFreePort() : await firstFreePort(options.controllerPort);
    if (controllerPort === port) controllerPort = await firstFreePort(port + 1);
  }

  const propertiesFile = path.join(options.dataDir, 'server.properties');
  writeFileSync(propertiesFile, serverProperties({ dataDir: options.dataDir, port, controllerPort }));
  const log4jFile = path.join(options.dataDir, 'log4j2.properties');
  writeFileSync(log4jFile, LOG4J2_PROPERTIES);
  const classpath = `${libs}/*`;

  if (!existsSync(path.join(options.dataDir, 'kraft', 'meta.properties'))) {
    const clusterId = (await runCommandOrThrow('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'])).trim();
    await runCommandOrThrow('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile]);
  }

  const logFile = path.join(options.dataDir, 'stdout.log');
  const out = openSync(logFile, 'a');
  const heapMb = options.heapMb ?? 768;
  const child = spawn(
    'java',
    kafkaJvmArguments({ heapMb, log4jFile, dataDir: options.dataDir, classpath, propertiesFile }),
    // Its own process group: a Ctrl-C in the terminal reaches our orderly shutdown, which
    // stops the broker after the services, instead of killing it underneath them.
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for the Kafka broker');
  writeFileSync(pidFile, String(pid));

  const brokers = [`127.0.0.1:${port}`];
  const silent = pino({ level: 'silent' });
  try {
    await Promise.race([
      waitForBroker(createKafka({ brokers, clientId: 'local-infra', logger: silent }), brokers, options.readyTimeoutMs ?? 60_000),
      new Promise<never>((_, reject) =>
        child.once('exit', (code) =>
          reject(new Error(`the Kafka broker exited with code ${code} during start-up; see ${logFile} and ${options.dataDir}/server.log`)),
        ),
      ),
    ]);
  } catch (error) {
    await terminateProcess(pid, 5_000);
    throw error;
  }

  const handle: LocalKafka = {
    brokers,
    port,
    controllerPort,
    pid,
    logFile,
    stop: () => terminateProcess(pid, 30_000),
    restart: async () => {
      await terminateProcess(pid, 30_000);
      return startLocalKafka({ ...options, port, controllerPort, exactPorts: true });
    },
  };
  return handle;
}

export async function waitForFreePorts(ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const free = await Promise.all(ports.map((candidate) => isPortFree(candidate)));
    if (free.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`ports ${ports.join(', ')} are still in use after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopStaleBroker(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
    const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (cmdline.includes('kafka.Kafka')) await terminateProcess(pid, 30_000);
  }
}
