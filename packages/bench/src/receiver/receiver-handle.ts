import { fork } from 'node:child_process';
import path from 'node:path';
import type { CallRecord, FromReceiver, ListenerSpec, ToReceiver } from './protocol';

interface RunSamples {
  sentAtMs: number[];
  receivedAtMs: number[];
  otherCalls: number;
}

/**
 * The bench's side of the receiver process: opens listeners there, and accumulates what
 * it reports (first calls with their send and receive instants per run, and every call
 * to a failing listener).
 */
export async function startReceiverProcess() {
  const child = fork(path.join(__dirname, 'receiver-process.js'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  const runs = new Map<string, RunSamples>();
  const calls: CallRecord[] = [];
  const pending = new Map<number, (message: FromReceiver) => void>();
  let nextRequestId = 1;
  let hangingConnections = 0;

  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the receiver process exited with ${code} during start-up`)));
    child.on('message', (message: FromReceiver) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'report') {
        for (const [run, report] of Object.entries(message.runs)) {
          const samples = runs.get(run) ?? { sentAtMs: [], receivedAtMs: [], otherCalls: 0 };
          for (let index = 0; index < report.sentAtMs.length; index += 1) {
            samples.sentAtMs.push(report.sentAtMs[index] as number);
            samples.receivedAtMs.push(report.receivedAtMs[index] as number);
          }
          samples.otherCalls += report.otherCalls;
          runs.set(run, samples);
        }
        for (const call of message.calls) calls.push(call);
        hangingConnections = message.hangingConnections;
      } else {
        pending.get(message.requestId)?.(message);
        pending.delete(message.requestId);
      }
    });
  });
  await ready;
  const pid = child.pid as number;

  const request = (message: Omit<Extract<ToReceiver, { type: 'open' }>, 'requestId'> | Omit<Extract<ToReceiver, { type: 'close' }>, 'requestId'>) =>
    new Promise<FromReceiver>((resolve) => {
      const requestId = nextRequestId++;
      pending.set(requestId, resolve);
      child.send({ ...message, requestId } as ToReceiver);
    });

  return {
    pid,
    /** Opens listeners; returns their URLs in the same order (one origin each). */
    async open(listeners: ListenerSpec[]): Promise<string[]> {
      const reply = await request({ type: 'open', listeners });
      if (reply.type !== 'opened') throw new Error('unexpected reply from the receiver');
      return reply.ports.map((port, index) => `http://127.0.0.1:${port}/${listeners[index]?.behaviour}`);
    },
    async close(labels: string[]): Promise<void> {
      await request({ type: 'close', labels });
    },
    /** First calls of a run answered 200 so far. */
    firstCalls: (run: string): number => runs.get(run)?.sentAtMs.length ?? 0,
    /** Latencies (ms) of a run's first calls whose events were produced within [fromMs, toMs). */
    latencies(run: string, fromMs = -Infinity, toMs = Infinity): number[] {
      const samples = runs.get(run);
      if (!samples) return [];
      const result: number[] = [];
      for (let index = 0; index < samples.sentAtMs.length; index += 1) {
        const sentAt = samples.sentAtMs[index] as number;
        if (sentAt >= fromMs && sentAt < toMs) result.push((samples.receivedAtMs[index] as number) - sentAt);
      }
      return result;
    },
    /** First calls of a run received within [fromMs, toMs). */
    receivedBetween(run: string, fromMs: number, toMs: number): number {
      const samples = runs.get(run);
      if (!samples) return 0;
      let count = 0;
      for (const receivedAt of samples.receivedAtMs) if (receivedAt >= fromMs && receivedAt < toMs) count += 1;
      return count;
    },
    otherCalls: (run: string): number => runs.get(run)?.otherCalls ?? 0,
    /** Calls to failing listeners whose label starts with `labelPrefix`. */
    failingCalls: (labelPrefix: string): CallRecord[] => calls.filter((call) => call.label.startsWith(labelPrefix)),
    hangingConnections: () => hangingConnections,
    /** Frees a finished run's samples. */
    forget(run: string): void {
      runs.delete(run);
    },
    stop(): Promise<void> {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}

export type ReceiverProcess = Awaited<ReturnType<typeof startReceiverProcess>>;
