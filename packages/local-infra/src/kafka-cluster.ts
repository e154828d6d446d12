import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createKafka, type Admin } from '@hookstream/kafka';
import { LOG4J2_PROPERTIES, ensureKafkaJars, kafkaJvmArguments, waitForFreePorts } from './kafka-broker';
import { anyFreePort } from './ports';
import { isProcessAlive, runCommandOrThrow, terminateProcess, waitUntil } from './processes';

/**
 * A KRaft cluster of several nodes on loopback, from the same jars as infra/kafka: each
 * node is its own java process, a combined controller and broker (three voters tolerate
 * the loss of one), with its own client and controller ports that it keeps across
 * restarts. Replication is what a production cluster of three uses: replication factor 3
 * by default and for the internal topics, min.insync.replicas 2, no unclean leader
 * election, so acks=all survives the loss of any one node and loses nothing.
 */

export interface LocalKafkaClusterOptions {
  repoRoot: string;
  /** One sub-directory per node (`node-1`, …); reused across restarts. */
  dataDir: string;
  /** Number of nodes; 3 unless told. Replication factors are capped at it. */
  nodes?: number;
  heapMb?: number;
  readyTimeoutMs?: number;
  /** Extra `server.properties` lines for every node (e.g. `group.initial.rebalance.delay.ms=0`). */
  extraProperties?: readonly string[];
}

export interface ClusterNode {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly address: string;
  readonly dataDir: string;
  /** The java process, while it runs. */
  pid(): number | undefined;
  isRunning(): boolean;
  /** SIGTERM and wait (an orderly shutdown: leaders move away first). */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again (same data, same ports) and waits until it is back in the cluster. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface LocalKafkaCluster {
  /** Every node's client address (give all of them to clients). */
  readonly brokers: string[];
  readonly nodes: readonly ClusterNode[];
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  node(nodeId: number): ClusterNode;
  /** Resolves when `count` brokers (default: every running node) are registered. */
  waitForBrokers(count?: number, timeoutMs?: number): Promise<void>;
  /** Stops every node. */
  stop(): Promise<void>;
}

function clusterProperties(options: {
  nodeId: number;
  nodes: number;
  port: number;
  controllerPort: number;
  voters: string;
  dataDir: string;
  extra: readonly string[];
}): string {
  const replication = Math.min(3, options.nodes);
  const minIsr = Math.max(1, Math.min(2, replication - 1));
  return [
    'process.roles=broker,controller',
    `node.id=${options.nodeId}`,
    `controller.quorum.voters=${options.voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(options.dataDir, 'kraft')}`,
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${minIsr}`,
    'unclean.leader.election.enable=false',
    // Internal topics: never more replicas than brokers, or groups and transactions never
    // get a coordinator.
    `offsets.topic.replication.factor=${replication}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=10',
    `share.coordinator.state.topic.replication.factor=${replication}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    'group.initial.rebalance.delay.ms=0',
    // A node that dies is fenced (its partitions get new leaders) after 4 s without a
    // heartbeat to the controller, not the default 9 s (docs/operations.md, "Running on a
    // multi-broker cluster").
    'broker.heartbeat.interval.ms=1000',
    'broker.session.timeout.ms=4000',
    'auto.create.topics.enable=false',
    'num.partitions=3',
    'log.segment.bytes=67108864',
    ...options.extra,
    '',
  ].join('\n');
}

/** Starts a cluster of `nodes` KRaft nodes and waits until every broker is registered. */
export async function startLocalKafkaCluster(options: LocalKafkaClusterOptions): Promise<LocalKafkaCluster> {
  const count = options.nodes ?? 3;
  if (count < 1) throw new Error('a cluster needs at least one node');
  const libs = await ensureKafkaJars(options.repoRoot);
  const classpath = `${libs}/*`;
  const heapMb = options.heapMb ?? 384;
  mkdirSync(options.dataDir, { recursive: true });

  const specs: Array<{ nodeId: number; port: number; controllerPort: number; dataDir: string }> = [];
  const taken = new Set<number>();
  const freshPort = async () => {
    for (;;) {
      const port = await anyFreePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  for (let nodeId = 1; nodeId <= count; nodeId += 1) {
    specs.push({ nodeId, port: await freshPort(), controllerPort: await freshPort(), dataDir: path.join(options.dataDir, `node-${nodeId}`) });
  }
  const voters = specs.map(({ nodeId, controllerPort }) => `${nodeId}@127.0.0.1:${controllerPort}`).join(',');
  const clusterId = (await runCommandOrThrow('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'])).trim();
  for (const spec of specs) {
    mkdirSync(spec.dataDir, { recursive: true });
    writeFileSync(
      path.join(spec.dataDir, 'server.properties'),
      clusterProperties({ ...spec, nodes: count, voters, extra: options.extraProperties ?? [] }),
    );
    writeFileSync(path.join(spec.dataDir, 'log4j2.properties'), LOG4J2_PROPERTIES);
    if (!existsSync(path.join(spec.dataDir, 'kraft', 'meta.properties'))) {
      await runCommandOrThrow('java', [
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        path.join(spec.dataDir, 'server.properties'),
      ]);
    }
  }

  const brokers = specs.map(({ port }) => `127.0.0.1:${port}`);
  const silent = pino({ level: 'silent' });
  const kafka = createKafka({ brokers, clientId: 'local-infra-cluster', logger: silent, retry: { retries: 2 } });

  async function registeredBrokers(): Promise<number[]> {
    const admin: Admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const { brokers: registered } = await admin.describeCluster();
      return registered.map(({ nodeId }) => nodeId);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  const nodes: ClusterNode[] = specs.map((spec) => {
    let pid: number | undefined;
    const launch = async () => {
      if (pid !== undefined && isProcessAlive(pid)) return;
      await waitForFreePorts([spec.port, spec.controllerPort], 30_000);
      const logFile = path.join(spec.dataDir, 'stdout.log');
      const out = openSync(logFile, 'a');
      const child = spawn(
        'java',
        kafkaJvmArguments({
          heapMb,
          log4jFile: path.join(spec.dataDir, 'log4j2.properties'),
          dataDir: spec.dataDir,
          classpath,
          propertiesFile: path.join(spec.dataDir, 'server.properties'),
        }),
        { detached: true, stdio: ['ignore', out, out] },
      );
      closeSync(out);
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start java for Kafka node ${spec.nodeId}`);
      pid = child.pid;
      writeFileSync(path.join(spec.dataDir, 'broker.pid'), String(pid));
    };
    const node: ClusterNode = {
      ...spec,
      address: `127.0.0.1:${spec.port}`,
      pid: () => (pid !== undefined && isProcessAlive(pid) ? pid : undefined),
      isRunning: () => pid !== undefined && isProcessAlive(pid),
      stop: async () => {
        if (pid !== undefined) await terminateProcess(pid, 30_000);
        pid = undefined;
      },
      kill: async () => {
        const victim = pid;
        pid = undefined;
        if (victim === undefined || !isProcessAlive(victim)) return;
        process.kill(victim, 'SIGKILL');
        const deadline = Date.now() + 10_000;
        while (isProcessAlive(victim) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      },
      start: async () => {
        await launch();
        await waitUntil(async () => (await registeredBrokers()).includes(spec.nodeId), options.readyTimeoutMs ?? 90_000, `Kafka node ${spec.nodeId} to register`);
      },
      restart: async () => {
        await node.stop();
        await node.start();
      },
    };
    return node;
  });

  const cluster: LocalKafkaCluster = {
    brokers,
    nodes,
    replicationFactor: Math.min(3, count),
    minInsyncReplicas: Math.max(1, Math.min(2, Math.min(3, count) - 1)),
    node: (nodeId) => {
      const found = nodes.find((candidate) => candidate.nodeId === nodeId);
      if (!found) throw new Error(`no Kafka node ${nodeId} in this cluster`);
      return found;
    },
    waitForBrokers: (expected, timeoutMs) =>
      waitUntil(
        async () => (await registeredBrokers()).length >= (expected ?? nodes.filter((node) => node.isRunning()).length),
        timeoutMs ?? options.readyTimeoutMs ?? 90_000,
        'the Kafka brokers to register',
      ),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };

  try {
    // All at once: the controllers need a quorum (a majority of voters) before any broker registers.
    await Promise.all(nodes.map((node) => node.start()));
    await cluster.waitForBrokers(count);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

